"""A unit's assessment under a scheme: every applicable item, occurrence by occurrence, with its submission,
its rule's figure, its due date, its score — and the unit's total. What the unit's list, the progress matrix,
the reminder letters, the notices and the final ranking are built on.

    result = assess(scheme, town)                    # the scheme year, as of today
    result.score.total, result.completion_rate, result.overdue
    for item in result.items:
        item.indicator, item.score.score
        for occ in item.occurrences:
            occ.occurrence.label, occ.due, occ.status, occ.rule, occ.outcome.value, occ.overdue

    assess_units(scheme, scheme.covered_units(), Period.quarter(2026, 3))   # one query for the submissions

The combination of a submission and a rule is scoring.resolve; the rule is rules.evaluate over the unit's
subtree and the occurrence's days. An occurrence that has not started on the `as_of` day is not evaluated.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from . import rules as rules_module
from . import scoring
from .models import Indicator, Submission
from .periods import Occurrence
from .workdays import WorkCalendar, due_date

STATUS_LABELS = dict(Submission.Status.choices)


@dataclass
class OccurrenceState:
    indicator: Indicator
    occurrence: Occurrence
    due: datetime.date
    submission: Submission | None
    rule: rules_module.RuleResult | None
    outcome: scoring.Outcome
    overdue: bool = False
    expected: bool = False  # counts in the completion rate (due by the as_of day, or already done)

    @property
    def status(self):
        return self.submission.status if self.submission is not None else Submission.Status.NOT_STARTED

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def done(self):
        return self.outcome.done

    @property
    def period_key(self):
        return self.occurrence.key


@dataclass
class ItemState:
    indicator: Indicator
    occurrences: list = field(default_factory=list)
    score: scoring.ItemScore | None = None

    @property
    def is_base(self):
        return self.indicator.method in Indicator.BASE_METHODS

    @property
    def next_due(self):
        """The earliest due date of an occurrence not done yet (None when all are done)."""
        open_ = [o.due for o in self.occurrences if not o.done]
        return min(open_) if open_ else None


@dataclass
class UnitAssessment:
    scheme: object
    unit: object
    period: object
    as_of: datetime.date
    items: list = field(default_factory=list)
    score: scoring.UnitScore = field(default_factory=scoring.UnitScore)

    def occurrence_states(self):
        return [occ for item in self.items for occ in item.occurrences]

    @property
    def expected(self):
        """Occurrences of scored items due by the as_of day (or done already)."""
        return sum(1 for item in self.items if item.is_base for o in item.occurrences if o.expected)

    @property
    def passed(self):
        return sum(1 for item in self.items if item.is_base for o in item.occurrences if o.expected and o.done)

    @property
    def completion_rate(self):
        """Done / expected occurrences of the scored items, in percent (one decimal); None when none is due."""
        expected = self.expected
        return round(100 * self.passed / expected, 1) if expected else None

    @property
    def overdue(self):
        return [o for o in self.occurrence_states() if o.overdue]

    def status_counts(self):
        """{status: number of occurrences} over every item."""
        counts = dict.fromkeys(Submission.Status.values, 0)
        for occ in self.occurrence_states():
            counts[occ.status] += 1
        return counts


def assess(scheme, unit, period=None, *, as_of=None, today=None, rules=True, calendar=None, submissions=None,
           items=None):
    """The UnitAssessment of `unit` under `scheme` for `period` (the scheme year by default).

    as_of: the day progress is judged on (default: the period's as_of — its end, or today while running);
    today: the day "overdue" is judged on (default: today); rules: whether to evaluate the items' rules;
    submissions / items: preloaded (assess_units passes them), else read here.
    """
    period = period or scheme.period
    today = today or timezone.localdate()
    as_of = as_of or period.as_of(today)
    calendar = calendar or WorkCalendar()
    if items is None:
        items = scheme.items_for(unit)
    if submissions is None:
        submissions = {
            (s.indicator_id, s.period_key): s
            for s in Submission.objects.of_assessed_units(scheme, [unit])
        }
    result = UnitAssessment(scheme, unit, period, as_of)
    for indicator in items:
        if indicator.occurrences(period):  # an item with no occurrence inside the period is not judged on it
            result.items.append(_item_state(indicator, unit, period, as_of, today, rules, calendar, submissions))
    result.score = scoring.unit_total([i.score for i in result.items])
    return result


def assess_units(scheme, units, period=None, *, as_of=None, today=None, rules=True):
    """[UnitAssessment] of each unit under `scheme`, reading the items and submissions once."""
    units = list(units)
    calendar = WorkCalendar()
    all_items = list(scheme.items().prefetch_related("units"))
    by_unit = {}
    for submission in Submission.objects.of_assessed_units(scheme, units):
        by_unit.setdefault(submission.owner_unit_id, {})[(submission.indicator_id, submission.period_key)] = submission
    results = []
    for unit in units:
        covered = scheme.covers(unit)
        items = [i for i in all_items if covered and i.applies_to_unit(unit, scheme_checked=True)]
        results.append(assess(scheme, unit, period, as_of=as_of, today=today, rules=rules, calendar=calendar,
                              submissions=by_unit.get(unit.pk, {}), items=items))
    return results


def _item_state(indicator, unit, period, as_of, today, rules, calendar, submissions):
    spec = scoring.Spec.of(indicator)
    state = ItemState(indicator)
    occurrences = indicator.occurrences(period)
    for occurrence in occurrences:
        submission = submissions.get((indicator.pk, occurrence.key))
        rule = None
        if rules and indicator.metric_key and occurrence.start <= as_of:
            rule = rules_module.evaluate(indicator, unit, occurrence.period)
        outcome = scoring.resolve(
            spec,
            status=submission.status if submission else None,
            count=submission.count if submission else None,
            score=submission.score if submission else None,
            rule_value=rule.suggested if rule else None,
            rule_met=rule.met if rule else None,
        )
        due = due_date(indicator, occurrence, calendar)
        status = submission.status if submission else Submission.Status.NOT_STARTED
        is_base = indicator.method in Indicator.BASE_METHODS
        overdue = (is_base and not outcome.done and due < today
                   and status not in (Submission.Status.SUBMITTED, Submission.Status.PASSED))
        expected = due <= as_of or outcome.done
        state.occurrences.append(OccurrenceState(indicator, occurrence, due, submission, rule, outcome, overdue,
                                                 expected))
    state.score = scoring.item_result(spec, [scoring.Part(o.outcome.value, o.outcome.source)
                                             for o in state.occurrences], len(occurrences))
    return state
