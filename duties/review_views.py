"""审核: the reviewers' queue of submitted evidence and their decisions (pass, return, score), each a
SubmissionStep, audited and told to the unit. Submissions are reached through `visible_to(user, "review")`."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from core import audit
from core.models import AuditEvent
from core.notifications import notify

from .filtersets import SubmissionFilterSet
from .models import Indicator, Scheme, Submission, SubmissionLink, SubmissionStep
from .periods import parse_key
from .scoring import fmt
from .submission_forms import ReviewForm
from .submission_views import STATUS_COLOURS, SubmissionAccessMixin, item_state, may

Status = Submission.Status


def review_queryset(user):
    return Submission.objects.visible_to(user, "review").exclude(status=Status.NOT_STARTED).select_related(
        "indicator__scheme", "indicator__parent", "owner_unit")


QUEUE_FILTERS = ("scheme", "unit", "category", "status")


def narrow_to_queue(form, queryset):
    """The queue's filter choices: the schemes and categories of the submissions in `queryset` (the chosen
    scheme's categories only), the units of the user's scope (a unit takes the units below it), the statuses a
    submission under review can have."""
    schemes = Scheme.objects.filter(pk__in=queryset.values("indicator__scheme")).order_by("-year", "title")
    form.fields["scheme"].queryset = schemes
    chosen = form.data.get("scheme", "")
    chosen = schemes.filter(pk=chosen) if chosen.isdigit() and schemes.filter(pk=chosen).exists() else schemes
    form.fields["category"].queryset = Indicator.objects.filter(
        parent__isnull=True, scheme__in=chosen).select_related("scheme").order_by("scheme", "sort_order")
    form.fields["status"].choices = [(value, label) for value, label in Status.choices if value != Status.NOT_STARTED]


class ReviewQueueView(SubmissionAccessMixin, TemplateView):
    """报送审核: the submissions awaiting review (or any status), filtered by scheme, unit (with the units below
    it), category — through SubmissionFilterSet, the API's filters of submissions."""

    action = "review"
    template_name = "duties/review_queue.html"
    per_page = 30

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request, user = self.request, self.request.user
        queryset = review_queryset(user)
        data = request.GET.copy()
        data.setdefault("status", Status.SUBMITTED)  # the queue opens on what awaits review; "" is every status
        filterset = SubmissionFilterSet(data, queryset=queryset, request=request)
        narrow_to_queue(filterset.form, queryset)
        queryset = filterset.qs  # a value the form refuses is ignored, as on every list page
        status = filterset.form.cleaned_data.get("status")
        queryset = queryset.order_by("submitted_at", "pk") if status == Status.SUBMITTED else queryset.order_by(
            "-updated_at", "-pk")
        page = Paginator(queryset, self.per_page).get_page(request.GET.get("page"))
        for submission in page.object_list:
            submission.colour = STATUS_COLOURS[submission.status]
            submission.occurrence_label = parse_key(submission.period_key).label
        query = request.GET.copy()
        query.pop("page", None)
        filters = [filterset.form[name] for name in QUEUE_FILTERS]
        context.update(filters=filters, page=page, submissions=page.object_list, querystring=query.urlencode(),
                       pending=review_queryset(user).filter(status=Status.SUBMITTED).count())
        return context


