"""Every figure of the dashboard against the hand-counted county of dashboard_data.py, as each user sees it:
the county, a town officer (西岭镇 sees only 西岭镇, totals included), drill-down and its refusal."""

from unittest import mock

from django.core.cache import cache
from django.test import TestCase
from django.urls import reverse

from accounts.models import Grant, Role
from accounts.testing import create_user
from core import metrics
from core.models import BusinessModel
from core.testing import workbook_rows
from people.choices import STATUTORY_CATEGORIES

from .dashboard_data import (
    DAY,
    DEMOCRATIC,
    INTELLECTUAL,
    LECTURE,
    NEW_STRATUM,
    NON_PUBLIC,
    TODAY,
    VOLUNTEER,
    build,
)

URL = reverse("dashboard:index")
CATEGORY_NAMES = [name for _, name, _ in STATUTORY_CATEGORIES]
MONTHS = [f"{m}月" for m in range(1, 13)]


def charts(response):
    return {c["key"]: c for s in response.context["payload"]["sections"] for c in s["charts"]}


def cards(response):
    return {c["key"]: c["value"] for c in response.context["payload"]["cards"]}


def by_month(counts):
    return [[label, counts.get(number, 0)] for number, label in enumerate(MONTHS, start=1)]


class DashboardTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.data = build()
        cls.org = org = cls.data.org
        cls.staff = create_user("d_staff", org.county, "county_staff")
        cls.town2_user = create_user("d_town2", org.town2, "town_officer")
        cls.leader = create_user("d_leader", org.county, "leader")
        cls.sysadmin = create_user("d_sysadmin", org.county, "sysadmin")

    def setUp(self):
        cache.clear()
        patcher = mock.patch("django.utils.timezone.localdate", return_value=TODAY)
        patcher.start()
        self.addCleanup(patcher.stop)

    def get(self, user, **params):
        self.client.force_login(user)
        return self.client.get(URL, params)


