"""The audit administrator's pages: who gets in, filters, detail, export (itself audited), chain check, read-only."""

import io
from datetime import datetime
from unittest import mock

from django.conf import settings
from django.test import TestCase
from django.urls import get_resolver, reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from accounts.testing import create_user
from core import audit
from core.models import AuditEvent
from core.navigation import menu_for
from core.testing import export_text
from core.tests.audit_tools import audit_table_unprotected
from core.tests.sample.models import SampleRecord
from org.testing import build_county

LIST = reverse("audit:event_list")
EXPORT = reverse("audit:event_export")
VERIFY = reverse("audit:chain_verify")


def at(year, month, day, hour=12):
    return timezone.make_aware(datetime(year, month, day, hour))


def record_at(moment, *args, **kwargs):
    with mock.patch("core.audit.timezone.now", return_value=moment):
        return audit.record(*args, **kwargs)


class AuditPagesTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.auditor = create_user("t_auditor", cls.org.county, "auditor")
        cls.sysadmin = create_user("t_sysadmin", cls.org.county, "sysadmin")
        cls.secadmin = create_user("t_secadmin", cls.org.county, "secadmin")
        cls.county_staff = create_user("t_county", cls.org.county, "county_staff")
        cls.town1_user = create_user("t_town1", cls.org.town1, "town_officer")
        cls.village_user = create_user("t_village1", cls.org.village1, "village_liaison")
        cls.town2_user = create_user("t_town2", cls.org.town2, "town_officer")
        cls.no_role = create_user("t_norole", cls.org.town1)
        cls.record = SampleRecord.objects.create(name="记录甲", phone="13812345678", owner_unit=cls.org.village1)
        cls.login_event = record_at(at(2026, 3, 1), AuditEvent.Action.LOGIN, user=cls.town1_user,
                                    object_type="账号", label="t_town1")
        cls.update_event = record_at(
            at(2026, 3, 2), AuditEvent.Action.UPDATE, user=cls.village_user, obj=cls.record,
            changes={"联系电话": ["138****5678", "139****9999"], "名称": ["", "记录甲"]},
        )
        cls.failed_event = record_at(at(2026, 3, 3), AuditEvent.Action.LOGIN_FAILED, user=cls.town2_user,
                                     success=False, object_type="账号", label="t_town2")
        cls.formula_event = record_at(at(2026, 3, 4), AuditEvent.Action.CONFIG, user=cls.sysadmin,
                                      object_type="org.Unit", label="=HYPERLINK(\"http://x\")")

    def setUp(self):
        self.client.force_login(self.auditor)

    def listed(self, **params):
        response = self.client.get(LIST, params)
        self.assertEqual(response.status_code, 200)
        return list(response.context["table"].data)


class AccessTests(AuditPagesTestCase):
    def urls(self):
        return [LIST, reverse("audit:event_detail", args=[self.update_event.pk]), EXPORT, VERIFY]

    def test_anonymous_is_sent_to_login(self):
        self.client.logout()
        for url in self.urls():
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302, url)
            self.assertTrue(response["Location"].startswith(reverse("login")), url)

    def test_only_the_audit_administrator_gets_in(self):
        others = AuditEvent.objects.exclude(action=AuditEvent.Action.LOGIN)  # force_login itself is audited
        before = others.count()
        for user in (self.sysadmin, self.secadmin, self.county_staff, self.town1_user, self.village_user,
                     self.no_role):
            self.client.force_login(user)
            for url in self.urls():
                response = self.client.get(url)
                self.assertEqual(response.status_code, 403, f"{user.username} {url}")
                self.assertNotContains(response, "记录甲", status_code=403)
        # a refused export writes nothing, and certainly no export event
        self.assertFalse(AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists())
        self.assertEqual(others.count(), before)

    def test_auditor_gets_every_page(self):
        for url in self.urls():
            response = self.client.get(url)
            response.getvalue()  # read to the end: the client then closes a download as a WSGI server would
            self.assertEqual(response.status_code, 200, url)

    def test_inactive_auditor_is_refused(self):
        self.auditor.is_active = False
        self.auditor.save()
        self.client.force_login(self.auditor)
        response = self.client.get(LIST)
        self.assertIn(response.status_code, (302, 403))

    def test_menu_item_only_for_the_auditor(self):
        def labels(user):
            return [item.label for _, items in menu_for(user) for item in items]

        self.assertIn("审计日志", labels(self.auditor))
        for user in (self.sysadmin, self.secadmin, self.county_staff, self.town1_user):
            self.assertNotIn("审计日志", labels(user), user.username)


