import django_tables2 as tables
from django import forms

from core import views
from core.filtersets import ScopedFilterSet
from core.forms import ScopedModelForm

from .models import SampleRecord


class SampleRecordFilterSet(ScopedFilterSet):
    search_fields = ("name",)

    class Meta:
        model = SampleRecord
        fields = []


class SampleRecordTable(tables.Table):
    name = tables.Column(linkify=True)

    class Meta:
        model = SampleRecord
        fields = ("name", "owner_unit")


class SampleRecordForm(ScopedModelForm):
    class Meta:
        model = SampleRecord
        fields = ["name", "phone", "owner_unit"]
        widgets = {"phone": forms.TextInput}


class SampleRecordListView(views.ObjectListView):
    model = SampleRecord
    table_class = SampleRecordTable
    filterset_class = SampleRecordFilterSet


class SampleRecordDetailView(views.ObjectDetailView):
    model = SampleRecord
    detail_fields = ["name", "phone", "owner_unit"]


class SampleRecordEditView(views.ObjectEditView):
    model = SampleRecord
    form_class = SampleRecordForm


class SampleRecordDeleteView(views.ObjectDeleteView):
    model = SampleRecord


class SampleRecordExportView(views.ObjectExportView):
    model = SampleRecord
    filterset_class = SampleRecordFilterSet


class SampleRecordAutocompleteView(views.ObjectAutocompleteView):
    model = SampleRecord

