"""The audit log as the audit administrator's pages show it: the presentation helpers shared by the table, the
detail page and the exports, the filters and the table (core.audit_views)."""

from datetime import datetime, time, timedelta

import django_filters
import django_tables2 as tables
from django import forms
from django.apps import apps
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from .audit_display import configuration_types, shown_changes, shown_label
from .models import AuditEvent

CHANGE_LINES_SHOWN = 3
CHANGE_LINE_CHARS = 60


# --- presentation helpers, shared by the table, the detail page and the export ---------------------------

def object_type_display(object_type):
    """A model label ("sample.SampleRecord") as its Chinese name; free-text types ("账号") as they are."""
    if not object_type:
        return ""
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


def change_lines(changes):
    """Each recorded change as one line, "字段: 旧 → 新" (other shapes of `changes` as "键: 值")."""
    if not isinstance(changes, dict):
        return [str(changes)] if changes else []
    lines = []
    for key, value in changes.items():
        if isinstance(value, (list, tuple)) and len(value) == 2:
            old, new = (shown_value(v) for v in value)
            lines.append(f"{key}: {old} → {new}")
        elif isinstance(value, dict):
            inner = "，".join(f"{k}={shown_value(v)}" for k, v in value.items())
            lines.append(f"{key}: {inner or '（无）'}")
        else:
            lines.append(f"{key}: {shown_value(value)}")
    return lines


def _shorten(text, limit):
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shown_value(value):
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (list, tuple)):
        return "、".join(shown_value(v) for v in value)
    return str(value)


def object_cell(event):
    """Type, id and (masked) label of an event's object, for the tables of the auditor's pages."""
    kind = object_type_display(event.object_type)
    number = f"#{event.object_id}" if event.object_id else ""
    label = shown_label(event)
    if not (kind or number or label):
        return "—"
    return format_html('<span class="text-secondary">{}</span> {} {}', kind, number, label)


# --- filters --------------------------------------------------------------------------------------------

class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, unit):
        label = "\u3000" * (unit.depth - 1) + unit.name
        return label if unit.is_active else f"{label}（已停用）"


class UnitFilter(django_filters.ModelChoiceFilter):
    field_class = UnitChoiceField


def _units(request):
    # Org units are not business data; the audit administrator sees the whole tree, stopped units too.
    return apps.get_model("org", "Unit").objects.order_by("path")


class AuditFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "结束日期不能早于开始日期。")
        return cleaned


class AuditEventFilterSet(django_filters.FilterSet):
    date_from = django_filters.DateFilter(
        label="开始日期", method="filter_date_from", widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        label="结束日期", method="filter_date_to", widget=forms.DateInput(attrs={"type": "date"}),
    )
    user = django_filters.CharFilter(
        label="用户", field_name="username", lookup_expr="icontains",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "用户名包含"}),
    )
    unit = UnitFilter(label="单位（含下级）", queryset=_units, method="filter_unit", empty_label="全部")
    action = django_filters.ChoiceFilter(label="操作", choices=AuditEvent.Action.choices, empty_label="全部")
    success = django_filters.ChoiceFilter(
        label="结果", choices=[("1", "成功"), ("0", "失败")], method="filter_success", empty_label="全部",
    )
    object = django_filters.CharFilter(
        label="对象", method="filter_object",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "对象类型、名称或编号"}),
    )
    request_id = django_filters.CharFilter(
        label="请求编号", method="filter_request_id",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "32位请求编号"}),
    )

    class Meta:
        model = AuditEvent
        fields = []
        form = AuditFilterForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    # Day bounds in local time, compared with the indexed column directly (no per-row date function).
    @staticmethod
    def _day_start(day):
        return timezone.make_aware(datetime.combine(day, time.min))

    def filter_date_from(self, queryset, name, day):
        return queryset.filter(timestamp__gte=self._day_start(day))

    def filter_date_to(self, queryset, name, day):
        return queryset.filter(timestamp__lt=self._day_start(day + timedelta(days=1)))

    def filter_unit(self, queryset, name, unit):
        subtree = apps.get_model("org", "Unit").objects.filter(path__startswith=unit.path).values("pk")
        return queryset.filter(unit_id__in=subtree)

    def filter_success(self, queryset, name, value):
        return queryset.filter(success=value == "1")

    def filter_object(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # Labels of business records are masked on screen: searching them would tell the auditor that a person
        # of that name is in the log, so only labels of configuration events are searched.
        query = (Q(object_type__icontains=value) | Q(object_id=value)
                 | Q(object_label__icontains=value, object_type__in=sorted(configuration_types())))
        # Events name models by label ("sample.SampleRecord"); people search by the Chinese name.
        labels = [m._meta.label for m in apps.get_models() if value in str(m._meta.verbose_name)]
        if labels:
            query |= Q(object_type__in=labels)
        return queryset.filter(query)

    def filter_request_id(self, queryset, name, value):
        value = value.strip().lower()
        return queryset.filter(request_id=value) if value else queryset


# --- table ----------------------------------------------------------------------------------------------

class AuditEventTable(tables.Table):
    timestamp = tables.DateTimeColumn(
        verbose_name="时间", format="Y-m-d H:i:s",
        linkify=lambda record: reverse("audit:event_detail", args=[record.pk]),
    )
    username = tables.Column(verbose_name="用户")
    unit = tables.Column(verbose_name="单位")
    ip = tables.Column(verbose_name="IP")
    action = tables.Column(verbose_name="操作")
    success = tables.Column(verbose_name="结果")
    object = tables.Column(verbose_name="对象", accessor="object_label", empty_values=())
    changes = tables.Column(
        verbose_name="变更内容", empty_values=(),
        attrs={"td": {"class": "small text-wrap", "style": "min-width: 16rem"}},
    )
    request_id = tables.Column(verbose_name="请求编号", attrs={"td": {"class": "text-secondary small"}})

    class Meta:
        model = AuditEvent
        fields = ()
        sequence = ("timestamp", "username", "unit", "ip", "action", "success", "object", "changes", "request_id")
        orderable = False  # newest first, always: sorting a huge log by other columns would scan it
        empty_text = "没有符合条件的审计事件"

    def render_success(self, value):
        if value:
            return format_html('<span class="badge bg-green-lt">{}</span>', "成功")
        return format_html('<span class="badge bg-red-lt">{}</span>', "失败")

    def render_object(self, record):
        return object_cell(record)

    def render_changes(self, record):
        """One line per change, the first few only; the detail page has them all."""
        lines = change_lines(shown_changes(record))
        if not lines:
            return "—"
        shown = [_shorten(line, CHANGE_LINE_CHARS) for line in lines[:CHANGE_LINES_SHOWN]]
        if len(lines) > CHANGE_LINES_SHOWN:
            shown.append(f"……共 {len(lines)} 项")
        return format_html_join("", "<div>{}</div>", ((line,) for line in shown))

    def render_request_id(self, value):
        return format_html('<span title="{}">{}…</span>', value, value[:8])
