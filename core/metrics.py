"""The metrics registry (统计指标): figures that apps compute and that others read by key.

Each app registers its figure functions here, in its own `metrics.py` (imported by its AppConfig.ready());
the dashboard, reports and the duty-list assessment read them from the registry, so none of them imports
another app's internals. Every figure answers the same question — "for these unit subtrees and this
period (and, when given, as this user sees the data)" — so any caller can compute any figure:

    from core import metrics
    from core.metrics import Period

    metrics.compute("representatives.certified", town, Period.year(2026), user=request.user)   # 37
    metrics.get("friendship.coverage_rate")([town1, town2], Period.quarter(2026, 3))          # 85.0
    metrics.by_unit("friendship.contacts", towns, Period.month(2026, 3), user=request.user)   # [(town, 12), …]

`units` is a Unit (the figure covers it and everything below it), several units (their subtrees together,
e.g. a QuerySet of towns) or None (no restriction by unit: the whole database, within the user's scope).
An empty list covers nothing. With `user`, only the records that user may view count (the records'
`Model.objects.visible_to(user)`, intersected with the subtrees); without one, the caller has decided who
may see the figure (a scheduled report, the assessment of a unit).

Writing a figure: a function of one `MetricQuery`, which carries `units`, `period` and `user`, and whose
`records(Model)` is the only way in to the data — the records of the subtrees, in the user's scope:

    @metric("representatives.certified", "认定的党外代表人士", unit="名")
    def certified(query):
        return query.records(Representative).filter(...).count()

A figure may take parameters, declared at registration ("activities of type X": `params={"kind": "活动类型"}`)
and passed by keyword (`metrics.compute("activities.held", town, period, kind="同心大讲堂")`); the function
reads them from `query.params`. Undeclared parameters are refused, so a misspelt one cannot go unnoticed.

A figure returns a number (int, float or Decimal; None when it is undefined, e.g. a rate over nothing),
or a breakdown: a dict {code: number} in display order, with the display names of the codes given at
registration (`labels`, e.g. a model's `choices`). Keys are "<app>.<name>" and never change once other
modules (a duty-list indicator, a report template) may refer to them.
"""

import calendar
import datetime
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

QUARTERS = "一二三四"


