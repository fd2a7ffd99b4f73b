"""Progress notices (进度通报): the ranking by unit type, lagging units and their missing items, the units commended,
the numbered Word notice (read back with python-docx), the register and who may issue or read notices.

The fixture is test_letters.LetterFixtures. Hand-computed for the year 2026 on 2026-09-30 (items due by then):
  西岭镇  plan ✓, info Q1 ✓, info Q2 awaiting review   → 2 of 3, 66.7%, score 1 + 2×1/4 = 1.5, no overdue
  东溪镇  plan ✗, info Q1 ✓, info Q2 in progress        → 1 of 3, 33.3%, score 0.5, 2 overdue
  县教育局 plan returned, meeting not begun              → 0 of 2, 0%, score 0, 2 overdue
With "lagging below 50%": 县教育局 and 东溪镇 (lowest first); nobody did everything due.
For 2026-Q1 only the towns' info Q1 falls in the period: both did it (100%, 2 points each: a tie, rank 1).
"""

import datetime

from django.urls import reverse

from core import word
from core.models import AuditEvent
from duties.documents import notices
from duties.models import Notice
from duties.periods import parse_key

from .test_letters import ISSUE_DAY, LetterFixtures, docx_text, on

YEAR_MISSING_TOWN1 = ["报送年度统战工作计划（2026年，未开始）", "每季度报送统战工作信息（2026年第二季度，进行中）"]
YEAR_MISSING_MEMBER = ["报送年度统战工作计划（2026年，退回）", "落实联席会议议定事项（2026年，未开始）"]


class NoticeContentTests(LetterFixtures):
    def test_units_ranked_within_their_type(self):
        content = notices.notice_content(self.scheme, parse_key("2026"), lagging_rate=50, today=ISSUE_DAY)
        self.assertEqual((content["period_label"], content["as_of"]), ("2026年", "2026-09-30"))
        self.assertEqual((content["unit_count"], content["expected"], content["passed"]), (3, 8, 3))
        self.assertEqual(content["completion_rate"], 37.5)
        self.assertEqual([g["label"] for g in content["groups"]], ["镇街", "成员单位"])
        towns, members = content["groups"]
        self.assertEqual([(r["rank"], r["name"], r["expected"], r["passed"], r["completion_rate"], r["score"],
                           r["overdue"]) for r in towns["rows"]],
                         [(1, "西岭镇", 3, 2, 66.7, "1.5", 0), (2, "东溪镇", 3, 1, 33.3, "0.5", 2)])
        self.assertEqual([(r["rank"], r["name"], r["completion_rate"]) for r in members["rows"]],
                         [(1, "县教育局", 0.0)])
        self.assertEqual([(r["name"], r["missing"]) for r in content["lagging"]],
                         [("县教育局", YEAR_MISSING_MEMBER), ("东溪镇", YEAR_MISSING_TOWN1)])
        self.assertEqual(content["commended"], [])
        self.assertEqual(content["recipients"], "各镇（街道），县级各成员单位")

    def test_a_quarter_judges_only_its_items_and_ties_share_a_rank(self):
        content = notices.notice_content(self.scheme, parse_key("2026-Q1"), today=ISSUE_DAY)
        (towns,) = content["groups"]
        self.assertEqual([(r["rank"], r["name"], r["completion_rate"], r["score"]) for r in towns["rows"]],
                         [(1, "东溪镇", 100.0, "2"), (1, "西岭镇", 100.0, "2")])
        self.assertEqual(content["commended"], ["东溪镇", "西岭镇"])
        self.assertEqual(content["lagging"], [])

    def test_periods_offered(self):
        periods = [o.key for o in notices.notice_periods(self.scheme, ISSUE_DAY)]
        self.assertEqual(periods, ["2026-Q1", "2026-Q2", "2026-Q3", "2026"])


