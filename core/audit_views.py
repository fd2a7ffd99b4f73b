"""The audit administrator's pages (安全审计): read, filter, export and verify the audit log.

Only the holder of the separated audit-admin role (审计管理员) gets in; everyone else gets 403, an
anonymous visitor the login page. Every view answers GET only, except marking a day of the daily review
as reviewed, which appends one event: there is no way to edit or delete an event here (or anywhere in the
app). Exports are themselves audited. Labels and changed values are shown through core.audit_display:
personal values of business records are masked on every page and in exports.
"""

from datetime import datetime, time, timedelta

import django_filters
import django_tables2 as tables
from django import forms
from django.apps import apps
from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.views import View
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView

from . import audit, audit_review
from .audit_display import configuration_types, shown_changes, shown_label
from .excel import SheetWriter, export_filename, xlsx_response
from .models import AuditEvent
from .views import AdminRoleRequiredMixin, HtmxListMixin

# Excel holds 1,048,576 rows a sheet; stay clear of it (the title rows and a closing note need room).
EXPORT_MAX_ROWS = 1_000_000
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
            old, new = (_shown(v) for v in value)
            lines.append(f"{key}: {old} → {new}")
        elif isinstance(value, dict):
            inner = "，".join(f"{k}={_shown(v)}" for k, v in value.items())
            lines.append(f"{key}: {inner or '（无）'}")
        else:
            lines.append(f"{key}: {_shown(value)}")
    return lines


def _shorten(text, limit):
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _shown(value):
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (list, tuple)):
        return "、".join(_shown(v) for v in value)
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

    def described(self):
        """The filters in use as {label: shown value}, for the export's heading and its own audit event."""
        described = {}
        for name, field in self.form.fields.items():
            value = self.form.cleaned_data.get(name)
            if value in (None, ""):
                continue
            if isinstance(field, forms.ModelChoiceField):
                shown = str(value)
            elif isinstance(field, forms.ChoiceField):
                shown = str(dict(field.choices).get(value, value))
            elif hasattr(value, "isoformat"):
                shown = value.isoformat()
            else:
                shown = str(value)
            described[str(field.label)] = shown
        return described


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


# --- views ----------------------------------------------------------------------------------------------

class AuditAdminRequiredMixin(AdminRoleRequiredMixin):
    """The audit administrator (审计管理员) only. Read-only: GET and HEAD."""

    admin_kind = "audit"
    http_method_names = ["get", "head"]


def _events():
    # select_related is a LEFT JOIN: an event whose unit no longer exists still shows (unit empty).
    return AuditEvent.objects.select_related("unit").order_by("-id")


class AuditEventListView(AuditAdminRequiredMixin, HtmxListMixin, tables.SingleTableMixin, FilterView):
    model = AuditEvent
    results_template_name = "core/audit_list_results.html"
    table_class = AuditEventTable
    filterset_class = AuditEventFilterSet
    template_name = "core/audit_list.html"
    # The table paginates; leaving ListView's own pagination off saves a second COUNT(*) over the log.
    paginate_by = None
    table_pagination = {"per_page": 50}

    def get_queryset(self):
        return _events()


class AuditEventDetailView(AuditAdminRequiredMixin, DetailView):
    model = AuditEvent
    template_name = "core/audit_detail.html"
    context_object_name = "event"

    def get_queryset(self):
        return _events()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        event = self.object
        intact, linked = audit.check_event(event)
        shown = shown_changes(event)
        changes = shown if isinstance(shown, dict) else {}
        rows, other = [], {}
        for key, value in changes.items():
            if isinstance(value, (list, tuple)) and len(value) == 2:
                rows.append((key, _shown(value[0]), _shown(value[1])))
            else:
                other[key] = value
        context.update(
            object_type_display=object_type_display(event.object_type),
            object_label=shown_label(event),
            change_rows=rows,
            other_changes=change_lines(other),
            hash_intact=intact,
            hash_linked=linked,
        )
        return context


