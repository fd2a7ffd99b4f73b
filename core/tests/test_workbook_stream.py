"""Streamed reading (core.importing.stream_workbook): the caller works on a sheet's first rows while the caged
reader still sends the others, and a reader that fails or refuses the file halfway still stops everything —
the ledger import then writes and looks up nothing, and says why in Chinese."""

import datetime
import io
import json
import pickle
import struct
from pathlib import Path

import pytest
import xlsxwriter

from core import importing
from core.importing import ArrivingRows, ImportFileError, open_workbook, stream_workbook
from core.models import AuditEvent
from core.testing import create_user

from .spreadsheets import ods_bytes, xls_bytes

SCRIPTED_CHILD = Path(__file__).with_name("scripted_workbook_child.py")
LEDGER_HEADER = ["姓名", "性别", "出生年月", "所在村(社区)"]


@pytest.fixture
def scripted(monkeypatch):
    """Run the scripted stand-in instead of the real reader; returns a function turning steps into the "file"."""
    monkeypatch.setattr(importing, "_CHILD", SCRIPTED_CHILD)
    return lambda *steps: importing.ZIP_MAGIC + json.dumps(steps).encode()


def send(kind, payload):
    return ["send", kind, payload]


def opening(rows, name="台账", merged=()):
    """The frames before a sheet's rows: the workbook, its one sheet, and the sheet with its row count."""
    return [send("workbook", {"format": "xlsx"}), send("sheets", [{"index": 0, "name": name, "visible": True}]),
            send("sheet", {"index": 0, "name": name, "visible": True, "refused": None, "rows": rows,
                           "merged": [list(map(list, pair)) for pair in merged]})]


def test_rows_are_used_before_the_reader_has_sent_them_all(scripted, tmp_path):
    gate = tmp_path / "gate"
    data = scripted(*opening(4), send("rows", [["姓名"], ["张三"]]), ["flush"], ["wait", str(gate)],
                    send("rows", [["李四"], ["王五"]]), send("sheet_end", {}), send("done", {"peak_kb": 1}))
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
    data = scripted(*opening(4), send("rows", [["姓名"], ["张三"]]), ["exit", 3])  # 3: out of memory
    with stream_workbook(data) as workbook:
        rows = workbook.rows(workbook.sheets[0])
        assert rows[1] == ["张三"]
        with pytest.raises(ImportFileError, match="文件解析超出内存上限"):
            rows[2]  # noqa: B018
        with pytest.raises(ImportFileError, match="文件解析超出内存上限"):
            workbook.finish()


def test_a_refusal_after_the_rows_of_a_sheet_is_raised_by_finish(scripted):
    data = scripted(*opening(2), send("rows", [["姓名"], ["张三"]]), send("sheet_end", {}),
                    send("refused", {"code": "cells", "limit": 100}), send("done", {"peak_kb": 1}))
    with stream_workbook(data) as workbook:
        assert list(workbook.rows(workbook.sheets[0])) == [["姓名"], ["张三"]]
        with pytest.raises(ImportFileError, match="单元格总数超过上限（100 个）"):
            workbook.finish()


def test_merged_cells_are_filled_down_in_rows_that_arrive_after_the_top_was_dropped(scripted, tmp_path):
    gate = tmp_path / "gate"
    data = scripted(*opening(5, merged=[((1, 1), (4, 1))]),
                    send("rows", [["姓名", "村"], ["张三", "西溪村"], ["李四", None]]), ["flush"],
                    ["wait", str(gate)], send("rows", [["王五", None], ["赵六"]]), send("sheet_end", {}),
                    send("done", {"peak_kb": 1}))
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
    builder = importing._WorkbookBuilder(b"PK", importing.ReaderLimits())
    with pytest.raises(importing._ReaderOutputError):
        builder.feed(frames(*items))


# --- the ledger import on a stream ------------------------------------------------------------------------


@pytest.fixture
def officer(org):
    return create_user("town01", org.town1, "town_officer")


def ledger_rows():
    return [LEDGER_HEADER, ["张三", "男", "1975.03", "东溪村"], ["李四", "女", "1980.05", "东溪村"]]


def import_scripted(data, org, officer):
    from people.importers import import_ledger

    return import_ledger(data, "台账.xlsx", org.town1, officer)


def assert_nothing_written():
    from people.models import Person

    assert not Person.objects.exists()
    assert not AuditEvent.objects.filter(action__in=[AuditEvent.Action.LOOKUP, AuditEvent.Action.IMPORT]).exists()


@pytest.mark.django_db
def test_the_ledger_import_checks_rows_before_the_reader_ends_and_imports_them(scripted, org, officer, tmp_path,
                                                                              monkeypatch):
    from people.importers import LedgerImport, import_ledger

    gate = tmp_path / "gate"
    checked_before_the_end = []
    check_row = LedgerImport.check_row

    def checking(self, number, *args):
        if not gate.exists():
            checked_before_the_end.append(number)
            if number == 41:
                gate.touch()  # only now may the reader send its last row and end
        return check_row(self, number, *args)

    monkeypatch.setattr(LedgerImport, "check_row", checking)
    # More rows than the header is looked for in (30) come before the gate.
    people = [[f"张{chr(0x4E00 + index)}", "男", "1975.03", "东溪村"] for index in range(40)]
    progress = []
    data = scripted(*opening(42), send("rows", [LEDGER_HEADER, *people]), ["flush"], ["wait", str(gate)],
                    send("rows", [["王五", "男", "1990.01", "东溪村"]]), send("sheet_end", {}),
                    send("done", {"peak_kb": 1}))
    result = import_ledger(data, "台账.xlsx", org.town1, officer, progress=lambda *args: progress.append(args))
    assert checked_before_the_end == list(range(2, 42))
    assert (result.created, result.errors, result.written) == (41, [], True)
    assert ("check", 41) in {(stage, total) for _, total, stage in progress}


@pytest.mark.django_db
def test_a_reader_failing_halfway_through_the_ledger_leaves_nothing_written(scripted, org, officer):
    data = scripted(*opening(40), send("rows", ledger_rows()), ["flush"], ["exit", 3])
    with pytest.raises(ImportFileError, match="文件解析超出内存上限（768 MB），已停止读取"):
        import_scripted(data, org, officer)
    assert_nothing_written()


@pytest.mark.django_db
def test_a_refusal_after_the_ledgers_rows_leaves_nothing_written(scripted, org, officer):
    data = scripted(*opening(3), send("rows", ledger_rows()), send("sheet_end", {}),
                    send("refused", {"code": "cells", "limit": 4_000_000}), send("done", {"peak_kb": 1}))
    with pytest.raises(ImportFileError, match="单元格总数超过上限（4000000 个）"):
        import_scripted(data, org, officer)
    assert_nothing_written()


@pytest.mark.django_db
def test_the_readers_refusal_comes_before_a_missing_header_in_the_first_rows(scripted, org, officer):
    data = scripted(*opening(1), send("rows", [["填表说明"]]), send("sheet_end", {}), ["flush"],
                    send("refused", {"code": "expanded", "limit": 1024 * 1024}), send("done", {"peak_kb": 1}))
    with pytest.raises(ImportFileError, match="文字展开后超过上限"):
        import_scripted(data, org, officer)
    assert_nothing_written()
