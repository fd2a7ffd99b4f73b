"""Personal access tokens of the REST API: made, checked and revoked here only.

A token reads `tx_<43 url-safe characters>`; its first 11 characters are kept in clear so that a list can tell
tokens apart. Every token expires (at most a year); a read-only token may only read.
"""

import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core import audit, crypto
from core.models import AuditEvent
from core.network import client_ip

from .models import ApiToken

TOKEN_PREFIX = "tx_"  # noqa: S105 (the marker every token starts with, not a secret)
MAX_DAYS = 365
DEFAULT_DAYS = 90
# The last use is written at most this often per token: a busy integration must not write on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def issue_token(user, *, name, days=DEFAULT_DAYS, can_write=False, created_by=None):
    """A new token for `user`: (the ApiToken, its secret). The secret is not kept anywhere: show it once.
    `created_by` is the account making it (the user themselves, or a security administrator for a service
    account); None for a command-line tool (run it inside core.audit.acting_as)."""
    name = (name or "").strip()
    if not name:
        raise ValidationError("请填写令牌名称。")
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError(f"有效期须在 1 至 {MAX_DAYS} 天之间。")
    if not user.is_active:
        raise ValidationError("该账号已停用，不能创建令牌。")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name[:50], prefix=secret[:11], digest=crypto.secret_digest(secret), can_write=can_write,
            created_by=created_by, expires_at=timezone.now() + timedelta(days=days),
        )
        audit.record(AuditEvent.Action.ACCOUNT, obj=token, object_type="访问令牌", user=created_by,
                     changes={"账号": user.username, "允许写入": "是" if can_write else "否", "有效天数": days})
    return token, secret


def authenticate(secret, request):
    """The active token whose secret this is, its last use noted; None for anything else."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    token = ApiToken.objects.select_related("user", "user__unit").filter(digest=crypto.secret_digest(secret)).first()
    if token is None or not token.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at, token.last_used_ip = now, client_ip(request)
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=token.last_used_ip)
    return token


def revoke(token, *, by):
    if token.revoked_at is not None:
        return
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(AuditEvent.Action.ACCOUNT, obj=token, object_type="访问令牌", user=by,
                     label=f"吊销访问令牌 {token}")
