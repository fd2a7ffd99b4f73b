"""Final assessment (按单考核): scores per unit (automatic + reviewed + bonus − deductions), ranking within the
unit type with ties, finalising (stored, overwritten on a second run, audited), commendation (audited), the Excel
and Word exports, and who sees which results.

"2026年度考核细则" covers the towns and the member units of build_county plus a third town 南岭镇. Items (yearly):
  X 年度工作计划     done 4          R 统战宣传 review 0–6
  B 经验推广（加分） bonus 1 each, at most 2     D 未按时报送（扣分） deduction 0.5 each, at most 2
No item has a rule, so everything is reviewed (automatic = 0). Submissions (all passed):
  东溪镇  X ✓, R 5, B ×1            → 4 + 5 + 1       = 10
  西岭镇  X ✓, R 6,       D ×2      → 4 + 6     − 1   = 9
  南岭镇  X ✓, R 4, B ×3 (cap 2)    → 4 + 4 + 2       = 10   (ties with 东溪镇: both first, 西岭镇 third)
  县教育局 X ✓, R 3                  → 7, first of the member units
Full marks 10 (4 + 6).
"""

from decimal import Decimal as D

from django.test import TestCase
from django.urls import reverse

from accounts.testing import create_user
from core import word
from core.models import AuditEvent
from core.testing import export_text
from duties import ranking
from duties.models import FinalResult, Indicator, Scheme, Submission
from org.models import Unit
from org.testing import build_county

from .test_letters import docx_text

M = Indicator.Method
S = Submission.Status