class AuditEventExportView(AuditAdminRequiredMixin, View):
    """The filtered events (the whole list, not one page) as an xlsx download, itself audited."""

    columns = [
        ("编号", lambda e: e.id),
        ("时间", lambda e: timezone.localtime(e.timestamp).strftime("%Y-%m-%d %H:%M:%S")),
        ("用户", lambda e: e.username),
        ("单位", lambda e: str(e.unit) if e.unit else ""),
        ("IP", lambda e: e.ip or ""),
        ("操作", lambda e: e.get_action_display()),
        ("结果", lambda e: "成功" if e.success else "失败"),
        ("对象类型", lambda e: object_type_display(e.object_type)),
        ("对象编号", lambda e: e.object_id),
        ("对象", shown_label),
        ("变更内容", lambda e: "\n".join(change_lines(shown_changes(e)))),
        ("请求编号", lambda e: e.request_id),
        ("前一哈希", lambda e: e.prev_hash),
        ("哈希", lambda e: e.hash),
    ]
    text_headers = ("IP", "对象编号", "请求编号", "前一哈希", "哈希")
    widths = {"时间": 20, "变更内容": 60, "对象": 30, "前一哈希": 30, "哈希": 30}

    def get(self, request, *args, **kwargs):
        filterset = AuditEventFilterSet(request.GET, queryset=_events(), request=request)
        if not filterset.is_valid():
            messages.error(request, "筛选条件有误，请修正后再导出。")
            return redirect(f"{reverse('audit:event_list')}?{request.GET.urlencode()}")
        conditions = filterset.described()
        queryset = filterset.qs
        headers = [h for h, _ in self.columns]
        stem = "审计日志"
        now = timezone.localtime()
        subtitle = (
            f"导出人：{request.user.username}（{request.user.unit or ''}） 导出时间：{now:%Y-%m-%d %H:%M}"
            f" 筛选条件：{'；'.join(f'{k}={v}' for k, v in conditions.items()) or '无'}"
        )
        outcome = {}

        def build(target):
            writer = SheetWriter(
                target, stem, headers, title=stem, subtitle=subtitle, widths=self.widths,
                text_columns=[i for i, h in enumerate(headers) if h in self.text_headers],
            )
            for event in queryset[:EXPORT_MAX_ROWS].iterator(chunk_size=2000):
                writer.write_row([getter(event) for _, getter in self.columns])
            outcome["rows"] = writer.count
            if writer.count == EXPORT_MAX_ROWS and queryset[EXPORT_MAX_ROWS:].exists():
                outcome["truncated"] = True
                writer.write_row([f"仅导出了最新的 {EXPORT_MAX_ROWS} 条，请缩小筛选范围后分批导出。"])
            writer.close()

        response = xlsx_response(build, export_filename(stem))
        changes = {"筛选条件": conditions, "行数": outcome["rows"]}
        if outcome.get("truncated"):
            changes["截断"] = f"超过 {EXPORT_MAX_ROWS} 条，仅导出最新部分"
        audit.record(
            AuditEvent.Action.EXPORT, object_type=AuditEvent._meta.label, label=f"{stem}（{outcome['rows']}行）",
            changes=changes,
        )
        return response


class AuditChainVerifyView(AuditAdminRequiredMixin, TemplateView):
    """Runs the same check as `manage.py verify_audit`, for an auditor without shell access."""

    template_name = "core/audit_verify.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        checked, bad_event, reason = audit.verify_chain()
        missing = sorted(audit.expected_triggers() - audit.protection_triggers())
        latest = AuditEvent.objects.order_by("-id").first() if bad_event is None else None
        context.update(checked=checked, bad_event=bad_event, reason=reason, missing_triggers=missing, latest=latest)
        return context



# --- the daily review (安全事件日审) ------------------------------------------------------------------------

REVIEW_ROWS_SHOWN = 200  # per group on the page; the export has them all
REVIEW_NOTE_MAX = 200


def _review_day(request):
    """The day asked for (default yesterday) and a message when the request named no usable day."""
    text = request.GET.get("day", "").strip()
    if not text:
        return audit_review.default_day(), ""
    day = audit_review.parse_day(text)
    if day is None:
        return audit_review.default_day(), "日期格式不正确，已显示昨天。"
    if day > timezone.localdate():
        return audit_review.default_day(), "不能复核今天以后的日期，已显示昨天。"
    return day, ""


def _day_url(name, day):
    return f"{reverse(name)}?day={day.isoformat()}"


class DailyReviewView(AuditAdminRequiredMixin, TemplateView):
    """One day's security-relevant events in groups, with counts; mark the day reviewed (who, when, note)."""

    template_name = "core/audit_review.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        day, problem = _review_day(self.request)
        if problem:
            messages.error(self.request, problem)
        groups = [
            {"group": group, "count": count, "rows": [_review_row(event) for event in events],
             "truncated": count > len(events)}
            for group, count, events in audit_review.grouped(
                audit_review.day_events(day).iterator(chunk_size=2000), keep=REVIEW_ROWS_SHOWN)
        ]
        recent = audit_review.recent_days()
        done = audit_review.reviews([*recent, day])
        today = timezone.localdate()
        context.update(
            day=day, groups=groups, total=sum(g["count"] for g in groups),
            review=done.get(day), reviewable=audit_review.reviewable(day),
            previous_url=_day_url("audit:daily_review", day - timedelta(days=1)),
            next_url=_day_url("audit:daily_review", day + timedelta(days=1)) if day < today else "",
            export_url=_day_url("audit:daily_review_export", day),
            log_url=f"{reverse('audit:event_list')}?date_from={day:%Y-%m-%d}&date_to={day:%Y-%m-%d}",
            recent=[{"day": d, "reviewed": d in done, "url": _day_url("audit:daily_review", d)} for d in recent],
            rows_shown=REVIEW_ROWS_SHOWN, note_max=REVIEW_NOTE_MAX,
        )
        return context


def _review_row(event):
    return {"event": event, "object": object_cell(event), "changes": change_lines(shown_changes(event))}


