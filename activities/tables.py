import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html

from .models import Activity, Plan

# Columns a phone does not have room for: shown from the md breakpoint (768px) up.
SECONDARY = {"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}}
TABLE_ATTRS = {"class": "table table-vcenter card-table table-striped"}


class ActivityTable(tables.Table):
    title = tables.Column(verbose_name="活动", order_by=("title", "id"), attrs={"td": {"class": "text-wrap"}})
    start = tables.Column(verbose_name="时间", order_by=("start", "id"))
    activity_type = tables.Column(verbose_name="类型", order_by=("activity_type__sort_order", "id"), attrs=SECONDARY)
    owner_unit = tables.Column(verbose_name="组织单位", order_by=("owner_unit__path", "id"), attrs=SECONDARY)
    place = tables.Column(verbose_name="地点", attrs=SECONDARY)
    headcount = tables.Column(verbose_name="人数", accessor="pk", orderable=False, attrs=SECONDARY)
    plan = tables.Column(verbose_name="完成计划", orderable=False, attrs=SECONDARY)

    class Meta:
        model = Activity
        fields = ()
        sequence = ("title", "start", "activity_type", "owner_unit", "place", "headcount", "plan")
        empty_text = "没有符合条件的活动"
        attrs = TABLE_ATTRS
        orderable = True

    def render_title(self, record):
        photos = getattr(record, "photo_count", 0)
        return format_html(
            '<a href="{}">{}</a>{}', record.get_absolute_url(), record.title,
            format_html(' <span class="text-secondary small" title="照片"><i class="ti ti-photo"></i>{}</span>', photos)
            if photos else "",
        )

    def render_start(self, value):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"

    def render_owner_unit(self, value):
        return value.display_name

    def render_headcount(self, record):
        return getattr(record, "participant_count", 0) + record.other_participants

    def render_plan(self, record):
        if not record.plan_id:
            return format_html('<span class="text-secondary">{}</span>', "计划外")
        return format_html('<span class="badge bg-green-lt">{}</span>', record.occurrence or "不在计划年度")


class PlanTable(tables.Table):
    title = tables.Column(verbose_name="计划", order_by=("title", "id"), attrs={"td": {"class": "text-wrap"}})
    year = tables.Column(verbose_name="年度")
    activity_type = tables.Column(verbose_name="活动类型", order_by=("activity_type__sort_order", "id"),
                                  attrs=SECONDARY)
    frequency = tables.Column(verbose_name="频次", attrs=SECONDARY)
    owner_unit = tables.Column(verbose_name="组织单位", order_by=("owner_unit__path", "id"))
    progress = tables.Column(verbose_name="已开展/应开展", accessor="pk", orderable=False)

    class Meta:
        model = Plan
        fields = ()
        sequence = ("title", "year", "activity_type", "frequency", "owner_unit", "progress")
        empty_text = "没有符合条件的计划"
        attrs = TABLE_ATTRS
        orderable = True

    def render_title(self, record):
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), str(record))

    def render_year(self, value):
        return f"{value}年"

    def render_owner_unit(self, value):
        return value.display_name

    def render_progress(self, record):
        expected = len(record.occurrences())
        done = getattr(record, "fulfilled_count", 0)
        colour = "green" if done >= expected else "orange"
        return format_html('<span class="badge bg-{}-lt">{} / {}</span>', colour, done, expected)
