"""What the self-service pages do besides rendering: opening a member's account (invitation link or initial
password), their change requests and the managing unit's decisions, and what a member may see of the ledger.

A member's account holds the built-in role "member" (统战成员): no business permission, so every `visible_to`
gives it nothing. Everything a member sees comes from here, about their own person only.
"""

import datetime
import secrets

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Grant, Role, User
from accounts.services import issue_password
from core import audit, crypto
from core.models import AuditEvent
from core.notifications import notify
from friendship.models import Pairing
from people import services as ledger
from people.choices import PositionKind, PositionLevel

from .models import ChangeRequest, Invitation, MemberLink

MEMBER_ROLE = "member"
INVITATION_DAYS = 7


def link_of(user):
    """The MemberLink of a signed-in member (the role in force and a linked person), else None."""
    if not user.is_authenticated or not user.holds_role(MEMBER_ROLE):
        return None
    return MemberLink.objects.select_related("person__owner_unit").filter(user=user).first()


# --- opening the account -----------------------------------------------------------------------------------

class AccountTaken(Exception):
    """The username, or the person's account, was taken meanwhile (two units opening at once)."""


def create_account(person, username, by):
    """An account for `person` holding the role "member" (no business permission, so no second approval as for
    business roles: it reaches nothing but the person's own pages). It cannot sign in until an invitation is
    accepted or an initial password is issued. Raises AccountTaken when another request took the username or
    opened the person's account first."""
    try:
        with transaction.atomic():
            user = User(username=username, full_name=person.name, unit=person.owner_unit,
                        must_change_password=True)
            user.set_unusable_password()
            user.save()
            Grant.objects.create(user=user, role=Role.objects.get(code=MEMBER_ROLE), status=Grant.Status.APPROVED,
                                 requested_by=by, requested_at=timezone.now(), decided_by=by,
                                 decided_at=timezone.now())
            link = MemberLink.objects.create(user=user, person=person, created_by=by)
            audit.record(AuditEvent.Action.ACCOUNT, obj=user, object_type="账号", label=username,
                         changes={"本人自助账号": ["", f"{person.name}（{person.owner_unit.name}）"]})
    except IntegrityError as exc:
        raise AccountTaken from exc
    return link


def _revoke_invitations(link):
    link.invitations.filter(used_at__isnull=True, revoked=False).update(revoked=True)


def issue_invitation(link, by, now=None):
    """A new one-time link (older unused ones stop working); the token is returned once and stored hashed."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        _revoke_invitations(link)
        Invitation.objects.create(link=link, token_hash=crypto.secret_digest(token), created_by=by,
                                  expires_at=(now or timezone.now()) + datetime.timedelta(days=INVITATION_DAYS))
        audit.record(AuditEvent.Action.ACCOUNT, obj=link.user, object_type="账号", label=link.user.username,
                     changes={"邀请链接": ["", f"已生成，{INVITATION_DAYS}天内有效"]})
    return token


def issue_initial_password(link, by):
    """A random initial password (shown once, changed at first login); open invitations stop working."""
    user = link.user
    with transaction.atomic():
        _revoke_invitations(link)
        password = issue_password(user)
        user.save(update_fields=["password", "must_change_password", "password_changed_at"])
        audit.record(AuditEvent.Action.ACCOUNT, obj=user, object_type="账号", label=user.username,
                     changes={"初始密码": ["", "已重新生成（首次登录须修改）"]})
    return password


def usable_invitation(token):
    """The invitation `token` opens, if it is still usable (not used, not replaced, not expired)."""
    invitation = (Invitation.objects.select_related("link__user", "link__person")
                  .filter(token_hash=crypto.secret_digest(token or "")).first())
    return invitation if invitation is not None and invitation.usable else None


def accept_invitation(invitation, password):
    """Set the member's own password through the invitation, which then stops working."""
    user = invitation.link.user
    with transaction.atomic():
        taken = Invitation.objects.filter(pk=invitation.pk, used_at__isnull=True, revoked=False).update(
            used_at=timezone.now())
        if not taken:  # accepted meanwhile in another tab
            return False
        user.set_password(password)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password", "password_changed_at"])
        audit.record(AuditEvent.Action.PASSWORD_CHANGE, user=user, object_type="账号", label=user.username)
    return True


