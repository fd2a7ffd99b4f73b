"""The demo ledger (people/demo/): valid, consistent, kept by the demo county's units, with history."""

import io
from collections import Counter

import pytest
from django.core.management.base import CommandError
from django.db import connection
from django.test import TestCase

from core.crypto import keyed_hash
from core.demo import DemoContext, discover
from org.models import Unit
from people import demo
from people.choices import DEMOCRATIC_PARTIES, HAN, STATUTORY_CATEGORIES, Affiliation, Status, Tier
from people.identity import birth_date_from_id, gender_from_id, id_number_problem, phone_problem
from people.models import Person, SocialPosition
from people.pinyin import name_initials, name_pinyin
from people.testing import town_people

COUNT = 500


def load_demo_county(count=COUNT):
    """The org tree and accounts as load_demo builds them, then `count` people."""
    ctx = DemoContext(io.StringIO(), verbosity=0)
    for module in discover():
        if module.order < demo.ORDER:
            module.load(ctx)
    return ctx, demo.load(ctx, count=count)


class DemoLedgerTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.ctx, cls.summary = load_demo_county()
        cls.county = cls.ctx.data["county"]

    def setUp(self):
        self.people = list(Person.objects.select_related("owner_unit").prefetch_related("categories"))

    def codes(self, person):
        return {c.code for c in person.categories.all()}

    def test_count_and_summary(self):
        self.assertEqual(len(self.people), COUNT)
        self.assertIn(f"{COUNT} 名统战成员", self.summary)

    def test_is_discovered_after_org_and_accounts(self):
        orders = {m.app_label: m.order for m in discover()}
        self.assertEqual(orders["people"], demo.ORDER)
        self.assertGreater(demo.ORDER, max(orders["org"], orders["accounts"]))

    def test_id_numbers_valid_unique_and_consistent(self):
        hashes = Counter()
        for person in self.people:
            number = person.id_number
            self.assertIsNone(id_number_problem(number), number)
            self.assertTrue(number.startswith("33"), number)
            self.assertEqual(person.id_number_hash, keyed_hash(number))
            self.assertEqual(person.gender, gender_from_id(number), number)
            self.assertEqual(person.birth_date, birth_date_from_id(number), number)
            self.assertTrue(1940 <= person.birth_date.year <= 2000, number)
            hashes[person.id_number_hash] += 1
        self.assertEqual(max(hashes.values()), 1)

    def test_phones(self):
        phones = [p.phone for p in self.people if p.phone]
        self.assertGreater(len(phones), COUNT * 0.9)
        self.assertEqual(len(set(phones)), len(phones))
        for person in self.people:
            if person.phone:
                self.assertIsNone(phone_problem(person.phone), person.phone)
                self.assertEqual(person.phone_hash, keyed_hash(person.phone))
            else:
                self.assertEqual(person.phone_hash, "")

    def test_sensitive_values_encrypted_at_rest(self):
        tables = [Person._meta.db_table, Person.history.model._meta.db_table]
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"SELECT id_number, phone FROM {table}")  # noqa: S608 -- model table names
                rows = cursor.fetchall()
                self.assertGreaterEqual(len(rows), COUNT)
                for id_number, phone in rows:
                    self.assertRegex(id_number, r"^[AS]1\$")
                    if phone:
                        self.assertRegex(phone, r"^[AS]1\$")

    def test_names_and_pinyin_keys(self):
        for person in self.people:
            self.assertRegex(person.name, r"^[\u4e00-\u9fff]{2,3}$")
            self.assertEqual(person.name_pinyin, name_pinyin(person.name))
            self.assertEqual(person.name_initials, name_initials(person.name))

    def test_categories_consistent_with_affiliation_and_ethnicity(self):
        dp, np_, int_, eth, rel = "01", "02", "03", "04", "05"
        for person in self.people:
            codes = self.codes(person)
            label = f"{person.name} {sorted(codes)} {person.affiliation}"
            self.assertTrue(1 <= len(codes) <= 3, label)
            self.assertEqual(dp in codes, person.affiliation in DEMOCRATIC_PARTIES, label)
            self.assertEqual(np_ in codes, person.affiliation == Affiliation.NON_PARTY, label)
            self.assertEqual(eth in codes, person.ethnicity != HAN, label)
            if rel in codes:
                self.assertEqual(person.affiliation, Affiliation.MASSES, label)
            if int_ in codes and person.affiliation in (Affiliation.CPC, Affiliation.CPC_PROBATIONARY):
                # A 党外知识分子 who joined the CPC left the ledger for that reason.
                self.assertEqual((person.status, person.status_reason), (Status.EXITED, "加入中国共产党"), label)
            if person.affiliation in (Affiliation.MASSES, Affiliation.NON_PARTY):
                self.assertIsNone(person.affiliation_date, label)
            else:
                self.assertGreater(person.affiliation_date, person.birth_date, label)

    def test_every_person_kept_by_a_unit_of_the_demo_county_matching_the_tier(self):
        for person in self.people:
            unit = person.owner_unit
            self.assertTrue(unit.path.startswith(self.county.path), unit)
            expected = {
                Tier.VILLAGE: {Unit.Type.VILLAGE},
                Tier.TOWN: {Unit.Type.TOWN, Unit.Type.VILLAGE},
                Tier.COUNTY: {Unit.Type.COUNTY, Unit.Type.MEMBER, Unit.Type.SCHOOL, Unit.Type.HOSPITAL,
                              Unit.Type.ENTERPRISE},
            }[person.tier]
            self.assertIn(unit.type, expected, f"{person.name} {person.tier} {unit}")
        tiers = Counter(p.tier for p in self.people)
        self.assertTrue(set(tiers) == set(Tier.values))
        # Every town keeps some of its people (a county, not one village).
        towns = self.ctx.data["towns"]
        keeping = {t.pk for t in towns for p in self.people if p.owner_unit.path.startswith(t.path)}
        self.assertGreater(len(keeping), len(towns) // 2)

    def test_statuses_dated_with_reasons(self):
        statuses = Counter(p.status for p in self.people)
        self.assertGreater(statuses[Status.ACTIVE], COUNT * 0.85)
        for person in self.people:
            if person.status == Status.ACTIVE:
                self.assertEqual((person.status_date, person.status_reason), (None, ""))
            else:
                self.assertIsNotNone(person.status_date, person)
                self.assertTrue(person.status_reason, person)
                self.assertFalse(person.is_representative, person)

    def test_social_positions_held_by_active_people_with_terms(self):
        positions = list(SocialPosition.objects.select_related("person"))
        self.assertTrue(positions)
        for position in positions:
            self.assertEqual(position.person.status, Status.ACTIVE)
            self.assertLess(position.term_start, position.term_end)

    def test_history_has_one_initial_row_per_person_with_its_categories(self):
        rows = list(Person.history.all())
        self.assertEqual(len(rows), COUNT)
        self.assertEqual({(r.history_type, r.history_change_reason) for r in rows}, {("+", demo.CHANGE_REASON)})
        self.assertEqual({r.id for r in rows}, {p.pk for p in self.people})
        person_of = {r.history_id: r.id for r in rows}
        historical = Counter()
        for row in Person.history.model.categories.model.objects.all():
            self.assertEqual(person_of[row.history_id], row.person_id)
            historical[row.person_id, row.category_id] += 1
        current = Counter((p.pk, c.pk) for p in self.people for c in p.categories.all())
        self.assertEqual(historical, current)
        # The historical row decrypts to the same ID number as the record.
        first = Person.history.first()
        self.assertEqual(first.id_number, Person.objects.get(pk=first.id).id_number)

    def test_second_load_is_refused(self):
        with self.assertRaises(CommandError):
            demo.load(self.ctx, count=10)

    def test_report_has_a_line_per_category(self):
        out = io.StringIO()
        demo.report(DemoContext(out, verbosity=1))
        text = out.getvalue()
        for _, name, _ in STATUTORY_CATEGORIES:
            self.assertIn(name, text)
        self.assertIn(f"共 {COUNT} 条记录", text)

    def test_plan_is_reproducible_and_reads_the_tree_back_without_context(self):
        first = demo.build(self.ctx, count=100)
        second = demo.build(DemoContext(io.StringIO(), verbosity=0), count=100)  # places read from the database
        self.assertEqual([(p.name, p.id_number, p.owner_unit.pk) for p in first.people],
                         [(p.name, p.id_number, p.owner_unit.pk) for p in second.people])

    def test_full_size_plan_looks_like_a_county(self):
        plan = demo.build(self.ctx)
        total = len(plan.people)
        self.assertEqual(total, demo.PEOPLE)
        self.assertEqual(len({p.id_number for p in plan.people}), total)
        tiers = Counter(p.tier for p in plan.people)
        self.assertAlmostEqual(tiers[Tier.COUNTY] / total, 0.08, delta=0.02)
        self.assertAlmostEqual(tiers[Tier.TOWN] / total, 0.30, delta=0.04)
        representatives = sum(p.is_representative for p in plan.people)
        self.assertAlmostEqual(representatives / total, 0.04, delta=0.01)
        per_category = Counter(code for codes in plan.categories for code in codes)
        large = [per_category[c] for c in ("01", "03", "06", "07")]
        small = [per_category[c] for c in ("05", "09", "10", "11")]
        self.assertGreater(min(large), 5 * max(small))
        self.assertEqual(len(per_category), 12)
        # Importing a generated town ledger (ledgers.py) into the demo county must create its people, not clash.
        self.assertFalse({e.id_number for e in town_people(300)} & {p.id_number for p in plan.people})


@pytest.mark.django_db
def test_load_demo_command_loads_the_ledger(monkeypatch):
    """`load_demo` end to end, at a small size."""
    from django.core.management import call_command

    monkeypatch.setattr(demo, "PEOPLE", 120)
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert Person.objects.count() == 120
    assert "统战成员台账" in out.getvalue()
    assert "华侨、归侨及侨眷" in out.getvalue()
