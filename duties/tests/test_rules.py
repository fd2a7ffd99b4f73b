"""Automatic evidence: rules over activities (activities.held_of_type, activities.held) and pairings
(friendship.coverage_rate, friendship.pairings_behind), the assessment built on them, and the duties figures.

Fixtures (all in 2025; the scheme "2025年度考核细则" covers the towns):

  Activities  town1    2025-03-20 同心大讲堂 (Q1)        town2 2025-02-01 同心行活动日
              town1    2025-05-10 同心大讲堂 (Q2)
              village1 2025-08-01 同心大讲堂 (Q3, counts for town1's subtree); none in Q4
  Pairings    town1 P1 2 a year since 2024: contacts 2025-03-10, 2025-09-15   → on track
              town2 P2 4 a year since 2025-07-01: contact 2025-08-01          → behind (owes 2 on 31 Dec)
              town2 P4 2 a year since 2024: contacts 2025-04-01, 2025-10-01   → on track
  → coverage 2025: town1 100.0, town2 50.0; pairings behind: town1 0, town2 1.

Items (category 基础工作):
  L  同心大讲堂, quarterly, 完成/未完成 4 points, rule held_of_type(同心大讲堂) ≥ 1, 达标得满分
  C  联系覆盖, yearly, 评审打分 0–5, rule coverage_rate ≥ 90, 按完成比例得分
  B  活动加分, yearly, 加分项 0.5 each, at most 1, rule activities.held, 按数值计次
  X  结对落后扣分, yearly, 扣分项 1 each, at most 3, rule pairings_behind ≤ 0, 达标得满分 (deduct when not met)

Hand-computed for the year 2025:
  town1: L 3 of 4 quarters → 4 × 3/4 = 3.00; C 100 ≥ 90 → 5.00; B 3 activities × 0.5 = 1.5 → cap 1.00;
         X 0 behind → 0. Total 3 + 5 + 1 − 0 = 9.00 (all automatic), full marks 9.
  town2: L 0; C 5 × 50/90 = 2.777… → 2.78; B 1 × 0.5 = 0.50; X 1 behind → −1.00. Total 0 + 2.78 + 0.5 − 1 = 2.28.
"""

import datetime
from decimal import Decimal as D

from django.core.exceptions import ValidationError
from django.test import TestCase

from accounts.testing import create_user
from activities.models import Activity, ActivityType
from core import metrics
from core.metrics import Period
from duties import rules
from duties.assessment import assess, assess_units
from duties.models import Indicator, Scheme, Submission
from duties.periods import Frequency, occurrence
from duties.scoring import AUTO, REVIEWED, Spec
from friendship.models import Contact, Pairing
from org.models import Unit
from org.testing import build_county
from people.models import Person
from representatives.models import Field, Level, Representative

TODAY = datetime.date(2026, 1, 15)
YEAR = Period.year(2025)
M = Indicator.Method


def at(*args):
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime(*args, 9, 0))


def rep(name, unit):
    person = Person.objects.create(name=name, owner_unit=unit, is_representative=True)
    return Representative.objects.create(person=person, owner_unit=unit, level=Level.TOWN, field=Field.OTHER)


