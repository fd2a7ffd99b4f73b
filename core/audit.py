"""Writing and verifying the hash-chained audit log."""

import json

from django.db import connection, transaction
from django.utils import timezone

from . import crypto
from .middleware import current_request
from .models import AuditEvent

GENESIS = "0" * 64
# Any constant works; it only has to be the same for every writer of the chain.
_PG_LOCK_KEY = 0x7458_4155  # "tXAU"


def _canonical(event):
    payload = {
        "timestamp": event.timestamp.isoformat(),
        "user": event.user_id,
        "username": event.username,
        "unit": event.unit_id,
        "ip": event.ip,
        "request_id": event.request_id,
        "action": event.action,
        "success": event.success,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_label": event.object_label,
        "changes": event.changes,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode()


def compute_hash(event):
    return crypto.digest(_canonical(event))


def record(action, *, obj=None, success=True, changes=None, user=None, label="", object_type="", request=None):
    """Append one event. User, unit, IP and request id come from the current request when not given."""
    request = request or current_request()
    if user is None and request is not None and getattr(request, "user", None) is not None:
        user = request.user if request.user.is_authenticated else None
    event = AuditEvent(
        timestamp=timezone.now(),
        user=user if user is not None and user.pk else None,
        username=getattr(user, "username", "") or "",
        unit_id=getattr(user, "unit_id", None),
        ip=_client_ip(request),
        request_id=getattr(request, "request_id", "") if request is not None else "",
        action=action,
        success=success,
        object_type=object_type or (obj._meta.label if obj is not None else ""),
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_label=(label or (str(obj) if obj is not None else ""))[:200],
        changes=_jsonable(changes or {}),
    )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        event.prev_hash = last or GENESIS
        event.hash = compute_hash(event)
        event.save(force_insert=True)
    return event


def _jsonable(value):
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def _client_ip(request):
    if request is None:
        return None
    # Behind nginx the real address arrives in X-Real-IP, set by our own proxy configuration.
    return request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR") or None


def verify_chain(batch_size=2000):
    """Walk the chain in order. Returns (events checked, first bad event or None, reason)."""
    expected_prev = GENESIS
    checked = 0
    last_id = 0
    while True:
        batch = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            return checked, None, ""
        for event in batch:
            if event.prev_hash != expected_prev:
                return checked, event, "前一哈希与上一条事件不符（事件被删除或插入）"
            if compute_hash(event) != event.hash:
                return checked, event, "内容与哈希不符（事件被修改）"
            checked += 1
            expected_prev = event.hash
            last_id = event.id


def field_changes(instance, old_values, fields):
    """{field: [old, new]} for the fields that changed; sensitive values are masked, never in clear."""
    from .fields import EncryptedCharField

    changes = {}
    for name in fields:
        field = instance._meta.get_field(name)
        old, new = old_values.get(name), getattr(instance, field.attname, None)
        if old == new:
            continue
        if isinstance(field, EncryptedCharField):
            old, new = field.masked(old or ""), field.masked(new or "")
        changes[str(field.verbose_name)] = [_display(old), _display(new)]
    return changes


def _display(value):
    if value is None:
        return ""
    return str(value)


def snapshot(instance, fields):
    return {name: getattr(instance, instance._meta.get_field(name).attname, None) for name in fields}
