"""据单督查: a unit's duty list and its evidence per item and period (the reviewers' queue and decisions:
duties.review_views).

Every submission is reached through `Submission.objects.visible_to(user, action)`; a unit's list is shown only
for a unit inside the user's scope for submissions. Schemes are county-owned reference data for the units they
cover: a unit reads the published schemes covering it (not through Scheme's own scope, which is the county's).
Scores and statuses come from duties.assessment — nothing is recomputed here.

Attachments are never served from /media/: only through AttachmentDownloadView, inside the user's scope.
"""

import mimetypes
import re

from django.contrib import messages
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import FileResponse, Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from core import audit
from core.models import AuditEvent

from .assessment import assess
from .models import CalendarYear, Submission, SubmissionAttachment, SubmissionLink, SubmissionStep
from .periods import parse_key
from .services import duty_list, may, new_submission, save_submission
from .submission_forms import SubmissionForm, search_records
from .workdays import ensure_year

Status = Submission.Status
STATUS_COLOURS = {
    Status.NOT_STARTED: "secondary", Status.IN_PROGRESS: "azure", Status.SUBMITTED: "yellow",
    Status.PASSED: "green", Status.RETURNED: "red",
}
CHINESE_NUMBERS = "一二三四五六七八九十"


def chinese_number(n):
    if 1 <= n <= 10:
        return CHINESE_NUMBERS[n - 1]
    if n < 20:
        return "十" + CHINESE_NUMBERS[n - 11]
    return str(n)


NUMBERED = re.compile(r"^\s*(?:[一二三四五六七八九十]+|\d+)\s*[、.．]")


def category_heading(category, number):
    """"一、基础工作" — the category's text, numbered unless it already is ("一、组织领导")."""
    text = category.text.strip()
    return text if NUMBERED.match(text) else f"{chinese_number(number)}、{text}"


class SubmissionAccessMixin(AccessMixin):
    """Sign-in required; the role must grant `action` on submissions somewhere (else 403)."""

    action = "view"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not request.user.has_action(Submission, self.action):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def calendar_note(year):
    """A sentence on how the year's due dates are computed (working days, official or weekends only)."""
    calendar_year = ensure_year(year)
    if calendar_year.source == CalendarYear.Source.OFFICIAL:
        source = "按国务院办公厅公布的节假日安排"
        if calendar_year.edited:
            source += "（管理员已调整）"
    else:
        source = f"{year}年节假日安排尚未导入，暂按周末推算，法定节假日公布后以调整后的日期为准"
    return f"截止日期按工作日计算：{source}。"


# --- the unit's list --------------------------------------------------------------------------------------

class UnitListView(SubmissionAccessMixin, TemplateView):
    """我的职责清单: every item of the unit's list for a year, occurrence by occurrence, and the score so far."""

    template_name = "duties/unit_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request, user = self.request, self.request.user
        today = timezone.localdate()
        chosen = duty_list(user, request.GET.get("year", ""), request.GET.get("unit", ""),
                           request.GET.get("scheme", ""), today=today)
        year, years, units, unit = chosen.year, chosen.years, chosen.units, chosen.unit
        schemes, scheme = chosen.schemes, chosen.scheme
        context.update(year=year, years=years, units=units, unit=unit, schemes=schemes, scheme=scheme, today=today,
                       show_unit_picker=len(units) > 1 or (unit is not None and not any(u.pk == unit.pk
                                                                                          for u in units)))
        if scheme is None:
            return context
        result = assess(scheme, unit, today=today)
        can_add, can_change = may(user, "add", unit), may(user, "change", unit)
        categories = []
        for item in result.items:
            indicator = item.indicator
            if not categories or categories[-1]["category"].pk != indicator.parent_id:
                categories.append({"category": indicator.parent, "items": [],
                                   "heading": category_heading(indicator.parent, len(categories) + 1)})
            group = categories[-1]
            item.number = f"{len(categories)}.{len(group['items']) + 1}"
            item.current, item.later = [], []
            for occ in item.occurrences:
                occ.colour = STATUS_COLOURS[occ.status]
                occ.action_url, occ.action_label = occurrence_action(occ, unit, can_add, can_change)
                (item.later if occ.occurrence.start > today else item.current).append(occ)
            group["items"].append(item)
        counts = result.status_counts()
        context.update(
            result=result, categories=categories,
            status_counts=[(value, label, counts[value], STATUS_COLOURS[value]) for value, label in Status.choices],
            calendar_note=calendar_note(year), can_submit=can_add or can_change,
            is_reviewer=user.has_action(Submission, "review"),
        )
        return context


def occurrence_action(occ, unit, can_add, can_change):
    """(url, label) of the button of one occurrence on the unit's list."""
    submission = occ.submission
    if submission is None:
        if not can_add:
            return "", ""
        url = reverse("duties:submission_start", kwargs={"indicator": occ.indicator.pk, "unit": unit.pk,
                                                         "period": occ.occurrence.key})
        return url, "填报"
    url = reverse("duties:submission_detail", kwargs={"pk": submission.pk})
    if can_change and submission.is_editable:
        return url, "修改后重新提交" if submission.status == Status.RETURNED else "继续填报"
    return url, "查看"


# --- evidence --------------------------------------------------------------------------------------------

def item_state(submission):
    """The OccurrenceState of the submission's item and period (its due date, rule figure and outcome)."""
    indicator = submission.indicator
    occurrence = parse_key(submission.period_key)
    result = assess(indicator.scheme, submission.owner_unit, occurrence.period, items=[indicator])
    states = result.occurrence_states()
    return states[0] if states else None


