"""Figures over the REST API: the metrics registry, counted over what the token user may see."""

import datetime

from django.test import TestCase
from django.utils import timezone

from accounts.testing import bearer, create_user
from activities.models import Activity, ActivityType
from core import metrics
from org.testing import build_county


def held(unit, day, type_name="同心行活动日"):
    start = timezone.make_aware(datetime.datetime(2025, *day, 9, 0))
    return Activity.objects.create(owner_unit=unit, title=f"{unit.name}活动", place="礼堂", content="宣讲",
                                   activity_type=ActivityType.objects.get(name=type_name), start=start,
                                   end=start + datetime.timedelta(hours=2))


class FigureApiTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.town01 = create_user("town01", cls.org.town1, "town_officer")
        cls.town02 = create_user("town02", cls.org.town2, "town_officer")
        cls.county = create_user("county_staff", cls.org.county, "county_staff")
        held(cls.org.village1, (3, 8))
        held(cls.org.village1, (5, 8), "同心大讲堂")
        held(cls.org.town1, (3, 9))
        held(cls.org.village2, (3, 10))

    def get(self, user, path):
        return self.client.get(f"/api/v1/figures/{path}", **bearer(user, write=False))

    def test_the_catalogue_lists_the_registry(self):
        body = self.get(self.town01, "").json()
        self.assertEqual([f["key"] for f in body], [m.key for m in metrics.all()])
        held_of_type = next(f for f in body if f["key"] == "activities.held_of_type")
        self.assertEqual((held_of_type["label"], held_of_type["measure"], held_of_type["params"]),
                         ("开展活动（指定类型）", "次", {"activity_type": "活动类型"}))

    def test_a_figure_counts_only_what_the_user_may_see(self):
        for user, expected in ((self.town01, 3), (self.town02, 1), (self.county, 4)):
            with self.subTest(user=user.username):
                body = self.get(user, "activities.held/?period=2025").json()
                self.assertEqual((body["value"], body["formatted"]), (expected, f"{expected}次"))
        # Broken down by child unit, the user's own jurisdiction only: town02's children, not the county's towns.
        children = self.get(self.town02, "activities.held/?period=2025&by=child").json()["children"]
        self.assertEqual([(c["unit"]["name"], c["value"]) for c in children], [("西岭村", 1)])

    def test_a_unit_by_id_or_division_code_and_its_children(self):
        by_code = self.get(self.county, "activities.held/?period=2025&unit=330998001&by=child").json()
        self.assertEqual((by_code["scope"]["name"], by_code["value"]), ("东溪镇", 3))
        self.assertEqual([(c["unit"]["name"], c["value"]) for c in by_code["children"]], [("东溪村", 2)])
        by_id = self.get(self.county, f"activities.held/?period=2025-03&unit={self.org.county.pk}&by=child").json()
        self.assertEqual([(c["unit"]["name"], c["value"]) for c in by_id["children"]],
                         [("东溪镇", 2), ("西岭镇", 1)])
        self.assertEqual(by_id["period"], {"key": "2025-03", "label": "2025年3月", "start": "2025-03-01",
                                           "end": "2025-03-31"})

    def test_a_unit_outside_the_scope_is_404_like_a_unit_that_does_not_exist(self):
        for reference in (self.org.town1.pk, "330998001", self.org.village1.pk, self.org.county.pk, 999999,
                          "330998999", "abc"):
            with self.subTest(unit=reference):
                response = self.get(self.town02, f"activities.held/?period=2025&unit={reference}")
                self.assertEqual(response.status_code, 404)
                self.assertNotIn("东溪", response.content.decode())

    def test_an_unknown_figure_is_404(self):
        self.assertEqual(self.get(self.town01, "activities.nothing/").status_code, 404)

    def test_a_bad_period_or_parameter_is_422_in_chinese(self):
        for period in ("2025-Q5", "1999", "2025-01-01~2026-06-30"):
            with self.subTest(period=period):
                response = self.get(self.town01, f"activities.held/?period={period}")
                self.assertEqual(response.status_code, 422)
                self.assertIn("统计期间", response.json()["detail"])
        response = self.get(self.town01, "activities.held_of_type/?period=2025&activity_type=读书会")
        self.assertEqual((response.status_code, response.json()["detail"]), (422, "未知的活动类型：读书会"))

    def test_parameters_and_breakdowns(self):
        body = self.get(self.town01, "activities.held_of_type/?period=2025&activity_type=同心大讲堂").json()
        self.assertEqual(body["value"], 1)
        breakdown = self.get(self.town01, "activities.by_type/?period=2025").json()
        self.assertEqual((breakdown["value"]["同心行活动日"], breakdown["value"]["同心大讲堂"]), (2, 1))
        self.assertEqual(breakdown["rows"][:2], [{"code": "同心行活动日", "label": "同心行活动日", "value": 2},
                                                 {"code": "同心大讲堂", "label": "同心大讲堂", "value": 1}])
        self.assertTrue(breakdown["formatted"].startswith("同心行活动日2次，同心大讲堂1次"))

    def test_an_account_without_business_data_is_403(self):
        auditor = create_user("auditor", self.org.county, "auditor")
        self.assertEqual(self.get(auditor, "").status_code, 403)
        self.assertEqual(self.get(auditor, "activities.held/").status_code, 403)
