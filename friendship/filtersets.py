import re

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from core.filtersets import ScopedFilterSet

from . import services
from .models import Contact, FollowUp, Pairing

ON_TRACK, BEHIND = "on_track", "behind"
MINE, ALL = "mine", "all"


def search_q(value, person_prefix, official_prefix):
    """Representative by name, pinyin or initials (`zs`), or the official by name: one Q."""
    value = value.strip()
    letters = re.sub(r"[\s'’]+", "", value).lower()
    query = Q(**{f"{person_prefix}name__icontains": value})
    if letters.isascii() and letters.isalpha():
        query |= Q(**{f"{person_prefix}name_pinyin__startswith": letters})
        query |= Q(**{f"{person_prefix}name_initials__startswith": letters})
    query |= Q(**{f"{official_prefix}official__full_name__icontains": value})
    query |= Q(**{f"{official_prefix}official__username__iexact": value})
    query |= Q(**{f"{official_prefix}official_name__icontains": value})
    return query


def _officials(request):
    """The officials of the pairings the user may see (a filter names nobody outside the scope)."""
    if request is None or not request.user.is_authenticated:
        return get_user_model().objects.none()
    visible = Pairing.objects.visible_to(request.user).filter(official__isnull=False).values("official")
    return get_user_model().objects.filter(pk__in=visible).order_by("full_name", "username")


class OfficialFilter(django_filters.ModelChoiceFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", _officials)
        kwargs.setdefault("empty_label", "全部")
        kwargs.setdefault("label", "联系干部")
        super().__init__(*args, **kwargs)

    @property
    def field(self):
        field = super().field
        field.label_from_instance = lambda u: u.full_name or u.username
        return field


class PairingFilterSet(ScopedFilterSet):
    """Pairings. The view annotates the progress (services.with_progress) for the chosen year, which
    `progress` filters on; `year` keeps the pairings that ran during that year."""

    official = OfficialFilter(field_name="official")
    progress = django_filters.ChoiceFilter(
        label="联系进度", choices=[(ON_TRACK, "进度正常"), (BEHIND, "进度落后")], method="filter_progress",
        empty_label="全部",
    )
    year = django_filters.ChoiceFilter(label="年度", choices=services.year_choices, method="filter_year",
                                      empty_label="全部")

    class Meta:
        model = Pairing
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["q"].widget.attrs["placeholder"] = "代表人士姓名、拼音首字母或联系干部"

    def filter_search(self, queryset, name, value):
        if not value.strip():
            return queryset
        return queryset.filter(search_q(value, "representative__person__", ""))

    def filter_progress(self, queryset, name, value):
        return queryset.filter(services.BEHIND) if value == BEHIND else queryset.exclude(services.BEHIND)

    def filter_year(self, queryset, name, value):
        return services.active_in_year(queryset, services.progress_date(value))


class ContactFilterSet(ScopedFilterSet):
    official = OfficialFilter(field_name="pairing__official")
    form = django_filters.ChoiceFilter(label="联系形式", choices=Contact.Form.choices, empty_label="全部")
    date_from = django_filters.DateFilter(
        label="日期从", field_name="date", lookup_expr="gte", widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        label="日期至", field_name="date", lookup_expr="lte", widget=forms.DateInput(attrs={"type": "date"}),
    )
    has_issues = django_filters.ChoiceFilter(
        label="反映问题", choices=[("1", "有"), ("0", "无")], method="filter_has_issues", empty_label="全部",
    )

    class Meta:
        model = Contact
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["q"].widget.attrs["placeholder"] = "代表人士姓名、拼音首字母或联系干部"

    def filter_search(self, queryset, name, value):
        if not value.strip():
            return queryset
        return queryset.filter(search_q(value, "pairing__representative__person__", "pairing__"))

    def filter_has_issues(self, queryset, name, value):
        return queryset.exclude(issues="") if value == "1" else queryset.filter(issues="")


class FollowUpFilterSet(ScopedFilterSet):
    whose = django_filters.ChoiceFilter(
        label="范围", choices=[(MINE, "我负责的"), (ALL, "全部（数据范围内）")], method="filter_whose",
        empty_label=None,
    )
    status = django_filters.ChoiceFilter(
        label="状态", choices=[*FollowUp.Status.choices, ("overdue", "已逾期")], method="filter_status",
        empty_label="全部",
    )

    class Meta:
        model = FollowUp
        fields = []

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and not data.get("whose"):
            data = data.copy()
            data["whose"] = ALL
        super().__init__(data, *args, **kwargs)
        self.form.fields["q"].widget.attrs["placeholder"] = "问题内容或代表人士姓名"

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(description__icontains=value) | search_q(value, "contact__pairing__representative__person__",
                                                        "contact__pairing__")
        )

    def filter_whose(self, queryset, name, value):
        return queryset.filter(assignee=self.request.user) if value == MINE else queryset

    def filter_status(self, queryset, name, value):
        if value == "overdue":
            return queryset.filter(status=FollowUp.Status.OPEN, due_date__lt=timezone.localdate())
        return queryset.filter(status=value)