class DailyReviewMarkView(AuditAdminRequiredMixin, View):
    """POST: mark a day that is over as reviewed. Writes one audit event (AuditEvent.Action.REVIEW) and nothing
    else: the events reviewed stay as they are."""

    http_method_names = ["post"]

    def post(self, request):
        day = audit_review.parse_day(request.POST.get("day", "").strip())
        note = request.POST.get("note", "").strip()
        if day is None or not audit_review.reviewable(day):
            messages.error(request, "只能对已经过去的日期标记复核。")
            return redirect(reverse("audit:daily_review"))
        back = redirect(_day_url("audit:daily_review", day))
        if len(note) > REVIEW_NOTE_MAX:
            messages.error(request, f"复核意见不能超过 {REVIEW_NOTE_MAX} 字。")
            return back
        if audit_review.reviews([day]):
            messages.info(request, f"{day:%Y-%m-%d} 已经复核过。")
            return back
        counts = {group.title: count for group, count, _ in audit_review.grouped(
            audit_review.day_events(day).iterator(chunk_size=2000), keep=0)}
        audit.record(
            AuditEvent.Action.REVIEW, object_type=audit_review.REVIEW_OBJECT_TYPE, object_id=day.isoformat(),
            label=f"{day:%Y-%m-%d} 安全事件日审",
            changes={"日期": day.isoformat(), "事件数": sum(counts.values()), "各类数量": counts, "复核意见": note},
        )
        messages.success(request, f"已将 {day:%Y-%m-%d} 标记为已复核。")
        return back


class DailyReviewExportView(AuditAdminRequiredMixin, View):
    """The day's groups as one xlsx (every event, not only the rows the page shows), itself audited."""

    headers = ["类别", "编号", "时间", "用户", "单位", "IP", "操作", "结果", "对象类型", "对象编号", "对象", "变更内容"]
    text_headers = ("IP", "对象编号")
    widths = {"类别": 22, "时间": 20, "对象": 30, "变更内容": 60}

    def get(self, request):
        day, problem = _review_day(request)
        if problem:
            messages.error(request, problem)
            return redirect(reverse("audit:daily_review"))
        groups = audit_review.grouped(audit_review.day_events(day).iterator(chunk_size=2000))
        review = audit_review.reviews([day]).get(day)
        stem = f"安全事件日审{day:%Y%m%d}"
        now = timezone.localtime()
        status = f"已复核（{review.username}，{timezone.localtime(review.timestamp):%Y-%m-%d %H:%M}）" if review \
            else "未复核"
        subtitle = (
            f"日期：{day:%Y-%m-%d}　{status}　导出人：{request.user.username}　导出时间：{now:%Y-%m-%d %H:%M}　"
            + "；".join(f"{group.title} {count}" for group, count, _ in groups)
        )
        outcome = {}

        def build(target):
            writer = SheetWriter(
                target, "日审", self.headers, title=f"安全事件日审 {day:%Y-%m-%d}", subtitle=subtitle,
                widths=self.widths, text_columns=[i for i, h in enumerate(self.headers) if h in self.text_headers],
            )
            for group, _, events in groups:
                for event in events:
                    writer.write_row([
                        group.title, event.id, timezone.localtime(event.timestamp).strftime("%Y-%m-%d %H:%M:%S"),
                        event.username, str(event.unit) if event.unit else "", event.ip or "",
                        event.get_action_display(), "成功" if event.success else "失败",
                        object_type_display(event.object_type), event.object_id, shown_label(event),
                        "\n".join(change_lines(shown_changes(event))),
                    ])
            outcome["rows"] = writer.count
            writer.close()

        response = xlsx_response(build, export_filename(stem))
        audit.record(
            AuditEvent.Action.EXPORT, object_type=AuditEvent._meta.label,
            label=f"安全事件日审 {day:%Y-%m-%d}（{outcome['rows']}行）",
            changes={"日期": day.isoformat(), "行数": outcome["rows"]},
        )
        return response


def audit_overview(request):
    """The audit administrator's workbench figures: the last seven days, each linking to the filtered log."""
    since = timezone.localdate() - timedelta(days=6)
    recent = AuditEvent.objects.filter(timestamp__date__gte=since)
    unreviewed = audit_review.unreviewed_days()
    url = reverse("audit:event_list")
    base = f"{url}?date_from={since:%Y-%m-%d}"
    Action = AuditEvent.Action
    return {"title": "近7天审计概况", "stats": [
        {"label": "审计事件", "value": recent.count(), "url": base},
        {"label": "登录失败与锁定", "alert": True, "url": f"{base}&success=0",
         "value": recent.filter(action__in=[Action.LOGIN_FAILED, Action.LOCKOUT]).count()},
        {"label": "导出", "value": recent.filter(action=Action.EXPORT).count(), "url": f"{base}&action=export"},
        {"label": "查看敏感信息", "value": recent.filter(action=Action.REVEAL).count(),
         "url": f"{base}&action=reveal"},
        {"label": "近7天未日审的日期", "value": len(unreviewed), "alert": True,
         "url": _day_url("audit:daily_review", unreviewed[-1]) if unreviewed else reverse("audit:daily_review")},
    ]}
