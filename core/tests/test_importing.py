"""core.importing: reading uploads generically (sizes, header synonyms, cell conversion)."""

import datetime
import io
import time
import zipfile

import openpyxl
import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st

from core import importing
from core.importing import CellError, ImportFileError
from core.importing.columns import Column, Columns
from core.importing.framework import Importer

COLUMNS = {"单位名称": ("名称",), "区划代码": ("代码", "行政区划代码"), "上级单位": ("上级",)}


def xlsx(*sheets, titles=None):
    """Bytes of a workbook; each sheet is a list of rows (lists of values), placed from A1."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for index, rows in enumerate(sheets):
        sheet = workbook.create_sheet((titles or [])[index] if titles else f"Sheet{index + 1}")
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- text and cells -----------------------------------------------------------------------------------------


def test_normalise_text_makes_full_width_half_width_and_strips():
    assert importing.normalise_text("\u3000３３０９９９\u00a0") == "330999"
    assert importing.normalise_text("ＡＢｃ\u200b") == "ABc"
    # Chinese punctuation is part of names and stays.
    assert importing.normalise_text(" 县委统战部（民宗局） ") == "县委统战部（民宗局）"


def test_cell_text():
    assert importing.cell_text(None) == ""
    assert importing.cell_text(" 东溪镇 ") == "东溪镇"
    assert importing.cell_text(12.0) == "12"
    assert importing.cell_text(1.5) == "1.5"
    assert importing.cell_text(True) == "是"
    assert importing.cell_text(datetime.date(2026, 3, 1)) == "2026-03-01"
    assert importing.cell_text(datetime.datetime(2026, 3, 1, 9, 30)) == "2026-03-01 09:30"


def test_cell_code_accepts_text_and_whole_numbers_of_allowed_length():
    assert importing.cell_code("３３０９９９００１", digits=(6, 9, 12)) == "330999001"
    assert importing.cell_code(330999001.0, digits=(6, 9, 12)) == "330999001"
    assert importing.cell_code(330999, digits=(6, 9, 12)) == "330999"
    assert importing.cell_code(None, digits=(6,)) == ""


@pytest.mark.parametrize("value", [33099900.0, 3309990011.0, 330999.5, -330999.0, 1e15])
def test_cell_code_refuses_numbers_that_may_have_lost_digits(value):
    with pytest.raises(CellError) as error:
        importing.cell_code(value, digits=(6, 9, 12))
    assert "文本格式" in str(error.value) or "小数" in str(error.value)


def test_cell_code_without_digits_refuses_every_number():
    with pytest.raises(CellError, match="文本格式"):
        importing.cell_code(330327198001011234.0)


def test_cell_int():
    assert importing.cell_int(3.0) == 3
    assert importing.cell_int("１２") == 12
    assert importing.cell_int("", default=0) == 0
    with pytest.raises(CellError, match="整数"):
        importing.cell_int("三")
    with pytest.raises(CellError, match="小数"):
        importing.cell_int(2.5)
    with pytest.raises(CellError, match="不能小于0"):
        importing.cell_int(-1, minimum=0)


@given(st.integers(min_value=100_000, max_value=999_999_999_999))
def test_cell_code_round_trips_any_whole_number(number):
    digits = len(str(number))
    assert importing.cell_code(float(number), digits=(digits,)) == str(number)


@given(st.text())
def test_normalise_text_is_idempotent(text):
    once = importing.normalise_text(text)
    assert importing.normalise_text(once) == once


def test_column_letter():
    assert [importing.column_letter(i) for i in (0, 25, 26, 51, 701, 702)] == ["A", "Z", "AA", "AZ", "ZZ", "AAA"]


# --- uploads ------------------------------------------------------------------------------------------------


def test_read_upload_accepts_xlsx():
    data = xlsx([["单位名称"]])
    assert importing.read_upload(SimpleUploadedFile("a.xlsx", data)) == data


def test_read_upload_refuses_big_files_before_reading():
    upload = SimpleUploadedFile("a.xlsx", importing.ZIP_MAGIC + b"0" * 2000)
    with pytest.raises(ImportFileError, match="文件过大"):
        importing.read_upload(upload, max_bytes=1000)


@pytest.mark.parametrize(("content", "message"), [
    (b"", "空"),
    (importing.OLE_MAGIC + b"rest", ".xls"),
    (b"name,code\n", "不是 Excel"),
])
def test_read_upload_refuses_what_is_not_xlsx(content, message):
    with pytest.raises(ImportFileError, match=message):
        importing.read_upload(SimpleUploadedFile("a.xlsx", content))


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    with pytest.raises(ImportFileError, match="不是 Excel"):
        importing.open_workbook(buffer.getvalue())


def test_a_damaged_zip_is_refused():
    data = xlsx([["单位名称"], ["东溪镇"]])
    with pytest.raises(ImportFileError):
        importing.open_workbook(data[: len(data) // 2])


def test_zip_bomb_is_refused_by_unpacked_size():
    buffer = io.BytesIO()
    source = zipfile.ZipFile(io.BytesIO(xlsx([["单位名称"]])))
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info.filename, source.read(info.filename))
        archive.writestr("xl/media/padding.bin", b"\0" * (3 * 1024 * 1024))
    with pytest.raises(ImportFileError, match="解压后过大"):
        importing.open_workbook(buffer.getvalue(), max_unpacked=2 * 1024 * 1024)


def _workbook_with_extra_parts(extra):
    buffer = io.BytesIO()
    source = zipfile.ZipFile(io.BytesIO(xlsx([["单位名称"]])))
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info.filename, source.read(info.filename))
        for name, content in extra:
            archive.writestr(name, content)
    return buffer.getvalue()


def test_zip_bomb_is_refused_by_compression_ratio():
    # 4 MB of zeros deflates to about 4 KB: a ratio of about 1000, far beyond any real spreadsheet part.
    data = _workbook_with_extra_parts([("xl/media/padding.bin", b"\0" * (4 * 1024 * 1024))])
    with pytest.raises(ImportFileError, match="压缩比异常"):
        importing.open_workbook(data)


def test_archive_with_too_many_parts_is_refused():
    data = _workbook_with_extra_parts([(f"xl/media/p{i}.bin", b"x") for i in range(importing.MAX_ENTRIES)])
    with pytest.raises(ImportFileError, match="部件过多"):
        importing.open_workbook(data)


# --- sheet sizes --------------------------------------------------------------------------------------------


def far_cell_workbook(row, col, *, with_value=True):
    """A sheet with a header and one stray cell far away, written with xlsxwriter (constant memory)."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("数据")
    sheet.write_row(0, 0, ["单位名称", "区划代码"])
    sheet.write_row(1, 0, ["东溪镇", "330998001"])
    if with_value:
        sheet.write(row, col, "x")
    else:
        sheet.write_blank(row, col, None, workbook.add_format({"bold": True}))
    workbook.close()
    return buffer.getvalue()


