"""据单督查, the unit's side: its list, evidence per item and period (text, attachments, links to records),
draft and submit, resubmitting a returned item — and that 西岭镇 (town2) can neither see nor touch 东溪镇's
(town1) list, evidence, files or records."""

import io
from decimal import Decimal as D

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from PIL import Image

from core.models import AuditEvent
from core.tests.test_images import GPS_IFD, jpeg_bytes
from duties.models import Scheme, Submission, SubmissionAttachment, SubmissionLink, SubmissionStep
from people.models import Person

from .submission_fixtures import YEAR, build

S = Submission.Status
LIST = reverse("duties:unit_list")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def start_url(item, unit, key):
    return reverse("duties:submission_start", kwargs={"indicator": item.pk, "unit": unit.pk, "period": key})


def detail_url(submission):
    return reverse("duties:submission_detail", kwargs={"pk": submission.pk})


def pdf(name="工作计划.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


class SubmissionTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.ns = build()
        cls.org = cls.ns.org
        cls.items = cls.ns.items

    def login(self, user):
        self.client.force_login(user)


class UnitListTests(SubmissionTestCase):
    def test_town_officer_sees_own_list_with_scores_and_rule_figures(self):
        Submission.objects.create(indicator=self.items.plan, owner_unit=self.org.town1, period_key="2025",
                                  status=S.PASSED, text="已报送")
        self.login(self.ns.town1_user)
        response = self.client.get(LIST, {"year": YEAR})
        self.assertEqual(response.status_code, 200)
        context = response.context
        self.assertEqual(context["unit"], self.org.town1)
        self.assertEqual(context["scheme"], self.ns.scheme)
        self.assertFalse(context["show_unit_picker"])
        # 共性 + 个性, grouped by category
        groups = [(g["category"].text, [i.indicator.text for i in g["items"]]) for g in context["categories"]]
        self.assertEqual(groups, [
            ("基础工作", ["报送年度统战工作计划", "每季度开展同心大讲堂", "统战工作特色亮点"]),
            ("加分与个性事项", ["统战信息被上级采用", "东溪镇侨务工作"]),
        ])
        # the score comes from the assessment: 2 (plan passed) + 2 (two quarters with a lecture, automatic)
        self.assertEqual(context["result"].score.total, D("4.00"))
        self.assertContains(response, '<div class="h1 mb-0" data-total>4</div>', html=True)
        self.assertContains(response, "个性")
        self.assertContains(response, "开展活动（指定类型）：1次（要求≥1）")
        self.assertContains(response, "查看计入的记录")
        self.assertContains(response, "截止日期按工作日计算")
        self.assertContains(response, "已通过")
        lecture = context["categories"][0]["items"][1]
        self.assertEqual([o.status_label for o in lecture.occurrences], ["未开始"] * 4)
        self.assertEqual([o.rule.met for o in lecture.occurrences], [True, True, False, False])
        self.assertEqual([o.action_label for o in lecture.occurrences], ["填报"] * 4)
        plan = context["categories"][0]["items"][0].occurrences[0]
        self.assertEqual(plan.action_label, "查看")  # passed: no longer editable

    def test_town2_does_not_get_the_specific_item_of_town1(self):
        self.login(self.ns.town2_user)
        response = self.client.get(LIST, {"year": YEAR})
        texts = [i.indicator.text for g in response.context["categories"] for i in g["items"]]
        self.assertNotIn("东溪镇侨务工作", texts)
        self.assertEqual(response.context["unit"], self.org.town2)

    def test_county_staff_picks_a_unit(self):
        self.login(self.ns.county_staff)
        response = self.client.get(LIST, {"year": YEAR})
        self.assertIsNone(response.context["unit"])
        self.assertContains(response, "请选择单位")
        self.assertEqual([u.name for u in response.context["units"]], ["东溪镇", "西岭镇"])
        response = self.client.get(LIST, {"year": YEAR, "unit": self.org.town2.pk})
        self.assertEqual(response.context["unit"], self.org.town2)
        self.assertTrue(response.context["can_submit"])

    def test_unit_outside_the_scope_is_not_found(self):
        self.login(self.ns.town2_user)
        self.assertEqual(self.client.get(LIST, {"year": YEAR, "unit": self.org.town1.pk}).status_code, 404)
        self.assertEqual(self.client.get(LIST, {"year": YEAR, "unit": 999999}).status_code, 404)

    def test_unit_not_covered_and_draft_schemes(self):
        self.login(self.ns.county_staff)
        response = self.client.get(LIST, {"year": YEAR, "unit": self.org.member.pk})
        self.assertContains(response, "未纳入2025年度已发布的考核细则")
        Scheme.objects.filter(pk=self.ns.scheme.pk).update(status=Scheme.Status.DRAFT)
        self.login(self.ns.town1_user)
        response = self.client.get(LIST, {"year": YEAR})
        self.assertIsNone(response.context["scheme"])

    def test_without_permission(self):
        self.client.logout()
        self.assertEqual(self.client.get(LIST).status_code, 302)
        from accounts.testing import create_user

        self.login(create_user("d_norole", self.org.town1))
        self.assertEqual(self.client.get(LIST).status_code, 403)

    def test_leader_sees_but_cannot_submit(self):
        self.login(self.ns.leader)
        response = self.client.get(LIST, {"year": YEAR})
        self.assertEqual(response.status_code, 200)
        self.assertFalse(response.context["can_submit"])
        self.assertNotContains(response, ">填报<")
        url = start_url(self.items.plan, self.org.town1, "2025")
        self.assertEqual(self.client.get(url).status_code, 200)  # may look
        self.assertNotContains(self.client.get(url), "data-submission-form")
        self.assertEqual(self.client.post(url, {"text": "x", "submit": "1"}).status_code, 403)
        self.assertFalse(Submission.objects.exists())


class SubmitTests(SubmissionTestCase):
    def test_draft_then_submit_with_attachment_and_linked_activity(self):
        self.login(self.ns.town1_user)
        url = start_url(self.items.lecture, self.org.town1, "2025-Q3")
        response = self.client.get(url)
        self.assertContains(response, "填报佐证")
        self.assertContains(response, "data-remote-picker")
        self.assertFalse(Submission.objects.exists())  # nothing stored by looking

        response = self.client.post(url, {"text": "第三季度结合主题教育开展宣讲", "draft": "1"})
        submission = Submission.objects.get()
        self.assertRedirects(response, detail_url(submission))
        self.assertEqual((submission.status, submission.owner_unit, submission.period_key),
                         (S.IN_PROGRESS, self.org.town1, "2025-Q3"))
        self.assertEqual(submission.created_by, self.ns.town1_user)
        self.assertFalse(submission.steps.exists())  # a draft is not a step of the review flow
        self.assertTrue(AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, object_id=str(submission.pk),
                                                  object_type="duties.Submission").exists())
        # the start URL now leads to the stored submission
        self.assertRedirects(self.client.get(url), detail_url(submission))

        activity = self.ns.lecture_q2
        response = self.client.post(detail_url(submission), {
            "text": "第三季度结合主题教育开展宣讲", "files": [pdf()], "records": [f"activities.activity:{activity.pk}"],
            "submit": "1",
        })
        self.assertRedirects(response, detail_url(submission))
        submission.refresh_from_db()
        self.assertEqual(submission.status, S.SUBMITTED)
        self.assertIsNotNone(submission.submitted_at)
        attachment = submission.attachments.get()
        self.assertEqual((attachment.name, attachment.size, attachment.uploaded_by),
                         ("工作计划.pdf", len(PDF), self.ns.town1_user))
        self.assertNotIn("工作计划", attachment.file.name)  # stored under a random name
        link = submission.links.get()
        self.assertEqual(link.record, activity)
        self.assertEqual(link.label, f"活动：{activity.title}")
        self.assertEqual([(s.action, s.status_after, s.user) for s in submission.steps.all()],
                         [(SubmissionStep.Action.SUBMIT, S.SUBMITTED, self.ns.town1_user)])
        event = AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE, object_id=str(submission.pk)).latest("id")
        self.assertEqual(event.changes["上传附件"], ["工作计划.pdf"])
        self.assertEqual(event.changes["关联记录"], [link.label])
        self.assertEqual(event.changes["状态"], ["进行中", "已提交"])

        # submitted: shown read-only, a further POST changes nothing
        page = self.client.get(detail_url(submission))
        self.assertNotContains(page, "data-submission-form")
        self.assertContains(page, "工作计划.pdf")
        self.assertContains(page, activity.title)
        response = self.client.post(detail_url(submission), {"text": "改动", "draft": "1"}, follow=True)
        self.assertContains(response, "不能修改")
        submission.refresh_from_db()
        self.assertEqual((submission.text, submission.status), ("第三季度结合主题教育开展宣讲", S.SUBMITTED))

        # the file is served through the scoped view, audited
        download = self.client.get(reverse("duties:submission_attachment", args=[submission.pk, attachment.pk]))
        self.assertEqual(download.status_code, 200)
        self.assertEqual(b"".join(download.streaming_content), PDF)
        self.assertIn("attachment", download["Content-Disposition"])
        self.assertTrue(AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, object_id=str(submission.pk))
                        .exists())

    def test_submitting_nothing_is_refused(self):
        self.login(self.ns.town1_user)
        response = self.client.post(start_url(self.items.plan, self.org.town1, "2025"), {"text": "  ", "submit": "1"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "请填写完成情况，或上传附件、关联已有记录后再提交。")
        self.assertFalse(Submission.objects.exists())

    def test_renamed_non_document_is_refused(self):
        self.login(self.ns.town1_user)
        url = start_url(self.items.plan, self.org.town1, "2025")
        fake = SimpleUploadedFile("计划.pdf", b"MZ\x90\x00\x03\x00\x00\x00program", content_type="application/pdf")
        response = self.client.post(url, {"text": "见附件", "files": [fake], "submit": "1"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "“计划.pdf”：文件内容与扩展名“.pdf”不符，请确认文件未损坏")
        exe = SimpleUploadedFile("setup.exe", b"MZ\x90\x00", content_type="application/octet-stream")
        response = self.client.post(url, {"text": "见附件", "files": [exe], "submit": "1"})
        self.assertContains(response, "只能上传 PDF、JPG、PNG、Word（doc/docx）或 Excel（xls/xlsx）文件")
        self.assertFalse(Submission.objects.exists())
        self.assertFalse(SubmissionAttachment.objects.exists())

    def test_photo_evidence_is_stored_without_exif(self):
        self.login(self.ns.town1_user)
        photo = SimpleUploadedFile("活动现场.jpg", jpeg_bytes(gps=True), content_type="image/jpeg")
        self.client.post(start_url(self.items.plan, self.org.town1, "2025"),
                         {"text": "见附件", "files": [photo], "submit": "1"})
        attachment = SubmissionAttachment.objects.get()
        self.assertEqual(attachment.name, "活动现场.jpg")
        with attachment.file.open("rb"):
            data = attachment.file.read()
        self.assertEqual(attachment.size, len(data))
        with Image.open(io.BytesIO(data)) as stored:
            self.assertFalse(stored.getexif().get_ifd(GPS_IFD))
            self.assertNotIn("exif", stored.info)

    def test_linking_a_record_the_user_cannot_see_is_refused(self):
        self.login(self.ns.town1_user)
        url = start_url(self.items.plan, self.org.town1, "2025")
        for value in (f"activities.activity:{self.ns.town2_activity.pk}", "activities.activity:999999"):
            response = self.client.post(url, {"text": "见活动", "records": [value], "submit": "1"})
            self.assertEqual(response.status_code, 200)
            self.assertContains(response, "找不到所选记录，或您无权查看该记录。")
            self.assertNotContains(response, self.ns.town2_activity.title)
        response = self.client.post(url, {"text": "x", "records": ["auth.user:1"], "submit": "1"})
        self.assertContains(response, "只能关联活动、联系记录或统战成员。")
        self.assertFalse(Submission.objects.exists())
        self.assertFalse(SubmissionLink.objects.exists())

    def test_links_a_person_and_removes_attachments_and_links(self):
        person = Person.objects.create(name="张三丰", owner_unit=self.org.village1)
        self.login(self.ns.town1_user)
        url = start_url(self.items.plan, self.org.town1, "2025")
        records = [f"people.person:{person.pk}", f"activities.activity:{self.ns.lecture_q1.pk}"]
        self.client.post(url, {"text": "草稿", "files": [pdf("a.pdf"), pdf("b.pdf")], "records": records,
                               "draft": "1"})
        submission = Submission.objects.get()
        self.assertEqual(sorted(a.name for a in submission.attachments.all()), ["a.pdf", "b.pdf"])
        self.assertEqual(sorted(link.label for link in submission.links.all()),
                         [f"活动：{self.ns.lecture_q1.title}", "统战成员：张三丰"])
        drop = submission.attachments.get(name="a.pdf")
        unlink = submission.links.get(label="统战成员：张三丰")
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(detail_url(submission), {"text": "草稿", "remove_attachments": [drop.pk],
                                                      "remove_links": [unlink.pk], "draft": "1"})
        self.assertEqual([a.name for a in submission.attachments.all()], ["b.pdf"])
        self.assertEqual([link.record for link in submission.links.all()], [self.ns.lecture_q1])
        self.assertFalse(drop.file.storage.exists(drop.file.name))

    def test_a_linked_person_who_moved_away_is_named_without_a_link(self):
        # Issue 11.5: linked records go through the record's own visible_to on every page showing them.
        person = Person.objects.create(name="张三丰", owner_unit=self.org.village1)
        self.login(self.ns.town1_user)
        url = start_url(self.items.plan, self.org.town1, "2025")
        self.client.post(url, {"text": "草稿", "records": [f"people.person:{person.pk}"], "draft": "1"})
        submission = Submission.objects.get()
        self.assertContains(self.client.get(detail_url(submission)), person.get_absolute_url())
        Person.objects.filter(pk=person.pk).update(owner_unit=self.org.village2)
        page = self.client.get(detail_url(submission))
        self.assertContains(page, "统战成员：张三丰")
        self.assertNotContains(page, person.get_absolute_url())
        self.login(self.ns.county_staff)  # the reviewer may see the person: the link stays
        self.assertContains(self.client.get(detail_url(submission)), person.get_absolute_url())

    def test_returned_item_is_edited_and_resubmitted_with_steps_kept(self):
        self.login(self.ns.town1_user)
        self.client.post(start_url(self.items.feature, self.org.town1, "2025"), {"text": "材料一", "submit": "1"})
        submission = Submission.objects.get()
        self.login(self.ns.county_staff)
        self.client.post(reverse("duties:review", args=[submission.pk]),
                         {"decision": "return", "comment": "请补充活动照片"})
        submission.refresh_from_db()
        self.assertEqual(submission.status, S.RETURNED)

        self.login(self.ns.town1_user)
        page = self.client.get(detail_url(submission))
        self.assertContains(page, "请补充活动照片")
        self.assertContains(page, "重新提交审核")
        listing = self.client.get(LIST, {"year": YEAR})
        self.assertContains(listing, "修改后重新提交")
        self.client.post(detail_url(submission), {"text": "材料一（已补充照片）", "files": [pdf("照片.pdf")],
                                                  "submit": "1"})
        submission.refresh_from_db()
        self.assertEqual((submission.status, submission.text), (S.SUBMITTED, "材料一（已补充照片）"))
        steps = [(s.action, s.status_after, s.comment) for s in submission.steps.all()]
        self.assertEqual(steps, [("submit", S.SUBMITTED, ""), ("return", S.RETURNED, "请补充活动照片"),
                                 ("submit", S.SUBMITTED, "")])

    def test_wrong_item_period_or_scheme_is_not_found(self):
        self.login(self.ns.town2_user)
        self.assertEqual(self.client.get(start_url(self.items.overseas, self.org.town2, "2025")).status_code, 404)
        self.assertEqual(self.client.get(start_url(self.items.lecture, self.org.town2, "2025")).status_code, 404)
        self.assertEqual(self.client.get(start_url(self.items.lecture, self.org.town2, "2025-Q5")).status_code, 404)
        self.assertEqual(self.client.get(start_url(self.items.plan, self.org.town2, "2024")).status_code, 404)
        self.assertEqual(self.client.get(start_url(self.items.basic, self.org.town2, "2025")).status_code, 404)
        self.assertEqual(self.client.get(start_url(self.items.plan, self.org.town2, "2025")).status_code, 200)
        Scheme.objects.filter(pk=self.ns.scheme.pk).update(status=Scheme.Status.DRAFT)
        self.assertEqual(self.client.get(start_url(self.items.plan, self.org.town2, "2025")).status_code, 404)


class ScopeTests(SubmissionTestCase):
    """town02 (西岭镇) cannot see or submit town01's (东溪镇) items: list, detail, submit, download, link."""

    def setUp(self):
        self.submission = Submission.objects.create(
            indicator=self.items.plan, owner_unit=self.org.town1, period_key="2025", status=S.IN_PROGRESS,
            text="东溪镇的计划", created_by=self.ns.town1_user)
        self.attachment = SubmissionAttachment.objects.create(
            submission=self.submission, file=SimpleUploadedFile("x.pdf", PDF), name="东溪镇计划.pdf", size=len(PDF))
        self.client.force_login(self.ns.town2_user)

    def assert_unchanged(self):
        submission = Submission.objects.get(pk=self.submission.pk)
        self.assertEqual((submission.text, submission.status), ("东溪镇的计划", S.IN_PROGRESS))
        self.assertEqual(Submission.objects.count(), 1)
        self.assertEqual(submission.attachments.count(), 1)
        self.assertFalse(SubmissionLink.objects.exists())
        self.assertFalse(SubmissionStep.objects.exists())

    def test_list(self):
        self.assertEqual(self.client.get(LIST, {"year": YEAR, "unit": self.org.town1.pk}).status_code, 404)
        own = self.client.get(LIST, {"year": YEAR})
        self.assertNotContains(own, "东溪镇")
        self.assertNotContains(own, detail_url(self.submission))

    def test_detail_submit_download_and_link(self):
        detail = detail_url(self.submission)
        self.assertEqual(self.client.get(detail).status_code, 404)
        self.assertEqual(self.client.post(detail, {"text": "西岭改的", "submit": "1"}).status_code, 404)
        start = start_url(self.items.plan, self.org.town1, "2025")
        self.assertEqual(self.client.get(start).status_code, 404)
        self.assertEqual(self.client.post(start, {"text": "西岭代报", "submit": "1"}).status_code, 404)
        start = start_url(self.items.overseas, self.org.town1, "2025")
        self.assertEqual(self.client.post(start, {"text": "西岭代报", "submit": "1"}).status_code, 404)
        download = reverse("duties:submission_attachment", args=[self.submission.pk, self.attachment.pk])
        self.assertEqual(self.client.get(download).status_code, 404)
        # town2's own submission cannot link town1's activity either
        response = self.client.post(start_url(self.items.plan, self.org.town2, "2025"), {
            "text": "见活动", "records": [f"activities.activity:{self.ns.lecture_q1.pk}"], "submit": "1"})
        self.assertContains(response, "找不到所选记录，或您无权查看该记录。")
        self.assertNotContains(response, self.ns.lecture_q1.title)
        self.assert_unchanged()
        # nor download town1's file through its own submission's URL
        own = Submission.objects.create(indicator=self.items.plan, owner_unit=self.org.town2, period_key="2025")
        self.assertEqual(self.client.get(reverse("duties:submission_attachment",
                                                 args=[own.pk, self.attachment.pk])).status_code, 404)

    def test_picker_shows_only_records_in_scope(self):
        url = reverse("duties:submission_records")
        found = self.client.get(url, {"q": "同心"}).json()["results"]
        self.assertEqual([r["text"] for r in found], ["活动：西岭镇同心行活动日（西岭镇，2025-04-02）"])
        self.assertEqual(found[0]["value"], f"activities.activity:{self.ns.town2_activity.pk}")
        self.assertEqual(self.client.get(url, {"q": "东溪"}).json()["results"], [])
        self.assertEqual(self.client.get(url).json()["results"], [])

    def test_picker_finds_people_by_initials(self):
        Person.objects.create(name="李四海", owner_unit=self.org.village2)
        Person.objects.create(name="李四方", owner_unit=self.org.village1)
        found = self.client.get(reverse("duties:submission_records"), {"q": "lsh"}).json()["results"]
        self.assertEqual([r["text"] for r in found], ["统战成员：李四海（西岭村）"])