class NoticeDocumentTests(LetterFixtures):
    def test_notice_in_word(self):
        notice = notices.issue_notice(self.scheme, "2026", lagging_rate=50, user=self.staff, today=ISSUE_DAY)
        self.assertEqual(notice.doc_number, "统战通报〔2026〕1号")
        self.assertEqual(notice.title, "关于2026年统战工作职责清单落实情况的通报")
        with notice.file.open("rb") as handle:
            paragraphs, tables = docx_text(handle.read())
        text = "\n".join(paragraphs)
        self.assertEqual(paragraphs[:2], ["中共测试县委统战部", "统战通报〔2026〕1号"])
        self.assertIn(notice.title, paragraphs)
        self.assertIn("各镇（街道），县级各成员单位：", paragraphs)
        self.assertIn("（统计至2026年9月30日）", text)
        self.assertIn("本期3个单位应完成事项8项次，已完成3项次，总体完成率37.5%", text)
        self.assertIn("（一）镇街（2个）", paragraphs)
        self.assertIn("（二）成员单位（1个）", paragraphs)
        self.assertEqual(tables[0], [["名次", "单位", "应完成", "已完成", "完成率", "得分", "逾期事项"],
                                     ["1", "西岭镇", "3", "2", "66.7%", "1.5", "0"],
                                     ["2", "东溪镇", "3", "1", "33.3%", "0.5", "2"]])
        self.assertEqual(tables[1][1:], [["1", "县教育局", "2", "0", "0%", "0", "2"]])
        self.assertIn(f"1．县教育局（完成率0%）：{'、'.join(YEAR_MISSING_MEMBER)}", paragraphs)
        self.assertIn(f"2．东溪镇（完成率33.3%）：{'、'.join(YEAR_MISSING_TOWN1)}", paragraphs)
        self.assertIn("本期没有按时完成全部到期事项的单位。", paragraphs)
        self.assertEqual(paragraphs[-1], "2026年9月30日")
        event = AuditEvent.objects.get(object_type="duties.Notice")
        self.assertEqual((event.action, event.object_id), (AuditEvent.Action.CREATE, str(notice.pk)))

    def test_numbering_and_commendation(self):
        notices.issue_notice(self.scheme, "2026", user=self.staff, today=ISSUE_DAY)
        second = notices.issue_notice(self.scheme, "2026-Q1", title="一季度通报", user=self.staff, today=ISSUE_DAY)
        self.assertEqual((second.number, second.title), (2, "一季度通报"))
        paragraphs, tables = docx_text(notices.render_notice(second))
        self.assertIn("东溪镇、西岭镇按时完成本期全部到期事项，予以通报表扬。", paragraphs)
        self.assertIn("本期没有完成率低于80%的单位。", paragraphs)
        self.assertEqual([row[:2] for row in tables[0][1:]], [["1", "东溪镇"], ["1", "西岭镇"]])


class NoticeViewTests(LetterFixtures):
    def test_county_staff_preview_and_issue(self):
        self.client.force_login(self.staff)
        url = reverse("duties:notice_issue")
        with on(ISSUE_DAY):
            page = self.client.get(url)
            self.assertEqual(page.status_code, 200)
            self.assertEqual(page.context["form"].cleaned_data["period"], "2026-Q2")  # the last quarter over
            preview = self.client.get(url, {"scheme": self.scheme.pk, "period": "2026", "lagging_rate": 50})
            self.assertEqual([r["name"] for r in preview.context["preview"]["lagging"]], ["县教育局", "东溪镇"])
            self.assertContains(preview, "关于2026年统战工作职责清单落实情况的通报")
            self.assertFalse(Notice.objects.exists())
            response = self.client.post(url, {"scheme": self.scheme.pk, "period": "2026", "lagging_rate": 50,
                                              "title": ""})
        notice = Notice.objects.get()
        self.assertRedirects(response, reverse("duties:notice_detail", kwargs={"pk": notice.pk}))
        self.assertEqual((notice.period_key, notice.created_by, notice.owner_unit),
                         ("2026", self.staff, self.org.county))
        detail = self.client.get(response["Location"])
        self.assertContains(detail, "统战通报〔2026〕1号")
        self.assertContains(detail, "西岭镇")
        download = self.client.get(reverse("duties:notice_download", kwargs={"pk": notice.pk}))
        self.assertEqual(download["Content-Type"], word.DOCX_CONTENT_TYPE)
        paragraphs, _ = docx_text(download.content)
        self.assertIn("统战通报〔2026〕1号", paragraphs)
        listing = self.client.get(reverse("duties:notice_list"))
        self.assertEqual(list(listing.context["table"].data), [notice])

    def test_stale_period_falls_back_and_bad_input_is_refused(self):
        self.client.force_login(self.staff)
        url = reverse("duties:notice_issue")
        with on(ISSUE_DAY):
            page = self.client.get(url, {"scheme": self.scheme.pk, "period": "2025-Q4"})
            self.assertEqual(page.context["form"].cleaned_data["period"], "2026-Q2")
            response = self.client.post(url, {"scheme": self.scheme.pk, "period": "2026-Q4", "lagging_rate": 50})
            self.assertContains(response, "请选择本考核细则已开始的通报期间。")
            response = self.client.post(url, {"scheme": self.scheme.pk, "period": "2026", "lagging_rate": 0})
            self.assertTrue(response.context["form"].errors["lagging_rate"])
        self.assertFalse(Notice.objects.exists())

    def test_town_officer_can_neither_issue_nor_read_the_countys_notices(self):
        notice = notices.issue_notice(self.scheme, "2026", user=self.staff, today=ISSUE_DAY)
        self.client.force_login(self.town1_user)
        url = reverse("duties:notice_issue")
        self.assertEqual(self.client.get(url).status_code, 403)
        self.assertEqual(self.client.post(url, {"scheme": self.scheme.pk, "period": "2026",
                                                "lagging_rate": 50}).status_code, 403)
        self.assertEqual(Notice.objects.count(), 1)
        self.assertEqual(list(self.client.get(reverse("duties:notice_list")).context["table"].data), [])
        for name in ("duties:notice_detail", "duties:notice_download"):
            self.assertEqual(self.client.get(reverse(name, kwargs={"pk": notice.pk})).status_code, 404, name)
        self.assertEqual(datetime.date.fromisoformat(notice.content["issue_date"]), ISSUE_DAY)
