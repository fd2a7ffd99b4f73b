"""Importing units from Excel: upload → check (a job) → preview with located problems → confirmation →
all-or-nothing write."""

import io
from unittest import mock

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from accounts.testing import create_user
from core.importing.framework import run_import
from core.importing.jobs import INTERNAL_ERROR
from core.models import AuditEvent, ImportJob
from core.tests.spreadsheets import shared_string_bomb
from org.models import Unit

from .test_pages import OrgTestCase

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ["单位名称", "简称", "类型", "区划代码", "上级单位", "排序"]


def workbook_bytes(rows, *, title_rows=(), header=HEADER):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "单位"
    for row in title_rows:
        sheet.append(row)
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(data, name="单位.xlsx"):
    return SimpleUploadedFile(name, data, content_type=XLSX_TYPE)


GOOD_ROWS = [
    ["南湖镇", "南湖", "镇街", "330998003", "330998", 3],
    ["南湖村", "", "村社", 330998003001, "南湖镇", None],  # a numeric code of 12 digits is accepted
    [None, None, None, None, None, None],  # blank rows are skipped
    ["湖滨社区", "", "村社", "330998003002", "330998003", 2],
    ["县工商联", "工商联", "成员单位", "", "测试县", 60],
    ["东溪小学", "", "学校", "", "东溪镇", ""],
]


def check(data, user=None):
    """The dry run of the import (what the preview shows)."""
    return run_import("org.unit", data, "单位.xlsx", user=user, dry_run=True)