class ReviewView(SubmissionAccessMixin, View):
    """One submission under review: its evidence, the rule's figure; 通过 / 退回 / 评分."""

    action = "review"
    template_name = "duties/review_detail.html"

    def get_submission(self):
        return get_object_or_404(review_queryset(self.request.user), pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        submission = self.get_submission()
        state = item_state(submission)
        form = ReviewForm(submission=submission, rule=state.rule if state else None)
        return self.render(submission, state, form)

    def post(self, request, *args, **kwargs):
        submission = self.get_submission()
        state = item_state(submission)
        decision = request.POST.get("decision", "")
        form = ReviewForm(request.POST, submission=submission, decision=decision, rule=state.rule if state else None)
        if not form.is_valid():
            return self.render(submission, state, form)
        step = review_submission(submission, form, request.user, decision)
        label = {ReviewForm.APPROVE: "已通过", ReviewForm.RETURN: "已退回", ReviewForm.SCORE: "评分已修改"}[decision]
        period = parse_key(submission.period_key).label
        messages.success(request, f"{submission.owner_unit.name}“{submission.indicator}”（{period}）{label}。")
        notify_unit(submission, step)
        target = request.POST.get("next", "")
        if not target.startswith(reverse("duties:review_queue")):
            target = reverse("duties:review_queue")
        return HttpResponseRedirect(target)

    def render(self, submission, state, form):
        steps = list(submission.steps.select_related("user"))
        context = {
            "submission": submission, "indicator": submission.indicator, "unit": submission.owner_unit,
            "scheme": submission.indicator.scheme, "occurrence": parse_key(submission.period_key), "state": state,
            "form": form, "attachments": list(submission.attachments.all()),
            "links": SubmissionLink.with_urls(submission.links.all(), self.request.user),
            "steps": steps, "status_colour": STATUS_COLOURS[submission.status],
            "next": self.request.POST.get("next") or self.request.GET.get("next") or "",
            "can_decide": submission.status == Status.SUBMITTED,
            "can_rescore": submission.status == Status.PASSED,
        }
        return render(self.request, self.template_name, context)


def review_submission(submission, form, user, decision):
    """Apply the reviewer's decision; one SubmissionStep; audited. Returns the step."""
    data = form.cleaned_data
    score, count, comment = data.get("score"), data.get("count"), (data.get("comment") or "").strip()
    before = {"status": submission.get_status_display(), "score": fmt(submission.score), "count": submission.count}
    with transaction.atomic():
        if decision == ReviewForm.RETURN:
            submission.status = Status.RETURNED
            # A returned occurrence earns nothing until it passes again.
            submission.score = None
            submission.count = None
            action = SubmissionStep.Action.RETURN
        else:
            if decision == ReviewForm.APPROVE:
                submission.status = Status.PASSED
                action = SubmissionStep.Action.APPROVE
            else:
                action = SubmissionStep.Action.SCORE
            submission.score = score
            if "count" in form.fields:
                submission.count = count
        submission.reviewed_at = timezone.now()
        submission.reviewed_by = user
        submission.updated_by = user
        submission.save()
        step = SubmissionStep.objects.create(submission=submission, action=action, comment=comment, score=score,
                                             status_after=submission.status, user=user)
        changes = {"审核": step.get_action_display()}
        for name, label, value in (("status", "状态", submission.get_status_display()),
                                   ("score", "评定得分", fmt(submission.score)), ("count", "次数", submission.count)):
            if before[name] != value:
                changes[label] = [before[name], value]
        if comment:
            changes["审核意见"] = comment
        audit.record(AuditEvent.Action.UPDATE, obj=submission, changes=changes)
    return step


def notify_unit(submission, step):
    """Tell the unit's people (those who may change its submissions, and whoever submitted) of a decision."""
    if step.action not in (SubmissionStep.Action.APPROVE, SubmissionStep.Action.RETURN):
        return
    unit = submission.owner_unit
    users = list(get_user_model().objects.filter(unit=unit, is_active=True))
    submitter = submission.steps.filter(action=SubmissionStep.Action.SUBMIT).select_related("user").last()
    if submitter is not None and submitter.user is not None and submitter.user.is_active:
        users.append(submitter.user)
    occurrence = parse_key(submission.period_key)
    item = str(submission.indicator)
    if step.action == SubmissionStep.Action.APPROVE:
        title = f"职责清单事项已通过：{item}（{occurrence.label}）"
        body = f"得分：{fmt(step.score)}分。" if step.score is not None else ""
        if step.comment:
            body += f"审核意见：{step.comment}"
    else:
        title = f"职责清单事项被退回：{item}（{occurrence.label}）"
        body = f"审核意见：{step.comment}\n请补充或修改后重新提交。"
    url = reverse("duties:submission_detail", kwargs={"pk": submission.pk})
    seen = set()
    for user in users:
        if user.pk in seen or not may(user, "view", unit):
            continue
        seen.add(user.pk)
        notify(user, title, body=body, url=url, key=f"duties-step:{step.pk}")
