"""Contact's scope rule, written once in the model (scope_user_field = "pairing__official") and asked through
`user.can`: a town officer reaches the contacts of their units' pairings, a pairing official (仅本人) the contacts of
their own pairings — saved or about to be recorded."""

import datetime

from django.test import TestCase

from accounts.testing import create_user
from friendship.models import Contact, FollowUp, Pairing
from org.testing import build_county

from .helpers import make_contact, make_pairing


class ContactRuleTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.town1 = create_user("r_town1", cls.org.town1, "town_officer")
        cls.official = create_user("r_official", cls.org.county, "pairing_official")
        cls.stranger = create_user("r_stranger", cls.org.county, "pairing_official")
        cls.own = make_pairing(cls.org.county, cls.official)  # kept by the county, the official's own
        cls.village = make_pairing(cls.org.village1)

    def new_contact(self, pairing):
        return Contact(pairing=pairing, owner_unit=pairing.owner_unit)

    def test_a_contact_to_record(self):
        self.assertTrue(self.official.can("add", self.new_contact(self.own)))
        self.assertFalse(self.stranger.can("add", self.new_contact(self.own)))
        self.assertFalse(self.official.can("add", self.new_contact(self.village)))
        self.assertTrue(self.town1.can("add", self.new_contact(self.village)))
        self.assertFalse(self.town1.can("add", self.new_contact(self.own)))

    def test_recorded_contacts_as_visible_to_sees_them(self):
        day = datetime.date(2025, 3, 1)
        contacts = [make_contact(self.own, day), make_contact(self.village, day)]
        for user in (self.town1, self.official, self.stranger):
            visible = set(Contact.objects.visible_to(user))
            for contact in contacts:
                self.assertEqual(user.can("view", contact), contact in visible, (user, contact))
        self.assertEqual(set(Contact.objects.visible_to(self.official)), {contacts[0]})

    def test_the_pairing_page_offers_a_contact_where_the_rule_allows(self):
        self.client.force_login(self.official)
        self.assertTrue(self.client.get(self.own.get_absolute_url()).context["can_add_contact"])
        self.client.force_login(self.town1)
        self.assertTrue(self.client.get(self.village.get_absolute_url()).context["can_add_contact"])

    def test_a_follow_up_for_oneself_is_inside_an_own_scope(self):
        contact = make_contact(self.own, datetime.date(2025, 3, 1))
        self.assertTrue(self.official.can("add", FollowUp(contact=contact, owner_unit=contact.owner_unit,
                                                          assignee=self.official)))
        self.assertFalse(self.official.can("add", FollowUp(contact=contact, owner_unit=contact.owner_unit,
                                                           assignee=self.stranger)))
        self.assertTrue(Pairing.objects.scope_has_units(self.town1, "view"))
        self.assertFalse(Pairing.objects.scope_has_units(self.official, "view"))
