"""Additions to core.importing used by the ledger import: `cell_date` and `open_workbook` with `LARGE_LIMITS` (a
quick size check for big sheets that falls back to the exact measure whenever it cannot vouch for a sheet)."""

import datetime
import io
import re
import zipfile

import pytest
import xlsxwriter
from hypothesis import given
from hypothesis import strategies as st

from core import importing, workbook_child
from core.importing import CellError, ImportFileError, cell_date


@pytest.mark.parametrize("value, expected", [
    (datetime.date(1975, 3, 14), (datetime.date(1975, 3, 14), "day")),
    (datetime.datetime(1975, 3, 14, 8, 30), (datetime.date(1975, 3, 14), "day")),
    ("1975.03", (datetime.date(1975, 3, 1), "month")),
    ("1975.3", (datetime.date(1975, 3, 1), "month")),
    ("1975.10", (datetime.date(1975, 10, 1), "month")),
    ("1975年3月", (datetime.date(1975, 3, 1), "month")),
    ("1975 年 03 月", (datetime.date(1975, 3, 1), "month")),
    ("１９７５．０３", (datetime.date(1975, 3, 1), "month")),
    ("1975-03", (datetime.date(1975, 3, 1), "month")),
    ("1975/3", (datetime.date(1975, 3, 1), "month")),
    ("1975-03-01", (datetime.date(1975, 3, 1), "day")),
    ("1975-3-14", (datetime.date(1975, 3, 14), "day")),
    ("1975/03/14", (datetime.date(1975, 3, 14), "day")),
    ("1975.03.14", (datetime.date(1975, 3, 14), "day")),
    ("1975年3月14日", (datetime.date(1975, 3, 14), "day")),
    ("1975-03-14 00:00:00", (datetime.date(1975, 3, 14), "day")),
    ("197503", (datetime.date(1975, 3, 1), "month")),
    ("19750314", (datetime.date(1975, 3, 14), "day")),
    ("1975", (datetime.date(1975, 1, 1), "year")),
    ("1975年", (datetime.date(1975, 1, 1), "year")),
    (1975.03, (datetime.date(1975, 3, 1), "month")),
    (1975.3, (datetime.date(1975, 3, 1), "month")),
    (1975.12, (datetime.date(1975, 12, 1), "month")),
    (197503.0, (datetime.date(1975, 3, 1), "month")),
    (19750314, (datetime.date(1975, 3, 14), "day")),
    (27467.0, (datetime.date(1975, 3, 14), "day")),  # an Excel date serial in a General cell
    (27467.75, (datetime.date(1975, 3, 14), "day")),
    (1975, (datetime.date(1975, 1, 1), "year")),
])
def test_cell_date_reads_what_ledgers_hold(value, expected):
    assert cell_date(value) == expected


def test_cell_date_empty():
    assert cell_date(None) is None
    assert cell_date("  ") is None


@pytest.mark.parametrize("value, message", [
    ("1975.13", "不是有效的日期"), ("1975-02-30", "不是有效的日期"), ("75.03", "无法识别"), ("去年", "无法识别"),
    ("1899.12", "不在合理范围内"), (1975.1, "无法区分1月和10月"), (1975.123, "无法识别"), (123.0, "无法识别"),
    (True, "不是日期"), ("19751301", "不是有效的日期"), (9000, "不在合理范围内"),
])
def test_cell_date_refuses_what_is_not_a_date(value, message):
    with pytest.raises(CellError, match=message):
        cell_date(value)


@given(st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 12, 31)))
def test_generated_dates_in_every_spelling(day):
    month = day.replace(day=1)
    for text in (f"{day.year}.{day.month:02d}", f"{day.year}.{day.month}", f"{day.year}年{day.month}月",
                 f"{day.year}-{day.month:02d}", f"{day.year}{day.month:02d}"):
        assert cell_date(text) == (month, "month"), text
    for text in (day.isoformat(), f"{day.year}/{day.month}/{day.day}", f"{day.year}年{day.month}月{day.day}日",
                 f"{day:%Y%m%d}", f"{day.year}.{day.month}.{day.day}"):
        assert cell_date(text) == (day, "day"), text
    assert cell_date(day) == (day, "day")
    if day.month != 10:
        assert cell_date(float(f"{day.year}.{day.month:02d}")) == (month, "month")
    serial = (day - datetime.date(1899, 12, 30)).days
    if 10_000 <= serial < 100_000:
        assert cell_date(float(serial)) == (day, "day")


# --- LargeWorkbook ------------------------------------------------------------------------------------------