@dataclass(frozen=True)
class Period:
    """A span of days, both ends included: a year, a quarter, a month or any range.

    `key` is a short text form ("2026", "2026-Q3", "2026-03", "2026-01-01~2026-03-15") for URLs and
    stored settings; `Period.parse(key)` reads it back.
    """

    start: datetime.date
    end: datetime.date
    label: str = field(default="", compare=False)
    key: str = field(default="", compare=False)

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError(f"统计期间的结束日期（{self.end}）不能早于开始日期（{self.start}）。")
        if not self.label:
            object.__setattr__(self, "label", f"{_day(self.start)}至{_day(self.end)}")
        if not self.key:
            object.__setattr__(self, "key", f"{self.start.isoformat()}~{self.end.isoformat()}")

    @classmethod
    def year(cls, year):
        return cls(datetime.date(year, 1, 1), datetime.date(year, 12, 31), f"{year}年", f"{year}")

    @classmethod
    def quarter(cls, year, quarter):
        if not 1 <= quarter <= 4:
            raise ValueError(f"季度须为1至4：{quarter}")
        first = 3 * quarter - 2
        end = datetime.date(year, first + 2, calendar.monthrange(year, first + 2)[1])
        return cls(datetime.date(year, first, 1), end, f"{year}年第{QUARTERS[quarter - 1]}季度", f"{year}-Q{quarter}")

    @classmethod
    def month(cls, year, month):
        end = datetime.date(year, month, calendar.monthrange(year, month)[1])
        return cls(datetime.date(year, month, 1), end, f"{year}年{month}月", f"{year}-{month:02d}")

    @classmethod
    def between(cls, start, end):
        return cls(start, end)

    @classmethod
    def current_year(cls, today=None):
        return cls.year((today or timezone.localdate()).year)

    @classmethod
    def year_to_date(cls, today=None):
        """From 1 January to today (the figures "so far this year")."""
        today = today or timezone.localdate()
        return cls(datetime.date(today.year, 1, 1), today, f"{today.year}年1月1日至{today.month}月{today.day}日")

    @classmethod
    def parse(cls, text):
        """A period from its `key`; ValueError (with a message for the user) when it is not one."""
        text = (text or "").strip()
        try:
            if match := re.fullmatch(r"(\d{4})", text):
                return cls.year(int(match[1]))
            if match := re.fullmatch(r"(\d{4})-?Q([1-4])", text, re.IGNORECASE):
                return cls.quarter(int(match[1]), int(match[2]))
            if match := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
                return cls.month(int(match[1]), int(match[2]))
            if match := re.fullmatch(r"(\d{4}-\d{2}-\d{2})~(\d{4}-\d{2}-\d{2})", text):
                return cls(datetime.date.fromisoformat(match[1]), datetime.date.fromisoformat(match[2]))
        except ValueError as error:
            raise ValueError(f"统计期间“{text}”无效：{error}") from error
        raise ValueError(f"统计期间“{text}”无效，应为年（2026）、季度（2026-Q3）、月（2026-03）或起止日期"
                         f"（2026-01-01~2026-03-31）。")

    @property
    def days(self):
        return (self.end - self.start).days + 1

    def __contains__(self, day):
        return self.start <= day <= self.end

    def q(self, date_field):
        """A Q matching records whose `date_field` (a DateField, or a lookup path to one) falls in the period."""
        return Q(**{f"{date_field}__gte": self.start, f"{date_field}__lte": self.end})

    def as_of(self, today=None):
        """The day a "so far" figure is taken on: the period's end, or today while the period is running."""
        today = today or timezone.localdate()
        return max(self.start, min(self.end, today))

    def __str__(self):
        return self.label


def _day(date):
    return f"{date.year}年{date.month}月{date.day}日"


@dataclass(frozen=True)
class MetricQuery:
    """What a figure function is asked: `units` (subtree roots; None = no restriction), `period`, `user`
    and the figure's `params`."""

    units: tuple | None
    period: Period
    user: object = None
    action: str = "view"
    params: Mapping = field(default_factory=lambda: MappingProxyType({}))

    def records(self, source, unit_field=None):
        """The records of `source` (a model or a QuerySet of a BusinessModel) inside the units' subtrees and,
        with a user, inside that user's data scope for `action`.

        `unit_field` is the FK to org.Unit that places a record in the tree (the model's jurisdiction,
        `scope_unit_field`, by default); a lookup path such as "pairing__owner_unit" works too.
        """
        queryset = source.all() if isinstance(source, QuerySet) else source._default_manager.all()
        model = queryset.model
        if self.user is not None:
            if not hasattr(queryset, "visible_to"):
                raise TypeError(f"{model.__name__} has no data scope (visible_to): it cannot be counted for a user.")
            queryset = queryset.visible_to(self.user, self.action)
        return queryset.filter(self.units_q(unit_field or model.scope_unit_field))

    def units_q(self, unit_field):
        """A Q over `unit_field` (a FK to org.Unit) matching the subtrees of `units`."""
        if self.units is None:
            return Q()
        query = Q(pk__in=[])
        for unit in self.units:
            query |= Q(**{f"{unit_field}__path__startswith": unit.path})
        return query


def _normalise_units(units):
    if units is None:
        return None
    if isinstance(units, Model):
        units = (units,)
    if isinstance(units, Iterable) and not isinstance(units, str | bytes):
        units = tuple(units)
        if not [u for u in units if not hasattr(u, "path")]:
            return units
    raise TypeError(f"units must be a Unit, several Units or None, not {units!r}")


