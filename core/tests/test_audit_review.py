"""The audit administrator's daily review (安全事件日审): one day's security-relevant events in groups, an Excel
export, and marking the day reviewed (itself an audit event)."""

from datetime import datetime, timedelta
from unittest import mock

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from accounts.models import Grant, Role
from accounts.testing import create_user
from core import audit
from core.models import AuditEvent
from core.testing import export_text
from core.tests.sample.models import SampleRecord
from org.testing import build_county

REVIEW = reverse("audit:daily_review")
EXPORT = reverse("audit:daily_review_export")
MARK = reverse("audit:daily_review_mark")
PERSON = "欧阳明月"


def moment(day, hour=10):
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=hour))


class DailyReviewTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.auditor = create_user("t_auditor", cls.org.county, "auditor")
        cls.secadmin = create_user("t_secadmin", cls.org.county, "secadmin")
        cls.dept_leader = create_user("t_dept_leader", cls.org.county, "grant_approver")
        cls.staff = create_user("t_staff", cls.org.county, "county_staff")
        cls.day = timezone.localdate() - timedelta(days=2)
        cls.record = SampleRecord.objects.create(name=PERSON, owner_unit=cls.org.village1)
        at = moment(cls.day)
        with mock.patch("core.audit.timezone.now", return_value=at):
            audit.record(AuditEvent.Action.LOGIN_FAILED, success=False, object_type="账号", label="t_staff")
            audit.record(AuditEvent.Action.LOCKOUT, success=False, object_type="账号", label="t_staff")
            audit.record(AuditEvent.Action.REVEAL, user=cls.staff, obj=cls.record, changes={"字段": ["联系电话"]})
            audit.record(AuditEvent.Action.EXPORT, user=cls.staff, object_type="sample.SampleRecord",
                         label="样例（3行）", changes={"行数": 3, "完整导出": True, "筛选条件": {"搜索": PERSON}})
            audit.record(AuditEvent.Action.EXPORT, user=cls.staff, object_type="sample.SampleRecord",
                         label="样例（3行）", changes={"行数": 3, "完整导出": False})
            audit.record(AuditEvent.Action.DENIED, success=False, user=cls.staff, object_type="sample.SampleRecord",
                         label="完整导出（无权限）")
            audit.record("lookup", success=False, user=cls.staff, object_type="sample.SampleRecord",
                         label="身份证号查询")
            audit.record(AuditEvent.Action.UPDATE, user=cls.staff, obj=cls.record, changes={"名称": ["", PERSON]})
        # The day before: one event, so that day is listed as not reviewed.
        with mock.patch("core.audit.timezone.now", return_value=moment(cls.day - timedelta(days=1))):
            audit.record(AuditEvent.Action.DENIED, success=False, user=cls.staff, label="越权")

    def setUp(self):
        self.client.force_login(self.auditor)

    def page(self, day=None, **params):
        response = self.client.get(REVIEW, {"day": (day or self.day).isoformat(), **params})
        self.assertEqual(response.status_code, 200)
        return response

    def counts(self, response):
        return {item["group"].key: item["count"] for item in response.context["groups"]}

    def grant_flow(self):
        """On the review day: the security administrator asks for a grant, the department leader approves it."""
        newcomer = create_user("t_newcomer", self.org.town1)
        secadmin, leader = self.client_class(), self.client_class()
        secadmin.force_login(self.secadmin)
        leader.force_login(self.dept_leader)
        with mock.patch("core.audit.timezone.now", return_value=moment(self.day, 15)):
            secadmin.post(reverse("accounts:grant_add", args=[newcomer.pk]),
                          {"role": Role.objects.get(code="town_officer").pk})
            grant = Grant.objects.get(user=newcomer)
            leader.post(reverse("accounts:grant_review", args=[grant.pk]), {"decision": "approve", "note": "同意"})
        return grant


class AccessTests(DailyReviewTestCase):
    def test_only_the_auditor(self):
        for user in (self.secadmin, self.staff, self.dept_leader, create_user("t_sys", self.org.county, "sysadmin")):
            self.client.force_login(user)
            for url in (REVIEW, EXPORT):
                self.assertEqual(self.client.get(url).status_code, 403, (user.username, url))
            self.assertEqual(self.client.post(MARK, {"day": self.day.isoformat()}).status_code, 403)
        self.assertFalse(AuditEvent.objects.filter(action=AuditEvent.Action.REVIEW).exists())
        self.client.logout()
        self.assertTrue(self.client.get(REVIEW)["Location"].startswith(reverse("login")))

    def test_mark_accepts_post_only(self):
        self.assertEqual(self.client.get(MARK).status_code, 405)