def sheet_bytes(rows, columns, *, far=None, blank_far=None):
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("台账")
    for row in range(rows):
        sheet.write_row(row, 0, [f"r{row}c{col}" for col in range(columns)])
    if far:
        sheet.write(*far, "x")
    if blank_far:
        sheet.write_blank(*blank_far, None, book.add_format({"bold": True}))
    book.close()
    return buffer.getvalue()


def quick(data, max_rows, max_columns):
    """Whether the reader's quick scan vouches for the sheet (else it measures the sheet exactly)."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    scan = workbook_child.SheetScan(max_rows, max_columns, workbook_child.SharedStrings([]))
    budget = workbook_child.Budget(importing.MAX_UNPACKED_BYTES, "unpacked")
    limits = {"max_xml_depth": importing.MAX_XML_DEPTH}
    for buffer in workbook_child.xml_buffers(archive, "xl/worksheets/sheet1.xml", limits, budget):
        scan.feed(buffer)
    return scan.plain


def test_quick_check_vouches_for_a_plain_sheet_and_respects_the_caps_exactly():
    assert quick(sheet_bytes(100, 30), 100, 30)
    assert not quick(sheet_bytes(101, 30), 100, 30)
    assert not quick(sheet_bytes(100, 31), 100, 30)
    assert quick(sheet_bytes(99, 5), 1000, 50)


@pytest.mark.parametrize("far", [(1_048_575, 16_383), (5, 60), (150_000, 0)])
def test_large_workbook_still_refuses_stray_far_cells(far):
    with importing.open_workbook(sheet_bytes(3, 3, far=far), limits=importing.LARGE_LIMITS, max_rows=100_000) as book, \
            pytest.raises(ImportFileError, match="超过"):
        book.rows(book.sheets[0])


def test_formatting_far_away_falls_back_to_the_exact_measure():
    data = sheet_bytes(3, 3, blank_far=(1_048_575, 16_383))
    assert not quick(data, 100_000, 50)
    with importing.open_workbook(data, limits=importing.LARGE_LIMITS) as book:
        assert book.rows(book.sheets[0])[2] == ["r2c0", "r2c1", "r2c2"]


def without_references(data):
    """The same workbook with every cell's r="…" attribute removed (allowed by the format)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                content = re.sub(rb'<c r="[A-Z]+\d+"', b"<c", content)
            target.writestr(info, content)
    return buffer.getvalue()


def test_cells_without_references_fall_back_to_the_exact_measure():
    data = without_references(sheet_bytes(3, 60))
    assert not quick(data, 100, 50)
    with importing.open_workbook(data, max_rows=100, max_columns=50, limits=importing.LARGE_LIMITS) as book, \
            pytest.raises(ImportFileError, match="超过 50 列"):
        book.rows(book.sheets[0])
    fine = without_references(sheet_bytes(3, 4))
    with importing.open_workbook(fine, max_rows=100, max_columns=50, limits=importing.LARGE_LIMITS) as book:
        assert book.rows(book.sheets[0])[1] == ["r1c0", "r1c1", "r1c2", "r1c3"]


def test_large_workbook_allows_more_rows_than_the_default_cap():
    data = sheet_bytes(importing.MAX_ROWS + 5, 2)
    with importing.open_workbook(data) as book, pytest.raises(ImportFileError, match="超过 20000 行"):
        book.rows(book.sheets[0])
    with importing.open_workbook(data, limits=importing.LARGE_LIMITS) as book:
        assert len(book.rows(book.sheets[0])) == importing.MAX_ROWS + 5


def test_merged_ranges_are_kept_and_filled_down_below_the_header():
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("台账")
    sheet.merge_range(0, 0, 0, 2, "标题")
    sheet.write_row(1, 0, ["姓名", "村", "备注"])
    for row in range(2, 6):
        sheet.write(row, 0, f"人{row}")
    sheet.merge_range(2, 1, 4, 1, "东溪村")
    sheet.merge_range(5, 1, 5, 2, "横向")
    book.close()
    with importing.open_workbook(buffer.getvalue(), limits=importing.LARGE_LIMITS) as workbook:
        rows = workbook.rows(workbook.sheets[0])
        ranges = workbook.merged_ranges(workbook.sheets[0])
    assert ((2, 1), (4, 1)) in ranges and ((0, 0), (0, 2)) in ranges
    importing.fill_merged_down(rows, ranges, below=1)
    assert [row[1] for row in rows] == [None, "村", "东溪村", "东溪村", "东溪村", "横向"]
    assert rows[0] == ["标题", None, None]  # above the header: left alone
    assert rows[5][2] is None  # merged across: only the first column counts
