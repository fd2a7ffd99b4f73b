import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html

from org.models import Unit

from .models import Scheme
from .scoring import fmt

SECONDARY = {"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}}
TABLE_ATTRS = {"class": "table table-vcenter card-table table-striped"}
TYPE_LABELS = dict(Unit.Type.choices)


class SchemeTable(tables.Table):
    title = tables.Column(verbose_name="考核细则", order_by=("title", "id"), attrs={"td": {"class": "text-wrap"}})
    year = tables.Column(verbose_name="年度")
    status = tables.Column(verbose_name="状态")
    coverage = tables.Column(verbose_name="考核单位", accessor="pk", orderable=False, attrs=SECONDARY)
    item_count = tables.Column(verbose_name="考核事项", attrs=SECONDARY)
    points_total = tables.Column(verbose_name="基本分", attrs=SECONDARY)
    updated_at = tables.Column(verbose_name="修改时间", attrs=SECONDARY)

    class Meta:
        model = Scheme
        fields = ()
        sequence = ("title", "year", "status", "coverage", "item_count", "points_total", "updated_at")
        empty_text = "没有符合条件的考核细则"
        attrs = TABLE_ATTRS
        orderable = True

    def render_title(self, record):
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), record.title)

    def render_year(self, value):
        return f"{value}年"

    def render_status(self, record):
        colour = "green" if record.is_published else "secondary"
        return format_html('<span class="badge bg-{}-lt">{}</span>', colour, record.get_status_display())

    def render_coverage(self, record):
        parts = [str(TYPE_LABELS.get(t, t)) for t in record.unit_types or []]
        extra = len(record.units.all())
        if extra:
            parts.append(f"另{extra}个单位")
        return "、".join(parts) or "—"

    def render_points_total(self, value):
        return f"{fmt(value)}分"

    def render_updated_at(self, value):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
