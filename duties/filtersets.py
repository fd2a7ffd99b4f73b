import django_filters
from django import forms
from django.utils import timezone

from core.filtersets import ScopedFilterSet

from .models import Indicator, Scheme, Submission


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


class SubmissionFilterSet(ScopedFilterSet):
    """The submissions a user may view, by the review queue's filters (scheme, unit — with the units below it —,
    category, status) and by year, item and period; search by item or evidence text."""

    search_fields = ("indicator__text", "text")

    scheme = django_filters.ModelChoiceFilter(label="考核细则", field_name="indicator__scheme",
                                              queryset=Scheme.objects.published(), empty_label="全部考核细则")
    year = django_filters.NumberFilter(label="年度", field_name="indicator__scheme__year")
    category = django_filters.ModelChoiceFilter(
        label="类别", field_name="indicator__parent", empty_label="全部类别",
        queryset=Indicator.objects.filter(parent__isnull=True, scheme__status=Scheme.Status.PUBLISHED))
    indicator = django_filters.ModelChoiceFilter(
        label="考核事项", empty_label="全部事项",
        queryset=Indicator.objects.filter(parent__isnull=False, scheme__status=Scheme.Status.PUBLISHED))
    status = django_filters.ChoiceFilter(label="状态", choices=Submission.Status.choices, empty_label="全部状态")
    period_key = django_filters.CharFilter(label="期次（2026、2026-H1、2026-Q3、2026-03）")

    class Meta:
        model = Submission
        fields = []
