"""The demo pairings and contacts (friendship/demo.py), at a small scale, and `load_demo` end to end."""

import datetime
import io
from collections import Counter

import pytest
from django.core.management.base import CommandError
from django.test import TestCase

from accounts.models import User
from core import metrics
from core.demo import DemoContext, discover, loader
from core.metrics import Period
from friendship import demo
from friendship.models import Contact, FollowUp, Pairing
from friendship.services import active_in_year, expected_contacts, with_progress
from people.models import Person
from representatives.models import Level, Representative, Stage

PEOPLE = 3000
REPRESENTATIVES = 150
TODAY = datetime.date(2026, 6, 30)
LAST_YEAR = datetime.date(TODAY.year - 1, 1, 1)
people_demo = loader("people")
representatives_demo = loader("representatives")


def load_demo_county(today=TODAY):
    ctx = DemoContext(io.StringIO(), verbosity=0)
    for module in discover():
        if module.order < people_demo.ORDER:
            module.load(ctx)
    people_demo.load(ctx, count=PEOPLE)
    representatives_demo.load(ctx, count=REPRESENTATIVES, today=today)
    return ctx, demo.load(ctx, today=today)


class DemoFriendshipTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.ctx, cls.summary = load_demo_county()
        cls.county = cls.ctx.data["county"]
        cls.towns = cls.ctx.data["towns"]
        cls.users = cls.ctx.data["users"]

    def setUp(self):
        self.pairings = list(Pairing.objects.select_related("official", "owner_unit", "representative__owner_unit",
                                                            "representative__person"))
        self.contacts = list(Contact.objects.select_related("pairing"))

    def test_is_the_last_loader_and_sums_up(self):
        orders = {m.app_label: m.order for m in discover()}
        self.assertEqual(orders["friendship"], demo.ORDER)
        self.assertGreater(demo.ORDER, orders["representatives"])
        self.assertIn(f"{len(self.pairings)} 对结对联系，{len(self.contacts)} 条联系记录", self.summary)

    def test_demo_accounts_have_their_pairings(self):
        official = User.objects.get(username="official01")
        self.assertEqual([g.role.code for g in official.grants.all()], ["pairing_official"])
        self.assertEqual(official.unit, self.county)
        self.assertFalse(official.must_change_password)
        counts = Counter(p.official.username for p in self.pairings if p.official_id)
        self.assertEqual(counts["official01"], 5)
        self.assertEqual(counts["leader"], 3)
        self.assertEqual(counts["county_staff"], 3)
        self.assertGreaterEqual(counts["town01"], 1)
        # 仅本人: official01 sees their own pairings and contacts, nothing else.
        own = set(Pairing.objects.visible_to(official).values_list("pk", flat=True))
        self.assertEqual(own, {p.pk for p in self.pairings if p.official_id == official.pk})
        seen = set(Contact.objects.visible_to(official).values_list("pairing_id", flat=True))
        self.assertTrue(seen and seen <= own)

    def test_officials_and_representatives(self):
        posts = {p.official_post for p in self.pairings if not p.official_id}
        self.assertIn("县委常委、统战部部长", posts)
        self.assertTrue(any(post.endswith("党委书记") for post in posts))
        reps = Counter(p.representative_id for p in self.pairings)
        self.assertEqual(max(reps.values()), 1)  # nobody is paired twice
        for pairing in self.pairings:
            rep = pairing.representative
            self.assertNotEqual(rep.stage, Stage.EXITED, pairing)
            self.assertTrue(pairing.official_id or (pairing.official_name and pairing.official_post), pairing)
            self.assertIn(pairing.contacts_per_year, (2, 4))
            self.assertLessEqual(pairing.start_date, TODAY)
            pairing.full_clean()
            if pairing.owner_unit == self.county:
                self.assertIn(rep.level, (Level.CITY, Level.COUNTY), pairing)
            else:
                self.assertIn(pairing.owner_unit, self.towns)
                self.assertEqual(rep.level, Level.TOWN, pairing)
                self.assertTrue(rep.owner_unit.path.startswith(pairing.owner_unit.path), pairing)
            if pairing.official_id and pairing.official.username.startswith("town"):
                self.assertEqual(pairing.owner_unit, pairing.official.unit)
        per_year = Counter(p.contacts_per_year for p in self.pairings)
        self.assertGreater(per_year[2], per_year[4] > 0)

    def test_contacts_dated_inside_their_pairing(self):
        self.assertTrue(self.contacts)
        forms = Counter(c.form for c in self.contacts)
        self.assertEqual(set(forms), set(Contact.Form.values))
        self.assertEqual(forms.most_common(1)[0][0], Contact.Form.VISIT)
        person = {p.pk: p.representative.person for p in self.pairings}
        for contact in self.contacts:
            pairing = contact.pairing
            self.assertTrue(max(pairing.start_date, LAST_YEAR) <= contact.date <= TODAY, contact)
            self.assertTrue(pairing.end_date is None or contact.date <= pairing.end_date, contact)
            self.assertEqual(contact.owner_unit_id, pairing.owner_unit_id)
            rep = person[pairing.pk]
            self.assertTrue(rep.name in contact.summary or rep.workplace in contact.summary, contact)
            contact.full_clean()

    def test_some_pairings_behind_this_year_few_last_year(self):
        on = TODAY
        progress = list(with_progress(active_in_year(Pairing.objects.all(), on), on))
        owing = [p for p in progress if p.expected]
        behind = [p for p in progress if p.behind]
        self.assertTrue(behind)
        self.assertAlmostEqual(len(behind) / len(owing), demo.BEHIND_SHARE, delta=0.12)
        for pairing in progress:  # the database's rule and the Python one agree
            self.assertEqual(pairing.expected, expected_contacts(pairing.contacts_per_year, pairing.start_date,
                                                                 pairing.end_date, on))
        end = datetime.date(TODAY.year - 1, 12, 31)
        last_year = list(with_progress(active_in_year(Pairing.objects.all(), end), end))
        self.assertLess(sum(p.behind for p in last_year), len(last_year) * 0.2)
        ended = [p for p in self.pairings if p.end_date]
        for pairing in ended:
            self.assertLess(pairing.end_date, datetime.date(TODAY.year, 1, 1))

    def test_follow_ups(self):
        follow_ups = list(FollowUp.objects.select_related("contact"))
        self.assertTrue(follow_ups)
        statuses = Counter(f.status for f in follow_ups)
        self.assertTrue(statuses[FollowUp.Status.DONE] and statuses[FollowUp.Status.OPEN], statuses)
        for item in follow_ups:
            self.assertEqual(item.description, item.contact.issues)
            self.assertIsNotNone(item.assignee_id, item)
            self.assertGreater(item.due_date, item.contact.date)
            self.assertEqual(item.owner_unit_id, item.contact.owner_unit_id)
            if item.status == FollowUp.Status.DONE:
                self.assertTrue(item.result)
                self.assertTrue(item.contact.date < item.closed_at <= TODAY, item)
            else:
                self.assertEqual((item.result, item.closed_at), ("", None))
        with_issues = sum(1 for c in self.contacts if c.issues)
        self.assertTrue(len(follow_ups) < with_issues < len(self.contacts) * 0.5)

    def test_figures_of_the_demo(self):
        year = Period.year(TODAY.year - 1)
        pairings = metrics.compute("friendship.pairings", self.county, year)
        self.assertEqual(pairings, active_in_year(Pairing.objects.all(), year.end).count())
        self.assertEqual(metrics.compute("friendship.contacts", None, year),
                         sum(1 for c in self.contacts if c.date.year == year.start.year))
        rate = metrics.compute("friendship.coverage_rate", self.county, year)
        self.assertTrue(80 <= rate <= 100, rate)
        town01 = self.users["town01"]
        self.assertEqual(metrics.compute("friendship.pairings", None, year, user=town01),
                         sum(1 for p in self.pairings if p.owner_unit == town01.unit and p.start_date <= year.end))

    def test_second_load_is_refused(self):
        with self.assertRaises(CommandError):
            demo.load(self.ctx, today=TODAY)


@pytest.mark.django_db
def test_load_demo_command_loads_representatives_and_pairings(monkeypatch):
    """`load_demo` end to end, at a small size, as of today."""
    from django.core.management import call_command

    monkeypatch.setattr(people_demo, "PEOPLE", 1500)
    monkeypatch.setattr(representatives_demo, "REPRESENTATIVES", 70)
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    text = out.getvalue()
    assert Representative.objects.exclude(stage=Stage.EXITED).count() == 70
    assert "党外代表人士：70 名党外代表人士" in text
    assert Pairing.objects.filter(official__username="official01").count() == 5
    assert "联谊交友：" in text and "official01" in text
    assert Person.objects.filter(is_representative=True).count() == 70
