"""The demo representatives (representatives/demo.py), at a small scale: a ledger of 2,000 people, 100 in the
pipeline (more than the ledger marks as representatives, so that some are newly discovered)."""

import datetime
import io
from collections import Counter

from django.core.management.base import CommandError
from django.test import TestCase

from core import metrics
from core.demo import DemoContext, discover, loader
from core.metrics import Period
from people.choices import DEMOCRATIC_PARTIES, Affiliation, Status
from people.models import Person
from representatives import demo
from representatives.models import NEXT_STAGES, Assessment, Cultivation, Field, Level, Representative, Stage

PEOPLE = 2000
COUNT = 100
TODAY = datetime.date(2026, 6, 30)
people_demo = loader("people")


def load_demo_county(people=PEOPLE, count=COUNT, today=TODAY):
    """The org tree, the accounts and a small ledger as load_demo builds them, then `count` representatives."""
    ctx = DemoContext(io.StringIO(), verbosity=0)
    for module in discover():
        if module.order < people_demo.ORDER:
            module.load(ctx)
    people_demo.load(ctx, count=people)
    flagged = set(Person.objects.filter(is_representative=True).values_list("pk", flat=True))
    return ctx, flagged, demo.load(ctx, count=count, today=today)


class DemoRepresentativesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.ctx, cls.flagged, cls.summary = load_demo_county()
        cls.county = cls.ctx.data["county"]

    def setUp(self):
        self.reps = list(Representative.objects.select_related("person", "owner_unit")
                         .prefetch_related("stage_changes", "person__categories"))
        self.pipeline = [r for r in self.reps if r.stage != Stage.EXITED]

    def test_loads_after_the_ledger_and_before_pairings(self):
        orders = {m.app_label: m.order for m in discover()}
        self.assertEqual(orders["representatives"], demo.ORDER)
        self.assertGreater(demo.ORDER, orders["people"])
        self.assertLess(demo.ORDER, orders["friendship"])

    def test_count_and_stages(self):
        self.assertEqual(len(self.pipeline), COUNT)
        stages = Counter(r.stage for r in self.reps)
        self.assertEqual(set(stages), set(Stage.values))
        self.assertEqual(stages.most_common(1)[0][0], Stage.CERTIFIED)  # newcomers (~20 here) are 发现
        self.assertTrue(1 <= stages[Stage.EXITED] <= COUNT * 0.05)
        self.assertIn(f"{COUNT} 名党外代表人士", self.summary)
        self.assertIn(f"退出 {stages[Stage.EXITED]}", self.summary)

    def test_levels(self):
        levels = Counter(r.level for r in self.pipeline)
        self.assertTrue(1 <= levels[Level.CITY] <= COUNT * 0.05, levels)
        self.assertAlmostEqual(levels[Level.COUNTY] / COUNT, 0.35, delta=0.03)
        self.assertGreater(levels[Level.TOWN], levels[Level.COUNTY])

    def test_people_of_the_ledger_flagged_first_and_in_step(self):
        people = {r.person_id for r in self.pipeline}
        self.assertLessEqual(self.flagged, people)  # every person the ledger marked is in the pipeline
        newcomers = people - self.flagged
        self.assertEqual(len(newcomers), COUNT - len(self.flagged))
        for rep in self.reps:
            person = rep.person
            self.assertTrue(person.owner_unit.path.startswith(self.county.path))
            self.assertEqual(rep.owner_unit, person.owner_unit)
            self.assertEqual(person.is_representative, rep.stage != Stage.EXITED, rep)
            if rep.stage != Stage.EXITED:
                self.assertEqual(person.status, Status.ACTIVE, rep)
        for pk in newcomers:
            self.assertEqual(Representative.objects.get(person_id=pk).stage, Stage.DISCOVERED)
            latest = Person.history.filter(id=pk).first()
            self.assertEqual((latest.is_representative, latest.history_change_reason),
                             (True, "列为党外代表人士发现对象"))

    def test_fields_follow_party_and_categories(self):
        fields = Counter(r.field for r in self.reps)
        self.assertGreaterEqual(len(fields), 5)
        for rep in self.reps:
            person = rep.person
            codes = {c.code for c in person.categories.all()}
            if person.affiliation in DEMOCRATIC_PARTIES:
                self.assertEqual(rep.field, Field.DEMOCRATIC_PARTY, rep)
            elif person.affiliation == Affiliation.NON_PARTY:
                self.assertEqual(rep.field, Field.NON_PARTY, rep)
            elif "05" in codes:
                self.assertEqual(rep.field, Field.RELIGIOUS, rep)
            elif rep.field == Field.NON_PUBLIC:
                self.assertIn("06", codes, rep)

    def test_history_is_a_dated_pipeline(self):
        earliest = TODAY - datetime.timedelta(days=365 * demo.YEARS)
        for rep in self.reps:
            steps = sorted(rep.stage_changes.all(), key=lambda s: (s.date, s.id))
            self.assertEqual(steps[0].stage, Stage.DISCOVERED, rep)
            for before, after in zip(steps, steps[1:], strict=False):
                self.assertIn(after.stage, NEXT_STAGES[Stage(before.stage)], rep)
                self.assertLess(before.date, after.date, rep)
            self.assertEqual((steps[-1].stage, steps[-1].date), (rep.stage, rep.stage_date), rep)
            for step in steps:
                self.assertTrue(earliest <= step.date <= TODAY, step)
                self.assertTrue(step.reason, step)
                self.assertEqual(step.level, rep.level, step)
                self.assertIsNotNone(step.created_by, step)

    def test_those_who_left_the_ledger_left_the_pipeline_the_same_day(self):
        gone = [r for r in self.reps if r.person.status != Status.ACTIVE]
        self.assertTrue(gone)
        for rep in gone:
            self.assertEqual(rep.stage, Stage.EXITED, rep)
            self.assertEqual(rep.stage_date, rep.person.status_date, rep)
            self.assertIn(rep.person.status_reason, rep.stage_changes.last().reason)

    def test_cultivations_and_assessments(self):
        cultivations = list(Cultivation.objects.select_related("representative"))
        self.assertTrue(cultivations)
        self.assertEqual({c.kind for c in cultivations} - set(Cultivation.Kind.values), set())
        for item in cultivations:
            cultivated = next(s.date for s in item.representative.stage_changes.all() if s.stage == Stage.CULTIVATING)
            if item.status == Cultivation.Status.PLANNED:
                self.assertGreater(item.start_date, TODAY, item)
            else:
                self.assertTrue(cultivated <= item.start_date <= TODAY, item)
                self.assertTrue(item.end_date is None or item.start_date <= item.end_date <= TODAY, item)
        assessments = list(Assessment.objects.select_related("representative"))
        self.assertTrue(assessments)
        grades = Counter(a.grade for a in assessments)
        self.assertEqual(grades.most_common(1)[0][0], Assessment.Grade.COMPETENT)
        for assessment in assessments:
            self.assertEqual(assessment.year, TODAY.year - 1)
            steps = {s.stage: s.date for s in assessment.representative.stage_changes.all()}
            self.assertLessEqual(steps[Stage.CERTIFIED], datetime.date(TODAY.year - 1, 6, 30))

    def test_figures_of_the_demo(self):
        figures = {m.key: m(self.county, Period.year(TODAY.year)) for m in metrics.all("representatives")}
        self.assertEqual(figures["representatives.total"], COUNT)
        self.assertEqual(figures["representatives.by_stage"], dict(Counter(r.stage for r in self.reps)) | {
            s: 0 for s in Stage.values if s not in {r.stage for r in self.reps}})
        self.assertEqual(sum(figures["representatives.by_level"].values()), COUNT)
        self.assertGreater(figures["representatives.newly_certified"], 0)

    def test_second_load_is_refused(self):
        with self.assertRaises(CommandError):
            demo.load(self.ctx, count=10, today=TODAY)

    def test_report(self):
        out = io.StringIO()
        demo.report(DemoContext(out, verbosity=1))
        text = out.getvalue()
        self.assertIn("党外代表人士（按层级、阶段）", text)
        for label in ("市级", "县级", "镇级", "认定", "退出"):
            self.assertIn(label, text)
