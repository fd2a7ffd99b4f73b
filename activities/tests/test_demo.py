"""The demo plans and activities (activities/demo.py), at a small scale, and `load_demo` end to end."""

import datetime
import io
from collections import Counter, defaultdict
from unittest import mock

import pytest
from django.core.management.base import CommandError
from django.test import TestCase
from django.utils import timezone

from activities import demo
from activities.models import Activity, Frequency, Photo, Plan, SignIn, occurrence_for
from core import metrics
from core.demo import DemoContext, discover, loader
from core.metrics import Period
from people.choices import Status
from people.models import Person

PEOPLE = 1500
TODAY = datetime.date(2026, 6, 30)
FIRST_DAY = datetime.date(TODAY.year - 1, demo.FIRST_MONTH_LAST_YEAR, 1)
people_demo = loader("people")


def load_demo_county(today=TODAY):
    ctx = DemoContext(io.StringIO(), verbosity=0)
    for module in discover():
        if module.order < people_demo.ORDER:
            module.load(ctx)
    people_demo.load(ctx, count=PEOPLE)
    return ctx, demo.load(ctx, today=today)


def local_day(moment):
    return timezone.localtime(moment).date()


class DemoActivitiesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.ctx, cls.summary = load_demo_county()
        cls.county = cls.ctx.data["county"]
        cls.towns = cls.ctx.data["towns"]
        cls.users = cls.ctx.data["users"]

    def setUp(self):
        patcher = mock.patch("django.utils.timezone.localdate", return_value=TODAY)  # the figures' "today"
        patcher.start()
        self.addCleanup(patcher.stop)
        self.plans = list(Plan.objects.select_related("activity_type", "owner_unit"))
        self.activities = list(Activity.objects.select_related("activity_type", "owner_unit", "plan__activity_type"))

    def test_is_the_last_loader_and_sums_up(self):
        orders = {m.app_label: m.order for m in discover()}
        self.assertEqual(orders["activities"], demo.ORDER)
        self.assertGreater(demo.ORDER, max(orders[app] for app in ("people", "representatives", "friendship")))
        self.assertEqual(self.summary, f"{len(self.plans)} 项活动计划，{len(self.activities)} 次活动，"
                                       f"{Activity.participants.through.objects.count()} 人次台账人员参加")

    def test_plans(self):
        by_unit = defaultdict(set)
        for plan in self.plans:
            self.assertEqual(plan.year, TODAY.year)
            self.assertEqual(plan.frequency, plan.activity_type.expected_frequency, plan)
            by_unit[plan.owner_unit].add((plan.activity_type.name, plan.frequency))
            plan.full_clean()
        for town in self.towns:
            self.assertEqual(by_unit[town], {(demo.DAY, Frequency.MONTH), (demo.LECTURE, Frequency.QUARTER)}, town)
        self.assertEqual(by_unit[self.county], {(demo.LECTURE, Frequency.QUARTER)})
        villages = [u for u in by_unit if u.type == u.Type.VILLAGE]
        share = len(villages) / len(self.ctx.data["villages"])
        self.assertTrue(0.08 < share < 0.3, share)
        self.assertIn(self.users["village0101"].unit, villages)
        self.assertTrue(all(by_unit[v] == {(demo.DAY, Frequency.MONTH)} for v in villages))

    def test_activities_held_before_today(self):
        self.assertGreater(len(self.activities), 300)
        kinds = Counter(a.activity_type.name for a in self.activities)
        self.assertEqual(kinds.most_common(1)[0][0], demo.DAY)
        self.assertLessEqual({demo.LECTURE, demo.VOLUNTEER, demo.FORUM, demo.TRAINING, demo.SURVEY}, set(kinds))
        for activity in self.activities:
            self.assertTrue(FIRST_DAY <= local_day(activity.start) < TODAY, activity)
            self.assertLess(activity.start, activity.end)
            self.assertEqual(local_day(activity.end), local_day(activity.start))
            self.assertTrue(activity.title and activity.place and activity.content, activity)
        for activity in self.activities[::25]:
            activity.full_clean()
        # The unplanned kinds never have a plan, and last year's activities came before there were plans.
        for activity in self.activities:
            if activity.activity_type.name not in (demo.DAY, demo.LECTURE) or activity.start.year < TODAY.year:
                self.assertEqual((activity.plan_id, activity.occurrence), (None, ""), activity)
        last_year = [a for a in self.activities if local_day(a.start).year < TODAY.year]
        self.assertEqual({local_day(a.start).month for a in last_year}, {10, 11, 12})
        self.assertFalse(Photo.objects.exists() or SignIn.objects.exists())

    def test_occurrences_as_save_would_set_them(self):
        planned = [a for a in self.activities if a.plan_id]
        self.assertGreater(len(planned), len(self.activities) / 2)
        for activity in planned:
            plan = activity.plan
            self.assertEqual(activity.occurrence, occurrence_for(plan.frequency, local_day(activity.start)))
            self.assertEqual((activity.owner_unit_id, activity.activity_type_id),
                             (plan.owner_unit_id, plan.activity_type_id), activity)
        sample = planned[0]
        expected, sample.occurrence = sample.occurrence, "x"
        sample.save()
        sample.refresh_from_db()
        self.assertEqual(sample.occurrence, expected)

    def test_participants_from_the_units_subtree(self):
        people = dict(Person.objects.values_list("pk", "owner_unit__path"))
        active = set(Person.objects.filter(status=Status.ACTIVE).values_list("pk", flat=True))
        links = defaultdict(list)
        for activity_id, person_id in Activity.participants.through.objects.values_list("activity_id", "person_id"):
            links[activity_id].append(person_id)
        pool = Counter()
        for path in (people[pk] for pk in active):
            for end in range(4, len(path) + 1, 4):
                pool[path[:end]] += 1
        for activity in self.activities:
            chosen = links[activity.pk]
            self.assertLessEqual(len(chosen), 30)
            self.assertGreaterEqual(len(chosen), min(3, pool[activity.owner_unit.path]), activity)
            self.assertEqual(len(set(chosen)), len(chosen))
            for pk in chosen:
                self.assertIn(pk, active)
                self.assertTrue(people[pk].startswith(activity.owner_unit.path), activity)
        self.assertGreater(sum(a.other_participants for a in self.activities), len(self.activities) * 5)

    def test_some_towns_behind(self):
        period = Period.year(TODAY.year)
        rates = dict(metrics.by_unit("activities.fulfilment_rate", self.towns, period))
        behind = {self.towns[i] for i in demo.BEHIND_TOWNS}
        for town, rate in rates.items():
            if town in behind:
                self.assertLess(rate, 80, town)
            else:
                self.assertGreaterEqual(rate, 85, town)
        self.assertIn(self.users["town02"].unit, behind)
        self.assertNotIn(self.users["town01"].unit, behind)
        # Each town behind misses at least three of the months already over (January to May).
        over = {f"{TODAY.year}-{month:02d}" for month in range(1, 6)}
        for town in behind:
            done = {a.occurrence for a in self.activities if a.plan_id and a.plan.owner_unit_id == town.pk
                    and a.plan.frequency == Frequency.MONTH}
            self.assertGreaterEqual(len(over - done), 3, town)
        county = metrics.compute("activities.fulfilment_rate", self.county, period)
        self.assertTrue(75 < county < 95, county)

    def test_recorded_by_the_demo_accounts(self):
        for username in ("town01", "town02", "village0101", "county_staff"):
            user = self.users[username]
            own = [a for a in self.activities if a.owner_unit_id == user.unit_id]
            self.assertTrue(own, username)
            self.assertTrue(all(a.created_by_id == user.pk for a in own), username)
            visible = set(Activity.objects.visible_to(user).values_list("pk", flat=True))
            self.assertLessEqual({a.pk for a in own}, visible)
        liaison = self.users["village0101"]
        self.assertEqual(metrics.compute("activities.held", None, Period.year(TODAY.year), user=liaison),
                         sum(1 for a in self.activities if a.owner_unit_id == liaison.unit_id
                             and a.start.year == TODAY.year))

    def test_second_load_is_refused(self):
        with self.assertRaises(CommandError):
            demo.load(self.ctx, today=TODAY)


@pytest.mark.django_db
def test_load_demo_command_loads_activities(monkeypatch):
    """`load_demo` end to end, at a small size, as of today."""
    from django.core.management import call_command

    representatives_demo = loader("representatives")
    monkeypatch.setattr(people_demo, "PEOPLE", 1000)
    monkeypatch.setattr(representatives_demo, "REPRESENTATIVES", 40)
    out = io.StringIO()
    call_command("load_demo", stdout=out, skip_checks=True)
    text = out.getvalue()
    # The activity published for sign-up is the self-service demo's (selfservice.demo), not a record of work held.
    recorded = Activity.objects.filter(signup_open=False)
    assert f"活动：{Plan.objects.count()} 项活动计划，{recorded.count()} 次活动" in text
    assert "活动计划完成率" in text and "进度落后的镇街：" in text
    assert recorded.filter(start__date__gte=timezone.localdate()).count() == 0
