"""Granting roles (授权) and their approval (授权审批): the second person behind every business grant."""

from django.contrib import messages
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views import View
from django.views.generic import FormView, TemplateView

from .. import approval, services
from ..forms import (
    GrantDecisionForm,
    GrantForm,
)
from ..models import Grant
from .base import FormPageMixin, SecurityAdminMixin, UserObjectMixin


class GrantMixin(UserObjectMixin, FormPageMixin):
    """Granting and revoking roles. Nobody changes their own grants: an administrator's powers come from
    another administrator (三员分立)."""

    template_name = "accounts/grant_form.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["account"] = self.get_account()
        return context

    def refusal(self):
        if self.is_self():
            return self.refuse("不能修改自己的角色授权，请由其他安全管理员办理。")
        return None


def _requested_message(request, grant, told):
    """What the security administrator is told after asking for a grant: in force, or waiting for whom."""
    if grant.is_effective:
        messages.success(request, f"已为“{grant.user.username}”授予角色“{grant.role.name}”。")
        return
    messages.success(request, f"已提交为“{grant.user.username}”授予角色“{grant.role.name}”的申请："
                              "须经授权审批人（部领导）批准后生效。")
    if not told:
        messages.warning(request, "目前没有可审批该授权的账号（持有“授权审批”角色、数据范围覆盖该账号的部领导），"
                                  "申请将一直等待审批。")


class GrantCreateView(SecurityAdminMixin, GrantMixin, FormView):
    form_class = GrantForm
    submit_label = "授予"
    intro = "业务角色的授权须经授权审批人（部领导）批准后生效；三员管理员角色即时生效。"

    def get_title(self):
        return f"为 {self.get_account().username} 授予角色"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = Grant(user=self.get_account())
        return kwargs

    def form_valid(self, form):
        with transaction.atomic():
            grant = form.save(commit=False)
            approval.mark_requested(grant, self.request.user)
            grant.save()
            form.save_m2m()
            services.record_grant(grant, {"操作": ["", approval.OP_REQUEST],
                                          **services.diff({}, services.grant_values(grant))})
            told = approval.notify_approvers(grant) if not grant.is_effective else 0
        _requested_message(self.request, grant, told)
        return HttpResponseRedirect(self.get_cancel_url())


class GrantObjectMixin(GrantMixin):
    def get_grant(self):
        if not hasattr(self, "grant"):
            self.grant = get_object_or_404(Grant.objects.select_related("user", "role", "unit"), pk=self.kwargs["pk"])
        return self.grant

    def get_account(self):
        return self.get_grant().user


class GrantEditView(SecurityAdminMixin, GrantObjectMixin, FormView):
    """A changed business grant (role, unit, units) — or a rejected one saved again — waits for approval anew."""

    form_class = GrantForm
    intro = "修改业务角色的授权（或重新提交被驳回的申请）后，须经授权审批人批准才生效，批准前该授权不起作用。"

    def get_title(self):
        grant = self.get_grant()
        return f"修改授权 {grant.user.username} · {grant.role.name}"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        grant = self.get_grant()
        self.before = services.grant_values(grant)
        # Why a pending grant waits (e.g. a password reset) still holds after the request is changed.
        self.pending_note = grant.request_note if grant.status == Grant.Status.PENDING else ""
        kwargs["instance"] = grant
        return kwargs

    def form_valid(self, form):
        with transaction.atomic():
            grant = form.save()
            changed = services.diff(self.before, services.grant_values(grant))
            if changed or grant.status == Grant.Status.REJECTED or (
                    not grant.needs_approval and not grant.is_effective):
                approval.mark_requested(grant, self.request.user, self.pending_note)
                grant.save()
            changes = services.diff(self.before, services.grant_values(grant))
            told = 0
            if changes:
                services.record_grant(grant, {"操作": ["", approval.OP_CHANGE], **changes})
                told = approval.notify_approvers(grant) if not grant.is_effective else 0
        if changes:
            _requested_message(self.request, grant, told)
        else:
            messages.success(self.request, "没有修改任何内容。")
        return HttpResponseRedirect(self.get_cancel_url())


