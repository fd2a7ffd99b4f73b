"""The planner of the demo duty lists: the scheme, its indicators and the units' submissions with their review
steps, drawn from one seeded random generator; it writes nothing but the Plan it fills."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from core.demo import BEHIND_TOWNS

from ..models import Indicator, Scheme, Submission, SubmissionStep
from ..periods import occurrences
from ..workdays import WorkCalendar, due_date
from .items import (
    APPROVE_COMMENTS,
    CATEGORIES,
    DRAFT_TEXTS,
    HALF,
    MEMBER,
    MEMBER_SPECIFIC,
    RETURN_COMMENTS,
    SPECIFIC_CATEGORY,
    SUBMIT_TEXTS,
    TOWN,
    TOWN_SPECIFIC,
    YEAR,
    Item,
    M,
)

MEMBER_BEHIND_SHARE = 1 / 7


@dataclass
class Plan:
    scheme: Scheme = None
    indicators: list = field(default_factory=list)
    units: list = field(default_factory=list)  # (indicator index, unit pk) of the specific items
    submissions: list = field(default_factory=list)
    steps: list = field(default_factory=list)  # (submission index, SubmissionStep, created_at)


def _dec(value):
    return None if value is None else Decimal(str(value))


def _indicator(scheme, item, parent_index, sort_order, year):
    rule = item.rule or ("", {}, "gte", None, "threshold")
    return Indicator(
        scheme=scheme, sort_order=sort_order, text=item.text, method=item.method, points=_dec(item.points),
        unit_points=_dec(item.unit_points), score_min=_dec(item.score_min), evidence_required=item.evidence,
        frequency=item.frequency, deadline=datetime.date(year, *item.due) if item.due else None,
        deadline_days=item.days, deadline_anchor=Indicator.DeadlineAnchor.END,
        applies_to=Indicator.Applicability.COMMON, unit_types=list(item.types),
        metric_key=rule[0], metric_params=dict(rule[1]), rule_comparison=rule[2], rule_threshold=_dec(rule[3]),
        rule_mapping=rule[4],
    ), parent_index


class Generator:
    def __init__(self, rng, county, towns, members, users, today):
        self.rng = rng
        self.county = county
        self.towns = towns
        self.members = members
        self.users = users
        self.today = today
        self.year = today.year
        self.calendar = WorkCalendar()
        self.recorder = {u.unit_id: u for u in users.values() if u.unit_id != county.pk}
        self.reviewer = users.get("county_staff")
        self.plan = Plan()

    def scheme(self):
        reviewer = self.reviewer
        now = timezone.now()
        published = timezone.make_aware(datetime.datetime(self.year, 1, 15, 10, 0)) \
            if datetime.date(self.year, 1, 15) <= self.today else now
        return Scheme(
            year=self.year, title=f"{self.year}年度统战工作考核细则", unit_types=[TOWN, MEMBER],
            periods=["quarter", "half", "year"], status=Scheme.Status.PUBLISHED, published_at=published,
            description=("依据《中国共产党统一战线工作条例》和县委有关要求制定。共性事项适用于各镇（街道）或县级各成员单位，"
                         "个性事项适用于指定单位；标注“自动取数”的事项由同心平台根据已录入的活动、联系、代表人士和台账记录"
                         "自动判定。"),
            owner_unit=self.county, created_by=reviewer, updated_by=reviewer,
        )

    def indicators(self, scheme):
        """Categories and items (parent given by index into the list), then the specific items."""
        rows = []
        for order, (title, items) in enumerate(CATEGORIES, start=1):
            rows.append((Indicator(scheme=scheme, sort_order=order, text=title), None))
            parent = len(rows) - 1
            for item_order, item in enumerate(items, start=1):
                rows.append(_indicator(scheme, item, parent, item_order, self.year))
        rows.append((Indicator(scheme=scheme, sort_order=len(CATEGORIES) + 1, text=SPECIFIC_CATEGORY), None))
        parent = len(rows) - 1
        order = 0
        for town in self.towns:
            for text in TOWN_SPECIFIC.get(town.short_name, []):
                order += 1
                method = M.DONE if order % 2 else M.REVIEW
                item = Item(text, method, 2, YEAR if order % 3 else HALF, due=(10, 31) if order % 3 else None,
                            days=None if order % 3 else 10, evidence="工作方案和落实情况")
                rows.append(_indicator(scheme, item, parent, order, self.year))
                self.plan.units.append((len(rows) - 1, town.pk))
        for short_name, (text, method, points, frequency) in MEMBER_SPECIFIC.items():
            unit = self.members.get(short_name)
            if unit is None:
                continue
            order += 1
            item = Item(text, method, points, frequency, due=(10, 31) if frequency == YEAR else None,
                        days=10 if frequency in (HALF,) else None,
                        unit_points=0.5 if method == M.PER_OCCURRENCE else None, evidence="工作方案和落实情况")
            rows.append(_indicator(scheme, item, parent, order, self.year))
            self.plan.units.append((len(rows) - 1, unit.pk))
        for index, _ in self.plan.units:
            rows[index][0].applies_to = Indicator.Applicability.SPECIFIC
        return rows

    # ---- submissions
    def moment(self, day, hour=None):
        day = min(day, self.today)
        hour = hour if hour is not None else self.rng.randint(8, 17)
        return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour, self.rng.randint(0, 59)))

    def submissions(self, indicators, specific):
        """Submissions for every unit, item and occurrence begun by today (not for items judged by a rule)."""
        behind_towns = {self.towns[i].pk for i in BEHIND_TOWNS if i < len(self.towns)}
        member_list = sorted(self.members.values(), key=lambda u: u.path)
        behind_members = {u.pk for u in member_list if self.rng.random() < MEMBER_BEHIND_SHARE}
        if member_list and not behind_members:
            behind_members.add(member_list[len(member_list) // 2].pk)
        self.behind = behind_towns | behind_members
        items = [i for i in indicators if i.parent_id is not None]
        for unit in [*self.towns, *member_list]:
            behind = unit.pk in self.behind
            for item in items:
                if item.applies_to == Indicator.Applicability.SPECIFIC:
                    if unit.pk not in specific.get(item.pk, ()):
                        continue
                elif item.unit_types and unit.type not in item.unit_types:
                    continue
                if item.method in (M.BONUS, M.DEDUCTION):
                    self.bonus_or_deduction(unit, item, behind)
                    continue
                if item.metric_key:
                    continue  # judged from the records
                for occurrence in occurrences(item.frequency, self.year):
                    if occurrence.start > self.today:
                        break
                    self.occurrence(unit, item, occurrence, behind)

    def draw_status(self, due, behind):
        """The status of an occurrence due on `due`: long past ones are mostly passed, recent ones often still
        awaiting review or returned, running ones often not begun; the units behind do worse throughout."""
        S = Submission.Status
        age = (self.today - due).days
        if age > 30:
            weights = [(S.PASSED, 60), (S.SUBMITTED, 4), (S.RETURNED, 12), (S.IN_PROGRESS, 8), (None, 16)] \
                if behind else [(S.PASSED, 95), (S.SUBMITTED, 1), (S.RETURNED, 1), (S.IN_PROGRESS, 1), (None, 2)]
        elif age > 0:
            weights = [(S.PASSED, 35), (S.SUBMITTED, 20), (S.RETURNED, 15), (S.IN_PROGRESS, 15), (None, 15)] \
                if behind else [(S.PASSED, 70), (S.SUBMITTED, 18), (S.RETURNED, 5), (S.IN_PROGRESS, 3), (None, 4)]
        else:
            weights = [(S.PASSED, 10), (S.SUBMITTED, 10), (S.IN_PROGRESS, 20), (None, 60)] if behind \
                else [(S.PASSED, 30), (S.SUBMITTED, 25), (S.IN_PROGRESS, 20), (None, 25)]
        statuses, chances = zip(*weights, strict=True)
        return self.rng.choices(statuses, weights=chances)[0]

    def occurrence(self, unit, item, occurrence, behind):
        due = due_date(item, occurrence, self.calendar)
        status = self.draw_status(due, behind)
        if status is None:
            return
        rng = self.rng
        evidence = item.evidence_required or "工作材料"
        user = self.recorder.get(unit.pk)
        S = Submission.Status
        submission = Submission(indicator=item, period_key=occurrence.key, status=status, owner_unit=unit,
                                created_by=user, updated_by=user)
        if status == S.IN_PROGRESS:
            submission.text = rng.choice(DRAFT_TEXTS).format(x=evidence)
            self.plan.submissions.append(submission)
            return
        submission.text = rng.choice(SUBMIT_TEXTS).format(x=evidence)
        latest = min(self.today, due + datetime.timedelta(days=rng.randint(0, 20) if behind else 0))
        earliest = max(occurrence.start, latest - datetime.timedelta(days=15))
        submitted = earliest + datetime.timedelta(days=rng.randint(0, max(0, (latest - earliest).days)))
        steps = []
        index = len(self.plan.submissions)
        if status in (S.PASSED, S.RETURNED) or (status == S.SUBMITTED and rng.random() < 0.15):
            first_review = min(self.today, submitted + datetime.timedelta(days=rng.randint(1, 6)))
            if status == S.RETURNED or rng.random() < (0.25 if behind else 0.08):
                steps.append((SubmissionStep.Action.SUBMIT, "", None, S.SUBMITTED, user, submitted))
                steps.append((SubmissionStep.Action.RETURN, rng.choice(RETURN_COMMENTS).format(x=evidence), None,
                              S.RETURNED, self.reviewer, first_review))
                if status != S.RETURNED:  # put right and submitted again
                    submitted = min(self.today, first_review + datetime.timedelta(days=rng.randint(1, 8)))
        submission.submitted_at = self.moment(submitted, 9)
        if status != S.RETURNED:
            steps.append((SubmissionStep.Action.SUBMIT, "", None, S.SUBMITTED, user, submitted))
        if status == S.PASSED:
            reviewed = min(self.today, submitted + datetime.timedelta(days=rng.randint(1, 7)))
            score = None
            if item.method == M.REVIEW:
                share = rng.uniform(0.6, 0.95) if behind else rng.uniform(0.75, 1.0)
                score = max(item.score_min, (item.points * Decimal(str(share)) * 2).quantize(Decimal(1)) / 2)
            elif item.method == M.PER_OCCURRENCE:
                submission.count = rng.randint(1, 2) if behind else rng.randint(1, 3)
            submission.score = score
            submission.reviewed_at = self.moment(reviewed, 15)
            submission.reviewed_by = self.reviewer
            steps.append((SubmissionStep.Action.APPROVE, rng.choice(APPROVE_COMMENTS), score, S.PASSED,
                          self.reviewer, reviewed))
        elif status == S.RETURNED:
            submission.reviewed_at = self.moment(steps[-1][5], 15)
            submission.reviewed_by = self.reviewer
        self.plan.submissions.append(submission)
        previous = None
        for action, comment, score, after, actor, day in steps:
            moment = self.moment(day, 9 if action == SubmissionStep.Action.SUBMIT else 16)
            if previous is not None and moment <= previous:  # several steps on one day keep their order
                moment = previous + datetime.timedelta(minutes=rng.randint(10, 90))
            previous = moment
            self.plan.steps.append((index, SubmissionStep(action=action, comment=comment, score=score,
                                                          status_after=after, user=actor), moment))

    def bonus_or_deduction(self, unit, item, behind):
        """Bonus for a few units doing well, deductions for a few behind (recorded by the county as passed)."""
        if item.metric_key:
            return
        rng = self.rng
        if item.method == M.BONUS:
            chance = 0.02 if behind else (0.12 if unit.type == TOWN else 0.04)
        elif item.unit_points and item.unit_points >= 2:
            chance = 0.05 if behind else 0.0
        else:
            chance = 0.5 if behind else 0.03
        if rng.random() >= chance:
            return
        count = rng.randint(1, 2)
        day = self.today - datetime.timedelta(days=rng.randint(5, 60))
        day = max(datetime.date(self.year, 1, 20), day)
        reason = "经县委统战部核实认定" if item.method == M.DEDUCTION else "经县委统战部审核认定"
        submission = Submission(
            indicator=item, period_key=str(self.year), status=Submission.Status.PASSED, owner_unit=unit,
            count=count, text=f"{reason}，计{count}次。", submitted_at=self.moment(day, 9),
            reviewed_at=self.moment(day, 16), reviewed_by=self.reviewer, created_by=self.reviewer,
            updated_by=self.reviewer,
        )
        index = len(self.plan.submissions)
        self.plan.submissions.append(submission)
        self.plan.steps.append((index, SubmissionStep(action=SubmissionStep.Action.APPROVE, comment=reason,
                                                      status_after=Submission.Status.PASSED, user=self.reviewer),
                                self.moment(day, 16)))
