import django_filters
from django import forms
from django.utils import timezone

from core.filtersets import ScopedFilterSet

from .forms import year_choices
from .models import Activity, ActivityType, Frequency, Plan

PLANNED, UNPLANNED = "planned", "unplanned"


def _year_choices():
    return [(str(y), label) for y, label in year_choices()]


MONTH_CHOICES = [(str(m), f"{m}月") for m in range(1, 13)]


class ActivityFilterSet(ScopedFilterSet):
    """Type, unit subtree, period (date range, or year and month), planned or not; search by title or place."""

    search_fields = ("title", "place")

    activity_type = django_filters.ModelChoiceFilter(
        label="活动类型", queryset=ActivityType.objects.all(), empty_label="全部")
    year = django_filters.ChoiceFilter(label="年度", choices=_year_choices, method="filter_year", empty_label="全部")
    month = django_filters.ChoiceFilter(label="月份", choices=MONTH_CHOICES, method="filter_month", empty_label="全部")
    date_from = django_filters.DateFilter(
        label="日期从", field_name="start__date", lookup_expr="gte", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = django_filters.DateFilter(
        label="日期至", field_name="start__date", lookup_expr="lte", widget=forms.DateInput(attrs={"type": "date"}))
    planned = django_filters.ChoiceFilter(
        label="完成计划", choices=[(PLANNED, "计划内（完成计划）"), (UNPLANNED, "计划外")], method="filter_planned",
        empty_label="全部")

    class Meta:
        model = Activity
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["q"].widget.attrs["placeholder"] = "活动名称或地点"

    def filter_year(self, queryset, name, value):
        return queryset.filter(start__year=int(value))

    def filter_month(self, queryset, name, value):
        # A month alone means that month of the chosen year (this year when none is chosen).
        if not self.data.get("year"):
            queryset = queryset.filter(start__year=timezone.localdate().year)
        return queryset.filter(start__month=int(value))

    def filter_planned(self, queryset, name, value):
        return queryset.filter(plan__isnull=value == UNPLANNED)


class PlanFilterSet(ScopedFilterSet):
    search_fields = ("title",)

    year = django_filters.ChoiceFilter(label="年度", choices=_year_choices, empty_label="全部")
    activity_type = django_filters.ModelChoiceFilter(
        label="活动类型", queryset=ActivityType.objects.all(), empty_label="全部")
    frequency = django_filters.ChoiceFilter(label="频次", choices=Frequency.choices, empty_label="全部")

    class Meta:
        model = Plan
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["q"].widget.attrs["placeholder"] = "计划名称"
