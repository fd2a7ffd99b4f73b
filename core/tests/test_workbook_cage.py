"""The caged workbook reader: hostile files are refused with a message naming the limit, in a child process
whose memory and time are capped, and this process (a web or task worker) goes on working; .xls and .ods are
read like .xlsx; what the child sends is decoded as data only."""

import datetime
import io
import pickle
import resource
import struct
import zipfile

import pytest
import xlsxwriter
from django.urls import reverse

from accounts.testing import create_user
from core import importing
from core.importing import ImportFileError, cage, open_workbook
from core.models import ImportJob

from . import spreadsheets
from .spreadsheets import ods_bytes, ods_cell, plain_sheet, shared_string_bomb, xls_bytes, xlsx_from_parts


def rss_kb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() // 1024


def refused(data, match, **caps):
    """Read `data`, expecting a refusal whose message matches; returns the error."""
    with pytest.raises(ImportFileError, match=match) as error:
        open_workbook(data, **caps)
    return error.value


def normal_file():
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.add_worksheet("单位").write_row(0, 0, ["单位名称", "区划代码"])
    book.close()
    return buffer.getvalue()


def test_normal_workbook_is_read_in_a_child_process_with_its_values():
    data = xlsx_from_parts([("数据", plain_sheet([["姓名", "年龄"], ["张三", 30], [None, 1.5]]))])
    with open_workbook(data) as workbook:
        sheet = workbook.sheets[0]
        assert (workbook.format, sheet.name, sheet.visible) == ("xlsx", "数据", True)
        assert workbook.rows(sheet) == [["姓名", "年龄"], ["张三", 30.0], [None, 1.5]]
        assert 0 < workbook.reader_peak_kb < importing.READER_MEMORY_MB * 1024


# --- the shared-string bomb of the issue --------------------------------------------------------------------


@pytest.fixture(scope="module")
def bomb():
    return shared_string_bomb()


def test_the_bomb_is_small_and_compresses_like_a_normal_file(bomb):
    archive = zipfile.ZipFile(io.BytesIO(bomb))
    assert 150_000 < len(bomb) < 300_000
    assert all(info.file_size <= importing.MAX_RATIO * info.compress_size for info in archive.infolist())
    assert sum(info.file_size for info in archive.infolist()) < importing.MAX_UNPACKED_BYTES


def test_shared_string_bomb_is_refused_by_the_expanded_text_limit(bomb):
    before_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    before = rss_kb()
    error = refused(bomb, "文字展开后超过上限（64 MB）")
    assert error.reader_peak_kb < 128 * 1024  # refused before calamine copied the string into any cell
    assert rss_kb() - before < 50 * 1024
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before_peak < 50 * 1024


def test_what_the_limits_miss_the_memory_cap_stops_and_this_process_goes_on(bomb):
    before_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    before = rss_kb()
    refused(bomb, r"文件解析超出内存上限（256 MB）", max_expanded_bytes=10**12, memory_mb=256)
    assert rss_kb() - before < 50 * 1024
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before_peak < 50 * 1024
    with open_workbook(normal_file()) as workbook:  # the same process reads the next file as usual
        assert workbook.rows(workbook.sheets[0]) == [["单位名称", "区划代码"]]


def test_the_time_cap_kills_the_reader():
    refused(normal_file(), r"文件解析超时（0.001 秒）", seconds=0.001)
    with open_workbook(normal_file()) as workbook:
        assert workbook.sheets


# --- other hostile files ------------------------------------------------------------------------------------


def test_a_cell_at_xfd1048576_refuses_that_sheet_only():
    data = xlsx_from_parts([
        ("远处", '<sheetData><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'),
        ("单位", plain_sheet([["单位名称"], ["东溪镇"]])),
    ])
    with open_workbook(data) as workbook:
        far, good = workbook.sheets
        with pytest.raises(ImportFileError, match="“远处”的数据超过 20000 行"):
            workbook.rows(far)
        assert workbook.size(far).rows == 1_048_576
        assert workbook.rows(good) == [["单位名称"], ["东溪镇"]]