class ReadOnlyTests(AuditPagesTestCase):
    def test_no_method_but_get_is_accepted(self):
        detail = reverse("audit:event_detail", args=[self.update_event.pk])
        for url in (LIST, detail, EXPORT, VERIFY):
            for method in ("post", "put", "patch", "delete"):
                response = getattr(self.client, method)(url, {"object_label": "改"})
                self.assertEqual(response.status_code, 405, f"{method} {url}")
        self.assertEqual(AuditEvent.objects.get(pk=self.update_event.pk).object_label, "记录甲")
        self.assertEqual(audit.verify_chain()[1], None)

    def test_there_is_no_route_that_edits_or_deletes(self):
        resolver = get_resolver()
        audit_urls = resolver.namespace_dict["audit"][1]
        names = {name for name in audit_urls.reverse_dict if isinstance(name, str)}
        self.assertEqual(names, {"event_list", "event_detail", "event_export", "chain_verify", "daily_review",
                                 "daily_review_export", "daily_review_mark"})
        for pattern in audit_urls.url_patterns:
            methods = set(pattern.callback.view_class.http_method_names)
            # Marking a day reviewed appends one event (core/tests/test_audit_review.py); nothing else writes.
            allowed = {"post"} if pattern.name == "daily_review_mark" else {"get", "head"}
            self.assertLessEqual(methods, allowed, pattern.name)

    def test_no_admin_site(self):
        self.assertNotIn("django.contrib.admin", settings.INSTALLED_APPS)