def test_stray_far_cell_is_refused_before_calamine_reads_the_sheet():
    data = far_cell_workbook(1_048_575, 16_383)  # XFD1048576
    started = time.monotonic()
    with importing.open_workbook(data) as workbook:
        sheet = workbook.sheets[0]
        assert workbook.size(sheet).rows > importing.MAX_ROWS
        with pytest.raises(ImportFileError, match="超过 20000 行"):
            workbook.rows(sheet)
    assert time.monotonic() - started < 5


def test_too_many_columns_is_refused():
    with importing.open_workbook(far_cell_workbook(5, 60)) as workbook, \
            pytest.raises(ImportFileError, match="超过 50 列"):
        workbook.rows(workbook.sheets[0])


def test_formatting_without_values_does_not_count():
    with importing.open_workbook(far_cell_workbook(1_048_575, 16_383, with_value=False)) as workbook:
        sheet = workbook.sheets[0]
        assert workbook.size(sheet) == importing.SheetSize(2, 2)
        assert workbook.rows(sheet)[1] == ["东溪镇", "330998001"]


def test_rows_are_indexed_by_excel_row_number():
    workbook = openpyxl.Workbook()
    workbook.active["B3"] = "单位名称"
    workbook.active["B5"] = "东溪镇"
    buffer = io.BytesIO()
    workbook.save(buffer)
    with importing.open_workbook(buffer.getvalue()) as book:
        rows = book.rows(book.sheets[0])
    assert rows[2][1] == "单位名称"
    assert rows[4][1] == "东溪镇"


# --- header and records -------------------------------------------------------------------------------------


class UnitTable(Importer):
    """Only the column spec of an importer (what `Importer.locate` reads), the one of COLUMNS."""

    columns = Columns([Column("单位名称", COLUMNS["单位名称"], required=True), Column("区划代码", COLUMNS["区划代码"]),
                       Column("上级单位", COLUMNS["上级单位"])])


def test_locate_finds_header_under_title_rows_with_synonyms():
    data = xlsx(
        [["说明"], ["无关"]],
        [["示范县组织机构"], [], [" 名称 ", "行政区划代码", "上级", "备注"], ["东溪镇", 330998001, "示范县", "x"],
         [], [None, None], ["西岭镇", "330998002", "示范县"]],
        titles=["说明", "单位"],
    )
    with importing.open_workbook(data) as workbook:
        table = UnitTable.locate(workbook)
    assert table.sheet == "单位"
    assert table.header_row_number == 3
    assert table.columns == {"单位名称": 0, "区划代码": 1, "上级单位": 2}
    assert table.ignored == ["备注"]
    found = list(importing.records(table))
    assert [number for number, _ in found] == [4, 7]
    assert found[1][1] == {"单位名称": "西岭镇", "区划代码": "330998002", "上级单位": "示范县"}


def test_header_marks_for_required_columns_are_ignored():
    rows = [["单位名称*", "代码（必填）"]]
    assert importing.find_header(rows, COLUMNS, required=("单位名称",))[1] == {"单位名称": 0, "区划代码": 1}


def test_duplicate_header_column_is_reported():
    with pytest.raises(ImportFileError, match="区划代码.*出现了多次"):
        importing.find_header([["单位名称", "代码", "区划代码"]], COLUMNS, required=("单位名称",))


def test_missing_header_names_the_required_columns():
    with importing.open_workbook(xlsx([["姓名", "电话"], ["张三", "1"]])) as workbook, \
            pytest.raises(ImportFileError, match="“单位名称”"):
        UnitTable.locate(workbook)


def test_oversized_sheet_is_skipped_when_another_has_the_header():
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    workbook.add_worksheet("杂项").write(100_000, 0, "x")
    good = workbook.add_worksheet("单位")
    good.write_row(0, 0, ["单位名称"])
    good.write_row(1, 0, ["东溪镇"])
    workbook.close()
    with importing.open_workbook(buffer.getvalue()) as book:
        table = UnitTable.locate(book)
    assert table.sheet == "单位"


def test_problem_text():
    assert str(importing.Problem(5, "区划代码", "须为数字。")) == "第5行“区划代码”列：须为数字。"
    assert str(importing.Problem(0, "", "文件是空的。")) == "文件：文件是空的。"
