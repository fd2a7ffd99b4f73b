"""The ledger's scope rules beyond Person's own: a transfer is seen from both sides (Transfer.scope_rule, `via` for
one side), and a tag follows the ledger's permissions (Tag.scope_rule) — each declared once in its model."""

import datetime

from django.test import TestCase

from accounts.testing import create_user
from org.testing import build_county
from people.models import Person, Tag, Transfer


class TransferRuleTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.town1 = create_user("r_town1", cls.org.town1, "town_officer")
        cls.village2 = create_user("r_village2", cls.org.village2, "village_liaison")
        cls.official = create_user("r_official", cls.org.county, "pairing_official")
        person = Person.objects.create(name="调动人", owner_unit=cls.org.town2)

        def move(from_unit, to_unit):
            return Transfer.objects.create(person=person, from_unit=from_unit, to_unit=to_unit,
                                           date=datetime.date(2025, 3, 1), reason="工作调动", created_by=cls.official)

        cls.arrival = move(cls.org.village2, cls.org.village1)
        cls.departure = move(cls.org.town1, cls.org.member)
        cls.inside = move(cls.org.village1, cls.org.town1)
        cls.elsewhere = move(cls.org.town2, cls.org.member)

    def test_either_side_sees_a_transfer(self):
        self.assertEqual(set(Transfer.objects.visible_to(self.town1)), {self.arrival, self.departure, self.inside})
        self.assertEqual(set(Transfer.objects.visible_to(self.village2)), {self.arrival})

    def test_arrivals_and_departures(self):
        self.assertEqual(set(Transfer.objects.visible_to(self.town1, via="to_unit")), {self.arrival, self.inside})
        self.assertEqual(set(Transfer.objects.visible_to(self.town1, via="from_unit")), {self.departure, self.inside})

    def test_the_ledgers_permissions_decide_and_an_own_scope_sees_no_transfer(self):
        # The pairing official holds no ledger permission; their own scope follows no unit either.
        self.assertFalse(Transfer.objects.visible_to(self.official).exists())
        leader = create_user("r_leader", self.org.county, "leader")
        self.assertEqual(Transfer.objects.visible_to(leader).count(), 4)
        self.assertFalse(Transfer.objects.visible_to(leader, "change").exists())
        self.assertTrue(self.town1.can("view", self.departure))
        self.assertFalse(self.town1.can("view", self.elsewhere))


class TagRuleTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.town1 = create_user("r_town1", cls.org.town1, "town_officer")
        cls.tags = {unit: Tag.objects.create(name="重点联系对象", owner_unit=unit)
                    for unit in (cls.org.county, cls.org.town1, cls.org.village1, cls.org.town2)}

    def test_a_tag_is_seen_inside_the_ledger_scope(self):
        self.assertEqual(set(Tag.objects.visible_to(self.town1)),
                         {self.tags[self.org.town1], self.tags[self.org.village1]})
        self.assertTrue(self.town1.can("view", self.tags[self.org.village1]))
        self.assertFalse(self.town1.can("view", self.tags[self.org.county]))
        liaison = create_user("r_liaison", self.org.village1, "village_liaison")
        self.assertFalse(Tag.objects.visible_to(liaison, "delete").exists())  # no "delete" on the ledger
