import django_filters
from django import forms
from django.utils import timezone

from .models import Scheme


def year_choices():
    years = set(Scheme.objects.values_list("year", flat=True)) | {timezone.localdate().year}
    return [(str(y), f"{y}年") for y in sorted(years, reverse=True)]


class SchemeFilterSet(django_filters.FilterSet):
    """Search by title; year and status. The list is already scoped by the view."""

    q = django_filters.CharFilter(
        label="搜索", field_name="title", lookup_expr="icontains",
        widget=forms.TextInput(attrs={"type": "search", "class": "form-control", "placeholder": "细则名称"}),
    )
    year = django_filters.ChoiceFilter(label="年度", choices=year_choices, empty_label="全部",
                                       widget=forms.Select(attrs={"class": "form-select"}))
    status = django_filters.ChoiceFilter(label="状态", choices=Scheme.Status.choices, empty_label="全部",
                                         widget=forms.Select(attrs={"class": "form-select"}))

    class Meta:
        model = Scheme
        fields = []
