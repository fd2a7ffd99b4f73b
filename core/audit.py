"""Writing and verifying the hash-chained audit log (安全审计).

Every event stores the hash of the event before it (`prev_hash`) and its own hash over a canonical
serialisation of its content plus `prev_hash`, so altering, inserting or deleting a row anywhere but
at the very end breaks the chain, and `verify_chain()` (``manage.py verify_audit``) names the first
broken event.

Design notes:

- Hash algorithm: SM3 under the 国密 suite (``CRYPTO_SUITE=sm``), SHA-256 otherwise. Events are
  hashed with the suite in force when they are written; the verifier accepts an event hashed under
  either algorithm, so switching the setting simply continues the chain with the new algorithm (old
  events keep verifying). This costs nothing: the chain is unkeyed, its protection comes from the
  links, not from the choice of algorithm.
- What a chain cannot show: rows removed from the *end* (the newest events) leave a shorter but
  intact chain; and since the chain is unkeyed, someone with write access to the database who rewrites
  an event *and recomputes every later hash* leaves an intact chain too. Against both, ``verify_audit``
  prints the newest event's hash (the "chain head"); an auditor who keeps it outside the database can
  later pass it with ``--anchor`` to prove that the chain up to it is still the same. In the first
  place, database triggers (migration 0002) refuse UPDATE, DELETE and TRUNCATE on the table.
- Ordering: the chain follows ascending ids. Writers serialise on a transaction-level lock (an
  advisory lock on PostgreSQL; SQLite's IMMEDIATE transactions, see settings), so ids are allocated
  in chain order; ids may have gaps where a transaction rolled back, which is harmless. The lock
  relies on READ COMMITTED (Django's default on PostgreSQL) to see the previous writer's row; under a
  stricter isolation level a writer could read a stale head, and `prev_hash` being unique makes that
  writer fail rather than fork the chain.
- Canonical form: the hash covers every column but the id, serialised so that each database hands
  back exactly what was hashed (timestamp in UTC, IP addresses spelt out, JSON without floats or NUL).
- The app offers no way to edit or delete events (no admin, no views); nothing here updates a row.
"""

import ipaddress
import json
import math
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC

from django.db import connection, transaction
from django.utils import timezone

from . import crypto
from .middleware import current_request
from .models import AuditEvent
from .network import client_ip

GENESIS = "0" * 64
API_TOKEN_KEY = "访问令牌"  # noqa: S105 (the key naming the token in an event)
SUITES = ("aes", "sm")
# Any constant works; it only has to be the same for every writer of the chain.
_PG_LOCK_KEY = 0x7458_4155  # "tXAU"

# Names of the append-only triggers installed by core/migrations/0002_audit_append_only.py.
TABLE = "core_auditevent"
PG_TRIGGERS = ("core_auditevent_no_update_delete", "core_auditevent_no_truncate")
SQLITE_TRIGGERS = ("core_auditevent_no_update", "core_auditevent_no_delete")

# The name events recorded without a user are attributed to (see `acting_as`); empty outside it.
_actor_name = ContextVar("audit_actor_name", default="")


@contextmanager
def acting_as(name):
    """Record the events written inside under the user name `name` when they have no user of their own — a
    command-line tool such as "manage.py" — so the auditor sees who acted instead of a blank."""
    token = _actor_name.set(name)
    try:
        yield
    finally:
        _actor_name.reset(token)


