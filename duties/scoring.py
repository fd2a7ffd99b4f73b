"""Scoring (计分): pure functions over numbers, no database.

An item is scored occurrence by occurrence (a quarterly item has four in a year), then the occurrences are
combined into the item's score, and the items into a unit's total:

- 完成/未完成 (done): an occurrence earns the item's points when done, 0 otherwise; the item's score is the
  average over its occurrences (a quarterly item of 4 points done in three quarters: 3 points).
- 评审打分 (review): the reviewer's score of an occurrence, within [score_min, points]; averaged likewise.
- 按次计分 (per occurrence): each counted occurrence earns `unit_points`; the item's score is the sum over its
  occurrences, capped at `points` (每次0.5分，最高2分).
- 加分项 (bonus) / 扣分项 (deduction): like per occurrence — `unit_points` each time, at most `points` in all —
  but added to or taken from the total instead of making up the full marks.

A unit's total = automatic + reviewed + bonus − deductions, where automatic and reviewed split the scored items
(done, per occurrence, review) by where each occurrence's value came from: a rule over existing records
(automatic) or a reviewer's decision (reviewed). Full marks are the sum of the points of the scored items.

Amounts are Decimals rounded to 0.01 (half up).
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

DONE, PER_OCCURRENCE, REVIEW, DEDUCTION, BONUS = "done", "per_occurrence", "review", "deduction", "bonus"
BASE = (DONE, PER_OCCURRENCE, REVIEW)
COUNTED = (PER_OCCURRENCE, DEDUCTION, BONUS)
AUTO, REVIEWED = "auto", "review"
PASSED = "passed"

ZERO = Decimal("0")
CENT = Decimal("0.01")


def dec(value):
    """A Decimal of any number (floats through their shortest text, so 0.1 stays 0.1)."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def money(value):
    return dec(value).quantize(CENT, rounding=ROUND_HALF_UP)


def fmt(value):
    """A score as printed: "2", "2.5", "0.75"."""
    if value is None:
        return "—"
    text = f"{money(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True)
class Spec:
    """How an item is scored: its method, points (full marks, or the cap), points per occurrence, lowest score."""

    method: str
    points: Decimal
    unit_points: Decimal | None = None
    score_min: Decimal = ZERO

    def __post_init__(self):
        if self.method not in BASE + (DEDUCTION, BONUS):
            raise ValueError(f"unknown scoring method {self.method!r}")
        object.__setattr__(self, "points", dec(self.points or 0))
        object.__setattr__(self, "unit_points", dec(self.unit_points))
        object.__setattr__(self, "score_min", dec(self.score_min or 0))

    @classmethod
    def of(cls, indicator):
        return cls(str(indicator.method), indicator.points, indicator.unit_points, indicator.score_min)

    @property
    def is_base(self):
        return self.method in BASE

    @property
    def is_counted(self):
        return self.method in COUNTED

    @property
    def score_range(self):
        """(lowest, highest) score a reviewer may give one occurrence."""
        if self.method == REVIEW:
            return self.score_min, self.points
        return ZERO, self.points


def score_problem(spec, score):
    """"" when a reviewer's `score` is allowed for one occurrence of the item, else a Chinese message."""
    if score is None:
        return ""
    low, high = spec.score_range
    score = dec(score)
    if score < low or score > high:
        what = {DEDUCTION: "扣分", BONUS: "加分"}.get(spec.method, "得分")
        return f"{what}应在{fmt(low)}至{fmt(high)}分之间。"
    return ""


def clamp(spec, score):
    low, high = spec.score_range
    return min(high, max(low, dec(score)))


def occurrence_value(spec, *, done=False, count=None, score=None):
    """The points one occurrence earns (for bonus and deduction: adds or takes), before the item combines them.

    A reviewer's `score` decides when given (kept inside the item's range). Otherwise: done → the points,
    else 0; counted methods → `count` × unit_points (no cap here: the cap applies to the item); review → 0.
    """
    if score is not None:
        return money(clamp(spec, score))
    if spec.method == DONE:
        return money(spec.points) if done else ZERO
    if spec.is_counted:
        return money(max(0, count or 0) * (spec.unit_points or ZERO))
    return ZERO