@dataclass(frozen=True)
class Metric:
    """A registered figure. Call it (or its `compute`) with units, a period and optionally a user."""

    key: str
    label: str
    func: Callable
    unit: str = "人"
    app: str = ""
    description: str = ""
    labels: Mapping | None = None  # breakdowns: {code: display name}, in display order
    params: Mapping = field(default_factory=dict)  # parameters the figure takes: {name: display name}

    @property
    def is_breakdown(self):
        return self.labels is not None

    def compute(self, units=None, period=None, *, user=None, action="view", **params):
        """The figure for the subtrees of `units` during `period` (this year by default), as `user` sees it."""
        unknown = sorted(set(params) - set(self.params))
        if unknown:
            raise TypeError(f"Metric {self.key!r} takes no parameter {', '.join(unknown)}.")
        query = MetricQuery(_normalise_units(units), period or Period.current_year(), user, action,
                            MappingProxyType(params))
        return self.func(query)

    __call__ = compute

    def codes(self, value):
        """A breakdown's codes in the order of `labels` (other codes after them)."""
        labels = self.labels or {}
        return [code for code in labels if code in value] + [code for code in value if code not in labels]

    def label_of(self, code):
        return str((self.labels or {}).get(code, code))

    def rows(self, value):
        """A breakdown as [(display name, number)], in the order of `labels` (other codes after them)."""
        return [(self.label_of(code), value[code]) for code in self.codes(value)]

    def format(self, value):
        """A number as the reports print it: "865名", "87.5%", "—" when undefined."""
        if value is None:
            return "—"
        if isinstance(value, Mapping):
            return "，".join(f"{label}{self.format(number)}" for label, number in self.rows(value))
        if isinstance(value, float | Decimal):
            value = f"{value:.1f}".removesuffix(".0")
        return f"{value}{self.unit}"


_registry: dict[str, Metric] = {}


def register(key, label, func, *, unit="人", app=None, description="", labels=None, params=None):
    """Register `func` as the figure `key` ("<app>.<name>"). Registering the same function again replaces it
    (a module imported twice); another function under a taken key is a configuration error."""
    if not re.fullmatch(r"[a-z0-9_]+(\.[a-z0-9_]+)+", key):
        raise ImproperlyConfigured(f"Metric key {key!r} must look like '<app>.<name>' (lowercase, dotted).")
    existing = _registry.get(key)
    if existing is not None and _origin(existing.func) != _origin(func):
        raise ImproperlyConfigured(f"Metric {key!r} is already registered by {_origin(existing.func)}.")
    if labels is not None and not isinstance(labels, Mapping):
        labels = dict(labels)  # e.g. a model field's choices: [(code, name), …]
    metric_ = Metric(key, label, func, unit, app or key.split(".", 1)[0], description or (func.__doc__ or "").strip(),
                     labels, dict(params or {}))
    _registry[key] = metric_
    return metric_


def metric(key, label, **options):
    """Decorator form of `register`: `@metric("friendship.contacts", "联系次数", unit="次")`."""

    def decorate(func):
        register(key, label, func, **options)
        return func

    return decorate


def unregister(key):
    """Remove a figure (tests registering throwaway figures clean up with it)."""
    _registry.pop(key, None)


def get(key):
    try:
        return _registry[key]
    except KeyError:
        raise LookupError(f"未登记的统计指标：{key}") from None


def all(app=None):  # noqa: A001 -- the registry's "all", as in metrics.all()
    """The registered figures in registration order, optionally only those of one app."""
    return [m for m in _registry.values() if app is None or m.app == app]


def compute(key, units=None, period=None, *, user=None, action="view", **params):
    return get(key).compute(units, period, user=user, action=action, **params)


def by_unit(key, units, period=None, *, user=None, action="view", **params):
    """[(unit, figure)] for each unit's subtree, e.g. one row per town on a coverage page."""
    figure = get(key)
    return [(unit, figure.compute(unit, period, user=user, action=action, **params)) for unit in units]


def _origin(func):
    return f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', repr(func))}"