class RuleFixtures(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = org = build_county()
        lecture, _ = ActivityType.objects.get_or_create(name="同心大讲堂")
        day, _ = ActivityType.objects.get_or_create(name="同心行活动日")
        cls.lecture = lecture

        def activity(unit, start, kind):
            Activity.objects.create(title=f"{kind.name}", activity_type=kind, start=start,
                                    end=start + datetime.timedelta(hours=2), place="活动室", content="测试",
                                    owner_unit=unit)

        activity(org.town1, at(2025, 3, 20), lecture)
        activity(org.town1, at(2025, 5, 10), lecture)
        activity(org.village1, at(2025, 8, 1), lecture)
        activity(org.town2, at(2025, 2, 1), day)

        def pairing(unit, name, per_year, start, contacts):
            p = Pairing.objects.create(official_name=f"{name}干部", representative=rep(name, unit),
                                       contacts_per_year=per_year, start_date=start, owner_unit=unit)
            for date in contacts:
                Contact.objects.create(pairing=p, date=date, form=Contact.Form.VISIT, summary="走访",
                                       owner_unit=unit)
            return p

        pairing(org.town1, "甲", 2, datetime.date(2024, 1, 1), [datetime.date(2025, 3, 10), datetime.date(2025, 9, 15)])
        pairing(org.town2, "乙", 4, datetime.date(2025, 7, 1), [datetime.date(2025, 8, 1)])
        pairing(org.town2, "丁", 2, datetime.date(2024, 1, 1), [datetime.date(2025, 4, 1), datetime.date(2025, 10, 1)])

        cls.scheme = scheme = Scheme.objects.create(
            year=2025, title="2025年度考核细则", owner_unit=org.county, unit_types=[Unit.Type.TOWN],
            status=Scheme.Status.PUBLISHED)
        category = Indicator.objects.create(scheme=scheme, text="基础工作", sort_order=1)

        def item(text, **fields):
            return Indicator.objects.create(scheme=scheme, parent=category, text=text, **fields)

        cls.lecture_item = item("每季度开展同心大讲堂", sort_order=1, method=M.DONE, points=4,
                                frequency=Frequency.QUARTER, metric_key="activities.held_of_type",
                                metric_params={"activity_type": "同心大讲堂"}, rule_threshold=1)
        cls.coverage_item = item("结对联系覆盖", sort_order=2, method=M.REVIEW, points=5,
                                 metric_key="friendship.coverage_rate", rule_threshold=90,
                                 rule_mapping=Indicator.Mapping.PROPORTIONAL)
        cls.bonus_item = item("活动加分", sort_order=3, method=M.BONUS, points=1, unit_points=D("0.5"),
                              metric_key="activities.held", rule_mapping=Indicator.Mapping.COUNT)
        cls.deduction_item = item("结对联系落后扣分", sort_order=4, method=M.DEDUCTION, points=3, unit_points=1,
                                  metric_key="friendship.pairings_behind", rule_comparison="lte", rule_threshold=0)


class EvaluateTests(RuleFixtures):
    def test_activities_of_a_type_per_quarter(self):
        q1 = occurrence(Frequency.QUARTER, 2025, 1).period
        result = rules.evaluate(self.lecture_item, self.org.town1, q1)
        self.assertEqual((result.figure, result.met, result.completion, result.suggested), (1, True, 1.0, D("4.00")))
        self.assertEqual(result.text, "开展活动（指定类型）：1次（要求≥1）")
        self.assertEqual(result.records_url, f"/activities/?unit={self.org.town1.pk}&date_from=2025-01-01"
                                             f"&date_to=2025-03-31&activity_type={self.lecture.pk}")
        q3 = occurrence(Frequency.QUARTER, 2025, 3).period
        self.assertTrue(rules.evaluate(self.lecture_item, self.org.town1, q3).met)  # village1's counts for town1
        q4 = occurrence(Frequency.QUARTER, 2025, 4).period
        result = rules.evaluate(self.lecture_item, self.org.town1, q4)
        self.assertEqual((result.figure, result.met, result.suggested), (0, False, D("0")))
        self.assertFalse(rules.evaluate(self.lecture_item, self.org.town2, q1).met)
        self.assertFalse(rules.evaluate(self.lecture_item, self.org.village2, q3).met)

    def test_coverage_rate_proportional(self):
        result = rules.evaluate(self.coverage_item, self.org.town1, YEAR)
        self.assertEqual((result.figure, result.met, result.suggested), (100.0, True, D("5.00")))
        result = rules.evaluate(self.coverage_item, self.org.town2, YEAR)
        self.assertEqual((result.figure, result.met, result.suggested), (50.0, False, D("2.78")))
        self.assertAlmostEqual(result.completion, 50 / 90)
        self.assertTrue(result.records_url.startswith("/friendship/pairings/?unit="))
        # a unit without pairings: the rate is undefined, so no suggestion either way
        result = rules.evaluate(self.coverage_item, self.org.member, YEAR)
        self.assertEqual((result.figure, result.met, result.suggested), (None, None, None))

    def test_count_and_deduction(self):
        self.assertEqual(rules.evaluate(self.bonus_item, self.org.town1, YEAR).suggested, D("1.50"))  # capped later
        self.assertEqual(rules.evaluate(self.bonus_item, self.org.town2, YEAR).suggested, D("0.50"))
        self.assertEqual(rules.evaluate(self.deduction_item, self.org.town1, YEAR).suggested, D("0"))
        result = rules.evaluate(self.deduction_item, self.org.town2, YEAR)
        self.assertEqual((result.figure, result.met, result.suggested), (1, False, D("1.00")))

    def test_bad_rule_reports_instead_of_raising(self):
        item = Indicator(scheme=self.scheme, metric_key="activities.held_of_type",
                         metric_params={"activity_type": "不存在的类型"}, rule_threshold=1)
        result = rules.evaluate(item, self.org.town1, YEAR)
        self.assertIn("未知的活动类型", result.error)
        self.assertIsNone(result.suggested)
        self.assertIsNone(rules.evaluate(Indicator(scheme=self.scheme), self.org.town1, YEAR))


class AssessmentTests(RuleFixtures):
    def test_town1_total(self):
        result = assess(self.scheme, self.org.town1, today=TODAY)
        scores = {i.indicator.pk: i.score.score for i in result.items}
        self.assertEqual(scores, {self.lecture_item.pk: D("3.00"), self.coverage_item.pk: D("5.00"),
                                  self.bonus_item.pk: D("1.00"), self.deduction_item.pk: D("0")})
        s = result.score
        self.assertEqual((s.automatic, s.reviewed, s.bonus, s.deductions, s.full_marks, s.total),
                         (D("8.00"), D("0"), D("1.00"), D("0"), D("9"), D("9.00")))
        # scored occurrences: L four quarters + C → 3 + 1 done of 5
        self.assertEqual((result.expected, result.passed, result.completion_rate), (5, 4, 80.0))
        self.assertEqual([(o.indicator.pk, o.period_key) for o in result.overdue], [(self.lecture_item.pk, "2025-Q4")])
        lecture = result.items[0]
        self.assertEqual([o.outcome.source for o in lecture.occurrences], [AUTO] * 4)
        self.assertEqual([o.status for o in lecture.occurrences], [Submission.Status.NOT_STARTED] * 4)

    def test_town2_total(self):
        s = assess(self.scheme, self.org.town2, today=TODAY).score
        self.assertEqual((s.automatic, s.reviewed, s.bonus, s.deductions, s.total),
                         (D("2.78"), D("0"), D("0.50"), D("1.00"), D("2.28")))

    def test_reviewer_approval_adds_to_the_rule(self):
        Submission.objects.create(indicator=self.lecture_item, owner_unit=self.org.town2, period_key="2025-Q1",
                                  status=Submission.Status.PASSED, text="已开展（线下记录未录入）")
        result = assess(self.scheme, self.org.town2, today=TODAY)
        lecture = result.items[0]
        self.assertEqual(lecture.score.score, D("1.00"))  # 4 × 1/4
        self.assertEqual(lecture.occurrences[0].outcome.source, REVIEWED)
        s = result.score
        self.assertEqual((s.automatic, s.reviewed, s.total), (D("2.78"), D("1.00"), D("3.28")))

    def test_reviewer_score_overrides_rule(self):
        Submission.objects.create(indicator=self.coverage_item, owner_unit=self.org.town2, period_key="2025",
                                  status=Submission.Status.PASSED, score=D("4"))
        s = assess(self.scheme, self.org.town2, today=TODAY).score
        self.assertEqual((s.automatic, s.reviewed, s.total), (D("0"), D("4.00"), D("3.50")))  # 4 + 0.5 − 1

    def test_quarter_period_judges_only_quarterly_items(self):
        result = assess(self.scheme, self.org.town1, Period.quarter(2025, 2), today=TODAY)
        self.assertEqual([i.indicator.pk for i in result.items], [self.lecture_item.pk])
        self.assertEqual((result.score.total, result.score.full_marks), (D("4.00"), D("4")))

    def test_running_year_counts_only_what_is_due(self):
        # On 15 May 2025: Q1 due (done), Q2 not due yet but done already, Q3/Q4 not started (not evaluated)
        result = assess(self.scheme, self.org.town1, as_of=datetime.date(2025, 5, 15),
                        today=datetime.date(2025, 5, 15))
        lecture = result.items[0]
        self.assertEqual([o.rule is not None for o in lecture.occurrences], [True, True, False, False])
        self.assertEqual([o.expected for o in lecture.occurrences], [True, True, False, False])
        self.assertEqual(result.overdue, [])

    def test_assess_units_matches_assess(self):
        towns = [self.org.town1, self.org.town2]
        batch = assess_units(self.scheme, towns, today=TODAY)
        self.assertEqual([r.score for r in batch], [assess(self.scheme, u, today=TODAY).score for u in towns])
        # a unit the scheme does not cover has no items
        self.assertEqual(assess_units(self.scheme, [self.org.member])[0].items, [])


class MetricTests(RuleFixtures):
    def test_registered(self):
        keys = {m.key for m in metrics.all("duties")}
        self.assertEqual(keys, {"duties.completion_rate", "duties.score", "duties.items_overdue"})
        self.assertNotIn("duties.score", dict(rules.metric_choices()))

    def test_figures(self):
        self.assertEqual(metrics.compute("duties.completion_rate", self.org.town1, YEAR), 80.0)
        self.assertEqual(metrics.compute("duties.completion_rate", self.org.town2, YEAR), 0.0)
        self.assertEqual(metrics.compute("duties.completion_rate", self.org.county, YEAR), 40.0)  # 4 of 10
        self.assertEqual(metrics.compute("duties.score", self.org.town1, YEAR), D("9.00"))
        self.assertEqual(metrics.compute("duties.score", self.org.county, YEAR), D("5.64"))  # (9 + 2.28) / 2
        self.assertEqual(metrics.compute("duties.items_overdue", self.org.town1, YEAR), 1)
        self.assertEqual(metrics.compute("duties.items_overdue", self.org.town2, YEAR), 5)  # L × 4 + C
        self.assertIsNone(metrics.compute("duties.score", self.org.member, YEAR))
        self.assertIsNone(metrics.compute("duties.completion_rate", self.org.town1, Period.year(2024)))
        self.assertEqual(metrics.compute("duties.score", self.org.town1, YEAR, scheme=self.scheme.pk), D("9.00"))

    def test_draft_scheme_does_not_count(self):
        Scheme.objects.filter(pk=self.scheme.pk).update(status=Scheme.Status.DRAFT)
        self.assertIsNone(metrics.compute("duties.score", self.org.town1, YEAR))

    def test_user_scope(self):
        officer = create_user("r_town1", self.org.town1, "town_officer")
        self.assertEqual(metrics.compute("duties.completion_rate", self.org.county, YEAR, user=officer), 80.0)
        self.assertEqual(metrics.compute("duties.score", None, YEAR, user=officer), D("9.00"))
        sysadmin = create_user("r_sys", self.org.county, "sysadmin")
        self.assertIsNone(metrics.compute("duties.score", None, YEAR, user=sysadmin))


class RuleValidationTests(RuleFixtures):
    def problems(self, **fields):
        item = Indicator(scheme=self.scheme, parent=self.lecture_item.parent, text="测试", points=2, **fields)
        try:
            item.full_clean()
        except ValidationError as error:
            return error.message_dict
        return {}

    def test_valid_rule(self):
        self.assertEqual(self.problems(metric_key="activities.held_of_type",
                                       metric_params={"activity_type": "同心大讲堂"}, rule_threshold=1), {})

    def test_unknown_metric(self):
        self.assertEqual(self.problems(metric_key="nothing.here", rule_threshold=1),
                         {"metric_key": ["未登记的统计指标：nothing.here"]})

    def test_breakdown_metric(self):
        self.assertIn("分类统计", self.problems(metric_key="activities.by_type", rule_threshold=1)["metric_key"][0])

    def test_unknown_parameter_and_value(self):
        self.assertIn("没有参数colour", self.problems(metric_key="activities.held", metric_params={"colour": "红"},
                                                  rule_threshold=1)["metric_params"][0])
        self.assertIn("未知的活动类型：讲座", self.problems(metric_key="activities.held_of_type",
                                                    metric_params={"activity_type": "讲座"},
                                                    rule_threshold=1)["metric_params"][0])

    def test_threshold_and_mapping(self):
        self.assertEqual(self.problems(metric_key="activities.held"), {"rule_threshold": ["请填写达标值。"]})
        self.assertIn("按数值计次只用于", self.problems(metric_key="activities.held",
                                                  rule_mapping="count")["rule_mapping"][0])
        self.assertIn("只用于", self.problems(method=M.BONUS, unit_points=1, metric_key="activities.held",
                                           rule_threshold=1, rule_mapping="proportional")["rule_mapping"][0])

    def test_duties_figures_cannot_be_rules(self):
        self.assertIn("不能引用", self.problems(metric_key="duties.score", rule_threshold=1)["metric_key"][0])


class ParamTextTests(TestCase):
    def test_parse_and_print(self):
        self.assertEqual(rules.parse_params("活动类型=同心大讲堂", "activities.held_of_type"),
                         {"activity_type": "同心大讲堂"})
        self.assertEqual(rules.parse_params("activity_type：同心大讲堂", "activities.held_of_type"),
                         {"activity_type": "同心大讲堂"})
        self.assertEqual(rules.parse_params('{"activity_type": 3}'), {"activity_type": 3})
        self.assertEqual(rules.parse_params(""), {})
        self.assertEqual(rules.params_text({"activity_type": "同心大讲堂"}, "activities.held_of_type"),
                         "活动类型=同心大讲堂")
        with self.assertRaisesMessage(ValueError, "应写成“名称=值”"):
            rules.parse_params("同心大讲堂", "activities.held_of_type")

    def test_judge_is_pure(self):
        spec = Spec(M.DONE, 4)
        rule = rules.RuleSpec("x.y", {}, "gte", D(2), rules.THRESHOLD)
        self.assertEqual(rules.judge(spec, rule, 1).met, False)
        self.assertEqual(rules.judge(spec, rule, 2).suggested, D("4.00"))
        proportional = rules.RuleSpec("x.y", {}, "gte", D(80), rules.PROPORTIONAL)
        self.assertEqual(rules.judge(spec, proportional, 60).suggested, D("3.00"))  # 4 × 60/80
        self.assertEqual(rules.judge(spec, proportional, 120).suggested, D("4.00"))  # at most the points
