"""Cached figures and the data version that invalidates them (缓存与数据版本).

Figures that take a while to compute (the dashboard's) are kept in Django's cache under a key that contains
the *data version*: a token that changes whenever business data changes. A change therefore makes every
cached figure unreachable at once (the stale entries then expire by themselves), and nothing has to know
which figure depends on which record:

    from core import cache as figure_cache

    payload = figure_cache.cached("dashboard", (figure_cache.scope_key(user), unit.pk, period.key), compute)

The version changes (`bump()`) when a transaction that saved, deleted or re-linked (many-to-many) a record
of a tracked model commits — once per transaction, however many records it wrote. Tracked are:

- every subclass of BusinessModel (people, representatives, pairings, activities, …);
- the models that point at one of them (a representative's stage steps, an activity's photos, …);
- the models they point at: their lookup data (categories, activity types) and the org tree (a unit renamed
  or moved changes the figures "by unit"), except the user model (created_by / updated_by);
- AuditEvent rows of the actions that change data (新增, 修改, 删除, 导入, 配置变更): importers write rows
  with raw SQL and send no model signals, but they record their import in the audit log.

Writers that bypass both (QuerySet.update, bulk_create) call `bump()` themselves. Cached entries also
expire after their timeout: a safety net, and the bound on figures "as of today" of a running period.

The version lives in the database (core.models.DataVersion, one row), not in the cache, so every process
— web workers, the task worker, a management command — sees a bump, whatever cache backend is configured:
with the default per-process LocMemCache each process keeps its own cached figures, but none of them
serves figures computed before a change that another process committed.
"""

import functools
import hashlib
import secrets

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from .scope import scope_for

DEFAULT_TIMEOUT = 600  # seconds; settings.FIGURE_CACHE_SECONDS overrides it
VERSION_PK = 1
_MISSING = object()


# --- the data version -----------------------------------------------------------------------------------


def data_version():
    """The current data version (a short token). The first call on a fresh database creates it."""
    from .models import DataVersion

    token = DataVersion.objects.filter(pk=VERSION_PK).values_list("token", flat=True).first()
    if token is None:
        token = DataVersion.objects.get_or_create(pk=VERSION_PK, defaults={"token": _new_token()})[0].token
    return token


def bump(using=DEFAULT_DB_ALIAS):
    """Change the data version once the current transaction on `using` commits (at once outside one).

    Within one transaction the bump is scheduled once (a pending bump scheduled at an enclosing level covers
    a change made in a savepoint: rolling that level back drops both). Bumping after the commit, not during the
    transaction, means a request that reads in the meantime cannot cache the old figures under the new
    version, and writers never wait for one another on the version's row.
    """
    connection = connections[using]
    if connection.in_atomic_block and any(entry[1] is _bump_now for entry in connection.run_on_commit):
        return  # already scheduled in this transaction (at this level or an enclosing one)
    # Robust: a version that cannot be written (say, before core's migrations ran) is logged and does not fail
    # the save it follows.
    transaction.on_commit(_bump_now, using=using, robust=True)


def _bump_now():
    from .models import DataVersion

    token = _new_token()
    if not DataVersion.objects.filter(pk=VERSION_PK).update(token=token, changed_at=timezone.now()):
        DataVersion.objects.update_or_create(pk=VERSION_PK, defaults={"token": token})


def _new_token():
    return secrets.token_hex(8)


# --- what changes the version ---------------------------------------------------------------------------


@functools.cache
def tracked_models():
    """The models whose changes bump the data version (see the module docstring)."""
    from .models import BusinessModel

    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    everything = apps.get_models(include_auto_created=True)
    business = {m for m in everything if issubclass(m, BusinessModel)}
    tracked = set(business)
    for model in everything:
        for field in model._meta.get_fields():
            if not (field.is_relation and field.concrete and field.related_model):
                continue
            target = field.related_model
            if target == "self":
                continue
            if model in business and target is not user_model:
                tracked.add(target)  # lookup data and the org tree
            elif target in business:
                tracked.add(model)  # details of a record (and many-to-many link tables)
    return frozenset(tracked)


def _data_actions():
    from .models import AuditEvent

    action = AuditEvent.Action
    return frozenset({action.CREATE, action.UPDATE, action.DELETE, action.IMPORT, action.CONFIG})


def _changed(sender, instance=None, using=DEFAULT_DB_ALIAS, **kwargs):
    from .models import AuditEvent

    if sender in tracked_models() or (sender is AuditEvent and instance.action in _data_actions()):
        bump(using)


def _links_changed(sender, instance=None, action="", model=None, using=DEFAULT_DB_ALIAS, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        tracked = tracked_models()
        if sender in tracked or type(instance) in tracked or model in tracked:
            bump(using)


def connect():
    """Listen to every model's changes (called from CoreConfig.ready)."""
    post_save.connect(_changed, dispatch_uid="core.cache.saved")
    post_delete.connect(_changed, dispatch_uid="core.cache.deleted")
    m2m_changed.connect(_links_changed, dispatch_uid="core.cache.links")


# --- keys and the cache ---------------------------------------------------------------------------------


def business_models():
    from .models import BusinessModel

    return sorted((m for m in apps.get_models() if issubclass(m, BusinessModel)), key=lambda m: m._meta.label)


def scope_key(user, action="view"):
    """A short key naming what `user` may see for `action` across the business models: users with the same
    data scopes (two officers of one town) share cached figures; a change of role or grant changes it."""
    parts = []
    for model in business_models():
        scope = scope_for(user, model, action)
        if scope.is_empty:
            continue
        parts.append((model._meta.label_lower, scope.everything_, sorted(scope.subtree_paths),
                      sorted(scope.unit_ids), sorted(scope.user_ids)))
    return _digest(parts)


def cache_key(namespace, parts, version=None):
    """The cache key of a figure: its namespace, the data version and a digest of `parts`."""
    return f"tongxin:{namespace}:{version or data_version()}:{_digest(parts)}"


def cached(namespace, parts, compute, timeout=None):
    """`compute()`'s value, from the cache when the data has not changed since it was stored.

    `parts` (anything with a stable repr: strings, numbers, tuples) names what the value depends on besides
    the data: whose scope, which unit, which period, …
    """
    key = cache_key(namespace, parts)
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(key, value, timeout if timeout is not None else cache_timeout())
    return value


def cache_timeout():
    return getattr(settings, "FIGURE_CACHE_SECONDS", DEFAULT_TIMEOUT)


def _digest(parts):
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