class SubmissionPageMixin(SubmissionAccessMixin):
    """The page of one item and period of a unit: its evidence, steps, and the form while it is editable."""

    template_name = "duties/submission_detail.html"

    def get_submission(self):
        raise NotImplementedError

    def edit_action(self, submission):
        return "add" if submission.pk is None else "change"

    def can_edit(self, submission):
        return submission.is_editable and may(self.request.user, self.edit_action(submission), submission.owner_unit)

    def get(self, request, *args, **kwargs):
        submission = self.get_submission()
        if isinstance(submission, HttpResponseRedirect):
            return submission
        form = SubmissionForm(user=request.user, submission=submission) if self.can_edit(submission) else None
        return self.render(submission, form)

    def post(self, request, *args, **kwargs):
        submission = self.get_submission()
        if isinstance(submission, HttpResponseRedirect):
            return submission
        if not may(request.user, self.edit_action(submission), submission.owner_unit):
            raise PermissionDenied
        if not submission.is_editable:
            messages.error(request, f"该事项当前为“{submission.get_status_display()}”，不能修改。")
            return HttpResponseRedirect(reverse("duties:submission_detail", kwargs={"pk": submission.pk}))
        intent = "submit" if "submit" in request.POST else "draft"
        form = SubmissionForm(request.POST, request.FILES, user=request.user, submission=submission, intent=intent)
        if not form.is_valid():
            return self.render(submission, form, status=200)
        try:
            submission = save_submission(submission, form, request.user, intent)
        except IntegrityError:  # the unit's evidence for this item and period was started meanwhile
            existing = Submission.objects.filter(indicator=submission.indicator, owner_unit=submission.owner_unit,
                                                 period_key=submission.period_key).first()
            messages.error(request, "该事项本期的报送已由他人创建，请在此基础上继续。")
            if existing is None:
                raise
            return HttpResponseRedirect(reverse("duties:submission_detail", kwargs={"pk": existing.pk}))
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
            # Rolled back: show the stored state again, not the instance the failed save changed.
            submission = self.get_submission()
            if isinstance(submission, HttpResponseRedirect):
                return submission
            return self.render(submission, form, status=200)
        if intent == "submit":
            messages.success(request, "已提交审核。审核结果将以站内通知告知。")
        else:
            messages.success(request, "已保存草稿，尚未提交审核。")
        return HttpResponseRedirect(reverse("duties:submission_detail", kwargs={"pk": submission.pk}))

    def render(self, submission, form, status=200):
        user = self.request.user
        indicator = submission.indicator
        state = item_state(submission)
        existing = submission.pk is not None
        steps = list(submission.steps.select_related("user")) if existing else []
        last_return = next((s for s in reversed(steps) if s.action == SubmissionStep.Action.RETURN), None)
        context = {
            "submission": submission, "indicator": indicator, "scheme": indicator.scheme, "unit": submission.owner_unit,
            "occurrence": parse_key(submission.period_key), "state": state, "form": form,
            "attachments": list(submission.attachments.all()) if existing else [],
            "links": SubmissionLink.with_urls(submission.links.all(), user) if existing else [],
            "steps": steps, "last_return": last_return if submission.status == Status.RETURNED else None,
            "status_colour": STATUS_COLOURS[submission.status],
            "can_review": existing and user.can("review", submission),
            "list_url": f"{reverse('duties:unit_list')}?year={indicator.scheme.year}&unit={submission.owner_unit_id}"
                        f"&scheme={indicator.scheme_id}",
            "calendar_note": calendar_note(indicator.scheme.year),
        }
        return render(self.request, self.template_name, context, status=status)


class SubmissionStartView(SubmissionPageMixin, View):
    """An item and period the unit has not started: the empty form (nothing is stored until it is saved)."""

    def get_submission(self):
        submission = new_submission(self.request.user, self.kwargs["indicator"], self.kwargs["unit"],
                                    self.kwargs["period"])
        if submission.pk is not None:
            return HttpResponseRedirect(reverse("duties:submission_detail", kwargs={"pk": submission.pk}))
        return submission


class SubmissionDetailView(SubmissionPageMixin, View):
    def get_submission(self):
        queryset = Submission.objects.visible_to(self.request.user, "view").select_related(
            "indicator__scheme", "indicator__parent", "owner_unit", "reviewed_by")
        return get_object_or_404(queryset, pk=self.kwargs["pk"])


class AttachmentDownloadView(SubmissionAccessMixin, View):
    """An evidence file, for a user who may view its submission (404 for anyone else). Audited."""

    def get(self, request, *args, **kwargs):
        submissions = Submission.objects.visible_to(request.user, "view")
        submission = get_object_or_404(submissions, pk=kwargs["pk"])
        attachment = get_object_or_404(SubmissionAttachment, pk=kwargs["attachment"], submission=submission)
        try:
            handle = attachment.file.open("rb")
        except (FileNotFoundError, OSError) as exc:
            raise Http404 from exc
        content_type = mimetypes.guess_type(attachment.name)[0] or "application/octet-stream"
        audit.record(AuditEvent.Action.EXPORT, obj=submission, label=f"{submission}：下载附件"[:200],
                     changes={"附件": attachment.name})
        response = FileResponse(handle, as_attachment=True, filename=attachment.name, content_type=content_type)
        response["X-Content-Type-Options"] = "nosniff"
        return response


class RecordAutocompleteView(SubmissionAccessMixin, View):
    """JSON for the evidence picker: activities, contacts and people the user may view, matching ?q=."""

    action = "add"

    def get(self, request, *args, **kwargs):
        results = search_records(request.user, request.GET.get("q", ""))
        return JsonResponse({"results": [{"value": value, "text": text} for value, text in results]})
