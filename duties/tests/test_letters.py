"""Reminder letters (发函提醒): who is behind, the numbered Word letter (read back with python-docx), the deadline
in working days across the 2026 国庆 holiday, the notifications, the register and who may see what.

Fixture (`LetterFixtures`, shared with test_notices.py): "2026年度统战工作考核细则" covers the towns and the
member units of org.testing.build_county (东溪镇 = town1, 西岭镇 = town2, 县教育局 = member).

  一、基础工作
    plan     报送年度统战工作计划          done 1, yearly, deadline 2026-03-31         (all)
    info     每季度报送统战工作信息        done 2, quarterly, 5 working days after the quarter (towns)
    meeting  落实联席会议议定事项          done 2, yearly, deadline 2026-06-30         (member units)
    review   统战宣传工作                  review 0–3, yearly, due 2026-12-31          (all)
    bonus    经验做法被推广（加分）        bonus 1 each, at most 2                     (all)
  Submissions: town1 plan —, info Q1 passed, info Q2 in progress;
               town2 plan passed, info Q1 passed, info Q2 submitted (awaiting review);
               member plan returned, meeting —.
On 2026-09-30 (info Q3 is due on 2026-10-14, after 国庆): overdue — town1: plan (2026), info (2026-Q2);
member: plan, meeting; town2: nothing (its Q2 awaits review).
A letter issued on 2026-09-30 with 5 working days: 10-08, 10-09, 10-10 (Saturday, 调休上班), 10-12, 10-13.
"""

import datetime
import io
from unittest import mock

from django.test import TestCase
from django.urls import reverse
from docx import Document

from accounts.testing import create_user
from core import word
from core.models import AuditEvent, Notification
from duties.documents import common, letters, notices
from duties.models import Indicator, ReminderLetter, Scheme, Submission
from duties.periods import Frequency
from org.models import Unit
from org.testing import build_county

M = Indicator.Method
S = Submission.Status
ISSUE_DAY = datetime.date(2026, 9, 30)
DEADLINE = datetime.date(2026, 10, 13)


def on(day):
    """Patch "today" (timezone.localdate) to `day`."""
    return mock.patch("django.utils.timezone.localdate", return_value=day)


def docx_text(data):
    document = Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    return paragraphs, tables


