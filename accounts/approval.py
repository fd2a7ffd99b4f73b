"""Approving grants (授权审批): creating an account and giving it business rights are not one person's act.

The security administrator asks for a business role (the grant is created PENDING, see `Grant`); a second
person holding the "approve grants" right — the built-in role “授权审批（部领导）”, a business account, never one
of the three admins — approves or rejects it. Until approved the grant gives nothing (`User._scope_for`).

Who may decide a pending grant:
- an active account whose approve-grants scope (the data scope of its “授权审批” grants) covers both the
  account's unit and every unit the grant would open (`Grant.reach`: all roots for a "全部" role);
- never the account the grant is for, and never the person who asked for it.

A grant in force goes back to pending, with a note saying why (`Grant.request_note`), when what it opens may now be
used by someone else: the account moved to another unit, or the security administrator reset its password (they
were shown the new one, so until the owner is confirmed they could sign in as them). The only grants that take
effect without a second person are those `manage.py bootstrap_accounts` writes on a fresh install (the three
administrators and the first approver, whom nobody could approve) or with `--add-approver`.

Revoking a grant needs no approval and takes effect at once. Every request, approval and rejection is an audit
event (AuditEvent.Action.ROLE, object type "授权", `changes["操作"]`), so it is in the auditor's daily review;
approvers are notified of a request, the requester of the decision (core.notifications).
"""

from django.urls import reverse
from django.utils import timezone

from core.notifications import notify
from core.scope import scope_for

from . import services
from .models import Grant, Role, User

# The operations written to `changes["操作"]` of a grant's audit events (read by the auditor's daily review).
OP_REQUEST = "授予角色"
OP_CHANGE = "修改授权"
OP_RESUBMIT = "所属单位变更，授权待重新审批"
OP_APPROVE = "批准授权"
OP_REJECT = "驳回授权"
OP_REVOKE = "撤销角色"
OP_WITHDRAW = "撤回授权申请"
OP_AFTER_RESET = "密码已重置，授权待重新审批"
OP_BOOTSTRAP = "命令行初始化授权（直接生效）"
OP_ADD_APPROVER = "命令行补充授权审批人（直接生效）"

NOTE_AFTER_RESET = "密码已由安全管理员重置，待确认本人身份后恢复"


def grant_operation(event):
    """The operation an audit event of a grant records ("批准授权", ...), or ""."""
    changes = event.changes if isinstance(event.changes, dict) else {}
    operation = changes.get("操作")
    if event.object_type != "授权" or not isinstance(operation, list) or len(operation) != 2:
        return ""
    return operation[1]


def approver_scope(user):
    return scope_for(user, Grant, "approve")


def may_approve_any(user):
    return user.is_authenticated and not approver_scope(user).is_empty


def covers(scope, grant):
    """Whether an approve-grants `scope` covers the account and everything the grant would open."""
    if scope.everything_:
        return True
    return all(unit is not None and scope.covers_unit(unit) for unit in [grant.user.unit, *grant.reach()])


def refusal(user, grant):
    """Why `user` may not decide `grant` (Chinese), or "" when they may. Scope is checked by `in_scope`."""
    if grant.status != Grant.Status.PENDING:
        return f"该授权当前为“{grant.get_status_display()}”，无需审批。"
    if grant.user_id == user.pk:
        return "不能审批授予自己的角色。"
    if grant.requested_by_id == user.pk:
        return "不能审批自己提出的授权申请。"
    return ""


def grant_queryset():
    return Grant.objects.select_related("user__unit", "role", "unit", "requested_by", "decided_by") \
        .prefetch_related("units")


def in_scope(user, grants=None):
    """The grants (any status) whose account and reach lie inside `user`'s approve-grants scope."""
    scope = approver_scope(user)
    if scope.is_empty:
        return []
    grants = grant_queryset() if grants is None else grants
    candidates = grants.filter(scope.q("user__unit", None)) if not scope.everything_ else grants
    return [grant for grant in candidates if covers(scope, grant)]


def pending_for(user):
    """Pending grants `user` may see on the approval page, oldest request first."""
    return in_scope(user, grant_queryset().filter(status=Grant.Status.PENDING).order_by("requested_at", "pk"))


def approvers_for(grant):
    """Active accounts that may decide `grant`."""
    holders = User.objects.filter(
        is_active=True, grants__status=Grant.Status.APPROVED,
        grants__role__permissions__codename="approve_grant",
        grants__role__permissions__content_type__app_label="accounts",
    ).exclude(pk__in=[grant.user_id, grant.requested_by_id or 0]).distinct().order_by("username")
    return [user for user in holders if covers(approver_scope(user), grant)]


