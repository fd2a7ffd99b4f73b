"""The import framework (core.importing.framework) with a tiny importer (core/tests/importing_support.py): the
column spec, converters named by row and column, checks across columns, the matcher, all or nothing, the error
workbook, progress, the pages (upload, preview, confirm, cancel, expiry), .xls and .ods uploads, the blank
template and `manage.py import`."""

import datetime
import io
import json
from unittest import mock

import openpyxl
import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from python_calamine import CalamineWorkbook

from accounts.testing import create_user
from core.importing import ImportFileError
from core.importing.errors import write_error_workbook
from core.importing.framework import ImportDenied, importer_for, registered, run_import
from core.models import AuditEvent, ImportJob, Notification

from .importing_support import NoteImporter
from .spreadsheets import ods_bytes, xls_bytes

pytestmark = pytest.mark.urls("core.tests.importing_support")

HEADER = ["序号", "标题", "内容", "份数", "类型"]
GOOD = [[1, "开会", "周一开会", 2, "通知"], [2, "交材料", "周五前", 1, "提醒"]]
BAD = [[1, "开会", "周一开会", 2, "通知"], [2, "交材料", None, "两份", "提醒"], [3, "学习", None, 3, "通知"]]


def xlsx(rows, header=HEADER, title="本周通知"):
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("通知")
    sheet.write(0, 0, title)
    sheet.write_row(1, 0, header)
    for number, row in enumerate(rows, start=2):
        for col, value in enumerate(row):
            if value is not None:
                sheet.write(number, col, value)
    book.close()
    return buffer.getvalue()


@pytest.fixture
def admin(org):
    return create_user("t_sysadmin", org.county, "sysadmin")


def check(data, user, **options):
    return run_import("core.test_note", data, "通知.xlsx", user=user, dry_run=True, **options)


def problems(result):
    return [str(p) for p in result.errors]


# --- the run ----------------------------------------------------------------------------------------------------


def test_the_importer_is_registered_by_its_kind():
    assert importer_for("core.test_note") is NoteImporter
    assert "core.test_note" in registered() and {"org.unit", "duties.scheme", "duties.indicators"} <= set(registered())
    with pytest.raises(LookupError):
        importer_for("core.nothing")


def test_a_clean_file_is_checked_then_written_with_the_audit_event(admin):
    data = xlsx(GOOD)
    result = check(data, admin)
    assert (result.data_rows, result.valid_rows, result.created, result.errors) == (2, 2, 2, [])
    assert (result.sheet, result.header_row, result.columns["类型"]) == ("通知", 2, "E")
    assert result.summary == {"份数合计": 3} and [row["title"] for row in result.preview] == ["开会", "交材料"]
    assert not Notification.objects.exists() and not AuditEvent.objects.filter(action="import").exists()

    written = run_import("core.test_note", data, "通知.xlsx", user=admin)
    assert written.written and written.created == 2
    assert sorted(Notification.objects.values_list("title", "body")) == [("交材料", "周五前"), ("开会", "周一开会")]
    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT)
    assert (event.success, event.object_type, event.object_label, event.user) == (
        True, "core.Notification", "通知.xlsx", admin)
    assert event.changes["新增"] == 2 and event.changes["份数合计"] == 3 and event.changes["工作表"] == "通知"


def test_the_matcher_tells_new_changed_and_unchanged_records_apart(admin):
    run_import("core.test_note", xlsx(GOOD), "通知.xlsx", user=admin)
    again = xlsx([GOOD[0], [2, "交材料", "下周一前", 1, "提醒"], [3, "学习", "", 1, "通知"]])
    result = run_import("core.test_note", again, "通知.xlsx", user=admin)
    assert (result.created, result.updated, result.unchanged) == (1, 1, 1)
    assert Notification.objects.get(title="交材料").body == "下周一前"


def test_every_problem_is_named_by_row_and_column_and_nothing_is_written(admin):
    result = run_import("core.test_note", xlsx(BAD), "通知.xlsx", user=admin)
    assert problems(result) == ["第4行“内容”列：提醒须填写内容。", "第4行“份数”列：应为整数。"]
    assert (result.data_rows, result.valid_rows, result.invalid_rows, result.written) == (3, 2, 1, False)
    assert not Notification.objects.exists()
    refused = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT)
    assert refused.success is False and refused.changes["错误行"] == 1


