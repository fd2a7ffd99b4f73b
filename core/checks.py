"""The checks registry (数据体检): checks that apps run on their own records and that the ledger health check
(dashboard.health) reads from here, so that it imports no other app — as core.metrics does for figures.
(Not Django's system checks, django.core.checks.)

A check looks at some records, its population (the people on the ledger, the representatives), and finds
those with a problem. Each finding is one thing to fix: the record, the kind of problem, a link to the record
and a detail in Chinese. The health score of a unit adds up each check's share of records without a finding,
times the check's weight. Each app registers its checks in its own `checks.py` (imported by its
AppConfig.ready()):

    @register_check("people.valid_id", "身份证号有效率", weight=20, population="people", order=20,
                    kinds=[("id_missing", "身份证号缺失"), ("id_invalid", "身份证号无效")],
                    description="身份证号有效率＝身份证号已填写且通过GB 11643校验的人数÷在册人数")
    def valid_id(query):
        return CheckResult(records=[...], findings=[...])

`query` (a CheckQuery) carries the user, the action the records are read under ("view", or "export" for a
download), the roots of the unit subtrees checked and the moment of the check. `query.records(Model)` gives
the records in the user's scope inside the roots, `query.visible(Model)` those of the whole scope (a suspected
duplicate may lie outside the roots). The checks of one app that read the same rows share one scan through
`query.shared(key, compute)`, so the whole health check costs a fixed handful of queries.

Kinds are short codes unique across the checks ("stale"): the fix list is filtered by them (`?kind=stale`).
Checks with the same `population` look at the same records, which are counted once. Checks run, and their
kinds are listed, in ascending `order`.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone


@dataclass(frozen=True)
class Finding:
    """One thing to fix: a record (its id, name and unit), what is wrong with it, and where to fix it."""

    kind: str
    record_id: int
    name: str
    url: str
    detail: str
    unit_id: int
    unit_path: str
    others: list = field(default_factory=list)  # related records [(label, url)], e.g. a duplicate's twins


@dataclass(frozen=True)
class CheckedRecord:
    """A record of a check's population, placed in the tree by its unit's path."""

    record_id: int
    unit_path: str


@dataclass
class CheckResult:
    records: list  # CheckedRecord: what the check looked at
    findings: list  # Finding, about some of those records


@dataclass
class CheckQuery:
    """What a check is asked: the records `user` may `action` under the units `roots`, as of `now`."""

    user: object
    roots: tuple
    action: str = "view"
    now: datetime.datetime = None
    _shared: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        self.roots = tuple(self.roots)
        if self.now is None:
            self.now = timezone.now()

    @property
    def today(self):
        return timezone.localdate(self.now)

    def visible(self, source):
        """The records of `source` (a model or a QuerySet of a BusinessModel) in the user's scope."""
        queryset = source.all() if isinstance(source, QuerySet) else source._default_manager.all()
        return queryset.visible_to(self.user, self.action)

    def records(self, source, unit_field=None):
        """The records of `source` in the user's scope inside the roots' subtrees; `unit_field`: the FK to the
        unit placing a record in the tree (the model's `scope_unit_field` by default)."""
        queryset = self.visible(source)
        return queryset.filter(self.roots_q(unit_field or queryset.model.scope_unit_field))

    def roots_q(self, unit_field):
        query = Q(pk__in=[])
        for root in self.roots:
            query |= Q(**{f"{unit_field}__path__startswith": root.path})
        return query

    def shared(self, key, compute):
        """`compute()` once per health check run, for every check that asks by the same `key`."""
        if key not in self._shared:
            self._shared[key] = compute()
        return self._shared[key]


@dataclass(frozen=True)
class Check:
    key: str
    label: str  # the name of its share in the score ("信息完整率")
    func: Callable
    weight: int
    population: str
    kinds: tuple  # ((code, label), ...)
    order: int = 100
    description: str = ""  # how the share is computed, for the page

    def run(self, query):
        return self.func(query)


_registry: dict[str, Check] = {}


def register_check(key, label, *, weight, population, kinds, order=100, description=""):
    """Decorator: register the function as the check `key` ("<app>.<name>"). Registering the same function again
    replaces it (a module imported twice); another function under a taken key, or a kind another check already
    has, is a configuration error."""

    def decorate(func):
        if not re.fullmatch(r"[a-z0-9_]+(\.[a-z0-9_]+)+", key):
            raise ImproperlyConfigured(f"Check key {key!r} must look like '<app>.<name>' (lowercase, dotted).")
        existing = _registry.get(key)
        if existing is not None and _origin(existing.func) != _origin(func):
            raise ImproperlyConfigured(f"Check {key!r} is already registered by {_origin(existing.func)}.")
        codes = [code for code, _ in kinds]
        taken = {code: other.key for other in _registry.values() if other.key != key for code, _ in other.kinds}
        clash = next((code for code in codes if code in taken), None)
        if clash is not None:
            raise ImproperlyConfigured(f"Check {key!r}: kind {clash!r} is already a kind of {taken[clash]!r}.")
        _registry[key] = Check(key, label, func, weight, population, tuple((c, str(n)) for c, n in kinds), order,
                               description)
        return func

    return decorate


def unregister(key):
    """Remove a check (tests registering throwaway checks clean up with it)."""
    _registry.pop(key, None)


def all():  # noqa: A001 -- the registry's "all", as in checks.all()
    """The registered checks in ascending order (then by key)."""
    return sorted(_registry.values(), key=lambda check: (check.order, check.key))


def get(key):
    try:
        return _registry[key]
    except KeyError:
        raise LookupError(f"未登记的数据检查：{key}") from None


def kinds():
    """[(code, label)] of every kind of problem, in the checks' order."""
    return [kind for check in all() for kind in check.kinds]


def detail_url_pattern(url_name):
    """A detail page's URL with "{}" for the record's id, reversed once for a whole check rather than per finding."""
    return reverse(url_name, kwargs={"pk": 0}).replace("/0/", "/{}/")


def kind_labels():
    return dict(kinds())


def run(query):
    """[(check, CheckResult)] of every registered check, in order, for one CheckQuery."""
    return [(check, check.run(query)) for check in all()]


def _origin(func):
    return f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', repr(func))}"
