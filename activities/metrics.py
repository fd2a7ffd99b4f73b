"""Figures on activities (活动) for reports, the dashboard and the duty lists (core.metrics).

Registered when the app is ready (apps.py imports this module). Activities and plans are placed in the tree by
their organising unit (`owner_unit`); with a user, only the records in that user's scope count.

An activity belongs to a period by the local day of its start. The figures of one type take the parameter
`activity_type`: an ActivityType, its id or its name (`metrics.compute("activities.held_of_type", town,
Period.quarter(2026, 1), activity_type="同心大讲堂")`); the fulfilment figures take it optionally.

Plan fulfilment (计划完成率) counts the occurrences of the units' plans (one a month for 每月, one a quarter for
每季度 …; see Plan.occurrences):

- An occurrence belongs to a period when its month, quarter, half-year or year lies entirely inside it.
  An occurrence that only partly overlaps the period is left out of it, expected and fulfilled alike: a
  quarterly plan is not judged on a month, a yearly plan not on a quarter, and the sum over the quarters of
  a year leaves out the half-yearly and yearly occurrences that the year counts.
- While the period is running, only what is due counts: an occurrence inside the period that has not ended
  by the period's `as_of` day (today) is expected only once it is fulfilled. So "2026" in June does not
  count July to December as missing, and a June already done counts as done.
- An occurrence is fulfilled when at least one activity records it (`Activity.plan` and `occurrence`, which
  the activity's start date sets). Fulfilment is a fact about the plan: the plan's activities count whether
  or not the user may see them; the plans themselves are those of the subtrees in the user's scope.
- The rate is fulfilled / expected in percent, one decimal; None when nothing is expected.
"""

import datetime
from calendar import monthrange

from django.db.models import Count, Sum

from core.metrics import metric
from core.text import is_number

from .models import OCCURRENCES_PER_YEAR, Activity, ActivityType, Frequency, Plan, occurrence_key

TYPE_PARAM = {"activity_type": "活动类型"}
MONTHS_PER_OCCURRENCE = {Frequency.MONTH: 1, Frequency.QUARTER: 3, Frequency.HALF_YEAR: 6, Frequency.YEAR: 12}


def activity_type(value):
    """The ActivityType named by `value` (an instance, an id or a name); LookupError when there is none."""
    if isinstance(value, ActivityType):
        return value
    if isinstance(value, int) or (isinstance(value, str) and is_number(value.strip())):
        found = ActivityType.objects.filter(pk=int(value)).first()
    elif isinstance(value, str):
        found = ActivityType.objects.filter(name=value.strip()).first()
    else:
        found = None
    if found is None:
        raise LookupError(f"未知的活动类型：{value}")
    return found


def _type_filter(query, required=False):
    value = query.params.get("activity_type")
    if value is None or value == "":
        if required:
            raise TypeError("该统计指标须指定活动类型（activity_type）。")
        return {}
    return {"activity_type": activity_type(value)}


def activities(query):
    """The activities of the query's subtrees (in the user's scope) that start in the period."""
    return query.records(Activity).filter(query.period.q("start__date"))


def occurrence_span(frequency, year, number):
    """The first and last day of the `number`-th occurrence (1-based) of `frequency` in `year`."""
    months = MONTHS_PER_OCCURRENCE[frequency]
    first = (number - 1) * months + 1
    last = first + months - 1
    return datetime.date(year, first, 1), datetime.date(year, last, monthrange(year, last)[1])


def occurrences(query):
    """(expected, fulfilled): the occurrences of the period's plans counted as the module docstring says."""
    period = query.period
    as_of = period.as_of()
    plans = list(query.records(Plan).filter(year__gte=period.start.year, year__lte=period.end.year,
                                            **_type_filter(query)).values_list("pk", "frequency", "year"))
    done = Activity.objects.occurrences_held([pk for pk, _, _ in plans])
    expected = fulfilled = 0
    for pk, frequency, year in plans:
        for number in range(1, OCCURRENCES_PER_YEAR[frequency] + 1):
            start, end = occurrence_span(frequency, year, number)
            if start < period.start or end > period.end:
                continue  # partly or wholly outside the period
            is_done = (pk, occurrence_key(frequency, year, number)) in done
            if end <= as_of or is_done:
                expected += 1
                fulfilled += is_done
    return expected, fulfilled


@metric("activities.held", "开展活动", unit="次")
def held(query):
    """Activities starting in the period."""
    return activities(query).count()


@metric("activities.by_type", "开展活动（按类型）", unit="次", labels={})
def by_type(query):
    """Activities starting in the period, by type (every active type, in the types' order)."""
    counts = dict(activities(query).order_by().values_list("activity_type").annotate(n=Count("pk"))
                  .values_list("activity_type", "n"))
    types = ActivityType.objects.order_by("sort_order", "id").values_list("pk", "name", "is_active")
    return {name: counts.get(pk, 0) for pk, name, active in types if active or counts.get(pk)}


@metric("activities.held_of_type", "开展活动（指定类型）", unit="次", params=TYPE_PARAM)
def held_of_type(query):
    """Activities of the type `activity_type` starting in the period."""
    return activities(query).filter(**_type_filter(query, required=True)).count()


@metric("activities.participants", "参加活动的台账人员", unit="人")
def participants(query):
    """Distinct ledger people taking part in the period's activities."""
    links = Activity.participants.through.objects.filter(activity__in=activities(query).values("pk"))
    return links.values("person").distinct().count()


@metric("activities.headcount", "参加活动人次", unit="人次")
def headcount(query):
    """Everyone at the period's activities, counted at each: ledger participants plus other participants."""
    selected = activities(query)
    links = Activity.participants.through.objects.filter(activity__in=selected.values("pk")).count()
    others = selected.aggregate(n=Sum("other_participants"))["n"] or 0
    return links + others


@metric("activities.occurrences_expected", "计划应开展活动期次", unit="次", params=TYPE_PARAM)
def occurrences_expected(query):
    """Occurrences of the plans due in the period (optionally of one `activity_type`)."""
    return occurrences(query)[0]


@metric("activities.occurrences_fulfilled", "计划已开展活动期次", unit="次", params=TYPE_PARAM)
def occurrences_fulfilled(query):
    """Occurrences of the plans due in the period with at least one activity (optionally of one type)."""
    return occurrences(query)[1]


@metric("activities.fulfilment_rate", "活动计划完成率", unit="%", params=TYPE_PARAM)
def fulfilment_rate(query):
    """Fulfilled / expected occurrences of the plans in the period, in percent (None when none is due)."""
    expected, fulfilled = occurrences(query)
    return round(100 * fulfilled / expected, 1) if expected else None
