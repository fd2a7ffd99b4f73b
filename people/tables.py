import hashlib

import django_tables2 as tables
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db.models.functions import TruncMonth
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.functional import cached_property
from django.utils.html import format_html

from core.tables import SECONDARY, WRAPPING

from .choices import Status
from .models import Person, Transfer
from .privacy import age

STATUS_LABELS = dict(Status.choices)
STATUS_BADGES = {"active": "bg-green-lt", "transferred": "bg-azure-lt", "exited": "bg-secondary-lt",
                 "deceased": "bg-dark-lt"}


class CachedCountPaginator(Paginator):
    """A paginator that counts a filtered list once and remembers the figure for a short while.

    The key is the list's SQL without its ordering, so it covers the user's scope (the scope is part of
    the WHERE clause) and the filter, and is shared by every user with the same scope and filter; turning
    pages or re-sorting reuses it. Any save or delete of a person in this process starts a new generation
    of keys, so the figure a user sees right after their own change is fresh; changes made by other
    processes (a background import) show within COUNT_TTL seconds.
    """

    COUNT_TTL = 60
    GENERATION_KEY = "people:list-count:generation"

    @cached_property
    def count(self):
        queryset = getattr(getattr(self.object_list, "data", None), "data", None)
        if queryset is None or not hasattr(queryset, "query"):
            return super().count
        try:
            sql, params = queryset.order_by().query.sql_with_params()
        except EmptyResultSet:  # e.g. queryset.none() after an invalid filter
            return 0
        generation = cache.get_or_set(self.GENERATION_KEY, 0, None)
        key = "people:list-count:" + hashlib.sha256(repr((generation, sql, params)).encode()).hexdigest()
        value = cache.get(key)
        if value is None:
            value = queryset.count()
            cache.set(key, value, self.COUNT_TTL)
        return value

    @classmethod
    def new_generation(cls, **kwargs):
        try:
            cache.incr(cls.GENERATION_KEY)
        except ValueError:
            cache.set(cls.GENERATION_KEY, 1, None)


post_save.connect(CachedCountPaginator.new_generation, sender=Person, dispatch_uid="people-count-save")
post_delete.connect(CachedCountPaginator.new_generation, sender=Person, dispatch_uid="people-count-delete")
m2m_changed.connect(CachedCountPaginator.new_generation, sender=Person.categories.through,
                    dispatch_uid="people-count-categories")
m2m_changed.connect(CachedCountPaginator.new_generation, sender=Person.tags.through,
                    dispatch_uid="people-count-tags")


class ChoiceColumn(tables.Column):
    """A choice field shown by its label from a dict built once (Model.get_FOO_display rebuilds the
    choices on every call, which for 58 ethnicities costs more than the rest of the row)."""

    def __init__(self, field_name, **kwargs):
        self.field_name = field_name
        self.labels = {str(k): str(v) for k, v in Person._meta.get_field(field_name).flatchoices}
        kwargs.setdefault("order_by", (field_name, "id"))
        super().__init__(accessor="pk", **kwargs)

    def render(self, record):
        return self.labels.get(getattr(record, self.field_name), "") or "—"

    def value(self, record):
        return self.labels.get(getattr(record, self.field_name), "")


class PersonTable(tables.Table):
    """The ledger list. The view prefetches categories and selects the unit: a fixed number of queries."""

    selection = tables.CheckBoxColumn(
        accessor="pk", attrs={
            "th__input": {"data-check-all": "ids", "aria-label": "全选本页", "class": "form-check-input"},
            "td__input": {"name": "ids", "class": "form-check-input", "aria-label": "选择"},
            "th": {"class": "w-1"}, "td": {"class": "w-1"},
        },
    )
    name = tables.Column(verbose_name="姓名", linkify=True, order_by=("name_pinyin", "id"))
    gender = ChoiceColumn("gender", verbose_name="性别", attrs=SECONDARY)
    age = tables.Column(verbose_name="年龄", accessor="birth_date", order_by=("-birth_date", "id"), attrs=SECONDARY)
    ethnicity = ChoiceColumn("ethnicity", verbose_name="民族", attrs=SECONDARY)
    affiliation = ChoiceColumn("affiliation", verbose_name="政治面貌", attrs=SECONDARY)
    categories = tables.Column(verbose_name="类别", accessor="pk", orderable=False, attrs=WRAPPING)
    workplace = tables.Column(verbose_name="工作单位/职务", order_by=("workplace", "id"), attrs=WRAPPING)
    owner_unit = tables.Column(verbose_name="所属单位", order_by=("owner_unit__path", "id"))
    tier = ChoiceColumn("tier", verbose_name="层级", attrs=SECONDARY)
    status = tables.Column(verbose_name="状态", accessor="pk", order_by=("status", "id"))
    phone = tables.Column(verbose_name="联系电话", orderable=False, attrs=SECONDARY)

    class Meta:
        model = Person
        fields = ()
        sequence = ("selection", "name", "gender", "age", "ethnicity", "affiliation", "categories", "workplace",
                    "owner_unit", "tier", "status", "phone")
        empty_text = "没有符合条件的人员"
        attrs = {"class": "table table-vcenter card-table table-striped table-sm"}
        orderable = True

    def __init__(self, *args, sensitive=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.sensitive = sensitive  # people.privacy.SensitiveScope: whose birth day the user may see

    def shows_birth_day(self, record):
        return self.sensitive is None or self.sensitive.covers(record)

    def render_age(self, value, record):
        return age(value, day=self.shows_birth_day(record))

    def order_age(self, queryset, is_descending):
        # Sorting people of one birth month by their day would give the days away to a user who may not see them.
        key = "birth_date"
        if self.sensitive is not None and not self.sensitive.everything:
            queryset, key = queryset.annotate(birth_month=TruncMonth("birth_date")), "birth_month"
        return queryset.order_by(*((key, "-id") if is_descending else (f"-{key}", "id"))), True

    def render_categories(self, record):
        return "、".join(c.name for c in record.categories.all()) or "—"

    def render_workplace(self, record):
        return "".join(part for part in (record.workplace, record.position) if part) or "—"

    def render_owner_unit(self, value):
        return value.display_name

    def render_status(self, record):
        return format_html('<span class="badge {}">{}</span>', STATUS_BADGES.get(record.status, ""),
                           STATUS_LABELS.get(record.status, record.status))

    def render_phone(self, record):
        return Person._meta.get_field("phone").masked(record.phone) or "—"


class TransferTable(tables.Table):
    person = tables.Column(verbose_name="姓名", orderable=False)
    from_unit = tables.Column(verbose_name="调出单位")
    to_unit = tables.Column(verbose_name="调入单位")
    date = tables.DateColumn(verbose_name="调动日期", format="Y-m-d")
    reason = tables.Column(verbose_name="原因", attrs=SECONDARY)
    created_by = tables.Column(verbose_name="经办人", attrs=SECONDARY)

    class Meta:
        model = Transfer
        fields = ()
        sequence = ("person", "from_unit", "to_unit", "date", "reason", "created_by")
        empty_text = "暂无调动记录"
        attrs = {"class": "table table-vcenter card-table table-striped"}

    def render_person(self, record):
        # `person_visible` is annotated by the view: a link only to people the user may open.
        person = record.person
        if getattr(record, "person_visible", False):
            return format_html('<a href="{}">{}</a>', person.get_absolute_url(), person.name)
        return person.name
