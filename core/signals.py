from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import audit
from .models import AuditEvent


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    audit.record(AuditEvent.Action.LOGIN, user=user, request=request, object_type="账号", label=user.username)


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        audit.record(AuditEvent.Action.LOGOUT, user=user, request=request, object_type="账号", label=user.username)


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs):
    username = (credentials or {}).get("username", "")[:150]
    user = get_user_model().objects.filter(username=username).first()
    audit.record(
        AuditEvent.Action.LOGIN_FAILED, success=False, user=user, request=request,
        object_type="账号", label=username,
    )


@receiver(user_locked_out)
def audit_lockout(sender, request, username, ip_address, **kwargs):
    user = get_user_model().objects.filter(username=username).first()
    audit.record(
        AuditEvent.Action.LOCKOUT, success=False, user=user, request=request, object_type="账号", label=username or "",
    )