class CountyFiguresTests(DashboardTestCase):
    def test_headline_figures(self):
        response = self.get(self.staff, period="2025")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["period"].label, "2025年")
        self.assertEqual(response.context["unit"], self.org.county)
        self.assertEqual(cards(response), {
            "people.total": 6, "representatives.total": 3, "representatives.certified": 1,
            "friendship.pairings": 3, "friendship.contacts": 4, "friendship.coverage_rate": 66.7,
            "activities.held": 4, "activities.fulfilment_rate": 18.8,
        })
        self.assertContains(response, 'data-card="people.total">6<')
        self.assertContains(response, 'data-card="friendship.coverage_rate">66.7<')

    def test_people(self):
        found = charts(self.get(self.staff, period="2025"))
        org = self.org
        unit = found["people_by_unit"]
        self.assertEqual(unit["rows"], [["东溪镇", 3], ["西岭镇", 2], ["本级及其他单位（1个）", 1]])
        self.assertEqual(unit["drill"], [org.town1.pk, org.town2.pk, None])
        self.assertEqual(unit["footer"], ["合计", 6])
        expected = {name: 0 for name in CATEGORY_NAMES} | {
            DEMOCRATIC: 2, INTELLECTUAL: 3, NON_PUBLIC: 1, NEW_STRATUM: 1}
        self.assertEqual(found["people_by_category"]["rows"], [[name, expected[name]] for name in CATEGORY_NAMES])
        self.assertEqual(found["people_by_category"]["footer"], ["合计", 7])  # P1 counts in two categories
        self.assertEqual(found["people_by_tier"]["rows"], [["县管", 2], ["镇管", 2], ["村管", 2]])
        self.assertEqual(found["people_by_age_band"]["rows"], [
            ["35岁以下", 1], ["35-44岁", 1], ["45-54岁", 1], ["55-64岁", 1], ["65岁及以上", 1], ["未知", 1]])
        self.assertEqual(found["people_by_affiliation"]["rows"], [
            ["中共党员", 1], ["民盟盟员", 2], ["无党派人士", 1], ["群众", 1], ["未填写", 1]])

    def test_representatives(self):
        found = charts(self.get(self.staff, period="2025"))
        self.assertEqual(found["representatives_by_stage"]["rows"],
                         [["发现", 1], ["培养", 1], ["认定", 1], ["退出", 1]])
        self.assertEqual(found["representatives_by_level"]["rows"], [["市级", 1], ["县级", 1], ["镇级", 1]])
        self.assertEqual(found["representatives_by_unit"]["rows"], [["东溪镇", 2], ["西岭镇", 1]])  # R3 has left
        self.assertEqual(found["representatives_by_unit"]["footer"], ["合计", 3])

    def test_pairings_and_contacts(self):
        found = charts(self.get(self.staff, period="2025"))
        self.assertEqual(found["friendship_by_unit"]["columns"],
                         ["单位", "结对数", "进度正常", "进度落后", "进度达标率（%）"])
        self.assertEqual(found["friendship_by_unit"]["rows"], [
            ["东溪镇", 1, 1, 0, 100.0], ["西岭镇", 1, 0, 1, 0.0], ["本级及其他单位（1个）", 1, 1, 0, 100.0]])
        self.assertEqual(found["friendship_by_unit"]["footer"], ["合计", 3, 2, 1, 66.7])
        self.assertEqual(found["friendship_contacts_by_form"]["rows"], [
            ["走访", 1], ["谈心谈话", 1], ["座谈", 1], ["电话", 1], ["线上", 0]])
        self.assertEqual(found["friendship_contacts_by_month"]["rows"], by_month({2: 1, 3: 1, 8: 1, 9: 1}))
        self.assertEqual(found["friendship_contacts_by_month"]["footer"], ["合计", 4])

    def test_activities(self):
        found = charts(self.get(self.staff, period="2025"))
        self.assertEqual(found["activities_by_type"]["rows"], [[DAY, 2], [LECTURE, 1], [VOLUNTEER, 1]])
        self.assertEqual(found["activities_by_month"]["rows"], by_month({1: 1, 2: 1, 3: 1, 7: 1}))
        self.assertEqual(found["activities_by_unit"]["rows"],
                         [["东溪镇", 2], ["西岭镇", 1], ["本级及其他单位（1个）", 1]])
        self.assertEqual(found["activities_fulfilment_by_unit"]["rows"],
                         [["东溪镇", 12, 2, 16.7], ["西岭镇", 4, 1, 25.0]])
        self.assertEqual(found["activities_fulfilment_by_unit"]["footer"], ["合计", 16, 3, 18.8])
        self.assertEqual(found["activities_fulfilment_by_type"]["rows"], [[DAY, 12, 2, 16.7], [LECTURE, 4, 1, 25.0]])
        self.assertEqual(found["activities_fulfilment_by_type"]["footer"], ["合计", 16, 3, 18.8])

    def test_a_quarter_and_a_month(self):
        quarter = self.get(self.staff, period="2025-Q1")
        self.assertEqual(quarter.context["period"].label, "2025年第一季度")
        self.assertEqual(cards(quarter)["activities.held"], 3)
        self.assertEqual(charts(quarter)["activities_by_month"]["rows"], [["1月", 1], ["2月", 1], ["3月", 1]])
        # Q1: PL1 January and February done, March missed; PL2's first quarter done → 3 of 4.
        self.assertEqual(cards(quarter)["activities.fulfilment_rate"], 75.0)
        month = self.get(self.staff, year="2025", span="M02")
        self.assertEqual(month.context["period"].key, "2025-02")
        self.assertEqual(cards(month)["activities.held"], 1)
        self.assertEqual(cards(month)["friendship.contacts"], 1)

    def test_tables_show_the_same_numbers(self):
        response = self.get(self.staff, period="2025")
        self.assertContains(response, '<td class="text-end">66.7</td>', html=False)
        self.assertContains(response, f'href="{URL}?period=2025&amp;unit={self.org.town1.pk}">东溪镇</a>')
        self.assertContains(response, "本级及其他单位（1个）")
        self.assertContains(response, 'id="dashboard-data"')

    def test_the_screen_shows_the_same_figures(self):
        self.client.force_login(self.staff)
        response = self.client.get(reverse("dashboard:screen"), {"period": "2025"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "data-screen")
        self.assertContains(response, "测试县统战工作数据")
        self.assertEqual([c["key"] for c in response.context["screen_charts"]], [
            "people_by_unit", "people_by_category", "representatives_by_stage", "friendship_by_unit",
            "activities_by_month", "activities_fulfilment_by_unit"])  # no duty list scores in the data: skipped
        self.assertContains(response, 'data-card="people.total">6<')


class ScopeTests(DashboardTestCase):
    def test_town_officer_sees_only_the_town_including_totals(self):
        response = self.get(self.town2_user, period="2025")
        self.assertEqual(response.context["unit"], self.org.town2)
        self.assertEqual(cards(response), {
            "people.total": 2, "representatives.total": 1, "representatives.certified": 0,
            "friendship.pairings": 1, "friendship.contacts": 1, "friendship.coverage_rate": 0.0,
            "activities.held": 1, "activities.fulfilment_rate": 25.0,
        })
        found = charts(response)
        self.assertEqual(found["people_by_unit"]["rows"], [["西岭村", 1], ["西岭镇本级", 1]])
        self.assertEqual(found["people_by_unit"]["footer"], ["合计", 2])
        expected = {name: 0 for name in CATEGORY_NAMES} | {DEMOCRATIC: 1, NEW_STRATUM: 1}
        self.assertEqual(dict(found["people_by_category"]["rows"]), expected)
        self.assertEqual(found["people_by_tier"]["rows"], [["县管", 0], ["镇管", 1], ["村管", 1]])
        self.assertEqual(found["representatives_by_stage"]["rows"],
                         [["发现", 1], ["培养", 0], ["认定", 0], ["退出", 0]])
        self.assertEqual(found["friendship_by_unit"]["rows"], [["西岭村", 0, 0, 0, None], ["西岭镇本级", 1, 0, 1, 0.0]])
        self.assertEqual(found["activities_by_type"]["rows"], [[DAY, 0], [LECTURE, 1], [VOLUNTEER, 0]])
        self.assertEqual(found["activities_fulfilment_by_type"]["rows"], [[LECTURE, 4, 1, 25.0]])
        self.assertNotContains(response, "东溪")  # nothing of the other town, not even its name
        self.assertNotContains(response, "测试县")
        self.assertEqual(response.context["trail"], [("西岭镇", f"{URL}?period=2025&unit={self.org.town2.pk}")])

    def test_drill_down_and_breadcrumbs(self):
        org = self.org
        response = self.get(self.staff, period="2025", unit=org.town1.pk)
        self.assertEqual(response.context["unit"], org.town1)
        self.assertEqual(cards(response)["people.total"], 3)
        self.assertEqual(charts(response)["people_by_unit"]["rows"], [["东溪村", 2], ["东溪镇本级", 1]])
        self.assertEqual(charts(response)["people_by_unit"]["drill"], [org.village1.pk, None])
        self.assertEqual([label for label, _ in response.context["trail"]], ["测试县", "东溪镇"])
        self.assertContains(response, f'<a href="{URL}?period=2025&amp;unit={org.county.pk}">测试县</a>')
        village = self.get(self.staff, period="2025", unit=org.village1.pk)
        self.assertEqual(cards(village)["people.total"], 2)
        self.assertNotIn("people_by_unit", charts(village))  # a village has no units below it
        self.assertEqual([label for label, _ in village.context["trail"]], ["测试县", "东溪镇", "东溪村"])

    def test_drill_down_out_of_scope_is_refused(self):
        org = self.org
        self.client.force_login(self.town2_user)
        self.assertEqual(self.client.get(URL, {"unit": org.village2.pk}).status_code, 200)
        for unit in (org.town1.pk, org.village1.pk, org.county.pk, org.member.pk, 999999, "abc", "-1"):
            for name in ("dashboard:index", "dashboard:screen"):
                response = self.client.get(reverse(name), {"unit": unit})
                self.assertEqual(response.status_code, 404, (name, unit))
                self.assertNotContains(response, "东溪", status_code=404)
            export = self.client.get(reverse("dashboard:export", args=["people_by_unit"]), {"unit": unit})
            self.assertEqual(export.status_code, 404, unit)

    def test_leader_reads_the_dashboard(self):
        response = self.get(self.leader, period="2025")
        self.assertEqual(cards(response)["people.total"], 6)

    def test_only_the_figures_of_what_the_user_may_see(self):
        """A role that may view pairings and contacts only: the pairing figures of its town, and no ledger,
        representative or activity figures (which would all be 0 for it)."""
        from django.contrib.auth.models import Permission

        role = Role.objects.create(name="结对联系查看", code="pairings_only", data_scope=Role.DataScope.UNIT_AND_BELOW)
        role.permissions.set(Permission.objects.filter(content_type__app_label="friendship",
                                                       codename__startswith="view_"))
        user = create_user("d_pairings", self.org.town1)
        Grant.objects.create(user=user, role=role)
        response = self.get(user, period="2025")
        self.assertEqual(response.context["unit"], self.org.town1)
        self.assertEqual(cards(response), {"friendship.pairings": 1, "friendship.contacts": 2,
                                           "friendship.coverage_rate": 100.0})
        self.assertEqual([s["key"] for s in response.context["sections"]], ["friendship"])
        self.assertEqual(charts(response)["friendship_by_unit"]["rows"], [["东溪村", 0, 0, 0, None],
                                                                          ["东溪镇本级", 1, 1, 0, 100.0]])

    def test_several_top_units(self):
        """A custom scope over two villages of different towns: the top of the dashboard is both of them."""
        org = self.org
        role = Role.objects.create(name="两村联络", code="two_villages", data_scope=Role.DataScope.CUSTOM)
        from django.apps import apps
        from django.contrib.auth.models import Permission

        business = [m for m in apps.get_models() if issubclass(m, BusinessModel)]
        role.permissions.set(Permission.objects.filter(codename__in=[f"view_{m._meta.model_name}" for m in business]))
        user = create_user("d_two", org.town1)
        Grant.objects.create(user=user, role=role).units.set([org.village1, org.village2])
        response = self.get(user, period="2025")
        self.assertIsNone(response.context["unit"])
        self.assertEqual(response.context["unit_label"], "全部管辖范围")
        self.assertEqual(cards(response)["people.total"], 3)  # P1 P2 (东溪村) and P4 (西岭村)
        self.assertEqual(charts(response)["people_by_unit"]["rows"], [["东溪村", 2], ["西岭村", 1]])
        self.assertEqual(self.get(user, unit=org.village2.pk, period="2025").status_code, 200)
        self.assertEqual(self.get(user, unit=org.town1.pk).status_code, 404)


class DutyListTests(DashboardTestCase):
    """The duty-list section is one entry of the section list, computed from duties.* like any other; being slow
    to compute, it is deferred: the page loads it from its own URL (htmx) once it is shown."""

    @staticmethod
    def fake(key, values):
        def compute(query):  # one value per unit (the county's is the whole), None for a unit not assessed
            return values.get(query.units[0].name) if query.units and len(query.units) == 1 else None
        return metrics.Metric(key, key, compute, unit="%" if "rate" in key else "分", app="duties")

    def fakes(self):
        return {
            "duties.completion_rate": self.fake("duties.completion_rate",
                                                {"测试县": 65.0, "东溪镇": 80.0, "西岭镇": 50.0}),
            "duties.score": self.fake("duties.score",
                                      {"测试县": 91.8, "东溪镇": 92.5, "西岭镇": 88.0, "县教育局": 95.0}),
        }

    def test_the_page_loads_the_section_after_itself(self):
        with mock.patch.dict(metrics._registry, self.fakes()):
            response = self.get(self.staff, period="2025")
        self.assertEqual(response.context["deferred"], [
            {"key": "duties", "title": "职责清单与考核", "icon": "ti-clipboard-check"}])
        self.assertNotIn("duties_ranking", charts(response))
        self.assertContains(response, f'hx-get="{reverse("dashboard:section", args=["duties"])}?period=2025&amp;unit='
                                      f'{self.org.county.pk}" hx-trigger="load"')

    def test_ranks_share_equal_scores(self):
        fakes = self.fakes()
        fakes["duties.score"] = self.fake("duties.score", {"东溪镇": 90.0, "西岭镇": 90.0})
        self.client.force_login(self.staff)
        with mock.patch.dict(metrics._registry, fakes):
            response = self.client.get(reverse("dashboard:section", args=["duties"]), {"period": "2025"})
        found = {c["key"]: c for c in response.context["section"]["charts"]}
        self.assertEqual(found["duties_ranking"]["rows"], [["东溪镇", 90.0, 1], ["西岭镇", 90.0, 1]])
        self.assertEqual(found["duties_ranking_others"]["rows"], [])  # 县教育局 not assessed: no figure

    def test_progress_and_ranking(self):
        self.client.force_login(self.staff)
        with mock.patch.dict(metrics._registry, self.fakes()):
            response = self.client.get(reverse("dashboard:section", args=["duties"]), {"period": "2025"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual([(c["key"], c["value"]) for c in response.context["section_cards"]],
                         [("duties.completion_rate", 65.0)])
        found = {c["key"]: c for c in response.context["section"]["charts"]}
        self.assertEqual(found["duties_progress"]["rows"], [["东溪镇", 80.0], ["西岭镇", 50.0]])  # 县教育局: none
        self.assertEqual(found["duties_progress"]["footer"], ["总体", 65.0])
        self.assertEqual(found["duties_ranking"]["rows"], [["东溪镇", 92.5, 1], ["西岭镇", 88.0, 2]])
        self.assertEqual(found["duties_ranking"]["drill"], [self.org.town1.pk, self.org.town2.pk])
        # Member units are ranked among themselves, not with the towns.
        self.assertEqual(found["duties_ranking_others"]["rows"], [["县教育局", 95.0, 1]])
        self.assertEqual(found["duties_ranking_others"]["limit"], 20)
        self.assertContains(response, "data-dashboard-charts=")
        self.assertContains(response, "职责清单与考核")
        self.assertNotContains(response, "<html")  # a fragment

    def test_the_screen_and_the_download_include_it(self):
        self.client.force_login(self.staff)
        with mock.patch.dict(metrics._registry, self.fakes()):
            screen = self.client.get(reverse("dashboard:screen"), {"period": "2025"})
            rows = self.client.get(reverse("dashboard:export", args=["duties_ranking"]), {"period": "2025"})
        self.assertIn("duties_ranking", [c["key"] for c in screen.context["screen_charts"]])
        self.assertContains(screen, 'data-card="duties.completion_rate">65<')
        self.assertEqual([r[:3] for r in workbook_rows(rows)[2:5]],
                         [["单位", "得分", "名次"], ["东溪镇", 92.5, 1.0], ["西岭镇", 88.0, 2.0]])

    def test_section_left_out_without_its_figures(self):
        registry = dict(metrics._registry)
        registry.pop("duties.completion_rate", None)
        registry.pop("duties.score", None)
        with mock.patch.dict(metrics._registry, registry, clear=True):
            response = self.get(self.staff, period="2025")
            section = self.client.get(reverse("dashboard:section", args=["duties"]))
        self.assertEqual(response.context["deferred"], [])
        self.assertNotContains(response, 'data-section="duties"')
        self.assertNotContains(response, "职责清单完成率")
        self.assertEqual(section.status_code, 404)
        self.assertEqual(self.client.get(reverse("dashboard:section", args=["people"])).status_code, 404)