def test_deep_xml_nesting_is_refused():
    deep = "<extLst>" + "<ext>" * 50_000 + "</ext>" * 50_000 + "</extLst>"
    data = xlsx_from_parts([("数据", plain_sheet([["a"]]) + deep)])
    refused(data, "XML 嵌套层数超过上限（256 层）")


def test_deep_nesting_in_any_part_is_refused():
    deep = b"<a>" * 1000 + b"</a>" * 1000
    data = xlsx_from_parts([("数据", plain_sheet([["a"]]))], extra=[("docProps/custom.xml", deep)])
    refused(data, "XML 嵌套层数超过上限")


def test_nesting_hidden_by_comments_is_still_counted():
    deep = b"<a><!-- </a></a></a> -->" * 400 + b"</a>" * 400
    data = xlsx_from_parts([("数据", plain_sheet([["a"]]))], extra=[("docProps/custom.xml", deep)])
    refused(data, "XML 嵌套层数超过上限")


def test_normal_depth_is_not_refused_by_the_window_counts():
    rows = [[f"r{r}c{c}" for c in range(20)] for r in range(3000)]
    with open_workbook(xlsx_from_parts([("数据", plain_sheet(rows))])) as workbook:
        assert len(workbook.rows(workbook.sheets[0])) == 3000


def test_more_than_the_allowed_sheets_is_refused():
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    for number in range(1001):
        book.add_worksheet(f"S{number}")
    book.close()
    refused(buffer.getvalue(), "文件包含 1001 个工作表，超过上限 100 个")


@pytest.mark.parametrize("declaration", [
    b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    b'<!DOCTYPE worksheet SYSTEM "file:///etc/passwd">',
])
def test_dtds_and_entities_are_refused_wherever_they_are(declaration):
    sheet = xlsx_from_parts([("数据", plain_sheet([["a"]]))])
    source = zipfile.ZipFile(io.BytesIO(sheet))
    for target in ("xl/worksheets/sheet1.xml", "xl/workbook.xml", "docProps/app.xml"):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name in source.namelist():
                content = source.read(name)
                if name == target:
                    content = content.replace(b"?>", b"?>" + declaration, 1)
                archive.writestr(name, content)
            if target not in source.NameToInfo:
                archive.writestr(target, b'<?xml version="1.0"?>' + declaration + b"<Properties/>")
        refused(buffer.getvalue(), "DOCTYPE/ENTITY")


def test_utf16_parts_are_refused():
    part = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'.encode("utf-16")
    data = xlsx_from_parts([("数据", plain_sheet([["a"]]))], extra=[("docProps/custom.xml", part)])
    refused(data, "UTF-16")


def test_a_tiny_file_that_unpacks_huge_is_refused_before_it_is_unpacked():
    padding = b"\0" * (300 * 1024 * 1024)
    data = xlsx_from_parts([("数据", plain_sheet([["a"]]))], extra=[("xl/media/image1.png", padding)])
    assert len(data) < 500_000
    refused(data, "解压后过大（上限 100 MB）")
    refused(data, "压缩比异常（超过 200 倍", max_unpacked=10**10)


def test_shared_strings_beyond_their_limits_are_refused():
    data = xlsx_from_parts([("数据", "<sheetData/>")], shared_strings=[f"s{i}" for i in range(2000)])
    refused(data, "共享字符串超过上限（1000 个）", max_shared_strings=1000)
    refused(data, r"共享字符串总长度超过上限（0 MB）", max_shared_strings_bytes=1000)


def test_cells_beyond_the_limit_are_refused():
    data = xlsx_from_parts([("数据", plain_sheet([["a"] * 10] * 200))])
    refused(data, "单元格总数超过上限（1000 个）", max_cells=1000)


