"""The dashboard's pages: who may open them, the period in the query string, the menu, and the Excel download of
every chart."""

from datetime import timedelta
from unittest import mock

from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from core import navigation
from core.models import AuditEvent
from core.testing import workbook_rows

from .test_dashboard_figures import URL, DashboardTestCase, charts


def numbers(row):
    """Cells as the sheet holds them, with whole numbers read back as ints."""
    return [int(c) if isinstance(c, float) and c.is_integer() else c for c in row]


class AccessTests(DashboardTestCase):
    def test_anonymous_is_sent_to_login(self):
        for name in ("dashboard:index", "dashboard:screen"):
            response = self.client.get(reverse(name))
            self.assertEqual(response.status_code, 302)
            self.assertTrue(response["Location"].startswith(reverse("login")))
        response = self.client.get(reverse("dashboard:export", args=["overview"]))
        self.assertEqual(response.status_code, 302)

    def test_admin_roles_see_no_figures(self):
        self.client.force_login(self.sysadmin)
        for url in (URL, reverse("dashboard:screen"), reverse("dashboard:export", args=["overview"])):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 403, url)
            self.assertNotContains(response, "在册统战成员", status_code=403)

    def test_menu(self):
        def items(user):
            return [(group, item.label) for group, entries in navigation.menu_for(user) for item in entries]

        for user in (self.staff, self.town2_user, self.leader):
            self.assertIn(("统计分析", "数据看板"), items(user))
        self.assertNotIn(("统计分析", "数据看板"), items(self.sysadmin))
        response = self.get(self.staff)
        self.assertContains(response, f'<a class="nav-link" href="{URL}" aria-current="page">')


class PeriodTests(DashboardTestCase):
    def test_this_year_by_default(self):
        response = self.get(self.staff)
        self.assertEqual(response.context["period"].key, "2026")  # TODAY is 2026-06-30
        self.assertEqual((response.context["year"], response.context["span"]), ("2026", ""))

    def test_period_keys_and_the_form(self):
        for params, key, span in [({"period": "2025-Q3"}, "2025-Q3", "Q3"), ({"period": "2025-07"}, "2025-07", "M07"),
                                  ({"year": "2025", "span": "Q2"}, "2025-Q2", "Q2"),
                                  ({"year": "2025", "span": "M12"}, "2025-12", "M12"),
                                  ({"year": "2025", "span": ""}, "2025", "")]:
            response = self.get(self.staff, **params)
            self.assertEqual(response.context["period"].key, key, params)
            self.assertEqual(response.context["span"], span, params)
            self.assertContains(response, f"?period={key}&amp;unit={self.org.town1.pk}")  # drill links keep it

    def test_a_bad_period_is_explained(self):
        for params, words in [({"period": "2025-13"}, "统计期间“2025-13”无效"),
                              ({"period": "明年"}, "统计期间“明年”无效"),
                              ({"year": "20x5"}, "统计期间“20x5”无效"),
                              ({"period": "1990"}, "超出可选范围"),
                              ({"period": "2024-01-01~2025-12-31"}, "最长一年")]:
            response = self.get(self.staff, **params)
            self.assertEqual(response.status_code, 200, params)
            self.assertEqual(response.context["period"].key, "2026", params)
            self.assertContains(response, words)
            self.assertContains(response, "已改为显示2026年的数据")