def test_skipping_invalid_rows_imports_the_others(admin):
    result = run_import("core.test_note", xlsx(BAD), "通知.xlsx", user=admin, skip_invalid=True)
    assert result.written and result.created == 2
    assert sorted(Notification.objects.values_list("title", flat=True)) == ["学习", "开会"]


def test_a_failure_while_writing_leaves_nothing(admin):
    def failing(self, plan):
        Notification.objects.create(recipient=self.user, title="写了一半")
        raise RuntimeError("disk full")

    with mock.patch.object(NoteImporter, "write", failing), pytest.raises(RuntimeError):
        run_import("core.test_note", xlsx(GOOD), "通知.xlsx", user=admin)
    assert not Notification.objects.exists() and not AuditEvent.objects.filter(action="import").exists()


def test_the_header_is_found_by_its_required_columns_and_their_synonyms(admin):
    result = check(xlsx([["周一开会", 2]], header=["题目", "份数"]), admin)
    assert result.errors == [] and result.created == 1  # 题目: a synonym of 标题
    with pytest.raises(ImportFileError, match="没有找到表头.*“标题”"):
        check(xlsx([["周一开会", 2]], header=["内容", "份数"]), admin)


def test_unknown_columns_and_unused_numbered_lines(admin):
    rows = [[1, "开会", "周一", 1, "通知", "x"], [2, None, None, None, None, None]]
    result = check(xlsx(rows, header=[*HEADER, "微信"]), admin)
    assert result.notices == ["以下列不是通知的列，内容未导入：“微信”（F列）。"]
    assert result.data_rows == 1  # a row holding only its number is an unused line of a template


def test_progress_is_reported_by_stage(admin):
    seen = []
    run_import("core.test_note", xlsx(GOOD), "通知.xlsx", user=admin, progress=lambda *args: seen.append(args))
    assert seen[0] == (0, 0, "read")
    assert (2, 2, "check") in seen and seen[-1] == (2, 2, "write")


def test_the_permission_is_the_importers(org):
    with pytest.raises(ImportDenied, match="您没有导入通知的权限"):
        run_import("core.test_note", xlsx(GOOD), "通知.xlsx", user=create_user("staff", org.county, "county_staff"))


@pytest.mark.parametrize("make", [
    lambda rows: xls_bytes([("说明", [["填表说明"]]), ("通知", [["本周通知"], HEADER, *rows])]),
    lambda rows: ods_bytes([("说明", [["填表说明"]]), ("通知", [["本周通知"], HEADER, *rows])]),
], ids=["xls", "ods"])
def test_xls_and_ods_files_are_read_like_xlsx(admin, make):
    result = check(make([[1, "开会", "周一开会", 2, "通知"], [2, "交材料", "", 1, "提醒"]]), admin)
    assert (result.sheet, result.header_row, result.data_rows) == ("通知", 2, 2)
    assert problems(result) == ["第4行“内容”列：提醒须填写内容。"]


# --- the error workbook ------------------------------------------------------------------------------------------


def test_the_error_workbook_marks_the_bad_cells_and_comes_back_fixed(admin):
    data = xlsx(BAD)
    result = check(data, admin)
    buffer = io.BytesIO()
    write_error_workbook(NoteImporter, data, [(p.row, p.column, p.message) for p in result.errors], buffer)
    sheet = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active
    assert sheet.title == "通知" and sheet["A1"].value == "本周通知"
    assert [c.value for c in sheet[2]] == [*HEADER, "错误说明"]
    assert sheet["C4"].fill.fgColor.rgb == "FFFFC7CE" and sheet["D4"].fill.fgColor.rgb == "FFFFC7CE"
    assert sheet["B4"].fill.fgColor.rgb != "FFFFC7CE"
    assert sheet["F4"].value == "内容：提醒须填写内容。；份数：应为整数。" and sheet["F3"].value is None
    sheet["C4"].value, sheet["D4"].value = "周五前", 1
    fixed = io.BytesIO()
    sheet.parent.save(fixed)
    again = check(fixed.getvalue(), admin)
    assert (again.errors, again.notices, again.created) == ([], [], 3)


