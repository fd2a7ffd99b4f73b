"""Scopes in the duty lists, each written once in the models: "a published scheme covers my unit"
(Scheme.assessed_units_for), and the reads that are unscoped on purpose, named where they are made."""

import datetime

from django.test import TestCase
from django.urls import reverse

from accounts.testing import create_user
from duties.models import FinalResult, Scheme, Submission

from .submission_fixtures import YEAR, build, build_scheme


class SchemeCoversMyUnitTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.ns = build()
        org = cls.ns.org
        cls.town1 = create_user("r_town1", org.town1, "town_officer")
        cls.village1 = create_user("r_village1", org.village1, "village_liaison")
        cls.member = create_user("r_member", org.member, "member_liaison")

    def test_the_units_of_a_scheme_a_user_may_see_the_submissions_of(self):
        scheme, org = self.ns.scheme, self.ns.org
        self.assertEqual(list(scheme.assessed_units_for(self.ns.county_staff)), [org.town1, org.town2])
        self.assertEqual(list(scheme.assessed_units_for(self.town1)), [org.town1])
        self.assertEqual(list(scheme.assessed_units_for(self.village1)), [])  # villages are not assessed
        self.assertEqual(list(scheme.assessed_units_for(self.member)), [])
        leader = create_user("r_leader", org.county, "leader")
        self.assertEqual(list(scheme.assessed_units_for(leader, "change")), [])  # a leader changes nothing

    def test_the_units_agree_with_the_submissions_the_user_sees(self):
        scheme, org = self.ns.scheme, self.ns.org
        for unit in (org.town1, org.town2):
            Submission.objects.create(indicator=self.ns.items.plan, owner_unit=unit, period_key=str(YEAR))
        for user in (self.ns.county_staff, self.town1, self.village1):
            seen = set(Submission.objects.visible_to(user).values_list("owner_unit", flat=True))
            self.assertEqual({u.pk for u in scheme.assessed_units_for(user)}, seen, user)

    def test_a_towns_list_reads_the_countys_published_scheme(self):
        self.assertFalse(Scheme.objects.visible_to(self.town1).exists())  # the county's record, not the town's
        self.client.force_login(self.town1)
        page = self.client.get(reverse("duties:unit_list"), {"year": YEAR})
        self.assertEqual((page.context["unit"], page.context["schemes"]), (self.ns.org.town1, [self.ns.scheme]))
        self.assertEqual(page.context["units"], [self.ns.org.town1])

    def test_group_sizes_count_every_result(self):
        scheme, org = self.ns.scheme, self.ns.org
        for rank, unit in enumerate((org.town1, org.town2), start=1):
            FinalResult.objects.create(scheme=scheme, owner_unit=unit, rank=rank, rank_group="town",
                                       finalized_at=datetime.datetime(YEAR + 1, 1, 5, tzinfo=datetime.UTC))
        self.assertEqual(FinalResult.objects.visible_to(self.town1).count(), 1)
        self.assertEqual(FinalResult.objects.group_sizes(scheme), {"town": 2})
        other, _ = build_scheme(org.county, title="另一细则")
        self.assertEqual(FinalResult.objects.group_sizes(other), {})
