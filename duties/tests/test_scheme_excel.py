"""Exporting a scheme to Excel and importing one (upload → check → preview → confirm; all or nothing, problems
named by row and column)."""

import io
from decimal import Decimal as D

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import resolve, reverse
from python_calamine import CalamineWorkbook

from accounts.testing import create_user
from core.importing import ImportFileError
from core.importing.framework import run_import
from core.models import AuditEvent, ImportJob
from core.testing import export_text
from core.tests.spreadsheets import shared_string_bomb
from duties.exports import COLUMNS
from duties.models import Indicator, Scheme, Submission
from org.testing import build_county

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(rows, header=COLUMNS, title="2027年度考核细则"):
    """An .xlsx file: a title row, the header, then `rows` (lists, or dicts by column name)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("考核细则")
    sheet.write(0, 0, title)
    for col, name in enumerate(header):
        sheet.write(1, col, name)
    for r, row in enumerate(rows, start=2):
        values = [row.get(name, "") for name in header] if isinstance(row, dict) else row
        for col, value in enumerate(values):
            if value not in ("", None):
                sheet.write(r, col, value)
    book.close()
    return buffer.getvalue()


def upload(data, name="细则.xlsx"):
    return SimpleUploadedFile(name, data, content_type=XLSX)


def through_preview(client, response):
    """After an upload: when the check found nothing wrong, confirm it (the answer is the confirmation's);
    otherwise the job's page with what the check found. An upload the form refused is returned as it is."""
    if response.status_code != 302 or not resolve(response["Location"]).url_name.endswith("_job"):
        return response
    job = ImportJob.objects.latest("id")
    if job.status == ImportJob.Status.CHECKED and not job.result["errors"]:
        return client.post(response["Location"], {"action": "confirm"})
    return client.get(response["Location"])


def sheet_rows(response):
    data = b"".join(response.streaming_content)
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return book.get_sheet_by_name("考核细则").to_python(), data


class ExcelFixtures(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = org = build_county()
        cls.staff = create_user("x_staff", org.county, "county_staff")
        cls.town_user = create_user("x_town", org.town1, "town_officer")
        cls.scheme = scheme = Scheme.objects.create(year=2026, title="2026年度统战工作考核细则",
                                                    owner_unit=org.county, unit_types=["town", "member"])
        basic = Indicator.objects.create(scheme=scheme, text="基础工作", sort_order=1)
        Indicator.objects.create(scheme=scheme, text="空类别", sort_order=2)
        bonus = Indicator.objects.create(scheme=scheme, text="加分项目", sort_order=3)
        Indicator.objects.create(
            scheme=scheme, parent=basic, sort_order=1, text="每季度开展同心大讲堂", points=4, frequency="quarter",
            deadline_days=10, deadline_anchor="end", evidence_required="活动照片", unit_types=["town"],
            metric_key="activities.held_of_type", metric_params={"activity_type": "同心大讲堂"}, rule_threshold=1)
        Indicator.objects.create(scheme=scheme, parent=basic, sort_order=2, text="年度工作总结", points=5,
                                 method="review", score_min=2, deadline="2026-12-20")
        specific = Indicator.objects.create(scheme=scheme, parent=basic, sort_order=3, text="教育系统统战工作",
                                            points=3, applies_to="specific")
        specific.units.add(org.member)
        Indicator.objects.create(scheme=scheme, parent=bonus, sort_order=1, text="信息被采用", points=2,
                                 method="bonus", unit_points=D("0.5"))
        Indicator.objects.create(scheme=scheme, parent=bonus, sort_order=2, text="未按时报送", points=3,
                                 method="deduction", unit_points=1, frequency="month")


class ExportTests(ExcelFixtures):
    def test_export(self):
        self.client.force_login(self.staff)
        response = self.client.get(reverse("duties:scheme_export", args=[self.scheme.pk]))
        rows, _ = sheet_rows(response)
        self.assertEqual(rows[0][0], "2026年度统战工作考核细则")
        self.assertEqual(rows[2], COLUMNS)
        lecture = dict(zip(COLUMNS, rows[3], strict=True))
        self.assertEqual(
            {k: lecture[k] for k in ("类别", "考核事项", "分值", "计分方式", "频次", "截止工作日数", "工作日起算",
                                     "适用范围", "适用单位类型", "自动取数指标", "取数参数", "比较方式", "达标值")},
            {"类别": "基础工作", "考核事项": "每季度开展同心大讲堂", "分值": "4", "计分方式": "完成/未完成",
             "频次": "每季度", "截止工作日数": 10.0, "工作日起算": "期末后", "适用范围": "共性",
             "适用单位类型": "镇街", "自动取数指标": "activities.held_of_type", "取数参数": "活动类型=同心大讲堂",
             "比较方式": "≥", "达标值": "1"})
        self.assertEqual(rows[4][COLUMNS.index("截止日期")], "2026-12-20")
        self.assertEqual(rows[5][COLUMNS.index("适用单位")], "县教育局")
        self.assertEqual(rows[6][:2], ["空类别", ""])  # a category without items
        self.assertEqual([r[1] for r in rows[7:]], ["信息被采用", "未按时报送"])
        self.assertTrue(AuditEvent.objects.filter(action="export", object_id=str(self.scheme.pk)).exists())

    def test_town_user_cannot_export_the_county_scheme(self):
        self.client.force_login(self.town_user)
        self.assertEqual(self.client.get(reverse("duties:scheme_export", args=[self.scheme.pk])).status_code, 404)

    def test_round_trip(self):
        """An exported scheme, imported as a new scheme, has the same tree, points, rules and units."""
        self.client.force_login(self.staff)
        _, data = sheet_rows(self.client.get(reverse("duties:scheme_export", args=[self.scheme.pk])))
        response = through_preview(self.client, self.client.post(reverse("duties:scheme_import"), {
            "year": 2026, "title": "导入的细则", "unit_types": ["town", "member"], "file": upload(data)}))
        imported = Scheme.objects.get(title="导入的细则")
        self.assertRedirects(response, imported.get_absolute_url())

        def shape(scheme):
            return [(i.parent.text, i.text, i.points, i.method, i.unit_points, i.score_min, i.frequency,
                     i.deadline, i.deadline_days, i.deadline_anchor, i.applies_to, i.unit_types,
                     [u.pk for u in i.units.all()], i.metric_key, i.metric_params, i.rule_comparison,
                     i.rule_threshold, i.rule_mapping, i.evidence_required) for i in scheme.items()]

        self.assertEqual(shape(imported), shape(self.scheme))
        self.assertEqual([c.text for c in imported.categories()], ["基础工作", "空类别", "加分项目"])
        self.assertEqual((imported.status, imported.owner_unit), ("draft", self.org.county))
        self.assertTrue(AuditEvent.objects.filter(action="import", object_id=str(imported.pk)).exists())


class ImportTests(ExcelFixtures):
    def setUp(self):
        self.client.force_login(self.staff)

    def post_new(self, data, title="2027年度考核细则"):
        return through_preview(self.client, self.client.post(reverse("duties:scheme_import"), {
            "year": 2027, "title": title, "unit_types": ["town"], "file": upload(data)}))

    def test_merged_category_cells_and_synonyms(self):
        header = ["指标类别", "考核内容", "分数", "评分方式", "每次分值", "频率", "共性/个性", "适用单位"]
        rows = [
            ["基础工作", "建立台账", 5, "完成", "", "每年", "共性", ""],
            ["", "每月报送信息", 3, "按次", 0.5, "每月", "", ""],  # blank category: the one above
            ["特色工作", "东溪镇特色", "2分", "评分", "", "", "个性", "东溪镇、330998002"],
        ]
        response = self.post_new(workbook(rows, header=header))
        scheme = Scheme.objects.get(year=2027)
        self.assertRedirects(response, scheme.get_absolute_url())
        items = list(scheme.items())
        self.assertEqual([(i.parent.text, i.text, i.points, i.method, i.frequency) for i in items], [
            ("基础工作", "建立台账", D(5), "done", "year"),
            ("基础工作", "每月报送信息", D(3), "per_occurrence", "month"),
            ("特色工作", "东溪镇特色", D(2), "review", "year"),
        ])
        self.assertEqual(items[1].unit_points, D("0.5"))
        self.assertEqual(list(items[2].units.all()), [self.org.town1, self.org.town2])

    def test_problems_are_named_by_row_and_column_and_nothing_is_saved(self):
        rows = [
            {"类别": "基础工作", "考核事项": "按次计分缺每次分值", "分值": 2, "计分方式": "按次计分"},
            {"考核事项": "分值不是数字", "分值": "两分"},
            {"考核事项": "未知的计分方式", "分值": 1, "计分方式": "打勾"},
            {"考核事项": "未知单位", "分值": 1, "适用范围": "个性", "适用单位": "东溪村委"},
            {"考核事项": "规则参数错", "分值": 1, "自动取数指标": "activities.held_of_type",
             "取数参数": "活动类型=讲座", "达标值": 1},
            {"考核事项": "未知指标", "分值": 1, "自动取数指标": "foo.bar", "达标值": 1},
            {"考核事项": "截止日期只写到月", "分值": 1, "截止日期": "2027.06"},
            {"考核事项": "季度事项用截止日期", "分值": 1, "频次": "每季度", "截止日期": "2027-06-30"},
            {"考核事项": "正确的一行", "分值": 1},
        ]
        response = self.post_new(workbook(rows))
        self.assertEqual(response.status_code, 200)
        problems = [str(p) for p in response.context["problems"]]
        self.assertEqual(problems, [
            "第3行“每次分值”列：“按次计分”须填写每次分值。",
            "第4行“分值”列：应为数字。",
            "第5行“计分方式”列：“打勾”不是有效的计分方式。",
            "第6行“适用单位”列：找不到单位“东溪村委”。",
            "第7行“取数参数”列：取数参数无效：未知的活动类型：讲座",
            "第8行“自动取数指标”列：未登记的统计指标：foo.bar",
            "第9行“截止日期”列：须精确到日，例如“2027-06-30”。",
            "第10行“截止日期”列：按月、季度、半年开展的事项请用“截止工作日数”，截止日期只用于每年（一次）的事项。",
        ])
        self.assertContains(response, "文件中有 8 处问题，未导入任何内容")
        self.assertFalse(Scheme.objects.filter(year=2027).exists())
        self.assertEqual(Indicator.objects.exclude(scheme=self.scheme).count(), 0)

    def test_first_row_needs_a_category(self):
        response = self.post_new(workbook([{"考核事项": "无类别", "分值": 1}]))
        self.assertEqual([str(p) for p in response.context["problems"]],
                         ["第3行“类别”列：不能为空（第一行须填写类别）。"])

    def test_file_problems(self):
        response = through_preview(self.client, self.client.post(reverse("duties:scheme_import"), {
            "year": 2027, "title": "x", "unit_types": ["town"],
            "file": SimpleUploadedFile("a.xlsx", b"not a workbook")}))
        self.assertContains(response, "文件不是 Excel（.xlsx）格式。")
        response = self.post_new(workbook([["a", "b"]], header=["名称", "备注"]))
        self.assertContains(response, "没有找到表头")
        response = self.post_new(workbook([]))
        self.assertContains(response, "表格中没有考核事项。")
        self.assertFalse(Scheme.objects.filter(year=2027).exists())

    def test_scheme_fields_are_checked_too(self):
        response = through_preview(self.client, self.client.post(reverse("duties:scheme_import"), {
            "year": 2026, "title": "2026年度统战工作考核细则", "unit_types": ["town"],
            "file": upload(workbook([{"类别": "a", "考核事项": "b", "分值": 1}]))}))
        self.assertContains(response, "2026年已有名为“2026年度统战工作考核细则”的考核细则。")

    def test_replace_indicators_of_a_scheme(self):
        url = reverse("duties:scheme_indicator_import", args=[self.scheme.pk])
        self.assertContains(self.client.get(url), "删除“2026年度统战工作考核细则”现有的全部类别和考核事项")
        # a bad file changes nothing
        response = through_preview(self.client, self.client.post(url, {
            "file": upload(workbook([{"类别": "新", "考核事项": "x", "分值": "-1"}]))}))
        self.assertEqual([str(p) for p in response.context["problems"]], ["第3行“分值”列：不能小于0。"])
        self.assertEqual(self.scheme.items().count(), 5)
        data = workbook([{"类别": "新类别", "考核事项": "新事项", "分值": 7}])
        response = through_preview(self.client, self.client.post(url, {"file": upload(data)}))
        self.assertRedirects(response, self.scheme.get_absolute_url())
        self.assertEqual([(i.parent.text, i.text) for i in self.scheme.items()], [("新类别", "新事项")])
        self.assertEqual(self.scheme.indicators.count(), 2)

    def test_replace_refused_once_units_have_submitted(self):
        item = self.scheme.items().first()
        Submission.objects.create(indicator=item, owner_unit=self.org.town1, period_key="2026-Q1")
        url = reverse("duties:scheme_indicator_import", args=[self.scheme.pk])
        self.assertContains(self.client.get(url), "不能整体替换指标")
        through_preview(self.client, self.client.post(url, {
            "file": upload(workbook([{"类别": "新", "考核事项": "x", "分值": 1}]))}))
        self.assertEqual(self.scheme.items().count(), 5)

    def test_town_user_cannot_import(self):
        self.client.force_login(self.town_user)
        response = self.post_new(workbook([{"类别": "a", "考核事项": "b", "分值": 1}]))
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Scheme.objects.filter(year=2027).exists())


class ImporterUnitTests(ExcelFixtures):
    def test_import_function(self):
        scheme = Scheme.objects.create(year=2027, title="直接导入", owner_unit=self.org.county, unit_types=["town"])
        result = run_import("duties.indicators", workbook([
            {"类别": "甲", "考核事项": "一", "分值": 1, "计分方式": "扣分项", "每次分值": 1},
            {"类别": "乙"},
            {"类别": "甲", "考核事项": "二", "分值": 2, "比较方式": "≥"},
        ]), "细则.xlsx", options={"scheme": scheme.pk})
        self.assertTrue(result.written and not result.errors)
        self.assertEqual((result.summary["类别"], result.summary["考核事项"]), (2, 2))
        self.assertEqual([(c.text, [i.text for i in c.children.order_by("sort_order")])
                          for c in scheme.categories()], [("甲", ["一", "二"]), ("乙", [])])

    def test_export_text_helper_reads_the_export(self):
        self.client.force_login(self.staff)
        text = export_text(self.client.get(reverse("duties:scheme_export", args=[self.scheme.pk])))
        self.assertIn("教育系统统战工作", text)


# --- a hostile workbook (core.importing's cage, tested in core/tests/test_workbook_cage.py) ---------------

@pytest.fixture(scope="module")
def bomb():
    return shared_string_bomb()


def test_the_scheme_import_refuses_the_bomb_and_writes_nothing(org, bomb):
    scheme = Scheme.objects.create(year=2027, title="考核细则", owner_unit=org.county, unit_types=["town"])
    with pytest.raises(ImportFileError, match="文字展开后超过上限"):
        run_import("duties.indicators", bomb, "细则.xlsx", options={"scheme": scheme.pk})
    assert not Indicator.objects.filter(scheme=scheme).exists()
