"""Figures on the duty lists (职责清单) for the dashboard and reports (core.metrics).

Registered when the app is ready (apps.py imports this module). The units assessed are those of the published
schemes of the period's year(s) (optionally one scheme: parameter `scheme`, its id) that lie inside the query's
subtrees — a town's figure is the town's own list (and its villages', when a scheme assesses villages). With a
user, only the units whose submissions that user may view count.

- duties.completion_rate: occurrences of the scored items done (passed, or the rule met) / those due by the
  period's as_of day (or done already), in percent; None when nothing is due.
- duties.score: the units' total score (automatic + reviewed + bonus − deductions) for the period; the
  average when several units are assessed; None when none is.
- duties.items_overdue: occurrences of the scored items past their due date (today), neither done nor
  awaiting review.
"""

from decimal import Decimal

from django.db.models import Q

from core.metrics import metric

from .assessment import assess_units
from .models import Scheme
from .scoring import money

SCHEME_PARAM = {"scheme": "考核细则（编号）"}


def assessments(query):
    """The UnitAssessments of the query's units under the period's published schemes."""
    period = query.period
    schemes = Scheme.objects.published().filter(year__gte=period.start.year, year__lte=period.end.year)
    scheme_id = query.params.get("scheme")
    if scheme_id not in (None, ""):
        schemes = schemes.filter(pk=int(scheme_id))
    results = []
    for scheme in schemes.select_related("owner_unit"):
        units = scheme.covered_units() if query.user is None else scheme.assessed_units_for(query.user, query.action)
        units = units.filter(_subtrees(query.units))
        results.extend(r for r in assess_units(scheme, units, period) if r.items)
    return results


def _subtrees(units):
    """A Q over org.Unit matching the subtrees of `units` (everything for None)."""
    if units is None:
        return Q()
    query = Q(pk__in=[])
    for unit in units:
        query |= Q(path__startswith=unit.path)
    return query


@metric("duties.completion_rate", "职责清单完成率", unit="%", params=SCHEME_PARAM)
def completion_rate(query):
    """Done / due occurrences of the scored duty items of the units assessed, in percent."""
    results = assessments(query)
    expected = sum(r.expected for r in results)
    passed = sum(r.passed for r in results)
    return round(100 * passed / expected, 1) if expected else None


@metric("duties.score", "职责清单考核得分", unit="分", params=SCHEME_PARAM)
def score(query):
    """The total score of the unit assessed (the average of the units' totals when there are several)."""
    results = assessments(query)
    if not results:
        return None
    return money(sum((r.score.total for r in results), Decimal(0)) / len(results))


@metric("duties.items_overdue", "职责清单逾期事项", unit="项", params=SCHEME_PARAM)
def items_overdue(query):
    """Occurrences of the units' scored items past their due date, not done and not awaiting review."""
    return sum(len(r.overdue) for r in assessments(query))