class GroupsTests(DailyReviewTestCase):
    def test_each_kind_of_event_in_its_group_with_counts(self):
        response = self.page()
        counts = self.counts(response)
        self.assertEqual((counts["logins"], counts["reveals"], counts["full_exports"], counts["lookups_refused"],
                          counts["denied"]), (2, 1, 1, 1, 1))
        self.assertEqual(response.context["total"], 6)  # the ordinary export and the edit are not reviewed
        self.assertContains(response, "登录失败与账号锁定")
        self.assertNotContains(response, PERSON)  # masked like everywhere on the auditor's pages

    def test_the_grant_and_its_approval_are_listed(self):
        grant = self.grant_flow()
        response = self.page()
        counts = self.counts(response)
        self.assertEqual((counts["grant_requests"], counts["grant_approvals"]), (1, 1))
        rows = {item["group"].key: item["rows"] for item in response.context["groups"]}
        approval = rows["grant_approvals"][0]["event"]
        self.assertEqual((approval.username, approval.object_id), ("t_dept_leader", str(grant.pk)))
        self.assertEqual(rows["grant_requests"][0]["event"].username, "t_secadmin")
        self.assertContains(response, "t_newcomer · 镇街统战委员")
        self.assertContains(response, "操作: （空） → 批准授权")

    def test_another_day_and_bad_days(self):
        self.assertEqual(self.page(self.day - timedelta(days=1)).context["total"], 1)
        self.assertEqual(self.client.get(REVIEW).context["day"], timezone.localdate() - timedelta(days=1))
        response = self.client.get(REVIEW, {"day": "2026-13-45"}, follow=True)
        self.assertContains(response, "日期格式不正确")
        future = (timezone.localdate() + timedelta(days=3)).isoformat()
        self.assertContains(self.client.get(REVIEW, {"day": future}), "不能复核今天以后的日期")

    def test_export_has_every_group_and_is_audited(self):
        self.grant_flow()
        text = export_text(self.client.get(EXPORT, {"day": self.day.isoformat()}))
        for title in ("授权申请与修改", "授权批准", "登录失败与账号锁定", "完整导出", "身份证号查询被拒", "越权访问"):
            self.assertIn(title, text)
        self.assertNotIn(PERSON, text)
        event = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).order_by("-id").first()
        self.assertEqual((event.username, event.changes["行数"]), ("t_auditor", 8))


class MarkReviewedTests(DailyReviewTestCase):
    def test_mark_a_day_reviewed_once(self):
        response = self.client.post(MARK, {"day": self.day.isoformat(), "note": "均为正常操作"}, follow=True)
        self.assertContains(response, "已复核：t_auditor")
        self.assertContains(response, "均为正常操作")
        review = AuditEvent.objects.get(action=AuditEvent.Action.REVIEW)
        self.assertEqual((review.object_id, review.username), (self.day.isoformat(), "t_auditor"))
        self.assertEqual(review.changes["事件数"], 6)
        self.assertNotContains(response, f'action="{MARK}"')  # no second marking form
        again = self.client.post(MARK, {"day": self.day.isoformat()}, follow=True)
        self.assertContains(again, "已经复核过")
        self.assertEqual(AuditEvent.objects.filter(action=AuditEvent.Action.REVIEW).count(), 1)
        self.assertIsNone(audit.verify_chain()[1])

    def test_today_and_bad_input_cannot_be_marked(self):
        today = timezone.localdate().isoformat()
        self.assertContains(self.client.get(REVIEW, {"day": today}), "今天尚未结束")
        for data in ({"day": today}, {"day": "x"}, {}, {"day": self.day.isoformat(), "note": "长" * 201}):
            self.client.post(MARK, data)
        self.assertFalse(AuditEvent.objects.filter(action=AuditEvent.Action.REVIEW).exists())

    def test_workbench_shows_days_not_reviewed(self):
        def unreviewed():
            widgets = self.client.get(reverse("workbench")).context["widgets"]
            stats = next(w for w in widgets if w["title"] == "近7天审计概况")["stats"]
            return next(s for s in stats if s["label"] == "近7天未日审的日期")["value"]

        before = unreviewed()
        self.assertEqual(before, 7)
        self.client.post(MARK, {"day": self.day.isoformat()})
        self.assertEqual(unreviewed(), before - 1)
        strip = {item["day"]: item["reviewed"] for item in self.page().context["recent"]}
        self.assertTrue(strip[self.day])
        self.assertFalse(strip[self.day - timedelta(days=1)])