class ResultFixtures(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = org = build_county()
        cls.town3 = Unit.objects.add_child(Unit.objects.get(pk=org.county.pk), instance=Unit(
            name="南岭镇", type=Unit.Type.TOWN, division_code="330998003", sort_order=3))
        cls.staff = create_user("r_staff", org.county, "county_staff")
        cls.town1_user = create_user("r_town1", org.town1, "town_officer")
        cls.scheme = scheme = Scheme.objects.create(
            year=2026, title="2026年度考核细则", owner_unit=org.county,
            unit_types=[Unit.Type.TOWN, Unit.Type.MEMBER], status=Scheme.Status.PUBLISHED)
        category = Indicator.objects.create(scheme=scheme, text="基础工作", sort_order=1)

        def item(text, order, **fields):
            return Indicator.objects.create(scheme=scheme, parent=category, text=text, sort_order=order, **fields)

        cls.plan = item("年度工作计划", 1, method=M.DONE, points=4)
        cls.publicity = item("统战宣传", 2, method=M.REVIEW, points=6)
        cls.bonus = item("经验推广（加分）", 3, method=M.BONUS, points=2, unit_points=1)
        cls.deduction = item("未按时报送（扣分）", 4, method=M.DEDUCTION, points=2, unit_points=D("0.5"))

        def passed(item_, unit, score=None, count=None):
            return Submission.objects.create(indicator=item_, owner_unit=unit, period_key="2026", status=S.PASSED,
                                             score=score, count=count)

        for unit, score in ((org.town1, 5), (org.town2, 6), (cls.town3, 4), (org.member, 3)):
            passed(cls.plan, unit)
            passed(cls.publicity, unit, score=score)
        passed(cls.bonus, org.town1, count=1)
        passed(cls.bonus, cls.town3, count=3)
        cls.town2_deduction = passed(cls.deduction, org.town2, count=2)

    def totals(self, rows):
        return [(row.unit.name, row.rank, row.total) for row in rows]


class RankingTests(ResultFixtures):
    def test_scores_and_ranks_within_the_unit_type(self):
        rows = ranking.compute_results(self.scheme)
        self.assertEqual(self.totals(rows), [("东溪镇", 1, D("10")), ("南岭镇", 1, D("10")), ("西岭镇", 3, D("9")),
                                             ("县教育局", 1, D("7"))])
        by_name = {row.unit.name: row for row in rows}
        self.assertEqual((by_name["南岭镇"].bonus, by_name["南岭镇"].deductions), (D("2"), D("0")))  # capped
        self.assertEqual((by_name["西岭镇"].reviewed, by_name["西岭镇"].deductions), (D("10"), D("1")))
        self.assertEqual((by_name["东溪镇"].automatic, by_name["东溪镇"].full_marks), (D("0"), D("10")))
        self.assertEqual(by_name["县教育局"].percent, 70.0)

    def test_competition_ranking(self):
        rows = [{"k": 5}, {"k": 7}, {"k": 5}, {"k": 3}]
        ranks = ranking.competition_ranks(rows, lambda r: r["k"])
        self.assertEqual([ranks[id(r)] for r in rows], [2, 1, 2, 4])


class FinaliseTests(ResultFixtures):
    def test_finalise_stores_and_a_second_run_overwrites(self):
        self.client.force_login(self.staff)
        response = self.client.post(reverse("duties:finalresult_finalise"), {"scheme": self.scheme.pk})
        self.assertRedirects(response, f"{reverse('duties:finalresult_list')}?scheme={self.scheme.pk}")
        stored = {r.owner_unit.name: r for r in FinalResult.objects.select_related("owner_unit")}
        self.assertEqual({name: (r.total, r.rank, r.rank_group) for name, r in stored.items()}, {
            "东溪镇": (D("10"), 1, "town"), "南岭镇": (D("10"), 1, "town"), "西岭镇": (D("9"), 3, "town"),
            "县教育局": (D("7"), 1, "member")})
        self.assertEqual((stored["西岭镇"].reviewed, stored["西岭镇"].deductions, stored["西岭镇"].full_marks),
                         (D("10"), D("1"), D("10")))
        self.assertIsNotNone(stored["东溪镇"].finalized_at)
        first = AuditEvent.objects.get(object_type="duties.FinalResult")
        self.assertEqual(first.action, AuditEvent.Action.CREATE)
        self.assertIn("确定考核结果（4个单位）", first.object_label)

        ranking.commend(stored["东溪镇"], True, "同心行活动日做法被市委统战部推广", self.staff)
        self.town2_deduction.count = 0
        self.town2_deduction.save()
        self.client.post(reverse("duties:finalresult_finalise"), {"scheme": self.scheme.pk})
        self.assertEqual(FinalResult.objects.count(), 4)
        stored = {r.owner_unit.name: r for r in FinalResult.objects.select_related("owner_unit")}
        self.assertEqual([(name, stored[name].total, stored[name].rank) for name in ("西岭镇", "东溪镇", "南岭镇")],
                         [("西岭镇", D("10"), 1), ("东溪镇", D("10"), 1), ("南岭镇", D("10"), 1)])
        self.assertTrue(stored["东溪镇"].commended)  # kept
        again = AuditEvent.objects.filter(object_type="duties.FinalResult", action=AuditEvent.Action.UPDATE,
                                          object_label__contains="重新确定").get()
        self.assertEqual(again.changes["变化"], {"西岭镇": "9分，第3名 → 10分，第1名"})

    def test_units_no_longer_assessed_are_dropped(self):
        ranking.finalise(self.scheme, self.staff)
        self.scheme.unit_types = [Unit.Type.TOWN]
        self.scheme.save()
        ranking.finalise(self.scheme, self.staff)
        self.assertFalse(FinalResult.objects.filter(owner_unit=self.org.member).exists())
        event = AuditEvent.objects.filter(object_type="duties.FinalResult").order_by("-id").first()
        self.assertEqual(event.changes["变化"], {"县教育局": "不再纳入考核，已删除"})

    def test_town_officer_cannot_finalise_or_commend(self):
        ranking.finalise(self.scheme, self.staff)
        own = FinalResult.objects.get(owner_unit=self.org.town1)
        self.client.force_login(self.town1_user)
        self.assertEqual(self.client.post(reverse("duties:finalresult_finalise"),
                                          {"scheme": self.scheme.pk}).status_code, 403)
        url = reverse("duties:finalresult_commend", kwargs={"pk": own.pk})
        self.assertEqual(self.client.get(url).status_code, 403)
        self.assertEqual(self.client.post(url, {"commended": "on"}).status_code, 403)
        own.refresh_from_db()
        self.assertFalse(own.commended)


class CommendationTests(ResultFixtures):
    def test_commendation_is_audited(self):
        ranking.finalise(self.scheme, self.staff)
        result = FinalResult.objects.get(owner_unit=self.town3)
        self.client.force_login(self.staff)
        url = reverse("duties:finalresult_commend", kwargs={"pk": result.pk})
        self.assertContains(self.client.get(url), "南岭镇")
        response = self.client.post(url, {"commended": "on", "commendation": "加分项全县第一"})
        self.assertRedirects(response, f"{reverse('duties:finalresult_list')}?scheme={self.scheme.pk}")
        result.refresh_from_db()
        self.assertEqual((result.commended, result.commendation), (True, "加分项全县第一"))
        event = AuditEvent.objects.filter(object_type="duties.FinalResult", object_id=str(result.pk)).get()
        self.assertEqual(event.action, AuditEvent.Action.UPDATE)
        self.assertEqual(set(event.changes), {"表彰", "表彰说明"})

        self.client.post(url, {"commendation": ""})  # withdrawn
        result.refresh_from_db()
        self.assertEqual((result.commended, result.commendation), (False, ""))
        self.assertEqual(AuditEvent.objects.filter(object_type="duties.FinalResult",
                                                   object_id=str(result.pk)).count(), 2)

    def test_a_note_without_the_mark_is_refused(self):
        ranking.finalise(self.scheme, self.staff)
        result = FinalResult.objects.get(owner_unit=self.town3)
        self.client.force_login(self.staff)
        response = self.client.post(reverse("duties:finalresult_commend", kwargs={"pk": result.pk}),
                                    {"commendation": "说明"})
        self.assertContains(response, "请勾选“表彰为优秀单位”")
        result.refresh_from_db()
        self.assertFalse(result.commended)


class ResultPageAndExportTests(ResultFixtures):
    def setUp(self):
        ranking.finalise(self.scheme, self.staff)
        ranking.commend(FinalResult.objects.get(owner_unit=self.org.town1), True, "全部按时完成", self.staff)

    def test_county_staff_page_and_preview(self):
        self.client.force_login(self.staff)
        page = self.client.get(reverse("duties:finalresult_list"))
        self.assertEqual(page.context["scheme"], self.scheme)
        self.assertEqual([(label, size) for label, size, _ in page.context["groups"]], [("镇街", 3), ("成员单位", 1)])
        self.assertEqual([r.owner_unit.name for r, _ in page.context["groups"][0][2]], ["东溪镇", "南岭镇", "西岭镇"])
        self.assertIsNone(page.context["preview"])
        self.assertContains(page, "重新确定考核结果")
        preview = self.client.get(reverse("duties:finalresult_list"), {"scheme": self.scheme.pk, "preview": 1})
        self.assertEqual([row.unit.name for _, rows in preview.context["preview"] for row in rows],
                         ["东溪镇", "南岭镇", "西岭镇", "县教育局"])
        self.assertEqual(self.client.get(reverse("duties:finalresult_list"), {"scheme": 999999}).status_code, 404)

    def test_a_town_sees_only_its_own_result(self):
        self.client.force_login(self.town1_user)
        page = self.client.get(reverse("duties:finalresult_list"))
        self.assertEqual(page.status_code, 200)
        self.assertEqual([r.owner_unit.name for _, _, rows in page.context["groups"] for r, _ in rows], ["东溪镇"])
        self.assertContains(page, "镇街（共3个单位参加排名）")
        self.assertNotContains(page, "西岭镇")
        self.assertNotContains(page, "确定考核结果")
        self.assertIsNone(page.context["preview"])
        text = export_text(self.client.get(reverse("duties:finalresult_export"), {"scheme": self.scheme.pk}))
        self.assertIn("东溪镇", text)
        self.assertNotIn("西岭镇", text)

    def test_excel_export(self):
        self.client.force_login(self.staff)
        response = self.client.get(reverse("duties:finalresult_export"), {"scheme": self.scheme.pk})
        text = export_text(response)
        lines = text.splitlines()
        self.assertIn("2026年度统战工作职责清单考核结果", lines)
        for header in ("单位类型", "名次", "单位", "自动取数得分", "审核得分", "加分", "扣分", "总分", "满分",
                       "得分率（%）", "表彰", "表彰说明"):
            self.assertIn(header, lines)
        self.assertIn("全部按时完成", lines)
        self.assertIn("优秀", lines)
        order = [name for name in lines if name in ("东溪镇", "南岭镇", "西岭镇", "县教育局")]
        self.assertEqual(order, ["东溪镇", "南岭镇", "西岭镇", "县教育局"])
        self.assertTrue(AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT,
                                                  object_type="duties.FinalResult").exists())

    def test_word_export(self):
        self.client.force_login(self.staff)
        response = self.client.get(reverse("duties:finalresult_word"), {"scheme": self.scheme.pk})
        self.assertEqual(response["Content-Type"], word.DOCX_CONTENT_TYPE)
        paragraphs, tables = docx_text(response.content)
        self.assertEqual(paragraphs[0], "2026年度统战工作职责清单考核结果")
        self.assertIn("一、镇街（3个）", paragraphs)
        self.assertIn("二、成员单位（1个）", paragraphs)
        self.assertEqual(tables[0][1:], [
            ["1", "东溪镇", "0", "9", "1", "0", "10", "100%", "优秀"],
            ["1", "南岭镇", "0", "8", "2", "0", "10", "100%", ""],
            ["3", "西岭镇", "0", "10", "0", "1", "9", "90%", ""],
        ])
        self.assertEqual(tables[1][1:], [["1", "县教育局", "0", "7", "0", "0", "7", "70%", ""]])
        self.assertIn("1．东溪镇：全部按时完成", paragraphs)
        self.assertEqual(paragraphs[-2], "中共测试县委统战部")
