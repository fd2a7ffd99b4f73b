"""The org tree over the REST API: one unit is answered exactly when the tree lists it."""

from django.test import TestCase

from accounts.testing import bearer, create_user
from org.testing import build_county


class UnitApiTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.users = [
            create_user("county01", cls.org.county, "county_staff"),
            create_user("town01", cls.org.town1, "town_officer"),
            create_user("village01", cls.org.village1, "village_liaison"),
            create_user("member01", cls.org.member, "member_liaison"),
        ]

    def test_a_unit_is_found_exactly_when_the_tree_lists_it(self):
        units = [self.org.county, self.org.town1, self.org.town2, self.org.village1, self.org.village2,
                 self.org.member]
        for user in self.users:
            with self.subTest(user=user.username):
                listed = {unit["id"]: unit for unit in self.client.get("/api/v1/units/", **bearer(user)).json()}
                self.assertTrue(listed)
                for unit in units:
                    response = self.client.get(f"/api/v1/units/{unit.pk}/", **bearer(user))
                    if unit.pk in listed:
                        self.assertEqual(response.json(), listed[unit.pk])
                    else:
                        self.assertEqual(response.status_code, 404)
                        self.assertNotIn(unit.name, response.content.decode())
