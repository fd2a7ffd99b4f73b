"""Figures on representatives (党外代表人士) for reports, the dashboard and the duty lists (core.metrics).

Registered when the app is ready (apps.py imports this module). Each figure covers the representatives
whose jurisdiction (`owner_unit`) lies in the given unit subtrees, within the user's scope when one is given.

Where someone stands — stage and level — is read from the pipeline's history (StageChange), as of the last
day of the period: the latest step dated on or before it. So a figure for 2024 stays what it was in 2024
after people are certified or leave in 2025, and a representative whose first step comes after the period
is not counted in it. The field (领域) is not historised and is the current one; so is the jurisdiction.
"Representatives" (the report's "发现、培养、认定……党外代表人士N名") are those discovered, being cultivated
or certified as of the period's end; those who have left (退出) are counted only in `by_stage`.
"""

from django.db.models import Count, OuterRef, Subquery

from core.metrics import metric

from .models import Field, Level, Representative, Stage, StageChange

IN_PIPELINE = (Stage.DISCOVERED, Stage.CULTIVATING, Stage.CERTIFIED)


def as_of_end(query):
    """The representatives of the query with `stage_then`/`level_then`: their stage and level as of the
    period's last day (representatives with no step by then are left out)."""
    latest = StageChange.objects.filter(representative=OuterRef("pk"), date__lte=query.period.end).order_by(
        "-date", "-id")
    return query.records(Representative).annotate(
        stage_then=Subquery(latest.values("stage")[:1]), level_then=Subquery(latest.values("level")[:1]),
    ).filter(stage_then__isnull=False)


def _breakdown(queryset, field, codes):
    counts = dict(queryset.order_by().values_list(field).annotate(n=Count("pk")).values_list(field, "n"))
    return {code: counts.get(code, 0) for code in codes}


def _steps_in_period(query, stage):
    """How many representatives took a step to `stage` dated in the period (each counted once)."""
    return (StageChange.objects.filter(representative__in=query.records(Representative).values("pk"), stage=stage)
            .filter(query.period.q("date")).values("representative").distinct().count())


@metric("representatives.total", "党外代表人士（发现、培养、认定）", unit="名")
def total(query):
    """Representatives discovered, being cultivated or certified as of the period's end."""
    return as_of_end(query).filter(stage_then__in=IN_PIPELINE).count()


@metric("representatives.by_stage", "党外代表人士（按阶段）", unit="名", labels=Stage.choices)
def by_stage(query):
    """Representatives by their stage as of the period's end, 退出 included."""
    return _breakdown(as_of_end(query), "stage_then", Stage.values)


@metric("representatives.by_level", "党外代表人士（按层级）", unit="名", labels=Level.choices)
def by_level(query):
    """Representatives (not 退出) by their level as of the period's end."""
    return _breakdown(as_of_end(query).filter(stage_then__in=IN_PIPELINE), "level_then", Level.values)


@metric("representatives.by_field", "党外代表人士（按领域）", unit="名", labels=Field.choices)
def by_field(query):
    """Representatives (not 退出) as of the period's end, by their (current) field."""
    return _breakdown(as_of_end(query).filter(stage_then__in=IN_PIPELINE), "field", Field.values)


@metric("representatives.certified", "认定的党外代表人士", unit="名")
def certified(query):
    """Representatives certified (认定) as of the period's end."""
    return as_of_end(query).filter(stage_then=Stage.CERTIFIED).count()


@metric("representatives.newly_discovered", "新发现的党外代表人士", unit="名")
def newly_discovered(query):
    """Representatives with a step to 发现 dated in the period."""
    return _steps_in_period(query, Stage.DISCOVERED)


@metric("representatives.newly_cultivated", "新列入培养的党外代表人士", unit="名")
def newly_cultivated(query):
    """Representatives with a step to 培养 dated in the period."""
    return _steps_in_period(query, Stage.CULTIVATING)


@metric("representatives.newly_certified", "新认定的党外代表人士", unit="名")
def newly_certified(query):
    """Representatives with a step to 认定 dated in the period."""
    return _steps_in_period(query, Stage.CERTIFIED)


@metric("representatives.exited", "退出的党外代表人士", unit="名")
def exited(query):
    """Representatives with a step to 退出 dated in the period."""
    return _steps_in_period(query, Stage.EXITED)