class ListAndFilterTests(AuditPagesTestCase):
    def test_newest_first_with_compact_changes(self):
        response = self.client.get(LIST)
        rows = list(response.context["table"].data)
        self.assertEqual([e.pk for e in rows], sorted((e.pk for e in rows), reverse=True))
        # A business record's values are masked for the auditor (core.audit_display); field names stay.
        self.assertContains(response, "联系电话: 138******78 → 139******99")
        self.assertContains(response, "名称: （空） → 记*")
        self.assertNotContains(response, "记录甲")
        self.assertContains(response, "样例记录")  # object type shown by its Chinese name
        self.assertContains(response, f"#{self.record.pk}")
        self.assertContains(response, "失败")
        self.assertContains(response, reverse("audit:event_detail", args=[self.update_event.pk]))
        self.assertNotContains(response, "13812345678")

    def test_htmx_request_gets_only_the_results(self):
        response = self.client.get(LIST, {"action": "login"}, headers={"HX-Request": "true"})
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "<html")
        self.assertContains(response, "t_town1")

    def test_filter_by_action(self):
        self.assertEqual(self.listed(action="login_failed"), [self.failed_event])

    def test_filter_by_user(self):
        self.assertEqual(self.listed(user="town2"), [self.failed_event])
        self.assertEqual(self.listed(user="T_TOWN2"), [self.failed_event])

    def test_filter_by_unit_takes_the_subtree(self):
        self.assertEqual(self.listed(unit=self.org.town1.pk), [self.update_event, self.login_event])
        self.assertEqual(self.listed(unit=self.org.village1.pk), [self.update_event])
        self.assertEqual(self.listed(unit=self.org.member.pk), [])

    def test_filter_by_result(self):
        self.assertEqual(self.listed(success="0"), [self.failed_event])
        self.assertNotIn(self.failed_event, self.listed(success="1"))

    def test_filter_by_dates_in_local_time(self):
        self.assertEqual(self.listed(date_from="2026-03-02", date_to="2026-03-03"),
                         [self.failed_event, self.update_event])
        self.assertEqual(self.listed(date_to="2026-03-01"), [self.login_event])
        self.assertEqual(self.listed(date_from="2026-03-04", date_to="2026-03-04"), [self.formula_event])
        # 00:30 local on 5 March is still 4 March in UTC: it belongs to the 5th here
        late = record_at(at(2026, 3, 5, 0), AuditEvent.Action.CONFIG, label="午夜")
        self.assertEqual(self.listed(date_from="2026-03-05", date_to="2026-03-05"), [late])

    def test_filter_by_object(self):
        # A business record's label is masked, so searching it would only tell that such a name is in the log.
        self.assertEqual(self.listed(object="记录甲"), [])
        self.assertEqual(self.listed(object="t_town1"), [self.login_event])  # an account's label is searched
        self.assertEqual(self.listed(object="样例记录"), [self.update_event])  # the model's Chinese name
        self.assertEqual(self.listed(object=str(self.record.pk), action="update"), [self.update_event])
        self.assertEqual(self.listed(object="账号", user="town1"), [self.login_event])

    def test_filter_by_request_id(self):
        from django.test import RequestFactory

        request = RequestFactory().get("/")
        request.request_id = "ab" * 16
        event = audit.record(AuditEvent.Action.CONFIG, request=request, label="带请求编号")
        self.assertEqual(self.listed(request_id=("AB" * 16) + " "), [event])

    def test_bad_filters_say_so_and_show_nothing(self):
        response = self.client.get(LIST, {"date_from": "2026-13-40"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "筛选条件有误")
        self.assertEqual(list(response.context["table"].data), [])
        response = self.client.get(LIST, {"date_from": "2026-03-05", "date_to": "2026-03-01"})
        self.assertContains(response, "结束日期不能早于开始日期")
        response = self.client.get(LIST, {"action": "no-such-action"})
        self.assertContains(response, "筛选条件有误")

    def test_pagination(self):
        for i in range(60):
            audit.record(AuditEvent.Action.CONFIG, label=f"批量{i}")
        first = self.client.get(LIST)
        self.assertEqual(len(first.context["table"].page.object_list), 50)
        second = self.client.get(LIST, {"page": 2})
        self.assertEqual(second.status_code, 200)
        total = AuditEvent.objects.count()  # the fixtures, the 60 above and the auditor's own sign-in
        self.assertEqual(len(second.context["table"].page.object_list), total - 50)
        self.assertContains(second, f"共 {total} 条")


class DetailTests(AuditPagesTestCase):
    def test_detail_shows_changes_and_checks(self):
        response = self.client.get(reverse("audit:event_detail", args=[self.update_event.pk]))
        self.assertContains(response, "联系电话")
        self.assertContains(response, "139******99")
        self.assertNotContains(response, "记录甲")
        self.assertContains(response, "记*")
        self.assertContains(response, self.update_event.hash)
        self.assertContains(response, "一致")
        self.assertContains(response, "衔接")
        self.assertNotContains(response, "不一致")

    def test_detail_flags_an_altered_event(self):
        with audit_table_unprotected():
            AuditEvent.objects.filter(pk=self.update_event.pk).update(object_label="改过")
        response = self.client.get(reverse("audit:event_detail", args=[self.update_event.pk]))
        self.assertContains(response, "不一致（事件被修改）")

    def test_detail_flags_a_missing_predecessor(self):
        with audit_table_unprotected():
            AuditEvent.objects.filter(pk=self.update_event.pk).delete()
        response = self.client.get(reverse("audit:event_detail", args=[self.failed_event.pk]))
        self.assertContains(response, "断开")

    def test_unknown_event_is_404(self):
        self.assertEqual(self.client.get(reverse("audit:event_detail", args=[999999])).status_code, 404)


class ExportTests(AuditPagesTestCase):
    def test_export_of_the_filtered_events_is_audited(self):
        response = self.client.get(EXPORT, {"unit": self.org.town1.pk})
        text = export_text(response)
        self.assertIn("联系电话: 138******78 → 139******99", text)
        self.assertNotIn("记录甲", text)
        self.assertIn("t_town1", text)
        self.assertNotIn("t_town2", text)
        self.assertIn(self.update_event.hash, text)
        self.assertIn("单位（含下级）=东溪镇", text)  # the filter is stated in the heading
        event = AuditEvent.objects.order_by("-id").first()
        self.assertEqual(event.action, AuditEvent.Action.EXPORT)
        self.assertEqual(event.username, "t_auditor")
        self.assertEqual(event.object_type, "core.AuditEvent")
        self.assertEqual(event.changes, {"筛选条件": {"单位（含下级）": "东溪镇"}, "行数": 2})
        self.assertIsNone(audit.verify_chain()[1])

    def test_export_rows_and_cells(self):
        response = self.client.get(EXPORT, {"date_to": "2026-03-31"})  # the four fixture events
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
        rows = workbook.get_sheet_by_name(workbook.sheet_names[0]).to_python()
        header_index = next(i for i, row in enumerate(rows) if row and row[0] == "编号")
        header = rows[header_index]
        self.assertEqual(header[:3], ["编号", "时间", "用户"])
        body = rows[header_index + 1:]
        self.assertEqual(len(body), 4)
        by_user = {row[header.index("用户")]: row for row in body}
        self.assertEqual(by_user["t_town2"][header.index("结果")], "失败")
        self.assertEqual(by_user["t_village1"][header.index("时间")], "2026-03-02 12:00:00")
        # a value that would be a formula in Excel is written as text
        self.assertEqual(by_user["t_sysadmin"][header.index("对象")], "'=HYPERLINK(\"http://x\")")

    def test_export_with_bad_filters_goes_back_to_the_list(self):
        response = self.client.get(EXPORT, {"date_from": "not-a-date"})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(LIST))
        self.assertFalse(AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists())

    def test_export_link_carries_the_filters(self):
        response = self.client.get(LIST, {"action": "login", "page": "1"})
        self.assertContains(response, f'href="{EXPORT}?action=login"')


class VerifyPageTests(AuditPagesTestCase):
    def test_intact_chain(self):
        response = self.client.get(VERIFY)
        self.assertContains(response, f"已校验 {AuditEvent.objects.count()} 条审计事件，哈希链完整。")
        self.assertContains(response, AuditEvent.objects.order_by("-id").first().hash)
        self.assertNotContains(response, "触发器缺失")

    def test_broken_chain_names_the_event(self):
        with audit_table_unprotected():
            AuditEvent.objects.filter(pk=self.update_event.pk).update(changes={})
        response = self.client.get(VERIFY)
        self.assertContains(response, "哈希链在第 2 条事件处断裂")
        self.assertContains(response, f"编号 {self.update_event.pk}")