# --- the pages ----------------------------------------------------------------------------------------------------


def upload(client, data, name="通知.xlsx", **fields):
    return client.post(reverse("notes:note_import"), {"file": SimpleUploadedFile(name, data), **fields})


def job_url(job, suffix="_job"):
    return reverse(f"notes:note_import{suffix}", args=[job.pk])


def test_upload_preview_confirm_through_the_pages(client, admin):
    client.force_login(admin)
    page = client.get(reverse("notes:note_import"))
    text = page.content.decode()
    assert ".xls" in text and ".ods" in text and 'accept=".xlsx,.xls,.ods' in text
    assert "标题相同的通知按内容更新。" in text

    response = upload(client, xlsx(GOOD))
    job = ImportJob.objects.get()
    assert response["Location"] == job_url(job)
    assert (job.kind, job.status, job.user, job.options) == (
        "core.test_note", ImportJob.Status.CHECKED, admin, {"skip_invalid": False})
    preview = client.get(job_url(job)).content.decode()
    assert "检查通过：将新增 2 条、更新 0 条" in preview and "份数合计 3" in preview and "开会" in preview
    client.post(job_url(job), {"action": "confirm"})
    job.refresh_from_db()
    assert (job.status, job.data, job.result["counts"]["created"]) == (ImportJob.Status.DONE, None, 2)
    assert "导入完成：新增 2 条，更新 0 条" in client.get(job_url(job)).content.decode()
    assert Notification.objects.count() == 2


def test_the_preview_lists_every_problem_and_the_error_workbook(client, admin):
    client.force_login(admin)
    upload(client, xlsx(BAD))
    job = ImportJob.objects.get()
    preview = client.get(job_url(job))
    text = preview.content.decode()
    assert "文件中有 2 处问题，未导入任何内容（涉及 1 行）" in text
    assert '份数<span class="text-secondary">（D列）</span>' in text and "第4行" in text
    assert [str(p) for p in preview.context["problems"]] == [
        "第4行“内容”列：提醒须填写内容。", "第4行“份数”列：应为整数。"]
    download = client.get(job_url(job, "_errors"))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert sheet["F4"].value.startswith("内容：")
    refused = client.post(job_url(job), {"action": "confirm"}, follow=True)
    assert "或勾选“只导入无误的行”" in refused.content.decode() and not Notification.objects.exists()
    client.post(job_url(job), {"action": "confirm", "skip_invalid": "1"})
    assert sorted(Notification.objects.values_list("title", flat=True)) == ["学习", "开会"]


def test_xls_and_ods_uploads_are_accepted(client, admin):
    client.force_login(admin)
    rows = [["本周通知"], HEADER, *GOOD]
    for name, data in (("通知.xls", xls_bytes([("通知", rows)])), ("通知.ods", ods_bytes([("通知", rows)]))):
        upload(client, data, name)
        job = ImportJob.objects.latest("id")
        assert (job.file_name, job.status, job.result["counts"]["created"]) == (name, ImportJob.Status.CHECKED, 2)


def test_cancel_drops_the_upload_and_nothing_can_be_confirmed_after(client, admin):
    client.force_login(admin)
    upload(client, xlsx(GOOD))
    job = ImportJob.objects.get()
    client.post(job_url(job), {"action": "cancel"})
    job.refresh_from_db()
    assert (job.status, job.data) == (ImportJob.Status.CANCELLED, None)
    client.post(job_url(job), {"action": "confirm"})
    assert not Notification.objects.exists()
    assert "本次导入已取消" in client.get(job_url(job)).content.decode()


def test_a_stale_upload_expires(client, admin):
    client.force_login(admin)
    upload(client, xlsx(GOOD))
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(created_at=job.created_at - datetime.timedelta(hours=3))
    page = client.get(job_url(job)).content.decode()
    job.refresh_from_db()
    assert (job.status, job.data) == (ImportJob.Status.EXPIRED, None) and "已过期" in page