def item_score(spec, values, occurrences=None):
    """The item's score from its occurrences' values.

    `occurrences` is how many occurrences the period has (default: as many as values): for done and review
    items the score is the average over them, a missing occurrence counting 0; counted items sum their values
    and stop at the points.
    """
    values = [dec(v) for v in values]
    if spec.is_counted:
        return money(min(spec.points, max(ZERO, sum(values, ZERO))))
    count = len(values) if occurrences is None else occurrences
    if not count:
        return ZERO
    return money(sum(values, ZERO) / count)


@dataclass(frozen=True)
class Part:
    """One occurrence's value and where it came from (AUTO: a rule; REVIEWED: a reviewer)."""

    value: Decimal
    source: str = REVIEWED


@dataclass(frozen=True)
class ItemScore:
    method: str
    points: Decimal
    score: Decimal
    automatic: Decimal = ZERO
    reviewed: Decimal = ZERO

    @property
    def kind(self):
        """"base" (makes up the full marks), "bonus" or "deduction"."""
        return self.method if self.method in (BONUS, DEDUCTION) else "base"


def item_result(spec, parts, occurrences=None):
    """The item's ItemScore from its occurrences' Parts, the score split into automatic and reviewed shares in
    proportion to the raw values from each source."""
    parts = list(parts)
    score = item_score(spec, [p.value for p in parts], occurrences)
    auto_raw = sum((dec(p.value) for p in parts if p.source == AUTO), ZERO)
    raw = sum((dec(p.value) for p in parts), ZERO)
    automatic = money(score * auto_raw / raw) if raw else ZERO
    return ItemScore(spec.method, spec.points, score, automatic, score - automatic)


@dataclass(frozen=True)
class UnitScore:
    automatic: Decimal = ZERO
    reviewed: Decimal = ZERO
    bonus: Decimal = ZERO
    deductions: Decimal = ZERO
    full_marks: Decimal = ZERO

    @property
    def base(self):
        return self.automatic + self.reviewed

    @property
    def total(self):
        return self.automatic + self.reviewed + self.bonus - self.deductions

    @property
    def percent(self):
        """The total as a share of the full marks, in percent (one decimal); None without full marks."""
        if not self.full_marks:
            return None
        return float(money(100 * self.total / self.full_marks).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def unit_total(items, full_marks=None):
    """A unit's UnitScore from its items' ItemScores. Full marks: the points of the scored items, unless given."""
    items = list(items)
    base = [i for i in items if i.kind == "base"]
    return UnitScore(
        automatic=sum((i.automatic for i in base), ZERO),
        reviewed=sum((i.reviewed for i in base), ZERO),
        bonus=sum((i.score for i in items if i.kind == BONUS), ZERO),
        deductions=sum((i.score for i in items if i.kind == DEDUCTION), ZERO),
        full_marks=dec(full_marks) if full_marks is not None else sum((i.points for i in base), ZERO),
    )


@dataclass(frozen=True)
class Outcome:
    """What one occurrence of an item comes to: its value, where the value came from, and whether it is done."""

    value: Decimal
    source: str
    done: bool


def resolve(spec, *, status=None, count=None, score=None, rule_value=None, rule_met=None):
    """Combine a submission (its `status`, the reviewer's `count` and `score`) with a rule's suggestion.

    1. A reviewer's score decides (source REVIEWED).
    2. A passed submission: done items earn their points; counted items `count` × unit_points when the
       reviewer entered a count; otherwise (and review items without a score) the rule's value if any.
    3. Otherwise the rule's suggestion (source AUTO), when the item has a rule; else 0.
    `done` (for completion rates): passed, or the rule met.
    """
    passed = status == PASSED
    done = passed or bool(rule_met)
    if score is not None:
        return Outcome(occurrence_value(spec, score=score), REVIEWED, done)
    if passed:
        if spec.method == DONE:
            return Outcome(occurrence_value(spec, done=True), REVIEWED, True)
        if spec.is_counted and count is not None:
            return Outcome(occurrence_value(spec, count=count), REVIEWED, True)
    if rule_value is not None:
        value = max(ZERO, dec(rule_value))
        return Outcome(money(value if spec.is_counted else min(spec.points, value)), AUTO, done)
    return Outcome(ZERO, REVIEWED if passed else AUTO, done)
