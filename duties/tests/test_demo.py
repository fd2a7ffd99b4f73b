"""The demo duty lists (the duties.demo package), at a small scale as of 2026-06-30, and `load_demo` end to end."""

import datetime
import io
import statistics
from collections import Counter

import pytest
from django.core.management.base import CommandError
from django.test import TestCase
from django.utils import timezone
from docx import Document

from core.demo import BEHIND_TOWNS, DemoContext, discover, loader
from core.models import Notification
from duties import demo
from duties.assessment import assess_units
from duties.models import Indicator, Notice, ReminderLetter, Scheme, Submission, SubmissionStep
from org.models import Unit

PEOPLE = 1500
TODAY = datetime.date(2026, 6, 30)
S = Submission.Status
people_demo = loader("people")
representatives_demo = loader("representatives")


def load_demo_county(today=TODAY):
    ctx = DemoContext(io.StringIO(), verbosity=0)
    for module in discover():
        if module.order < people_demo.ORDER:
            module.load(ctx)
    people_demo.load(ctx, count=PEOPLE)
    representatives_demo.load(ctx, count=60, today=today)
    for module in discover():
        if representatives_demo.ORDER < module.order < demo.ORDER:
            module.module.load(ctx, today=today)
    return ctx, demo.load(ctx, today=today)


class DemoDutiesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.ctx, cls.summary = load_demo_county()
        cls.towns = cls.ctx.data["towns"]
        cls.users = cls.ctx.data["users"]
        cls.scheme = Scheme.objects.get()

    def test_loads_after_the_records_it_judges_and_sums_up(self):
        orders = {m.app_label: m.order for m in discover()}
        self.assertEqual(orders["duties"], demo.ORDER)
        self.assertGreater(demo.ORDER, orders["activities"])
        self.assertEqual(max(orders.values()), demo.ORDER)
        items = self.scheme.items()
        specific = items.filter(applies_to=Indicator.Applicability.SPECIFIC).count()
        self.assertEqual(self.summary, f"{self.scheme.title}：{items.count() - specific} 项共性事项、"
                                       f"{specific} 项个性事项，{Submission.objects.count()} 条报送，"
                                       f"2 份提醒函，1 份通报")

    def test_scheme(self):
        scheme = self.scheme
        self.assertEqual((scheme.year, scheme.status, scheme.title), (2026, Scheme.Status.PUBLISHED,
                                                                      "2026年度统战工作考核细则"))
        covered = list(scheme.covered_units())
        self.assertEqual({u for u in covered if u.type == Unit.Type.TOWN}, set(self.towns))
        self.assertEqual(sum(1 for u in covered if u.type == Unit.Type.MEMBER),
                         Unit.objects.filter(type=Unit.Type.MEMBER).count())
        categories = list(scheme.categories())
        self.assertEqual(len(categories), 7)
        common = [i for i in scheme.items() if i.applies_to == Indicator.Applicability.COMMON]
        self.assertTrue(28 <= len(common) <= 35, len(common))
        self.assertEqual(len({i.parent_id for i in common}), 6)
        methods = Counter(i.method for i in common)
        self.assertLessEqual(set(Indicator.Method.values), set(methods))
        rules = {i.metric_key for i in common if i.metric_key}
        self.assertLessEqual({"activities.held_of_type", "friendship.coverage_rate", "representatives.certified",
                              "people.completeness_rate"}, rules)
        self.assertEqual({i.frequency for i in common}, {"month", "quarter", "half", "year"})
        for item in scheme.items():
            item.full_clean()  # points, deadlines and rules are valid
        for town in self.towns:
            own = [i for i in scheme.items_for(town) if i.applies_to == Indicator.Applicability.SPECIFIC]
            self.assertEqual(len(own), 2, town)
        members_with_own = {u.pk for i in scheme.items().filter(applies_to="specific") for u in i.units.all()
                            if u.type == Unit.Type.MEMBER}
        self.assertGreaterEqual(len(members_with_own), 10)

    def test_a_realistic_mix_of_submissions(self):
        submissions = list(Submission.objects.select_related("indicator", "owner_unit"))
        statuses = Counter(s.status for s in submissions)
        self.assertEqual(set(statuses), {S.PASSED, S.SUBMITTED, S.RETURNED, S.IN_PROGRESS})
        self.assertGreater(statuses[S.PASSED], sum(statuses.values()) / 2)
        steps = {}
        for step in SubmissionStep.objects.order_by("created_at", "id"):
            steps.setdefault(step.submission_id, []).append(step)
        for submission in submissions:
            history = steps.get(submission.pk, [])
            last = history[-1].action if history else None
            expected = {S.PASSED: "approve", S.RETURNED: "return", S.SUBMITTED: "submit", S.IN_PROGRESS: None}
            self.assertEqual(last, expected[submission.status], submission)
            if submission.status != S.IN_PROGRESS:
                self.assertLessEqual(timezone.localtime(submission.submitted_at).date(), TODAY)
            self.assertFalse(submission.indicator.metric_key and submission.indicator.is_base, submission)
        for step in [s for history in steps.values() for s in history]:
            self.assertLessEqual(timezone.localtime(step.created_at).date(), TODAY)
        for submission in submissions[::40]:
            submission.full_clean()
        reviewed = [s for s in submissions if s.indicator.method == "review" and s.status == S.PASSED]
        self.assertTrue(reviewed and all(s.score is not None for s in reviewed))
        self.assertTrue(Submission.objects.filter(indicator__method="bonus").exists())
        self.assertTrue(Submission.objects.filter(indicator__method="deduction").exists())

    def test_some_units_are_behind(self):
        results = {r.unit: r for r in assess_units(self.scheme, self.towns, today=TODAY)}
        behind = [self.towns[i] for i in BEHIND_TOWNS]
        others = [t for t in self.towns if t not in behind]
        behind_rate = statistics.mean(results[t].completion_rate for t in behind)
        others_rate = statistics.mean(results[t].completion_rate for t in others)
        self.assertGreater(others_rate - behind_rate, 10, (behind_rate, others_rate))
        self.assertTrue(all(results[t].overdue for t in behind))
        self.assertIn(self.users["town02"].unit, behind)
        missing = sum(1 for r in results.values() for o in r.occurrence_states() if o.expected and o.submission is None
                      and not o.indicator.metric_key)
        self.assertGreater(missing, 0)

    def test_letters_and_notice(self):
        letters_sent = list(ReminderLetter.objects.select_related("owner_unit").order_by("number"))
        self.assertEqual([letter.doc_number for letter in letters_sent], ["统战提醒〔2026〕1号", "统战提醒〔2026〕2号"])
        self.assertEqual([letter.owner_unit.type for letter in letters_sent], [Unit.Type.TOWN, Unit.Type.MEMBER])
        town02 = self.users["town02"]
        self.assertEqual(letters_sent[0].owner_unit, town02.unit)
        self.assertEqual(list(ReminderLetter.objects.visible_to(town02)), [letters_sent[0]])
        self.assertTrue(Notification.objects.filter(recipient=town02, key=f"duties-letter:{letters_sent[0].pk}"))
        for letter in letters_sent:
            self.assertTrue(letter.items_snapshot)
            self.assertLess(timezone.localtime(letter.sent_at).date(), TODAY)
            with letter.file.open("rb") as handle:
                text = "\n".join(p.text for p in Document(io.BytesIO(handle.read())).paragraphs)
            self.assertIn(letter.doc_number, text)
            self.assertIn(f"{letter.owner_unit.name}：", text)
        notice = Notice.objects.get()
        self.assertEqual((notice.doc_number, notice.period_key), ("统战通报〔2026〕1号", "2026-Q1"))
        self.assertEqual([g["label"] for g in notice.content["groups"]], ["镇街", "成员单位"])
        self.assertEqual(len(notice.content["groups"][0]["rows"]), len(self.towns))
        self.assertTrue(notice.file)

    def test_second_load_is_refused(self):
        with self.assertRaises(CommandError):
            demo.load(self.ctx, today=TODAY)


@pytest.mark.django_db
def test_load_demo_command_loads_the_duty_lists(monkeypatch):
    """`load_demo` end to end, at a small size, as of today: one progress line and one report line."""
    from django.core.management import call_command

    monkeypatch.setattr(people_demo, "PEOPLE", 1000)
    monkeypatch.setattr(representatives_demo, "REPRESENTATIVES", 40)
    out = io.StringIO()
    call_command("load_demo", stdout=out, skip_checks=True)
    text = out.getvalue()
    scheme = Scheme.objects.get()
    assert f"  职责清单：{scheme.title}：" in text
    assert f"职责清单：{scheme.title}覆盖 {scheme.covered_units().count()} 个单位，已发提醒函 2 份" in text
    assert ReminderLetter.objects.count() == 2 and Notice.objects.count() == 1