class ImportTests(OrgTestCase):
    def preview(self, data, name="单位.xlsx"):
        """Upload: the check runs as a job (at once under the test settings); the job page is the preview."""
        return self.client.post(reverse("org:import"), {"file": upload(data, name)}, follow=True)

    def job(self):
        return ImportJob.objects.filter(kind="org.unit").latest("id")

    def confirm(self, follow=False):
        return self.client.post(reverse("org:import_job", args=[self.job().pk]), {"action": "confirm"}, follow=follow)

    def test_good_file_previews_then_creates_every_unit(self):
        before = Unit.objects.count()
        response = self.preview(workbook_bytes(GOOD_ROWS, title_rows=[["测试县单位导入"], []]))
        self.assertContains(response, "检查通过：将新增 5 个单位")
        self.assertContains(response, "表头在第3行")
        self.assertEqual(Unit.objects.count(), before, "the preview writes nothing")
        self.assertEqual(self.job().result["preview"][1]["division_code"], "330998003001")
        entries = response.context["entries"]
        # A parent given by the code of an earlier row is shown by that row's name.
        self.assertEqual((entries[2]["parent_row"], entries[2]["parent_name"]), (4, "南湖镇"))

        response = self.confirm()
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Unit.objects.count(), before + 5)
        town = Unit.objects.get(name="南湖镇")
        self.assertEqual((town.short_name, town.type, town.sort_order), ("南湖", "town", 3))
        self.assertEqual(Unit.objects.get_parent(town), self.org.county)
        self.assertEqual(Unit.objects.get_parent(Unit.objects.get(name="南湖村")), town)
        self.assertEqual(Unit.objects.get_parent(Unit.objects.get(division_code="330998003002")), town)
        self.assertEqual(Unit.objects.get(name="县工商联").type, "member")
        school = Unit.objects.get(name="东溪小学")
        self.assertEqual((Unit.objects.get_parent(school), school.sort_order), (self.org.town1, 0))
        self.assertEqual(Unit.objects.find_problems(), ([], [], [], [], []))
        event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT)
        self.assertEqual(event.changes["新增单位"], 5)
        self.assertEqual(event.changes["文件"], "单位.xlsx")
        job = self.job()
        self.assertEqual((job.status, job.data), (ImportJob.Status.DONE, None))
        # The same confirmation cannot be replayed.
        self.confirm()
        self.assertEqual(Unit.objects.count(), before + 5)

    def test_file_with_one_bad_row_writes_nothing_and_names_row_and_column(self):
        rows = [*GOOD_ROWS]
        rows[3] = ["湖滨社区", "", "村社", "33099800300", "330998003", 2]  # Excel row 5, 11 digits
        before = Unit.objects.count()
        response = self.preview(workbook_bytes(rows))
        self.assertContains(response, "第5行")
        self.assertContains(response, '区划代码<span class="text-secondary">（D列）</span>')
        self.assertContains(response, "区划代码须为6位、9位或12位数字")
        self.assertNotContains(response, "确认导入")
        self.assertEqual(self.confirm().status_code, 302)
        self.assertEqual(Unit.objects.count(), before)
        self.assertFalse(AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).exists())

    def test_every_problem_is_listed_with_row_and_column(self):
        rows = [
            ["", "", "镇街", "", "", ""],  # row 2: no name
            ["甲镇", "", "乡镇", "", "测试县", ""],  # row 3: unknown type
            ["乙镇", "", "镇街", 33099800.0, "测试县", ""],  # row 4: numeric code with 8 digits
            ["丙村", "", "村社", "", "丁镇", ""],  # row 5: parent only later in the file
            ["丁镇", "", "镇街", "330998001", "测试县", "一"],  # row 6: code taken, sort not a number
            ["东溪村", "", "村社", "", "东溪镇", ""],  # row 7: same name under the same parent
            ["戊村", "", "村社", "", "不存在的镇", ""],  # row 8: parent unknown
            ["己镇", "", "镇街", "330998009", "测试县", ""],
            ["庚镇", "", "镇街", "330998009", "测试县", ""],  # row 10: code repeats row 9
        ]
        found = {(p.row, p.column): p.message for p in check(workbook_bytes(rows)).errors}
        self.assertEqual(found[(2, "单位名称")], "不能为空。")
        self.assertIn("“乡镇”不是有效的类型，应为：县区、镇街、村社", found[(3, "类型")])
        self.assertIn("文本格式", found[(4, "区划代码")])
        self.assertEqual(found[(5, "上级单位")], "上级单位“丁镇”在第6行，须排在本行之前。")
        self.assertEqual(found[(6, "区划代码")], "区划代码“330998001”已被“测试县 / 东溪镇”使用。")
        self.assertEqual(found[(6, "排序")], "应为整数。")
        self.assertEqual(found[(7, "单位名称")], "上级单位“东溪镇”下已有名为“东溪村”的单位。")
        self.assertIn("找不到上级单位“不存在的镇”", found[(8, "上级单位")])
        self.assertEqual(found[(10, "区划代码")], "区划代码“330998009”与第9行重复。")
        self.assertNotIn((9, "区划代码"), found)

        response = self.preview(workbook_bytes(rows))
        self.assertContains(response, "第10行")
        self.assertEqual(Unit.objects.filter(name__in=["己镇", "庚镇"]).count(), 0)

    def test_ambiguous_parent_name_asks_for_the_code(self):
        Unit.objects.add_child(Unit.objects.get(pk=self.org.town2.pk), instance=Unit(name="东溪村", type="village"))
        result = check(workbook_bytes([["新组", "", "其他", "", "东溪村", ""]]))
        self.assertIn("名为“东溪村”的单位不止一个", result.errors[0].message)
        self.assertIn("请改填其区划代码", result.errors[0].message)

    def test_header_synonyms_and_missing_type_column(self):
        header = ["名称", "类型", "行政区划代码", "上级", "备注"]
        result = check(workbook_bytes([["南湖镇", "镇街", "330998003", "测试县", "x"]], header=header))
        self.assertEqual(result.errors, [])
        self.assertEqual(result.notices, ["以下列不是单位的列，内容未导入：“备注”（E列）。"])
        self.assertEqual(result.preview[0]["division_code"], "330998003")
        result = check(workbook_bytes([["南湖镇"]], header=["单位名称"]))
        self.assertEqual([str(p) for p in result.errors], ["第1行“类型”列：表头缺少“类型”列。"])

    def test_confirm_validates_again_and_writes_nothing_when_the_tree_changed(self):
        self.preview(workbook_bytes(GOOD_ROWS))
        # Meanwhile someone else takes the code of the first row.
        Unit.objects.add_child(Unit.objects.get(pk=self.org.county.pk),
                               instance=Unit(name="抢先镇", type="town", division_code="330998003"))
        before = Unit.objects.count()
        response = self.confirm(follow=True)
        self.assertContains(response, "确认导入时重新检查发现以下问题")
        self.assertContains(response, "已被“测试县 / 抢先镇”使用")
        self.assertEqual(Unit.objects.count(), before)
        self.assertTrue(AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT, success=False).exists())

    def test_failure_in_the_middle_of_writing_rolls_everything_back(self):
        self.preview(workbook_bytes(GOOD_ROWS))
        before = Unit.objects.count()
        real = Unit.objects.add_child
        calls = []

        def failing(parent, *args, **kwargs):
            calls.append(1)
            if len(calls) == 3:
                raise RuntimeError("disk full")
            return real(parent, *args, **kwargs)

        # The job fails with the error logged (the task runner keeps the exception); the request does not.
        with mock.patch.object(Unit.objects, "add_child", side_effect=failing), \
                self.assertLogs("core.importing.jobs", "ERROR") as logged:
            self.confirm()
        self.assertIn("RuntimeError: disk full", logged.output[0])
        self.assertEqual((self.job().status, self.job().message), (ImportJob.Status.FAILED, INTERNAL_ERROR))
        self.assertEqual(Unit.objects.count(), before)
        self.assertFalse(AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).exists())

    def test_not_an_xlsx_file_is_refused(self):
        # An .xls is read (by the caged reader, in the job): a damaged one fails the job with the reason.
        response = self.preview(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, name="旧.xls")
        self.assertContains(response, "另存为")
        response = self.preview("单位名称,类型\n".encode(), name="单位.csv")
        self.assertContains(response, "不是 Excel")

    def test_too_big_upload_is_refused(self):
        response = self.preview(b"PK\x03\x04" + b"\0" * (5 * 1024 * 1024 + 10))
        self.assertContains(response, "文件过大")

    def test_sheet_without_header_is_explained(self):
        response = self.preview(workbook_bytes([["张三", "1"]], header=["姓名", "电话"]))
        self.assertContains(response, "没有找到表头")
        self.assertNotContains(response, "确认导入")

    def test_template_download(self):
        response = self.client.get(reverse("org:import_template"))
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        data = b"".join(response.streaming_content)
        rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
        header_index = next(i for i, row in enumerate(rows) if "单位名称" in row)
        self.assertEqual(rows[header_index], HEADER)
        example = rows[header_index + 1]
        self.assertEqual(example[:5], ["示例镇", "示例", "镇街", "330999013", "330999"])
        # The template reads back through the importer: its example row is found under the header (and, with
        # its parent 330999 in the tree, checks without a problem).
        Unit.objects.add_root(instance=Unit(name="示范县", type=Unit.Type.COUNTY, division_code="330999"))
        result = check(data)
        self.assertEqual(result.errors, [])
        self.assertEqual(result.preview[0]["name"], "示例镇")
        self.assertEqual(result.preview[0]["division_code"], "330999013")


# --- a hostile workbook (core.importing's cage, tested in core/tests/test_workbook_cage.py) ---------------

@pytest.fixture(scope="module")
def bomb():
    return shared_string_bomb()


def test_the_org_import_refuses_the_bomb_and_writes_nothing(client, org, bomb):
    client.force_login(create_user("t_sysadmin", org.county, "sysadmin"))
    before = Unit.objects.count()
    response = client.post(reverse("org:import"), {"file": SimpleUploadedFile("单位.xlsx", bomb)}, follow=True)
    assert "文字展开后超过上限" in response.content.decode()
    assert Unit.objects.count() == before
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED and job.data is None and not job.result
