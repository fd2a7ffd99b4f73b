"""Every scoring method against hand-computed expectations (caps, bonus, deduction, averaging, the split
between automatic and reviewed points, the combination of a submission with a rule)."""

from decimal import Decimal as D

import pytest

from duties import scoring
from duties.scoring import (
    AUTO,
    BONUS,
    DEDUCTION,
    DONE,
    PER_OCCURRENCE,
    REVIEW,
    REVIEWED,
    ItemScore,
    Part,
    Spec,
    item_result,
    item_score,
    occurrence_value,
    resolve,
    score_problem,
    unit_total,
)

DONE_4 = Spec(DONE, 4)
PER_2_CAP = Spec(PER_OCCURRENCE, 2, unit_points="0.5")  # 每次0.5分，最高2分
REVIEW_2_5 = Spec(REVIEW, 5, score_min=2)  # 评分2–5分
DEDUCT_1_CAP_3 = Spec(DEDUCTION, 3, unit_points=1)  # 每次扣1分，最多扣3分
BONUS_HALF_CAP_2 = Spec(BONUS, 2, unit_points="0.5")  # 每次加0.5分，最多加2分


# --- done / not done ---------------------------------------------------------------------------------------

def test_done_earns_points_not_done_nothing():
    assert occurrence_value(DONE_4, done=True) == D("4.00")
    assert occurrence_value(DONE_4, done=False) == D("0")
    assert item_score(DONE_4, [D(4)]) == D("4.00")
    assert item_score(DONE_4, [D(0)]) == D("0.00")


def test_done_quarterly_item_averages_occurrences():
    # 4 points, quarterly, done in Q1, Q2, Q4: 4 × 3/4 = 3
    values = [occurrence_value(DONE_4, done=d) for d in (True, True, False, True)]
    assert item_score(DONE_4, values) == D("3.00")
    # Only two occurrences recorded so far out of four: missing ones count 0 → 4 × 2/4 = 2
    assert item_score(DONE_4, [D(4), D(4)], occurrences=4) == D("2.00")
    # 5 points monthly done in 7 of 12 months: 5 × 7/12 = 2.9166… → 2.92
    assert item_score(Spec(DONE, 5), [D(5)] * 7, occurrences=12) == D("2.92")


def test_done_with_no_occurrence_is_zero():
    assert item_score(DONE_4, [], occurrences=0) == D("0")


# --- per occurrence up to a cap ----------------------------------------------------------------------------

def test_per_occurrence_counts_until_the_cap():
    assert occurrence_value(PER_2_CAP, count=3) == D("1.50")
    assert item_score(PER_2_CAP, [D("1.5")]) == D("1.50")
    # 5 times × 0.5 = 2.5, capped at 2
    assert item_score(PER_2_CAP, [occurrence_value(PER_2_CAP, count=5)]) == D("2.00")
    # over four quarters: 1 + 1 + 0 + 2 times = 4 × 0.5 = 2 (exactly the cap)
    values = [occurrence_value(PER_2_CAP, count=n) for n in (1, 1, 0, 2)]
    assert item_score(PER_2_CAP, values) == D("2.00")
    # 1 + 0 + 0 + 2 = 3 × 0.5 = 1.5 (the cap applies to the sum, not to each quarter)
    values = [occurrence_value(PER_2_CAP, count=n) for n in (1, 0, 0, 2)]
    assert item_score(PER_2_CAP, values) == D("1.50")


def test_per_occurrence_zero_or_negative_count():
    assert occurrence_value(PER_2_CAP, count=0) == D("0.00")
    assert occurrence_value(PER_2_CAP, count=None) == D("0.00")
    assert occurrence_value(PER_2_CAP, count=-3) == D("0.00")


# --- reviewer's score within a range -----------------------------------------------------------------------

def test_review_score_is_kept_within_the_range():
    assert occurrence_value(REVIEW_2_5, score=D("3.5")) == D("3.50")
    assert occurrence_value(REVIEW_2_5, score=D("7")) == D("5.00")  # above the range → 5
    assert occurrence_value(REVIEW_2_5, score=D("1")) == D("2.00")  # below the range → 2
    assert occurrence_value(REVIEW_2_5) == D("0")  # not scored yet
    assert item_score(REVIEW_2_5, [D("3.5")]) == D("3.50")


def test_review_half_yearly_average():
    # H1 scored 4, H2 scored 3: (4 + 3) / 2 = 3.5
    assert item_score(REVIEW_2_5, [D(4), D(3)]) == D("3.50")
    # H1 scored 4, H2 not yet: 4 / 2 = 2
    assert item_score(REVIEW_2_5, [D(4)], occurrences=2) == D("2.00")


def test_score_problem_messages():
    assert score_problem(REVIEW_2_5, D("3")) == ""
    assert score_problem(REVIEW_2_5, D("1.5")) == "得分应在2至5分之间。"
    assert score_problem(DEDUCT_1_CAP_3, D("4")) == "扣分应在0至3分之间。"
    assert score_problem(BONUS_HALF_CAP_2, D("-1")) == "加分应在0至2分之间。"
    assert score_problem(DONE_4, None) == ""


# --- deduction and bonus -----------------------------------------------------------------------------------

def test_deduction_per_occurrence_capped():
    assert item_score(DEDUCT_1_CAP_3, [occurrence_value(DEDUCT_1_CAP_3, count=2)]) == D("2.00")
    assert item_score(DEDUCT_1_CAP_3, [occurrence_value(DEDUCT_1_CAP_3, count=5)]) == D("3.00")  # at most 3
    assert item_score(DEDUCT_1_CAP_3, []) == D("0.00")