class GrantDeleteView(SecurityAdminMixin, GrantObjectMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        """Takes effect at once, whatever the grant's status: taking rights away needs no second person."""
        grant = self.get_grant()
        operation = approval.OP_REVOKE if grant.is_effective else approval.OP_WITHDRAW
        with transaction.atomic():
            services.record_grant(grant, {"操作": ["", operation],
                                          **services.diff(services.grant_values(grant), {})})
            grant.delete()
        if operation == approval.OP_REVOKE:
            messages.success(request, f"已撤销“{grant.user.username}”的角色“{grant.role.name}”，即时生效。")
        else:
            messages.success(request, f"已撤回为“{grant.user.username}”授予角色“{grant.role.name}”的申请。")
        return HttpResponseRedirect(self.get_cancel_url())


class GrantApproverMixin(AccessMixin):
    """Holders of the approve-grants right only (内置角色“授权审批”); everyone else — the three admins included —
    gets 403, an anonymous visitor the login page."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not approval.may_approve_any(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class GrantReviewListView(GrantApproverMixin, TemplateView):
    template_name = "accounts/grant_review_list.html"
    recent_shown = 20

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            pending=[(grant, approval.refusal(user, grant)) for grant in approval.pending_for(user)],
            decided=Grant.objects.filter(decided_by=user).select_related("user__unit", "role", "requested_by")
            .prefetch_related("units").order_by("-decided_at")[: self.recent_shown],
        )
        return context


class GrantReviewView(GrantApproverMixin, View):
    """One grant: who asked for what, for whom; approve or reject it with an optional note. Grants outside the
    approver's scope are 404, like any record outside one's jurisdiction."""

    template_name = "accounts/grant_review.html"

    def get_grant(self, pk):
        grants = approval.in_scope(self.request.user, approval.grant_queryset().filter(pk=pk))
        if not grants:
            raise Http404
        return grants[0]

    def get(self, request, pk):
        return self.render(self.get_grant(pk), GrantDecisionForm())

    def post(self, request, pk):
        form = GrantDecisionForm(request.POST)
        with transaction.atomic():
            # Lock the row, then read it afresh: another approver may have decided it a moment ago.
            list(Grant.objects.select_for_update().filter(pk=pk).values_list("pk", flat=True))
            grant = self.get_grant(pk)
            refusal = approval.refusal(request.user, grant)
            if refusal:
                messages.error(request, refusal)
                return HttpResponseRedirect(reverse("accounts:grant_review", kwargs={"pk": grant.pk}))
            if not form.is_valid():
                return self.render(grant, form)
            approve = form.cleaned_data["decision"] == GrantDecisionForm.APPROVE
            approval.decide(grant, request.user, approve=approve, note=form.cleaned_data["note"])
        verdict = "已批准，即时生效" if approve else "已驳回"
        messages.success(request, f"{grant.user.username} 的角色“{grant.role.name}”授权{verdict}。")
        return HttpResponseRedirect(reverse("accounts:grant_review_list"))

    def render(self, grant, form):
        refusal = approval.refusal(self.request.user, grant)
        others = grant.user.grants.exclude(pk=grant.pk).select_related("role", "unit", "user__unit") \
            .prefetch_related("units").order_by("role__admin_kind", "role__name")
        return render(self.request, self.template_name, {
            "grant": grant, "form": form, "refusal": refusal, "others": others,
            "can_decide": grant.status == Grant.Status.PENDING and not refusal,
        })


def approval_overview(request):
    """The approver's workbench panel: how many grants wait for them."""
    user = request.user
    waiting = [grant for grant in approval.pending_for(user) if not approval.refusal(user, grant)]
    return {"title": "授权审批", "stats": [
        {"label": "待我审批的授权", "value": len(waiting), "url": reverse("accounts:grant_review_list"),
         "alert": True},
    ]}