def test_too_many_zip_entries_is_refused_before_the_archive_is_listed():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for number in range(20_000):
            archive.writestr(f"x/{number}", b"")
    refused(buffer.getvalue(), "部件过多（20000个，上限1000个）")


# --- .ods and .xls ------------------------------------------------------------------------------------------


def test_ods_is_read_with_its_values_and_hidden_tables():
    data = ods_bytes([("名单", [[None], ["姓名", "出生", 1.5, True], ["张三", datetime.date(1975, 3, 1)]]),
                      ("选项", [["男"]])], hidden=("选项",))
    with open_workbook(data) as workbook:
        names, options = workbook.sheets
        assert workbook.format == "ods"
        assert (names.visible, options.visible) == (True, False)
        assert workbook.rows(names) == [[None, None, None, None], ["姓名", "出生", 1.5, True],
                                        ["张三", datetime.date(1975, 3, 1), None, None]]


def test_ods_repeated_cells_bomb_is_refused():
    long_text = "长" * 32_000
    row = (f'<table:table-row table:number-rows-repeated="1000">{ods_cell(long_text, repeat=50)}'
           "</table:table-row>")
    refused(ods_bytes([("表", [row])]), "文字展开后超过上限")


def test_ods_repeated_spaces_bomb_is_refused():
    cell = ('<table:table-cell office:value-type="string"><text:p>a<text:s text:c="900000000"/></text:p>'
            "</table:table-cell>")
    refused(ods_bytes([("表", [cell])]), "文字展开后超过上限")


def test_ods_far_repeated_rows_are_refused():
    row = f'<table:table-row table:number-rows-repeated="1048000">{ods_cell("x")}</table:table-row>'
    refused(ods_bytes([("表", [row])]), "“表”的数据超过 20000 行")


def test_xls_is_read_with_values_dates_merged_cells_and_hidden_sheets():
    data = xls_bytes([("台账", [["姓名", "出生", "人数", "代表"], ["张三", datetime.date(1975, 3, 1), 3, True],
                                ["李四", None, 1.5, False]]),
                      ("选项", [["男"]])], hidden=("选项",), merged={"台账": [(1, 2, 3, 3)]})
    with open_workbook(data) as workbook:
        ledger, options = workbook.sheets
        assert workbook.format == "xls"
        assert (ledger.visible, options.visible) == (True, False)
        assert workbook.rows(ledger) == [["姓名", "出生", "人数", "代表"],
                                         ["张三", datetime.date(1975, 3, 1), 3.0, True], ["李四", None, 1.5, False]]
        assert workbook.merged_ranges(ledger) == [((1, 3), (2, 3))]


def test_xls_shared_string_bomb_is_stopped_by_the_caps():
    text = "长" * 8000
    rows = [[text] * 40 for _ in range(1500)]  # one string, 60,000 cells
    data = xls_bytes([("台账", rows)])
    assert len(data) < 1_000_000
    error = refused(data, "超出内存上限|文字展开后超过上限", memory_mb=256)
    assert error.reader_peak_kb is None or error.reader_peak_kb <= 256 * 1024


def test_xls_claiming_a_huge_sheet_is_refused():
    data = xls_bytes([("台账", [["x"]])], dimensions={"台账": (65_536, 256)})
    refused(data, "超出内存上限|超过 50 列", memory_mb=256)


def test_garbage_with_the_ole_signature_asks_for_xlsx():
    refused(importing.OLE_MAGIC + b"\0" * 600, "另存为”.xlsx")


def test_an_encrypted_xlsx_asks_for_the_password_to_be_removed():
    data = spreadsheets.compound_file("EncryptedPackage", b"\0" * 5000)
    refused(data, "打开密码")


def test_read_upload_accepts_xls_and_ods_only_when_asked():
    from django.core.files.uploadedfile import SimpleUploadedFile

    xls = xls_bytes([("表", [["a"]])])
    with pytest.raises(ImportFileError, match="另存为"):
        importing.read_upload(SimpleUploadedFile("a.xls", xls))
    assert importing.read_upload(SimpleUploadedFile("a.xls", xls), formats=importing.SPREADSHEET_FORMATS) == xls


