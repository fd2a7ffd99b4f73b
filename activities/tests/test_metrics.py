"""Activity figures (activities/metrics.py) against hand-counted fixtures."""

import datetime
from unittest import mock

from django.test import TestCase
from django.utils import timezone

from accounts.testing import create_user
from activities.models import Activity, ActivityType, Frequency, Plan
from core import metrics
from core.metrics import Period
from org.testing import build_county
from people.models import Person

D = datetime.date
DAY, LECTURE, VOLUNTEER, SURVEY = "同心行活动日", "同心大讲堂", "志愿服务", "调研"


def at(year, month, day, hour=9, minute=0):
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


def figures(units=None, period=None, user=None):
    """Every figure that needs no parameter."""
    return {m.key.removeprefix("activities."): m(units, period, user=user) for m in metrics.all("activities")
            if m.key != "activities.held_of_type"}


class ActivityFiguresTests(TestCase):
    """Units: town1 (village1 below it), town2 (village2 below it), member. People: p1, p2 (village1),
    p3 (town1), p4 (village2). Plans of 2025: PA town1 同心行活动日 monthly, PB town1 同心大讲堂 quarterly,
    PC village2 同心行活动日 monthly, PD town2 志愿服务 half-yearly.

    Activities (type, plan → occurrence, ledger participants, other participants):
      A1 town1    2025-01-10 同心行活动日 PA → 2025-01  p1 p2 p3  +10
      A2 town1    2025-01-25 同心行活动日 PA → 2025-01  p1        +0   (a second one in January)
      A3 town1    2025-02-14 同心行活动日 PA → 2025-02  p2 p3     +5
      A4 town1    2025-03-20 同心大讲堂   PB → 2025-Q1  p1 p2 p3  +40
      A5 village1 2025-04-01 00:30 (local; 31 March in UTC) 志愿服务, no plan  p1  +20
      A6 village2 2025-01-05 同心行活动日 PC → 2025-01  p4        +8
      A7 town2    2025-04-10 志愿服务     PD → 2025-H1  p4        +12
      A8 town1    2024-12-20 同心行活动日 PA → ""  (the plan is of 2025: fulfils nothing)  p3  +2
      A9 member   2025-07-01 调研 (a type no longer in use), no plan  +30

    2025 Q1: A1 A2 A3 A4 A6 = 5 activities (同心行活动日 4, 同心大讲堂 1); people p1–p4 = 4; headcount
    (3+1+2+3+1) + (10+0+5+40+8) = 73. Occurrences inside Q1: PA Jan ✓ Feb ✓ Mar ✗, PB Q1 ✓, PC Jan ✓ Feb ✗
    Mar ✗; PD's first half-year overlaps Q1 only partly and is left out → 4 of 7 = 57.1%.
    2025: A1–A7, A9 = 8 (同心行活动日 4, 同心大讲堂 1, 志愿服务 2, 调研 1); people 4; headcount 10 + 1 + 1 links
    + 63 + 20 + 12 + 30 others = 137. Occurrences: PA 2/12, PB 1/4, PC 1/12, PD 1/2 → 5 of 30 = 16.7%.
    """

    @classmethod
    def setUpTestData(cls):
        cls.org = org = build_county()
        types = {}
        for order, (name, frequency) in enumerate(
                [(DAY, Frequency.MONTH), (LECTURE, Frequency.QUARTER), (VOLUNTEER, ""), (SURVEY, "")], start=1):
            types[name], _ = ActivityType.objects.get_or_create(
                name=name, defaults={"expected_frequency": frequency, "sort_order": order})
        # Only three types in use (the others, seeded by the migration, are switched off): 调研 is no longer used.
        ActivityType.objects.exclude(name__in=[DAY, LECTURE, VOLUNTEER]).update(is_active=False)
        cls.types = types
        p1, p2 = (Person.objects.create(name=n, owner_unit=org.village1) for n in ("甲一", "甲二"))
        p3 = Person.objects.create(name="乙三", owner_unit=org.town1)
        p4 = Person.objects.create(name="丙四", owner_unit=org.village2)

        def plan(unit, type_name, frequency):
            return Plan.objects.create(title=f"{unit.name}{type_name}", activity_type=types[type_name],
                                       frequency=frequency, year=2025, owner_unit=unit)

        cls.pa = plan(org.town1, DAY, Frequency.MONTH)
        cls.pb = plan(org.town1, LECTURE, Frequency.QUARTER)
        cls.pc = plan(org.village2, DAY, Frequency.MONTH)
        cls.pd = plan(org.town2, VOLUNTEER, Frequency.HALF_YEAR)

        def activity(unit, start, type_name, plan=None, people=(), others=0):
            record = Activity.objects.create(
                title=f"{type_name}活动", activity_type=types[type_name], start=start,
                end=start + datetime.timedelta(hours=2), place="活动室", plan=plan, other_participants=others,
                content="测试", owner_unit=unit)
            record.participants.set(people)
            return record

        cls.a1 = activity(org.town1, at(2025, 1, 10), DAY, cls.pa, [p1, p2, p3], 10)
        activity(org.town1, at(2025, 1, 25), DAY, cls.pa, [p1])
        activity(org.town1, at(2025, 2, 14), DAY, cls.pa, [p2, p3], 5)
        cls.a4 = activity(org.town1, at(2025, 3, 20), LECTURE, cls.pb, [p1, p2, p3], 40)
        cls.a5 = activity(org.village1, at(2025, 4, 1, 0, 30), VOLUNTEER, None, [p1], 20)
        activity(org.village2, at(2025, 1, 5), DAY, cls.pc, [p4], 8)
        cls.a7 = activity(org.town2, at(2025, 4, 10), VOLUNTEER, cls.pd, [p4], 12)
        cls.a8 = activity(org.town1, at(2024, 12, 20), DAY, cls.pa, [p3], 2)
        activity(org.member, at(2025, 7, 1), SURVEY, None, [], 30)

    def setUp(self):
        patcher = mock.patch("django.utils.timezone.localdate", return_value=D(2026, 6, 30))
        patcher.start()
        self.addCleanup(patcher.stop)

    def test_registered(self):
        keys = {m.key for m in metrics.all("activities")}
        self.assertLessEqual({"activities.held", "activities.by_type", "activities.held_of_type",
                              "activities.participants", "activities.headcount", "activities.fulfilment_rate"}, keys)
        self.assertEqual(metrics.get("activities.held_of_type").params, {"activity_type": "活动类型"})
        self.assertTrue(metrics.get("activities.by_type").is_breakdown)
        self.assertEqual(metrics.get("activities.fulfilment_rate").unit, "%")

    def test_occurrences_set_on_save(self):
        self.assertEqual((self.a1.occurrence, self.a4.occurrence, self.a7.occurrence, self.a8.occurrence),
                         ("2025-01", "2025-Q1", "2025-H1", ""))
        self.assertEqual(self.a5.start.astimezone(datetime.UTC).date(), D(2025, 3, 31))  # local day: 1 April

    def test_first_quarter(self):
        result = figures(self.org.county, Period.quarter(2025, 1))
        self.assertEqual(result, {
            "held": 5,
            "by_type": {DAY: 4, LECTURE: 1, VOLUNTEER: 0},
            "participants": 4,
            "headcount": 73,
            "occurrences_expected": 7,
            "occurrences_fulfilled": 4,
            "fulfilment_rate": 57.1,
        })
        metric = metrics.get("activities.by_type")
        self.assertEqual(metric.format(result["by_type"]), "同心行活动日4次，同心大讲堂1次，志愿服务0次")

    def test_year(self):
        result = figures(self.org.county, Period.year(2025))
        self.assertEqual(result, {
            "held": 8,
            "by_type": {DAY: 4, LECTURE: 1, VOLUNTEER: 2, SURVEY: 1},  # 调研 is inactive but has a record
            "participants": 4,
            "headcount": 137,
            "occurrences_expected": 30,
            "occurrences_fulfilled": 5,
            "fulfilment_rate": 16.7,
        })
        self.assertEqual(figures(None, Period.year(2025)), result)

    def test_other_periods(self):
        q2 = figures(self.org.county, Period.quarter(2025, 2))
        # A5 (1 April, local) and A7. PA Apr–Jun and PC Apr–Jun missing, PB Q2 missing; PD's H1 overlaps partly.
        self.assertEqual((q2["held"], q2["participants"], q2["headcount"]), (2, 2, 34))
        self.assertEqual((q2["occurrences_expected"], q2["occurrences_fulfilled"], q2["fulfilment_rate"]), (7, 0, 0.0))
        january = figures(self.org.county, Period.month(2025, 1))
        # A1 A2 A6; PA January and PC January, both done; the quarterly and half-yearly ones overlap partly.
        self.assertEqual((january["held"], january["occurrences_expected"], january["fulfilment_rate"]), (3, 2, 100.0))
        first_half = figures(self.org.county, Period.between(D(2025, 1, 1), D(2025, 6, 30)))
        # PA 2/6, PB 1/2, PC 1/6, PD 1/1 → 5 of 15
        self.assertEqual((first_half["occurrences_expected"], first_half["fulfilment_rate"]), (15, 33.3))
        previous = figures(self.org.county, Period.year(2024))
        self.assertEqual((previous["held"], previous["headcount"]), (1, 3))  # A8: a record, but fulfils nothing
        self.assertEqual((previous["occurrences_expected"], previous["fulfilment_rate"]), (0, None))

    def test_running_year_counts_what_is_due(self):
        with mock.patch("django.utils.timezone.localdate", return_value=D(2025, 4, 15)):
            result = figures(self.org.county, Period.year(2025))
        # Ended by 15 April: PA Jan ✓ Feb ✓ Mar ✗, PB Q1 ✓, PC Jan ✓ Feb ✗ Mar ✗. Running and already done:
        # PD's first half-year (A7). Running and not done (April, Q2) are not yet due.
        self.assertEqual((result["occurrences_expected"], result["occurrences_fulfilled"]), (8, 5))
        self.assertEqual(result["fulfilment_rate"], 62.5)

    def test_of_one_type(self):
        year = Period.year(2025)
        for value in (LECTURE, self.types[LECTURE], self.types[LECTURE].pk, str(self.types[LECTURE].pk)):
            self.assertEqual(metrics.compute("activities.held_of_type", self.org.county, year, activity_type=value), 1)
        self.assertEqual(metrics.compute("activities.held_of_type", self.org.town1, Period.quarter(2025, 2),
                                         activity_type=LECTURE), 0)
        self.assertEqual(metrics.compute("activities.held_of_type", None, year, activity_type=DAY), 4)
        self.assertEqual(metrics.compute("activities.fulfilment_rate", None, year, activity_type=LECTURE), 25.0)
        self.assertEqual(metrics.compute("activities.occurrences_expected", None, year, activity_type=DAY), 24)
        self.assertEqual(metrics.compute("activities.occurrences_fulfilled", None, year, activity_type=DAY), 3)
        rows = metrics.by_unit("activities.held_of_type", [self.org.town1, self.org.town2], Period.quarter(2025, 1),
                               activity_type=LECTURE)
        self.assertEqual(rows, [(self.org.town1, 1), (self.org.town2, 0)])
        with self.assertRaisesMessage(LookupError, "未知的活动类型：读书会"):
            metrics.compute("activities.held_of_type", None, year, activity_type="读书会")
        with self.assertRaises(TypeError):
            metrics.compute("activities.held_of_type", None, year)
        with self.assertRaises(TypeError):
            metrics.compute("activities.held", None, year, activity_type=DAY)  # not a parameter of this one

    def test_by_unit(self):
        year = Period.year(2025)
        org = self.org
        rows = metrics.by_unit("activities.held", [org.town1, org.town2, org.member], year)
        self.assertEqual(rows, [(org.town1, 5), (org.town2, 2), (org.member, 1)])
        town1 = figures(org.town1, year)
        self.assertEqual((town1["participants"], town1["headcount"]), (3, 85))
        # PA 2/12 and PB 1/4
        self.assertEqual((town1["occurrences_expected"], town1["occurrences_fulfilled"], town1["fulfilment_rate"]),
                         (16, 3, 18.8))
        village2 = figures(org.village2, year)
        self.assertEqual((village2["held"], village2["fulfilment_rate"]), (1, 8.3))  # PC 1/12
        self.assertEqual(figures(org.member, year)["fulfilment_rate"], None)
        both = figures([org.town1, org.town2], year)
        self.assertEqual((both["held"], both["occurrences_expected"]), (7, 30))

    def test_user_scope(self):
        org = self.org
        year = Period.year(2025)
        town2 = figures(None, year, create_user("a_town2", org.town2, "town_officer"))
        # A6 A7; PC 1/12 and PD 1/2
        self.assertEqual((town2["held"], town2["participants"], town2["headcount"]), (2, 1, 22))
        self.assertEqual((town2["occurrences_expected"], town2["fulfilment_rate"]), (14, 14.3))
        liaison = create_user("a_village1", org.village1, "village_liaison")
        self.assertEqual(figures(None, year, liaison)["held"], 1)  # A5
        self.assertEqual(figures(org.town1, year, liaison)["headcount"], 21)
        self.assertEqual(figures(None, year, liaison)["fulfilment_rate"], None)  # the town's plans are not theirs
        county = create_user("a_county", org.county, "county_staff")
        self.assertEqual(figures(None, year, county), figures(None, year))
        nobody = figures(None, year, create_user("a_none", org.county))
        self.assertEqual((nobody["held"], nobody["participants"], nobody["fulfilment_rate"]), (0, 0, None))