# --- change requests ---------------------------------------------------------------------------------------

def field_display(person, name, value):
    field = type(person)._meta.get_field(name)
    if name == "phone":
        return field.masked(value) if value else ""
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value or "")


def position_display(values):
    kind = dict(PositionKind.choices).get(values.get("kind"), "")
    level = dict(PositionLevel.choices).get(values.get("level"), "")
    term = "至".join(v for v in (values.get("term_start"), values.get("term_end")) if v)
    return f"{level}{values.get('title') or kind}" + (f"（{term}）" if term else "")


def submit_change(link, item, values, note="", attachment=None):
    """Record `link`'s person asking for `item` to become `values` (checked by the form before)."""
    person = link.person
    request = ChangeRequest(person=person, item=item, note=note, requested_by=link.user)
    if item == ChangeRequest.Item.SOCIAL_POSITION:
        request.new_values = values
        request.new_display = position_display(values)[:300]
    else:
        (name, value), = values.items()
        if name == "phone":
            request.new_phone = value
        else:
            request.new_values = values
        request.old_value = field_display(person, name, getattr(person, name))[:300]
        request.new_display = field_display(person, name, value)[:300]
    if attachment is not None:
        request.attachment = attachment
        request.attachment_name = attachment.name[:200]
    request.save()
    return request


def decision_reason(request):
    """The reason the person's history shows for an approved request: "本人申报：工作单位改为“…”"."""
    if request.item == ChangeRequest.Item.SOCIAL_POSITION:
        return f"本人申报：新增社会职务“{request.new_display}”"
    return f"本人申报：{request.get_item_display()}改为“{request.new_display}”"


ALREADY_DECIDED = "该申报已审核，无需重复处理"


def approve(request, by):
    """Apply `request` through the person edit form's rules and close it; returns [problems] (then nothing
    changes and the request stays pending)."""
    with transaction.atomic():
        request = ChangeRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != ChangeRequest.Status.PENDING:
            return [ALREADY_DECIDED]
        reason = decision_reason(request)
        if request.item == ChangeRequest.Item.SOCIAL_POSITION:
            problems = ledger.add_declared_position(request.person, by, request.values, reason)
        else:
            problems = ledger.apply_declared_change(request.person, by, request.values, reason)
        if problems:
            return problems
        _close(request, by, ChangeRequest.Status.APPROVED, "")
        notify(request.requested_by, f"您申报的“{request.get_item_display()}”已审核通过",
               body=f"已更新为：{request.new_display}", url=reverse("selfservice:record"))
    return []


def reject(request, by, reason):
    with transaction.atomic():
        request = ChangeRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != ChangeRequest.Status.PENDING:
            return [ALREADY_DECIDED]
        _close(request, by, ChangeRequest.Status.REJECTED, reason)
        notify(request.requested_by, f"您申报的“{request.get_item_display()}”未通过审核", body=f"原因：{reason}",
               url=reverse("selfservice:record"))
    return []


def _close(request, by, status, reason):
    request.status, request.decided_by, request.decided_at = status, by, timezone.now()
    request.decision_reason = reason
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    audit.record(AuditEvent.Action.UPDATE, obj=request, object_type="本人申报", label=str(request),
                 changes={"状态": [ChangeRequest.Status.PENDING.label, request.get_status_display()],
                          **({"审核意见": ["", reason]} if reason else {})})


# --- what a member sees ----------------------------------------------------------------------------------

def pairing_officials(person, today=None):
    """[(name, unit or post)] of the officials paired with `person` now (联谊交友): names only, nothing else."""
    today = today or timezone.localdate()
    pairings = (Pairing.objects.filter(representative__person=person, start_date__lte=today)
                .exclude(end_date__lt=today).select_related("official__unit").order_by("start_date", "pk"))
    return [(p.official_display, p.official.unit.name if p.official_id and p.official.unit_id else p.official_post)
            for p in pairings]