# --- what the child sends is data only -----------------------------------------------------------------------


class Exploit:
    def __reduce__(self):
        return (print, ("owned",))


def frames(*items):
    return b"".join(struct.pack(">I", len(body)) + body for body in (pickle.dumps(item) for item in items))


@pytest.mark.parametrize("items", [
    [("workbook", {"format": "xlsx"}), ("sheet", {"index": 0, "name": "a", "visible": True, "refused": None}),
     ("rows", [[Exploit()]])],
    [("rows", [[1]])],  # rows outside a sheet
    [("workbook", {"format": "xlsx"}), ("sheet", {"index": 0, "name": "a", "visible": True, "refused": None}),
     ("rows", [[b"bytes", {"a": 1}]])],
    [("refused", {"code": "no such code"})],
    [("refused", {"code": "rows", "sheet": "a"})],  # figures missing
    [("whatever", None)],
])
def test_the_parents_decoder_refuses_anything_but_plain_frames(items, capsys):
    builder = cage._WorkbookBuilder(b"PK", importing.ReaderLimits())
    with pytest.raises(cage._ReaderOutputError):
        builder.feed(frames(*items))
    assert "owned" not in capsys.readouterr().out


def test_the_parents_decoder_accepts_dates_and_plain_values():
    builder = cage._WorkbookBuilder(b"PK", importing.ReaderLimits())
    row = ["a", 1, 1.5, True, None, datetime.date(2020, 1, 2), datetime.datetime(2020, 1, 2, 3, 4),
           datetime.time(5, 6), datetime.timedelta(hours=1)]
    builder.feed(frames(("workbook", {"format": "xlsx"}),
                        ("sheet", {"index": 0, "name": "a", "visible": True, "refused": None}),
                        ("rows", [row]), ("sheet_end", {"merged": [((0, 0), (1, 1))]}), ("done", {"peak_kb": 1})))
    assert builder.done and builder.workbook.rows(builder.workbook.sheets[0]) == [row]


# --- through the real imports: refused, nothing written, the worker survives -----------------------------


@pytest.fixture
def officer(org):
    return create_user("town01", org.town1, "town_officer")


def test_the_ledger_import_refuses_the_bomb_and_writes_nothing(client, org, officer, bomb):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from people.models import Person

    client.force_login(officer)
    response = client.post(reverse("people:person_import"), {
        "file": SimpleUploadedFile("台账.xlsx", bomb), "unit": org.town1.pk, "update": "fill"})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED and job.data is None
    assert "文字展开后超过上限" in job.message
    assert not Person.objects.exists()
    page = client.get(reverse("people:person_import_job", kwargs={"pk": job.pk}))
    assert "文字展开后超过上限" in page.content.decode()


@pytest.mark.parametrize("hostile, message", [
    ("far", "超过 200000 行"),
    ("dtd", "DOCTYPE/ENTITY"),
])
def test_the_ledger_import_refuses_other_hostile_files(client, org, officer, hostile, message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from people.models import Person

    files = {
        "far": xlsx_from_parts([("台账", plain_sheet([["姓名", "性别"], ["张三", "男"]])[:-len("</sheetData>")]
                                 + '<row r="300000"><c r="A300000"><v>1</v></c></row></sheetData>')]),
        "dtd": xlsx_from_parts([("台账", plain_sheet([["姓名"]]))], extra=[
            ("docProps/custom.xml", b'<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>')]),
    }
    client.force_login(officer)
    client.post(reverse("people:person_import"), {
        "file": SimpleUploadedFile("台账.xlsx", files[hostile]), "unit": org.town1.pk, "update": "fill"})
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED and message in job.message
    assert not Person.objects.exists()