def _canonical(event):
    payload = {
        # In UTC, as every database hands it back, whatever zone the value was written in.
        "timestamp": event.timestamp.astimezone(UTC).isoformat(),
        "user": event.user_id,
        "username": event.username,
        "unit": event.unit_id,
        "ip": _ip_key(event.ip),
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


def compute_hash(event, suite=None):
    """The event's hash under `suite` (default: the configured one)."""
    return crypto.digest(_canonical(event), suite)


def hash_suite(event):
    """The suite under which the stored hash matches the event's content, or None if it matches neither."""
    canonical = _canonical(event)
    current = crypto.current_suite()
    for suite in (current, *(s for s in SUITES if s != current)):
        if crypto.digest(canonical, suite) == event.hash:
            return suite
    return None


def record(action, *, obj=None, success=True, changes=None, user=None, label="", object_type="", request=None,
           object_id=""):
    """Append one event. User, unit, IP and request id come from the current request when not given;
    `object_id` names an object that is not a model instance (e.g. a reviewed day).

    Call it inside the transaction of the change it describes, so both commit or neither does.
    """
    request = request or current_request()
    if user is None and request is not None and getattr(request, "user", None) is not None:
        user = request.user if request.user.is_authenticated else None
    # A request of the REST API carries the access token it came with (accounts.tokens): every event it writes
    # names the token, so an integration's writes can be told from its owner's own.
    token = getattr(request, "api_token", None) if request is not None else None
    if token is not None:
        changes = {**(changes or {}), API_TOKEN_KEY: token.name}
    event = AuditEvent(
        timestamp=timezone.now(),
        user=user if user is not None and user.pk else None,
        username=(getattr(user, "username", "") or _actor_name.get())[:150],
        unit_id=getattr(user, "unit_id", None),
        ip=client_ip(request),
        request_id=(getattr(request, "request_id", "") or "")[:32] if request is not None else "",
        action=action,
        success=success,
        object_type=(object_type or (obj._meta.label if obj is not None else ""))[:100],
        object_id=str(obj.pk)[:64] if obj is not None and obj.pk is not None else str(object_id)[:64],
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
    """Plain JSON that reads back from any database exactly as written, so the hash stays reproducible.

    Floats become text (PostgreSQL's jsonb may print 1e20 back as 100000000000000000000) and NUL
    characters are dropped (jsonb refuses them).
    """
    if isinstance(value, dict):
        return {_clean_text(str(k)): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else str(value)
    return _clean_text(str(value))


def _clean_text(text):
    return text.replace("\x00", "")


def _ip_key(value):
    """The address in a spelling that does not depend on how a database prints it back."""
    if not value:
        return None
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return value
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.exploded


def verify_chain(batch_size=2000):
    """Walk the chain in id order. Returns (events checked, first bad event or None, reason)."""
    result = ChainCheck()
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=batch_size):
        if not result.feed(event):
            break
    return result.checked, result.bad_event, result.reason


class ChainCheck:
    """Incremental verifier: feed events in id order; stops at the first break."""

    def __init__(self):
        self.expected_prev = GENESIS
        self.checked = 0
        self.bad_event = None
        self.reason = ""
        self.last = None
        self.hashes_by_suite = {suite: 0 for suite in SUITES}

    def feed(self, event):
        if event.prev_hash != self.expected_prev:
            return self._fail(event, "前一哈希与上一条事件不符（其前的事件被删除、插入或修改）")
        suite = hash_suite(event)
        if suite is None:
            return self._fail(event, "内容与哈希不符（事件被修改）")
        self.hashes_by_suite[suite] += 1
        self.checked += 1
        self.expected_prev = event.hash
        self.last = event
        return True

    def _fail(self, event, reason):
        self.bad_event, self.reason = event, reason
        return False


def check_event(event):
    """(content matches its hash, linked to the event before it) for one event, e.g. on its detail page."""
    intact = hash_suite(event) is not None
    previous = AuditEvent.objects.filter(id__lt=event.id).order_by("-id").values_list("hash", flat=True).first()
    linked = event.prev_hash == (previous or GENESIS)
    return intact, linked


def protection_triggers(using=None):
    """Names of the append-only triggers present and enabled on the audit table (empty on other databases)."""
    from django.db import connections

    conn = connections[using or "default"]
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass(%s) AND NOT tgisinternal "
                "AND tgenabled <> 'D'",
                [TABLE],
            )
        elif conn.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE])
        else:
            return set()
        return {row[0] for row in cursor.fetchall()}


def expected_triggers(using=None):
    from django.db import connections

    vendor = connections[using or "default"].vendor
    return set({"postgresql": PG_TRIGGERS, "sqlite": SQLITE_TRIGGERS}.get(vendor, ()))


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