def test_bonus_per_occurrence_capped():
    assert item_score(BONUS_HALF_CAP_2, [occurrence_value(BONUS_HALF_CAP_2, count=3)]) == D("1.50")
    assert item_score(BONUS_HALF_CAP_2, [occurrence_value(BONUS_HALF_CAP_2, count=9)]) == D("2.00")
    # a reviewer's direct bonus of 1.2 plus 2 counted times (1.0) = 2.2 → capped at 2
    values = [occurrence_value(BONUS_HALF_CAP_2, score=D("1.2")), occurrence_value(BONUS_HALF_CAP_2, count=2)]
    assert item_score(BONUS_HALF_CAP_2, values) == D("2.00")


# --- a unit's total ----------------------------------------------------------------------------------------

def test_unit_total_is_automatic_plus_reviewed_plus_bonus_minus_deductions():
    items = [
        item_result(DONE_4, [Part(D(4), AUTO)]),  # 4 automatic
        item_result(PER_2_CAP, [Part(D("1.5"), REVIEWED)]),  # 1.5 reviewed
        item_result(REVIEW_2_5, [Part(D("3.5"), REVIEWED)]),  # 3.5 reviewed
        item_result(BONUS_HALF_CAP_2, [Part(D("1.5"), REVIEWED)]),  # +1.5
        item_result(DEDUCT_1_CAP_3, [Part(D(2), REVIEWED)]),  # −2
    ]
    total = unit_total(items)
    assert total.automatic == D("4.00")
    assert total.reviewed == D("5.00")
    assert total.bonus == D("1.50")
    assert total.deductions == D("2.00")
    assert total.full_marks == D("11")  # 4 + 2 + 5: bonus and deduction points are not full marks
    assert total.total == D("8.50")  # 4 + 5 + 1.5 − 2
    assert total.percent == 77.3  # 8.5 / 11


def test_item_split_between_automatic_and_reviewed():
    # quarterly done item of 4 points: Q1 and Q2 done by the rule, Q3 approved by a reviewer, Q4 not done
    result = item_result(DONE_4, [Part(D(4), AUTO), Part(D(4), AUTO), Part(D(4), REVIEWED), Part(D(0), AUTO)])
    assert result.score == D("3.00")
    assert result.automatic == D("2.00")
    assert result.reviewed == D("1.00")
    # a capped per-occurrence item: 2 (auto) + 1 (review) = 3 raw, capped at 2 → split 2:1 → 1.33 + 0.67
    result = item_result(PER_2_CAP, [Part(D(2), AUTO), Part(D(1), REVIEWED)])
    assert (result.score, result.automatic, result.reviewed) == (D("2.00"), D("1.33"), D("0.67"))


def test_unit_total_without_items():
    total = unit_total([])
    assert total.total == D(0)
    assert total.percent is None


def test_explicit_full_marks():
    total = unit_total([ItemScore(DONE, D(4), D(4), D(4), D(0))], full_marks=D(100))
    assert total.full_marks == D(100)
    assert total.percent == 4.0


# --- a submission combined with a rule ---------------------------------------------------------------------

def test_resolve_reviewer_score_wins_over_rule():
    outcome = resolve(REVIEW_2_5, status="passed", score=D(4), rule_value=D(5), rule_met=True)
    assert (outcome.value, outcome.source, outcome.done) == (D("4.00"), REVIEWED, True)


def test_resolve_passed_done_item():
    outcome = resolve(DONE_4, status="passed")
    assert (outcome.value, outcome.source, outcome.done) == (D("4.00"), REVIEWED, True)


def test_resolve_rule_when_not_reviewed():
    outcome = resolve(DONE_4, status="submitted", rule_value=D(4), rule_met=True)
    assert (outcome.value, outcome.source, outcome.done) == (D("4.00"), AUTO, True)
    outcome = resolve(DONE_4, status=None, rule_value=D(0), rule_met=False)
    assert (outcome.value, outcome.done) == (D("0.00"), False)


def test_resolve_counted_items():
    # the reviewer confirmed 3 occurrences
    assert resolve(PER_2_CAP, status="passed", count=3).value == D("1.50")
    # passed without a count: the rule's count-based suggestion
    assert resolve(PER_2_CAP, status="passed", rule_value=D("2.5")).value == D("2.50")  # capped by the item
    # a deduction found by a rule (2 occurrences × 1)
    outcome = resolve(DEDUCT_1_CAP_3, rule_value=D(2), rule_met=False)
    assert (outcome.value, outcome.source) == (D("2.00"), AUTO)


def test_resolve_returned_submission_without_rule_is_zero():
    outcome = resolve(DONE_4, status="returned")
    assert (outcome.value, outcome.done) == (D("0"), False)


def test_rule_value_for_review_item_is_not_raised_to_the_minimum():
    # a review item with a rule not met suggests 0, not the reviewer's lowest score
    assert resolve(REVIEW_2_5, rule_value=D(0), rule_met=False).value == D("0.00")
    assert resolve(REVIEW_2_5, rule_value=D(9), rule_met=True).value == D("5.00")


def test_spec_rejects_unknown_method():
    with pytest.raises(ValueError):
        Spec("bogus", 1)


def test_fmt():
    assert scoring.fmt(D("2.50")) == "2.5"
    assert scoring.fmt(D("2.00")) == "2"
    assert scoring.fmt(None) == "—"
