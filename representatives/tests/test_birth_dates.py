"""A representative's birth date as people.privacy shows it: to the day only to a user who may see the
person's sensitive fields, the month in the export."""

import datetime

from django.test import TestCase
from django.urls import reverse

from accounts.testing import create_user
from core.testing import export_text
from org.testing import build_county

from .test_views import make_rep


class BirthDateTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.county_staff = create_user("c_staff", cls.org.county, "county_staff")
        cls.town1_user = create_user("town01", cls.org.town1, "town_officer")

    def setUp(self):
        self.rep = make_rep(self.org.village1, "陈东溪")
        self.rep.person.birth_date = datetime.date(1968, 11, 23)
        self.rep.person.save()

    def test_detail_shows_the_day_only_with_view_sensitive(self):
        self.client.force_login(self.county_staff)
        self.assertContains(self.client.get(self.rep.get_absolute_url()), "1968-11-23")
        self.client.force_login(self.town1_user)
        page = self.client.get(self.rep.get_absolute_url())
        self.assertContains(page, "1968年11月")
        self.assertNotContains(page, "1968-11-23")

    def test_export_writes_the_month(self):
        for user in (self.county_staff, self.town1_user):
            self.client.force_login(user)
            text = export_text(self.client.get(reverse("representatives:representative_export")))
            self.assertIn("1968.11", text)
            self.assertNotIn("1968-11-23", text)
