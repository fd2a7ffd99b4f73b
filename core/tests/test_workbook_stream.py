"""Streamed reading (core.importing.stream_workbook): the caller works on a sheet's first rows while the caged
reader still sends the others, and a reader that fails or refuses the file halfway still stops everything
(people/tests/test_import_stream.py: the ledger import then writes and looks up nothing)."""

import datetime
import io
import pickle
import struct

import pytest
import xlsxwriter

from core import importing
from core.importing import ArrivingRows, ImportFileError, cage, open_workbook, stream_workbook
from core.testing import reader_opens, reader_sends, script_the_reader

from .spreadsheets import ods_bytes, xls_bytes


@pytest.fixture
def scripted(monkeypatch):
    return script_the_reader(monkeypatch)


def test_rows_are_used_before_the_reader_has_sent_them_all(scripted, tmp_path):
    gate = tmp_path / "gate"
    data = scripted(*reader_opens(4), reader_sends("rows", [["姓名"], ["张三"]]), ["flush"], ["wait", str(gate)],
                    reader_sends("rows", [["李四"], ["王五"]]), reader_sends("sheet_end", {}),
                    reader_sends("done", {"peak_kb": 1}))
    with stream_workbook(data) as workbook:
        rows = workbook.rows(workbook.sheets[0])
        assert isinstance(rows, ArrivingRows)
        assert len(rows) == 4  # known before the rows
        # The reader waits at the gate: these rows are used while the last two have not been sent.
        assert rows[:2] == [["姓名"], ["张三"]]
        assert importing.find_header(rows, {"姓名": ()}, required=("姓名",), scan_rows=2) == (0, {"姓名": 0}, [])
        gate.touch()
        assert rows[3] == ["王五"]  # waits for it
        assert list(rows) == [["姓名"], ["张三"], ["李四"], ["王五"]]
        assert workbook.finish() is workbook


def test_a_reader_failing_halfway_fails_the_rows_still_to_come_and_finish(scripted):
    data = scripted(*reader_opens(4), reader_sends("rows", [["姓名"], ["张三"]]), ["exit", 3])  # 3: out of memory
    with stream_workbook(data) as workbook:
        rows = workbook.rows(workbook.sheets[0])
        assert rows[1] == ["张三"]
        with pytest.raises(ImportFileError, match="文件解析超出内存上限"):
            rows[2]  # noqa: B018
        with pytest.raises(ImportFileError, match="文件解析超出内存上限"):
            workbook.finish()


def test_a_refusal_after_the_rows_of_a_sheet_is_raised_by_finish(scripted):
    data = scripted(*reader_opens(2), reader_sends("rows", [["姓名"], ["张三"]]), reader_sends("sheet_end", {}),
                    reader_sends("refused", {"code": "cells", "limit": 100}), reader_sends("done", {"peak_kb": 1}))
    with stream_workbook(data) as workbook:
        assert list(workbook.rows(workbook.sheets[0])) == [["姓名"], ["张三"]]
        with pytest.raises(ImportFileError, match="单元格总数超过上限（100 个）"):
            workbook.finish()


def test_merged_cells_are_filled_down_in_rows_that_arrive_after_the_top_was_dropped(scripted, tmp_path):
    gate = tmp_path / "gate"
    data = scripted(*reader_opens(5, merged=[((1, 1), (4, 1))]),
                    reader_sends("rows", [["姓名", "村"], ["张三", "西溪村"], ["李四", None]]), ["flush"],
                    ["wait", str(gate)], reader_sends("rows", [["王五", None], ["赵六"]]),
                    reader_sends("sheet_end", {}), reader_sends("done", {"peak_kb": 1}))
    with stream_workbook(data) as workbook:
        sheet = workbook.sheets[0]
        rows = workbook.rows(sheet)
        rows[2]  # noqa: B018 (the first batch has arrived)
        importing.fill_merged_down(rows, workbook.merged_ranges(sheet), below=0)
        assert rows[2] == ["李四", "西溪村"]
        rows[1] = None  # used: dropped, as the ledger import does
        gate.touch()
        assert rows[3] == ["王五", "西溪村"]
        assert rows[4] == ["赵六", "西溪村"]  # a short row is lengthened
        workbook.finish()


def test_streamed_rows_are_those_of_the_whole_read_for_every_format():
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    hidden = book.add_worksheet("选项")
    hidden.write_string(0, 0, "男")
    hidden.hide()
    sheet = book.add_worksheet("台账")
    sheet.merge_range(0, 0, 0, 2, "东溪镇台账")
    sheet.write_row(1, 0, ["姓名", "村", "年龄"])
    sheet.merge_range(2, 1, 4, 1, "西溪村")
    for index in range(5000):  # several frames
        sheet.write_row(2 + index, 0, [f"人{index}"])
        sheet.write_number(2 + index, 2, index)
    book.close()
    files = [buffer.getvalue(),
             ods_bytes([("名单", [[None], ["姓名", "出生", 1.5, True], ["张三", datetime.date(1975, 3, 1)]])]),
             xls_bytes([("台账", [["姓名", "人数"], ["张三", 3], ["李四", None]]), ("选项", [["男"]])],
                       hidden=("选项",), merged={"台账": [(1, 2, 1, 1)]})]
    for data in files:
        with open_workbook(data) as whole, stream_workbook(data) as streamed:
            assert streamed.sheets == whole.sheets
            for sheet in whole.sheets:
                assert list(streamed.rows(sheet)) == whole.rows(sheet)
                assert streamed.merged_ranges(sheet) == whole.merged_ranges(sheet)
            streamed.finish()


def test_the_stream_refuses_a_file_before_any_row_as_before():
    with pytest.raises(ImportFileError, match="不是 Excel"):
        stream_workbook(importing.ZIP_MAGIC + b"\0" * 100)


def frames(*items):
    return b"".join(struct.pack(">I", len(body)) + body for body in (pickle.dumps(item) for item in items))


SHEETS = ("sheets", [{"index": 0, "name": "a", "visible": True}])
SHEET = ("sheet", {"index": 0, "name": "a", "visible": True, "refused": None, "rows": 1, "merged": []})


@pytest.mark.parametrize("items", [
    [SHEETS, ("sheet", {"index": 1, "name": "b", "visible": True, "refused": None, "rows": 1})],  # not announced
    [SHEETS, SHEET, ("rows", [[1], [2]])],  # more rows than announced
    [SHEETS, SHEET, ("sheet_end", {})],  # fewer
    [SHEETS, ("sheet", {"index": 0, "name": "a", "visible": True, "refused": None})],  # no row count
    [SHEETS, SHEETS],
    [SHEETS, ("done", {"peak_kb": 1})],  # a sheet announced and never sent
    [SHEETS, SHEET, SHEET],  # a sheet inside a sheet
])
def test_the_parents_decoder_holds_the_reader_to_what_it_announced(items):
    builder = cage._WorkbookBuilder(b"PK", importing.ReaderLimits())
    with pytest.raises(cage._ReaderOutputError):
        builder.feed(frames(*items))
