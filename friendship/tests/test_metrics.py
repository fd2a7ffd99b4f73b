"""Friendship figures (friendship/metrics.py) against three hand-counted pairings."""

import datetime
from unittest import mock

from django.test import TestCase

from accounts.testing import create_user
from core import metrics
from core.metrics import Period
from friendship.models import Contact, FollowUp, Pairing
from org.testing import build_county
from people.models import Person
from representatives.models import Field, Level, Representative

D = datetime.date
VISIT, TALK, FORUM, PHONE, ONLINE = Contact.Form.values


def rep(name, unit):
    person = Person.objects.create(name=name, owner_unit=unit, is_representative=True)
    return Representative.objects.create(person=person, owner_unit=unit, level=Level.TOWN, field=Field.OTHER)


def figures(units=None, period=None, user=None):
    return {m.key.removeprefix("friendship."): m(units, period, user=user) for m in metrics.all("friendship")}


class FriendshipFiguresTests(TestCase):
    """P1 town1, official01 (an account), 2 a year, since 2024-01-01: contacts 2024-05-01; 2025-03-10 走访,
       2025-09-15 谈心谈话 (an issue, closed 2025-10-10).
    P2 town2, 王某 (by name), 4 a year, since 2025-07-01: contact 2025-08-01 电话 (an issue, open).
    P3 county, 张某某 县委常委、统战部部长, 2 a year, 2023-01-01 to 2025-03-31: contact 2025-02-01 座谈.

    On 31 December 2025 P1 owes 2 (made 2: on track), P2 owes 4 × 184/365 → 2 (made 1: behind), P3 owes
    2 × 90/365 → 0 (made 1: on track). On 31 December 2024 P1 owes 2 (made 1) and P3 owes 2 (made 0): both behind.
    """

    @classmethod
    def setUpTestData(cls):
        cls.org = org = build_county()
        cls.official = create_user("f_official", org.county, "pairing_official")
        cls.p1 = Pairing.objects.create(official=cls.official, representative=rep("甲", org.village1),
                                        contacts_per_year=2, start_date=D(2024, 1, 1), owner_unit=org.town1)
        cls.p2 = Pairing.objects.create(official_name="王某", official_post="东溪镇镇长",
                                        representative=rep("乙", org.town2), contacts_per_year=4,
                                        start_date=D(2025, 7, 1), owner_unit=org.town2)
        cls.p3 = Pairing.objects.create(official_name="张某某", official_post="县委常委、统战部部长",
                                        representative=rep("丙", org.member), contacts_per_year=2,
                                        start_date=D(2023, 1, 1), end_date=D(2025, 3, 31), owner_unit=org.county)

        def contact(pairing, date, form, issues=""):
            return Contact.objects.create(pairing=pairing, date=date, form=form, summary="测试", issues=issues,
                                          owner_unit=pairing.owner_unit)

        contact(cls.p1, D(2024, 5, 1), VISIT)
        contact(cls.p1, D(2025, 3, 10), VISIT)
        talk = contact(cls.p1, D(2025, 9, 15), TALK, "道路破损")
        call = contact(cls.p2, D(2025, 8, 1), PHONE, "用工困难")
        contact(cls.p3, D(2025, 2, 1), FORUM)
        FollowUp.objects.create(contact=talk, description="道路破损", assignee=cls.official, due_date=D(2025, 10, 15),
                                status=FollowUp.Status.DONE, result="已修复", closed_at=D(2025, 10, 10),
                                owner_unit=org.town1)
        FollowUp.objects.create(contact=call, description="用工困难", due_date=D(2025, 9, 1), owner_unit=org.town2)

    def test_registered(self):
        keys = {m.key for m in metrics.all("friendship")}
        self.assertLessEqual({"friendship.pairings", "friendship.contacts", "friendship.coverage_rate",
                              "friendship.pairings_behind", "friendship.contacts_by_form"}, keys)
        self.assertEqual(metrics.get("friendship.coverage_rate").unit, "%")

    def test_year_2025(self):
        self.assertEqual(figures(self.org.county, Period.year(2025)), {
            "pairings": 3,
            "contacts": 4,
            "contacts_by_form": {VISIT: 1, TALK: 1, FORUM: 1, PHONE: 1, ONLINE: 0},
            "pairings_on_track": 2,  # P1, P3
            "pairings_behind": 1,  # P2
            "coverage_rate": 66.7,
            "contact_rate": 100.0,
            "follow_ups": 2,
            "follow_ups_closed": 1,
        })
        self.assertEqual(figures(None, Period.year(2025)), figures(self.org.county, Period.year(2025)))

    def test_year_2024(self):
        result = figures(self.org.county, Period.year(2024))
        self.assertEqual((result["pairings"], result["contacts"]), (2, 1))  # P1, P3; P2 had not started
        self.assertEqual((result["pairings_on_track"], result["pairings_behind"]), (0, 2))
        self.assertEqual((result["coverage_rate"], result["contact_rate"]), (0.0, 50.0))

    def test_quarters(self):
        q1 = figures(self.org.county, Period.quarter(2025, 1))
        # On 31 March P1 owes 2 × 90/365 → 0 and P3 owes 0: both on track; P2 has not started.
        self.assertEqual((q1["pairings"], q1["contacts"], q1["pairings_behind"], q1["coverage_rate"]), (2, 2, 0, 100.0))
        q3 = figures(self.org.county, Period.quarter(2025, 3))
        # P3 ended in March. On 30 September P1 owes 1 (made 2), P2 owes 4 × 92/365 → 1 (made 1).
        self.assertEqual((q3["pairings"], q3["contacts"], q3["pairings_behind"], q3["coverage_rate"]), (2, 2, 0, 100.0))
        self.assertEqual(q3["pairings_on_track"], 2)  # P3 is not a pairing of the quarter
        self.assertEqual(q3["contacts_by_form"], {VISIT: 0, TALK: 1, FORUM: 0, PHONE: 1, ONLINE: 0})
        q4 = figures(self.org.county, Period.quarter(2025, 4))
        self.assertEqual((q4["contacts"], q4["follow_ups"], q4["follow_ups_closed"]), (0, 0, 1))
        self.assertEqual((q4["pairings"], q4["pairings_behind"]), (2, 1))

    def test_running_year_is_measured_today(self):
        with mock.patch("django.utils.timezone.localdate", return_value=D(2025, 9, 30)):
            result = figures(self.org.county, Period.year(2025))
        # P3 still counts this year (it ran until March) and owes nothing; P1 and P2 owe 1 each and made them.
        self.assertEqual((result["pairings"], result["pairings_behind"], result["coverage_rate"]), (3, 0, 100.0))
        self.assertEqual(result["contacts"], 4)  # contacts in the period so far (none are dated later)

    def test_by_unit(self):
        period = Period.year(2025)
        rows = metrics.by_unit("friendship.coverage_rate", [self.org.town1, self.org.town2, self.org.member], period)
        self.assertEqual(rows, [(self.org.town1, 100.0), (self.org.town2, 0.0), (self.org.member, None)])
        town1 = figures(self.org.town1, period)
        self.assertEqual((town1["pairings"], town1["contacts"], town1["follow_ups"]), (1, 2, 1))
        # P3 is the county's own: it counts for the county, not for a town below it.
        self.assertEqual(figures(self.org.county, period)["pairings"],
                         sum(figures(u, period)["pairings"] for u in (self.org.town1, self.org.town2)) + 1)

    def test_user_scope(self):
        org = self.org
        period = Period.year(2025)
        own = figures(None, period, self.official)  # 仅本人: the official's own pairing
        self.assertEqual((own["pairings"], own["contacts"], own["coverage_rate"]), (1, 2, 100.0))
        town2_user = create_user("f_town2", org.town2, "town_officer")
        theirs = figures(None, period, town2_user)
        self.assertEqual((theirs["pairings"], theirs["contacts"], theirs["pairings_behind"]), (1, 1, 1))
        self.assertEqual(figures(org.town1, period, town2_user)["pairings"], 0)
        county_staff = create_user("f_county", org.county, "county_staff")
        self.assertEqual(figures(None, period, county_staff), figures(None, period))
        self.assertEqual(figures(None, period, create_user("f_none", org.county))["coverage_rate"], None)
