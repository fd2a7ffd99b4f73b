"""The audit administrator's pages (安全审计): read, filter, export and verify the audit log.

Only the holder of the separated audit-admin role (审计管理员) gets in; everyone else gets 403, an
anonymous visitor the login page. Every view answers GET only, except marking a day of the daily review
as reviewed, which appends one event: there is no way to edit or delete an event here (or anywhere in the
app). Exports are themselves audited. Labels and changed values are shown through core.audit_display:
personal values of business records are masked on every page and in exports.
"""

from datetime import timedelta

import django_tables2 as tables
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView

from . import audit, audit_review
from .audit_display import shown_changes, shown_label
from .audit_tables import (
    AuditEventFilterSet,
    AuditEventTable,
    change_lines,
    object_cell,
    object_type_display,
    shown_value,
)
from .exports import describe_filter, export_xlsx
from .models import AuditEvent
from .views import AdminRoleRequiredMixin, HtmxListMixin

# Excel holds 1,048,576 rows a sheet; stay clear of it (the title rows and a closing note need room).
EXPORT_MAX_ROWS = 1_000_000


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
                rows.append((key, shown_value(value[0]), shown_value(value[1])))
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
        queryset = filterset.qs
        # More events than one file takes: the newest are written, and the file and the audit event say so.
        truncated = queryset[EXPORT_MAX_ROWS:].exists()
        return export_xlsx(
            request, admin_kind="audit", title="审计日志", object_type=AuditEvent._meta.label,
            headers=[h for h, _ in self.columns], text_headers=self.text_headers, widths=self.widths,
            filters=describe_filter(filterset),
            rows=([getter(event) for _, getter in self.columns]
                  for event in queryset[:EXPORT_MAX_ROWS].iterator(chunk_size=2000)),
            appendix=[[f"仅导出了最新的 {EXPORT_MAX_ROWS} 条，请缩小筛选范围后分批导出。"]] if truncated else [],
            changes={"截断": f"超过 {EXPORT_MAX_ROWS} 条，仅导出最新部分"} if truncated else {},
        )


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
        status = f"已复核（{review.username}，{timezone.localtime(review.timestamp):%Y-%m-%d %H:%M}）" if review \
            else "未复核"
        return export_xlsx(
            request, admin_kind="audit", title=f"安全事件日审 {day:%Y-%m-%d}", filename=f"安全事件日审{day:%Y%m%d}",
            sheet="日审", object_type=AuditEvent._meta.label, headers=self.headers, text_headers=self.text_headers,
            widths=self.widths, changes={"日期": day.isoformat()},
            notes=[f"日期：{day:%Y-%m-%d}", status, "；".join(f"{group.title} {count}" for group, count, _ in groups)],
            rows=([group.title, event.id, timezone.localtime(event.timestamp).strftime("%Y-%m-%d %H:%M:%S"),
                   event.username, str(event.unit) if event.unit else "", event.ip or "", event.get_action_display(),
                   "成功" if event.success else "失败", object_type_display(event.object_type), event.object_id,
                   shown_label(event), "\n".join(change_lines(shown_changes(event)))]
                  for group, _, events in groups for event in events),
        )


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
