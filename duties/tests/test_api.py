"""据单督查 over the REST API: the unit's list, its submissions written through the page's form, the review outcome
read-only — and 西岭镇 (town2) neither sees nor touches 东溪镇's (town1)."""

from datetime import date
from decimal import Decimal as D
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from accounts.testing import bearer
from core.models import AuditEvent
from duties.models import Submission, SubmissionStep

from .submission_fixtures import add_progress_submissions, build

S = Submission.Status
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="工作计划.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


class DutiesApiTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.ns = build()
        add_progress_submissions(cls.ns)
        cls.org, cls.items = cls.ns.org, cls.ns.items
        cls.town1, cls.town2 = cls.ns.town1_user, cls.ns.town2_user
        cls.overseas = Submission.objects.get(indicator=cls.items.overseas)  # town1's, submitted
        cls.returned = Submission.objects.get(indicator=cls.items.plan, owner_unit=cls.org.town2)

    def call(self, user, method, path, body=None, *, write=True):
        return getattr(self.client, method)(f"/api/v1/duties/{path}", body, content_type="application/json",
                                            **bearer(user, write=write))

    def upload(self, user, submission, *files, write=True):
        return self.client.post(f"/api/v1/duties/submissions/{submission.pk}/attachments/", {"files": list(files)},
                                **bearer(user, write=write))

    def start(self, user, item, key="2025-Q3", unit=None, **evidence):
        return self.call(user, "post", "submissions/", {
            "indicator": item.pk, "unit": (unit or self.org.town1).pk, "period_key": key, **evidence})

    def test_the_unit_s_list_is_the_page_s(self):
        items = self.call(self.town1, "get", "list/?year=2025").json()["items"]
        self.assertEqual([(i["number"], i["text"]) for i in items], [
            ("1.1", "报送年度统战工作计划"), ("1.2", "每季度开展同心大讲堂"), ("1.3", "统战工作特色亮点"),
            ("2.1", "统战信息被上级采用"), ("2.2", "东溪镇侨务工作")])
        self.assertEqual(items[0]["category"], "一、基础工作")
        lecture = items[1]
        self.assertEqual([o["period_key"] for o in lecture["occurrences"]],
                         ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"])
        self.assertEqual([o["done"] for o in lecture["occurrences"]], [True, True, False, False])  # the rule's figure
        overseas = items[4]["occurrences"][0]
        self.assertEqual((overseas["status"], overseas["submission_id"]), (S.SUBMITTED, self.overseas.pk))
        self.assertNotIn("侨务", str(self.call(self.town2, "get", "list/?year=2025").json()))

    def test_the_list_of_a_unit_outside_the_scope_is_404_and_bad_choices_422(self):
        response = self.call(self.town2, "get", f"list/?year=2025&unit={self.org.town1.pk}")
        self.assertEqual(response.status_code, 404)
        self.assertNotIn("东溪", response.content.decode())
        self.assertEqual(self.call(self.town2, "get", "list/?year=2019").json()["detail"],
                         "2019年没有已发布的考核细则。")
        with mock.patch("duties.services.timezone.localdate", return_value=date(2031, 3, 1)):
            none = self.call(self.ns.county_staff, "get", "list/")  # no scheme published for 2031: no unit to list
        self.assertEqual((none.status_code, none.json()["detail"]), (422, "您的数据范围内没有纳入考核的单位。"))
        picked = self.call(self.ns.county_staff, "get", "list/?year=2025")  # two towns: which one?
        self.assertEqual((picked.status_code, picked.json()["detail"][:7]), (422, "请用 unit"))
        self.assertEqual(len(self.call(self.ns.county_staff, "get",
                                       f"list/?year=2025&unit={self.org.town2.pk}").json()["items"]), 4)

    def test_submissions_are_scoped_and_filtered_like_the_pages(self):
        def ids(user, query=""):
            return {s["id"] for s in self.call(user, "get", f"submissions/{query}").json()["items"]}

        town1_ids = set(Submission.objects.filter(owner_unit=self.org.town1).values_list("pk", flat=True))
        self.assertEqual(ids(self.town1), town1_ids)
        self.assertFalse(ids(self.town2) & town1_ids)
        self.assertEqual(ids(self.town1, "?status=submitted"), {self.overseas.pk})
        self.assertEqual(ids(self.ns.county_staff, f"?unit={self.org.town2.pk}&status=returned"),
                         {self.returned.pk})
        self.assertEqual(ids(self.town1, f"?category={self.items.extra.pk}&q=侨务"), {self.overseas.pk})
        refused = self.call(self.town2, "get", f"submissions/?unit={self.org.town1.pk}")
        self.assertEqual(refused.status_code, 422)
        self.assertIn("unit", refused.json()["errors"])
        pages = [self.call(self.town1, "get", f"submissions/?page={n}&page_size=3").json()["items"] for n in (1, 2)]
        self.assertEqual(sorted(s["id"] for page in pages for s in page), sorted(town1_ids))

    def test_another_town_s_submission_is_404_everywhere(self):
        for method, path, body in (("get", f"submissions/{self.overseas.pk}/", None),
                                   ("patch", f"submissions/{self.overseas.pk}/", {"text": "x"})):
            with self.subTest(method=method):
                response = self.call(self.town2, method, path, body)
                self.assertEqual(response.status_code, 404)
                self.assertNotIn("侨务", response.content.decode())
        self.assertEqual(self.upload(self.town2, self.overseas, pdf()).status_code, 404)
        self.assertEqual(self.start(self.town2, self.items.lecture).status_code, 404)  # town1's item and period
        self.assertEqual(self.start(self.town2, self.items.overseas, "2025", unit=self.org.town2).status_code,
                         404)  # an item not on town2's list
        self.assertFalse(Submission.objects.filter(period_key="2025-Q3").exists())
        self.assertFalse(self.overseas.attachments.exists())

    def test_draft_then_submit_through_the_page_s_form_audited_with_the_token(self):
        response = self.start(self.town1, self.items.lecture, text="第三季度开展宣讲")
        self.assertEqual(response.status_code, 201, response.content)
        submission = Submission.objects.get(pk=response.json()["id"])
        self.assertEqual((submission.status, submission.created_by), (S.IN_PROGRESS, self.town1))
        self.assertTrue(response.json()["editable"])
        event = AuditEvent.objects.get(action=AuditEvent.Action.CREATE, object_id=str(submission.pk))
        self.assertEqual((event.username, event.changes["访问令牌"]), ("d_town1", "测试"))

        uploaded = self.upload(self.town1, submission, pdf())
        self.assertEqual(uploaded.status_code, 201, uploaded.content)
        self.assertEqual([a["name"] for a in uploaded.json()["attachments"]], ["工作计划.pdf"])
        activity = self.ns.lecture_q2
        response = self.call(self.town1, "patch", f"submissions/{submission.pk}/",
                             {"records": [f"activities.activity:{activity.pk}"], "submit": True})
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertEqual((body["status"], body["text"], body["editable"]), (S.SUBMITTED, "第三季度开展宣讲", False))
        self.assertEqual(body["links"][0]["label"], f"活动：{activity.title}")
        self.assertEqual([s["action"] for s in body["steps"]], [SubmissionStep.Action.SUBMIT])
        event = AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE, object_id=str(submission.pk)).latest("pk")
        self.assertEqual((event.changes["状态"], event.changes["访问令牌"]), (["进行中", "已提交"], "测试"))

        again = self.call(self.town1, "patch", f"submissions/{submission.pk}/", {"text": "改动"})
        self.assertEqual((again.status_code, again.json()["detail"]), (422, "该事项当前为“已提交”，不能修改。"))
        self.assertEqual(self.start(self.town1, self.items.lecture, text="再来").status_code, 422)  # exists

    def test_invalid_evidence_is_422_in_chinese_and_stores_nothing(self):
        nothing = self.start(self.town1, self.items.lecture, text="  ", submit=True)
        self.assertEqual(nothing.status_code, 422)
        self.assertEqual(nothing.json()["errors"]["__all__"], ["请填写完成情况，或上传附件、关联已有记录后再提交。"])
        foreign = self.start(self.town1, self.items.lecture, text="x",
                             records=[f"activities.activity:{self.ns.town2_activity.pk}"])
        self.assertEqual(foreign.json()["errors"]["records"], ["找不到所选记录，或您无权查看该记录。"])
        self.assertFalse(Submission.objects.filter(period_key="2025-Q3").exists())

    def test_a_hostile_attachment_is_refused_in_chinese(self):
        script = SimpleUploadedFile("计划.pdf", b"#!/bin/sh\nrm -rf /\n", content_type="application/pdf")
        response = self.upload(self.town2, self.returned, script)
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.json()["errors"]["files"],
                         ["“计划.pdf”：文件内容与扩展名“.pdf”不符，请确认文件未损坏"])
        self.returned.refresh_from_db()
        self.assertEqual((self.returned.status, self.returned.attachments.count()), (S.RETURNED, 0))

    def test_the_review_outcome_is_read_only(self):
        passed = Submission.objects.get(indicator=self.items.feature, owner_unit=self.org.town1)
        SubmissionStep.objects.create(submission=passed, action=SubmissionStep.Action.APPROVE, comment="材料翔实",
                                      score=D("4"), status_after=S.PASSED, user=self.ns.county_staff)
        body = self.call(self.town1, "get", f"submissions/{passed.pk}/").json()
        self.assertEqual((body["status_label"], body["score"], body["editable"]), ("已通过", 4.0, False))
        self.assertEqual([(s["action_label"], s["comment"], s["user"]) for s in body["steps"]][-1],
                         ("通过", "材料翔实", "县部干部"))
        response = self.call(self.town1, "patch", f"submissions/{passed.pk}/", {"text": "改分"})
        self.assertEqual(response.status_code, 422)
        passed.refresh_from_db()
        self.assertEqual((passed.status, passed.score), (S.PASSED, D("4")))

    def test_a_read_only_token_and_a_role_without_the_action_are_refused(self):
        for user, write in ((self.town2, False), (self.ns.leader, True)):
            with self.subTest(user=user.username):
                unit = user.unit
                started = self.call(user, "post", "submissions/", {"indicator": self.items.plan.pk, "unit": unit.pk,
                                                                   "period_key": "2025", "text": "x"}, write=write)
                changed = self.call(user, "patch", f"submissions/{self.returned.pk}/", {"text": "x"}, write=write)
                uploaded = self.upload(user, self.returned, pdf(), write=write)
                self.assertEqual([started.status_code, changed.status_code, uploaded.status_code], [403] * 3)
        self.returned.refresh_from_db()
        self.assertEqual((self.returned.text, self.returned.status), ("已完成", S.RETURNED))