class LetterFixtures(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = org = build_county()
        cls.staff = create_user("l_staff", org.county, "county_staff", full_name="张明")
        cls.town1_user = create_user("l_town1", org.town1, "town_officer")
        cls.town1_other = create_user("l_town1b", org.town1, "town_officer")
        cls.town1_inactive = create_user("l_town1c", org.town1, "town_officer", is_active=False)
        cls.town2_user = create_user("l_town2", org.town2, "town_officer")
        cls.village_user = create_user("l_village1", org.village1, "village_liaison")
        cls.scheme = scheme = Scheme.objects.create(
            year=2026, title="2026年度统战工作考核细则", owner_unit=org.county,
            unit_types=[Unit.Type.TOWN, Unit.Type.MEMBER], periods=["quarter", "year"],
            status=Scheme.Status.PUBLISHED)
        basic = Indicator.objects.create(scheme=scheme, text="一、基础工作", sort_order=1)

        def item(text, order, **fields):
            return Indicator.objects.create(scheme=scheme, parent=basic, text=text, sort_order=order, **fields)

        cls.plan = item("报送年度统战工作计划", 1, method=M.DONE, points=1, deadline=datetime.date(2026, 3, 31))
        cls.info = item("每季度报送统战工作信息", 2, method=M.DONE, points=2, frequency=Frequency.QUARTER,
                        deadline_days=5, deadline_anchor=Indicator.DeadlineAnchor.END, unit_types=[Unit.Type.TOWN])
        cls.meeting = item("落实联席会议议定事项", 3, method=M.DONE, points=2, deadline=datetime.date(2026, 6, 30),
                           unit_types=[Unit.Type.MEMBER])
        cls.review = item("统战宣传工作", 4, method=M.REVIEW, points=3)
        cls.bonus = item("经验做法被推广（加分）", 5, method=M.BONUS, points=2, unit_points=1)

        def submit(item_, unit, key, status):
            return Submission.objects.create(indicator=item_, owner_unit=unit, period_key=key, status=status)

        submit(cls.info, org.town1, "2026-Q1", S.PASSED)
        submit(cls.info, org.town1, "2026-Q2", S.IN_PROGRESS)
        submit(cls.plan, org.town2, "2026", S.PASSED)
        submit(cls.info, org.town2, "2026-Q1", S.PASSED)
        submit(cls.info, org.town2, "2026-Q2", S.SUBMITTED)
        submit(cls.plan, org.member, "2026", S.RETURNED)

    def issue(self, units, day=ISSUE_DAY, days=5):
        return letters.issue_letters(self.scheme, units, cutoff=day, days=days, user=self.staff, today=day)


class CandidateTests(LetterFixtures):
    def test_units_with_overdue_items(self):
        found = {c.unit: c for c in letters.candidates(self.scheme, ISSUE_DAY)}
        self.assertEqual(set(found), {self.org.town1, self.org.member})
        overdue = {(s.indicator, s.period_key, s.status_label) for s in found[self.org.town1].overdue}
        self.assertEqual(overdue, {(self.plan, "2026", "未开始"), (self.info, "2026-Q2", "进行中")})
        overdue = {(s.indicator, s.status_label) for s in found[self.org.member].overdue}
        self.assertEqual(overdue, {(self.plan, "退回"), (self.meeting, "未开始")})

    def test_nothing_is_overdue_before_its_due_date(self):
        found = {c.unit: c for c in letters.candidates(self.scheme, datetime.date(2026, 3, 31))}
        self.assertEqual(set(found), set())
        found = {c.unit for c in letters.candidates(self.scheme, datetime.date(2026, 4, 1))}
        self.assertEqual(found, {self.org.town1, self.org.member})


class LetterDocumentTests(LetterFixtures):
    def test_letter_says_whom_what_and_until_when(self):
        letter = self.issue([self.org.town1])[0]
        self.assertEqual((letter.year, letter.number, letter.doc_number), (2026, 1, "统战提醒〔2026〕1号"))
        self.assertEqual(letter.deadline, DEADLINE)  # five working days across 国庆
        self.assertEqual(letter.owner_unit, self.org.town1)
        self.assertEqual(set(letter.items.all()), {self.plan, self.info})
        self.assertEqual([i["period_key"] for i in letter.items_snapshot], ["2026", "2026-Q2"])
        self.assertTrue(letter.file.name.endswith(".docx"))
        with letter.file.open("rb") as handle:
            paragraphs, tables = docx_text(handle.read())
        text = "\n".join(paragraphs)
        self.assertEqual(paragraphs[0], "中共测试县委统战部")
        self.assertEqual(paragraphs[1], "统战提醒〔2026〕1号")
        self.assertIn("关于督促落实统战工作职责清单的提醒函", paragraphs)
        self.assertIn("东溪镇：", paragraphs)
        self.assertIn("截至2026年9月30日", text)
        self.assertIn("你单位以下2项工作", text)
        self.assertIn("于2026年10月13日前（5个工作日内）", text)
        self.assertIn("联系人：张明", text)
        self.assertEqual(paragraphs[-1], "2026年9月30日")
        self.assertEqual(paragraphs[-2], "中共测试县委统战部")
        self.assertEqual(len(tables), 1)
        header, *rows = tables[0]
        self.assertEqual(header, ["序号", "考核事项", "期次", "完成期限", "分值", "当前状态"])
        self.assertEqual(rows, [
            ["1", "报送年度统战工作计划", "2026年", "2026年3月31日", "1", "未开始"],
            ["2", "每季度报送统战工作信息", "2026年第二季度", rows[1][3], "2", "进行中"],
        ])
        self.assertTrue(rows[1][3].startswith("2026年7月"))
        self.assertNotIn("落实联席会议议定事项", text + str(tables))

    def test_letter_to_member_unit_lists_its_items(self):
        letter = self.issue([self.org.member])[0]
        paragraphs, tables = docx_text(letters.render_letter(letter))
        self.assertIn("县教育局：", paragraphs)
        self.assertEqual([row[1] for row in tables[0][1:]], ["报送年度统战工作计划", "落实联席会议议定事项"])
        self.assertEqual([row[5] for row in tables[0][1:]], ["退回", "未开始"])

    def test_numbering_is_sequential_per_year(self):
        first = self.issue([self.org.town1, self.org.member])
        self.assertEqual([letter.number for letter in first], [1, 2])
        self.assertEqual(ReminderLetter.objects.next_number(2026), 3)
        again = self.issue([self.org.town1], day=datetime.date(2026, 10, 20))
        self.assertEqual(again[0].doc_number, "统战提醒〔2026〕3号")
        next_year = self.issue([self.org.town1], day=datetime.date(2027, 1, 6))
        self.assertEqual(next_year[0].doc_number, "统战提醒〔2027〕1号")
        paragraphs, _ = docx_text(letters.render_letter(next_year[0]))
        self.assertIn("统战提醒〔2027〕1号", paragraphs)

    def test_unit_without_overdue_items_gets_no_letter(self):
        self.assertEqual(self.issue([self.org.town2]), [])
        self.assertFalse(ReminderLetter.objects.exists())

    def test_download_renders_from_the_snapshot_when_the_file_is_gone(self):
        letter = self.issue([self.org.town1])[0]
        letter.file.delete(save=True)
        self.assertFalse(letter.file)
        data = common.document_bytes(letter, letters.render_letter)
        paragraphs, _ = docx_text(data)
        self.assertIn("统战提醒〔2026〕1号", paragraphs)

    def test_templates_use_only_documented_placeholders(self):
        for kind, path in common.TEMPLATES.items():
            used = word.check_template(path, common.PLACEHOLDERS[kind])
            self.assertEqual(used, set(common.PLACEHOLDERS[kind]), kind)

    def test_creation_is_audited(self):
        letter = self.issue([self.org.town1])[0]
        event = AuditEvent.objects.get(action=AuditEvent.Action.CREATE, object_type="duties.ReminderLetter")
        self.assertEqual(event.object_id, str(letter.pk))
        self.assertEqual(event.changes["收函单位"], "东溪镇")
        self.assertEqual(event.changes["整改期限"], "2026-10-13")


class NotificationTests(LetterFixtures):
    def test_the_units_users_are_notified_once(self):
        letter = self.issue([self.org.town1, self.org.member])[0]
        notified = Notification.objects.filter(key=f"duties-letter:{letter.pk}")
        self.assertEqual({n.recipient for n in notified}, {self.town1_user, self.town1_other})
        note = notified.first()
        self.assertIn("统战提醒〔2026〕1号", note.title)
        self.assertIn("2026年10月13日", note.body)
        self.assertEqual(note.url, reverse("duties:reminderletter_detail", kwargs={"pk": letter.pk}))
        self.assertEqual(letters.notify_letter(letter), 0)  # idempotent
        self.assertFalse(Notification.objects.filter(recipient__in=[self.town2_user, self.village_user,
                                                                    self.town1_inactive]).exists())


class LetterViewTests(LetterFixtures):
    def test_county_staff_issue_letters_through_the_page(self):
        self.client.force_login(self.staff)
        url = reverse("duties:reminderletter_issue")
        with on(ISSUE_DAY):
            page = self.client.get(url, {"scheme": self.scheme.pk, "cutoff": "2026-09-30", "days": 5})
            self.assertEqual(page.status_code, 200)
            self.assertEqual([c.unit for c in page.context["candidates"]], [self.org.town1, self.org.member])
            self.assertEqual(page.context["deadline"], DEADLINE)
            self.assertContains(page, "东溪镇")
            self.assertNotContains(page, "西岭镇")
            response = self.client.post(url, {"scheme": self.scheme.pk, "cutoff": "2026-09-30", "days": 5,
                                              "units": [self.org.town1.pk, self.org.member.pk]}, follow=True)
        self.assertRedirects(response, reverse("duties:reminderletter_list"))
        self.assertContains(response, "已向2个单位发出提醒函：统战提醒〔2026〕1号、统战提醒〔2026〕2号。")
        letter = ReminderLetter.objects.get(owner_unit=self.org.town1)
        self.assertEqual((letter.deadline, letter.created_by), (DEADLINE, self.staff))
        self.assertEqual(letters.letter_issue_date(letter), ISSUE_DAY)

    def test_issue_page_defaults_to_today_and_the_latest_scheme(self):
        self.client.force_login(self.staff)
        with on(ISSUE_DAY):
            page = self.client.get(reverse("duties:reminderletter_issue"))
        self.assertEqual(page.context["form"].cleaned_data["cutoff"], ISSUE_DAY)
        self.assertEqual(page.context["form"].cleaned_data["scheme"], self.scheme)
        self.assertEqual(len(page.context["candidates"]), 2)

    def test_bad_input_is_explained_and_nothing_is_sent(self):
        self.client.force_login(self.staff)
        url = reverse("duties:reminderletter_issue")
        with on(ISSUE_DAY):
            none_ticked = self.client.post(url, {"scheme": self.scheme.pk, "cutoff": "2026-09-30", "days": 5})
            future = self.client.post(url, {"scheme": self.scheme.pk, "cutoff": "2026-10-30", "days": 5,
                                            "units": [self.org.town1.pk]})
            no_days = self.client.post(url, {"scheme": self.scheme.pk, "cutoff": "2026-09-30", "days": 0,
                                             "units": [self.org.town1.pk]})
            other = self.client.post(url, {"scheme": self.scheme.pk, "cutoff": "2026-09-30", "days": 5,
                                           "units": [self.org.village1.pk]})
        self.assertContains(none_ticked, "请至少勾选一个单位。")
        self.assertContains(future, "统计截止日期不能晚于今天。")
        self.assertEqual(no_days.status_code, 200)
        self.assertTrue(no_days.context["form"].errors["days"])
        self.assertContains(other, "请至少勾选一个单位。")  # not a unit of the scheme
        self.assertFalse(ReminderLetter.objects.exists())

    def test_town_officer_cannot_issue_letters(self):
        self.client.force_login(self.town1_user)
        url = reverse("duties:reminderletter_issue")
        self.assertEqual(self.client.get(url).status_code, 403)
        response = self.client.post(url, {"scheme": self.scheme.pk, "cutoff": "2026-09-30", "days": 5,
                                          "units": [self.org.town1.pk]})
        self.assertEqual(response.status_code, 403)
        self.assertFalse(ReminderLetter.objects.exists())

    def test_a_town_sees_only_its_letters(self):
        own, other = self.issue([self.org.town1, self.org.member])
        self.client.force_login(self.town1_user)
        listing = self.client.get(reverse("duties:reminderletter_list"))
        self.assertEqual(list(listing.context["table"].data), [own])
        self.assertContains(listing, "统战提醒〔2026〕1号")
        self.assertNotContains(listing, "统战提醒〔2026〕2号")
        self.assertNotContains(listing, reverse("duties:reminderletter_issue"))
        detail = self.client.get(reverse("duties:reminderletter_detail", kwargs={"pk": own.pk}))
        self.assertContains(detail, "每季度报送统战工作信息")
        download = self.client.get(reverse("duties:reminderletter_download", kwargs={"pk": own.pk}))
        self.assertEqual(download["Content-Type"], word.DOCX_CONTENT_TYPE)
        paragraphs, _ = docx_text(download.content)
        self.assertIn("东溪镇：", paragraphs)
        for name in ("duties:reminderletter_detail", "duties:reminderletter_download"):
            self.assertEqual(self.client.get(reverse(name, kwargs={"pk": other.pk})).status_code, 404, name)
        self.client.force_login(self.town2_user)
        self.assertEqual(list(self.client.get(reverse("duties:reminderletter_list")).context["table"].data), [])

    def test_word_documents_need_the_export_permission(self):
        # Issue 11.6: a letter, a notice and the scheme's Excel are exports: "export", audited, refusals too.
        letter = self.issue([self.org.town1])[0]
        notice = notices.issue_notice(self.scheme, "2026", user=self.staff, today=ISSUE_DAY)
        leader = create_user("l_leader", self.org.county, "leader")
        downloads = [reverse("duties:reminderletter_download", kwargs={"pk": letter.pk}),
                     reverse("duties:notice_download", kwargs={"pk": notice.pk}),
                     reverse("duties:scheme_export", args=[self.scheme.pk])]
        self.client.force_login(leader)
        for url in downloads:
            self.assertEqual(self.client.get(url).status_code, 403, url)
        for name, pk in (("duties:reminderletter_detail", letter.pk), ("duties:notice_detail", notice.pk),
                         ("duties:scheme_detail", self.scheme.pk)):
            page = self.client.get(reverse(name, kwargs={"pk": pk}))
            self.assertEqual(page.status_code, 200, name)
            for url in downloads:
                self.assertNotContains(page, url)
        self.assertNotContains(self.client.get(reverse("duties:reminderletter_list")), downloads[0])
        self.assertEqual(AuditEvent.objects.filter(action=AuditEvent.Action.DENIED, username="l_leader").count(), 3)
        self.assertFalse(AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists())

        self.client.force_login(self.staff)
        for url in downloads:
            response = self.client.get(url)
            response.getvalue()  # read to the end: the client then closes a download as a WSGI server would
            self.assertEqual(response.status_code, 200, url)
        exported = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, username="l_staff")
        self.assertEqual(sorted(e.object_type for e in exported),
                         ["duties.Notice", "duties.ReminderLetter", "duties.Scheme"])

    def test_register_filters_by_year_and_unit(self):
        first, second = self.issue([self.org.town1, self.org.member])
        later = self.issue([self.org.town1], day=datetime.date(2027, 1, 6))[0]
        self.client.force_login(self.staff)
        url = reverse("duties:reminderletter_list")
        self.assertEqual(set(self.client.get(url).context["table"].data), {first, second, later})
        self.assertEqual(set(self.client.get(url, {"year": 2026}).context["table"].data), {first, second})
        self.assertEqual(set(self.client.get(url, {"unit": self.org.town1.pk}).context["table"].data),
                         {first, later})
        self.assertEqual(list(self.client.get(url, {"year": 2026, "unit": self.org.member.pk})
                              .context["table"].data), [second])
        self.assertEqual(list(self.client.get(url, {"q": "2"}).context["table"].data), [second])
        self.assertEqual(list(self.client.get(url, {"q": "〔2027〕1号"}).context["table"].data), [later])
        self.assertEqual(list(self.client.get(url, {"q": "教育"}).context["table"].data), [second])

    def test_menu(self):
        self.client.force_login(self.staff)
        page = self.client.get(reverse("duties:reminderletter_list"))
        self.assertContains(page, "发函提醒")
        self.assertContains(page, reverse("duties:notice_list"))
        self.assertContains(page, reverse("duties:finalresult_list"))
        self.client.force_login(self.town1_user)
        page = self.client.get(reverse("duties:reminderletter_list"))
        self.assertNotContains(page, reverse("duties:notice_list"))
        self.assertContains(page, reverse("duties:finalresult_list"))