class ExportTests(DashboardTestCase):
    def export(self, user, key, **params):
        self.client.force_login(user)
        return self.client.get(reverse("dashboard:export", args=[key]), params)

    def test_a_chart_as_excel(self):
        rows = workbook_rows(self.export(self.staff, "people_by_unit", period="2025"))
        self.assertEqual(rows[0][0], "在册统战成员（按单位）（测试县，2025年）")
        self.assertTrue(rows[1][0].startswith("导出人："))
        self.assertEqual([numbers(r)[:2] for r in rows[2:]], [
            ["单位", "在册人数"], ["东溪镇", 3], ["西岭镇", 2], ["本级及其他单位（1个）", 1], ["合计", 6],
            ["说明：点击镇街或村社可查看其看板。", ""]])
        event = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).latest("id")
        self.assertEqual(event.object_type, "dashboard")
        self.assertEqual(event.changes["图表"], "people_by_unit")
        self.assertEqual(event.changes["单位"], "测试县")

    def test_every_chart_downloads_what_it_shows(self):
        shown = charts(self.get(self.staff, period="2025"))
        for key, chart in shown.items():
            rows = workbook_rows(self.export(self.staff, key, period="2025"))
            self.assertEqual(rows[2][:len(chart["columns"])], chart["columns"], key)
            body = [numbers(r)[:len(chart["columns"])] for r in rows[3:3 + len(chart["rows"])]]
            self.assertEqual(body, [[("" if c is None else c) for c in row] for row in chart["rows"]], key)

    def test_rates_and_the_overview(self):
        rows = workbook_rows(self.export(self.staff, "friendship_by_unit", period="2025"))
        self.assertEqual(numbers(rows[-1])[:5] if rows[-1][0] == "合计" else numbers(rows[-2])[:5],
                         ["合计", 3, 2, 1, 66.7])
        overview = workbook_rows(self.export(self.staff, "overview", period="2025"))
        self.assertEqual(overview[0][0], "主要指标（测试县，2025年）")
        table = {row[0]: numbers(row)[1:3] for row in overview[3:]}
        self.assertEqual(table["在册统战成员"], [6, "名"])
        self.assertEqual(table["联系进度达标率"], [66.7, "%"])
        self.assertEqual(table["职责清单完成率"], ["", "%"])  # undefined: left blank

    def test_town_officer_downloads_only_their_town(self):
        rows = workbook_rows(self.export(self.town2_user, "people_by_unit", period="2025"))
        self.assertEqual(rows[0][0], "在册统战成员（按单位）（西岭镇，2025年）")
        self.assertEqual([numbers(r)[:2] for r in rows[3:6]], [["西岭村", 1], ["西岭镇本级", 1], ["合计", 2]])
        text = "\n".join(str(c) for row in rows for c in row)
        self.assertNotIn("东溪", text)

    def test_downloads_need_the_export_permission(self):
        # Issue 11.6: the read-only leader and a village liaison see the figures but download nothing.
        from accounts.testing import create_user

        liaison = create_user("d_village", self.org.village1, "village_liaison")
        for user in (self.leader, liaison):
            page = self.get(user, period="2025")
            self.assertEqual(page.status_code, 200)
            self.assertEqual(page.context["downloadable"], set())
            self.assertNotContains(page, "data-chart-export")
            self.assertNotContains(page, "导出主要指标")
            for key in ("overview", "people_by_unit", "friendship_by_unit", "duties_ranking"):
                response = self.export(user, key, period="2025")
                self.assertEqual(response.status_code, 403, (user, key))
                self.assertNotContains(response, "在册统战成员", status_code=403)
        self.assertFalse(AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists())
        denied = AuditEvent.objects.filter(action=AuditEvent.Action.DENIED, object_type="dashboard")
        self.assertEqual(denied.count(), 8)
        self.assertEqual({e.username for e in denied}, {"d_leader", "d_village"})
        page = self.get(self.staff, period="2025")
        self.assertIn("overview", page.context["downloadable"])
        self.assertContains(page, 'data-chart-export="people_by_unit"')

    def test_a_download_counts_only_what_the_user_may_export(self):
        # Viewing the whole county (leader) and exporting one town (town officer): the download is the town's.
        from accounts.models import Grant, Role

        Grant.objects.create(user=self.town2_user, role=Role.objects.get(code="leader"), unit=self.org.county)
        page = self.get(self.town2_user, period="2025")
        self.assertEqual(page.context["cards"][0]["value"], 6)  # the page: the county, as the leader sees it
        rows = workbook_rows(self.export(self.town2_user, "overview", period="2025"))
        table = {row[0]: numbers(row)[1:3] for row in rows[3:]}
        self.assertEqual(table["在册统战成员"], [2, "名"])  # the download: what the town officer may export

    def test_unknown_chart(self):
        self.assertEqual(self.export(self.staff, "no_such_chart").status_code, 404)


class ScreenIdleTests(DashboardTestCase):
    """Issue 11.12: the big screen reloads itself (marked auto_refresh=1); that is not activity, so an unattended
    screen is signed out at the 30-minute idle timeout and its next reload shows the login page."""

    SCREEN = reverse("dashboard:screen")

    def at(self, minutes):
        return mock.patch("django.utils.timezone.now", return_value=self.start + timedelta(minutes=minutes))

    def expiry(self):
        return Session.objects.get(pk=self.client.cookies[settings.SESSION_COOKIE_NAME].value).expire_date

    def setUp(self):
        super().setUp()
        self.start = timezone.now()
        with self.at(0):
            self.client.force_login(self.staff)
            self.assertContains(self.client.get(self.SCREEN, {"period": "2025"}), 'data-refresh="300"')

    def reload(self):
        return self.client.get(self.SCREEN, {"period": "2025", "auto_refresh": "1"})

    def test_reloads_do_not_keep_the_session_alive(self):
        expiry = self.expiry()
        for minutes in (5, 20, 29):
            with self.at(minutes):
                self.assertContains(self.reload(), "测试县统战工作数据")
            self.assertEqual(self.expiry(), expiry, minutes)
        with self.at(31):
            response = self.reload()
            self.assertEqual(response.status_code, 302)
            self.assertTrue(response["Location"].startswith(reverse("login") + "?next="))
            self.assertIn("auto_refresh", response["Location"])  # back on the screen after signing in again
            self.assertContains(self.client.get(response["Location"]), 'name="password"')

    def test_the_users_own_requests_still_count(self):
        with self.at(20):
            self.assertEqual(self.client.get(self.SCREEN, {"period": "2025"}).status_code, 200)
        with self.at(45):  # 25 minutes after the last own request: still signed in
            self.assertContains(self.reload(), "测试县统战工作数据")
        with self.at(51):
            self.assertEqual(self.reload().status_code, 302)