def mark_requested(grant, requester, note=""):
    """Put `grant` into the state its role asks for: pending (business roles), with `note` telling the approver
    why, or in force (admin roles)."""
    if grant.needs_approval:
        grant.status = Grant.Status.PENDING
        grant.requested_by = requester
        grant.requested_at = timezone.now()
        grant.request_note = note
    else:
        grant.status = Grant.Status.APPROVED
        grant.request_note = ""
    grant.decided_by = None
    grant.decided_at = None
    grant.decision_note = ""


def notify_approvers(grant):
    """Tell every approver of `grant` that it waits for them; returns how many were told."""
    approvers = approvers_for(grant)
    requester = grant.requested_by.username if grant.requested_by_id else "安全管理员"
    url = reverse("accounts:grant_review", kwargs={"pk": grant.pk})
    for approver in approvers:
        notify(
            approver, f"授权待审批：{grant.user.username} · {grant.role.name}",
            body=f"{requester} 申请为账号 {grant.user.username}（{grant.user}，{grant.user.unit or '未设单位'}）"
                 f"授予角色“{grant.role.name}”，数据范围：{grant.scope_label}。"
                 + (f"申请说明：{grant.request_note}。" if grant.request_note else ""),
            url=url, key=f"grant-request:{grant.pk}:{grant.requested_at:%Y%m%d%H%M%S%f}",
        )
    return len(approvers)


def decide(grant, approver, *, approve, note=""):
    """Approve or reject a pending grant (the caller checked `refusal` and the scope inside its transaction)."""
    before = services.grant_values(grant)
    grant.status = Grant.Status.APPROVED if approve else Grant.Status.REJECTED
    grant.decided_by = approver
    grant.decided_at = timezone.now()
    grant.decision_note = note
    grant.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    operation = OP_APPROVE if approve else OP_REJECT
    changes = {"操作": ["", operation], **services.diff(before, services.grant_values(grant))}
    if note:
        changes["审批意见"] = ["", note]
    services.record_grant(grant, changes)
    if grant.requested_by_id:
        verdict = "已批准，即时生效" if approve else "被驳回"
        notify(
            grant.requested_by, f"授权{verdict}：{grant.user.username} · {grant.role.name}",
            body=f"审批人：{approver.username}（{approver}）。" + (f"审批意见：{note}" if note else ""),
            url=reverse("accounts:user_detail", kwargs={"pk": grant.user_id}),
        )
    return grant


def resubmit_after_unit_change(user, editor, old_unit):
    """An account moved to another unit: its business grants scoped by its own unit now open other data, so
    they go back to pending until approved again. Returns [(grant, approvers told)]."""
    grants = list(user.grants.select_related("role").filter(
        status=Grant.Status.APPROVED, unit__isnull=True, role__admin_kind="",
        role__data_scope__in=[Role.DataScope.UNIT, Role.DataScope.UNIT_AND_BELOW],
    ).order_by("role__name"))
    old_name, new_name = (old_unit.name if old_unit else ""), (user.unit.name if user.unit else "")
    note = f"所属单位由“{old_name or '未设单位'}”变更为“{new_name or '未设单位'}”，待重新审批"
    return _resubmit(user, grants, editor, OP_RESUBMIT, note, {"所属单位": [old_name, new_name]})


def suspend_after_password_reset(user, editor):
    """The security administrator reset `user`'s password and was shown the new one: until the owner is
    confirmed, every business grant of the account (an approver's own “授权审批” included) waits for approval
    again, so the administrator cannot sign in as them and read business data alone. Admin grants are left as
    they are: they open no business data. Returns [(grant, approvers told)]."""
    grants = list(user.grants.select_related("role").filter(
        status=Grant.Status.APPROVED, role__admin_kind="",
    ).order_by("role__name"))
    return _resubmit(user, grants, editor, OP_AFTER_RESET, NOTE_AFTER_RESET, {})


def _resubmit(user, grants, editor, operation, note, changes):
    """Put grants that were in force back to pending with `note`, audit each and tell its approvers."""
    resubmitted = []
    for grant in grants:
        grant.user = user
        mark_requested(grant, editor, note)
        grant.save(update_fields=["status", "requested_by", "requested_at", "request_note", "decided_by",
                                  "decided_at", "decision_note"])
        services.record_grant(grant, {
            "操作": ["", operation], **changes,
            "状态": [Grant.Status.APPROVED.label, Grant.Status.PENDING.label],
            "申请说明": ["", note],
        })
        resubmitted.append((grant, notify_approvers(grant)))
    return resubmitted