def test_the_progress_fragment(client, admin):
    client.force_login(admin)
    upload(client, xlsx(GOOD))
    job = ImportJob.objects.get()
    job.set_status(ImportJob.Status.CHECKING, progress_done=30, progress_total=120, stage="check")
    running = client.get(job_url(job, "_status"), HTTP_HX_REQUEST="true")
    text = running.content.decode()
    assert "width: 25%" in text and "30 / 120 行" in text and "检查数据" in text and "HX-Refresh" not in running
    job.set_status(ImportJob.Status.CHECKED)
    assert client.get(job_url(job, "_status"), HTTP_HX_REQUEST="true")["HX-Refresh"] == "true"


def test_pages_need_the_importers_permission_and_jobs_are_their_creators(client, org, admin):
    client.force_login(admin)
    upload(client, xlsx(GOOD))
    job = ImportJob.objects.get()
    client.force_login(create_user("staff", org.county, "county_staff"))
    assert client.get(reverse("notes:note_import")).status_code == 403
    client.force_login(create_user("t_sysadmin2", org.county, "sysadmin"))
    for suffix in ("_job", "_status", "_errors"):
        assert client.get(job_url(job, suffix)).status_code == 404
    assert client.post(job_url(job), {"action": "confirm"}).status_code == 404
    assert not Notification.objects.exists()


def test_a_broken_file_fails_the_job_with_the_reason(client, admin):
    client.force_login(admin)
    response = upload(client, b"PK\x03\x04 broken zip")
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED and job.data is None and "损坏" in job.message
    assert "无法导入" in client.get(response["Location"]).content.decode()
    refused = upload(client, b"%PDF-1.4")
    assert "文件不是 Excel（.xlsx）格式。除 .xlsx 外，也可以上传" in refused.content.decode()
    assert ImportJob.objects.count() == 1


def test_the_blank_template_is_written_from_the_column_spec(client, admin):
    client.force_login(admin)
    response = client.get(reverse("notes:note_import_template"))
    data = b"".join(response.streaming_content)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("通知").to_python()
    assert rows[0][0] == "通知导入模板" and rows[1][0] == "每行一条通知。"
    assert rows[2] == ["序号", "标题", "内容", "份数", "类型", "编号"]
    assert rows[3][1] == "示例通知" and rows[3][5] == "001"
    sheet = openpyxl.load_workbook(io.BytesIO(data))["通知"]
    validations = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    assert validations["E4:E5004"].formula1 == '"通知,提醒"'
    assert validations["C4:C5004"].prompt == "提醒须填写内容"
    assert check(data, admin).created == 1  # the template reads back


# --- the command line -------------------------------------------------------------------------------------------


def run_command(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_the_import_command(admin, tmp_path):
    bad = tmp_path / "通知.xlsx"
    bad.write_bytes(xlsx(BAD))
    report = tmp_path / "report.json"
    status, out, err = run_command("core.test_note", str(bad), "--user", admin.username, "--report", str(report))
    assert status == 1 and "第4行“份数”列：应为整数。" in err and "可用 --skip-invalid" in out
    assert json.loads(report.read_text(encoding="utf-8"))["errors"][0] == {
        "row": 4, "column": "内容", "message": "提醒须填写内容。"}
    status, out, _ = run_command("core.test_note", str(bad), "--user", admin.username, "--skip-invalid")
    assert status == 1 and "新增 2" in out and "--skip-invalid" not in out
    assert Notification.objects.count() == 2
    with pytest.raises(CommandError) as error:
        run_command("core.nothing", str(bad))
    assert error.value.returncode == 2


def test_the_command_never_suggests_skip_invalid_once_given(admin, tmp_path):
    path = tmp_path / "全错.xlsx"
    path.write_bytes(xlsx([[1, "交材料", None, 1, "提醒"]]))
    status, out, _ = run_command("core.test_note", str(path), "--user", admin.username, "--skip-invalid")
    assert status == 1 and "--skip-invalid" not in out and "没有无误的行" in out
    status, out, _ = run_command("core.test_note", str(path), "--user", admin.username)
    assert status == 1 and "可用 --skip-invalid 只导入无误的行" in out
