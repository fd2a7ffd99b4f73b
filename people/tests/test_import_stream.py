"""The ledger import on a streamed read (core.importing.stream_workbook): rows are checked while the caged reader
still sends later ones, and a reader that fails or refuses the file halfway leaves nothing written and nothing
looked up, and says why in Chinese."""

import pytest

from accounts.testing import create_user
from core.importing import ImportFileError
from core.models import AuditEvent
from core.testing import reader_opens, reader_sends, script_the_reader
from people.importers import LedgerImporter, import_ledger
from people.models import Person

LEDGER_HEADER = ["姓名", "性别", "出生年月", "所在村(社区)"]


@pytest.fixture
def scripted(monkeypatch):
    return script_the_reader(monkeypatch)


@pytest.fixture
def officer(org):
    return create_user("town01", org.town1, "town_officer")


def ledger_rows():
    return [LEDGER_HEADER, ["张三", "男", "1975.03", "东溪村"], ["李四", "女", "1980.05", "东溪村"]]


def import_scripted(data, org, officer):
    return import_ledger(data, "台账.xlsx", org.town1, officer)


def assert_nothing_written():
    assert not Person.objects.exists()
    assert not AuditEvent.objects.filter(action__in=[AuditEvent.Action.LOOKUP, AuditEvent.Action.IMPORT]).exists()


@pytest.mark.django_db
def test_the_ledger_import_checks_rows_before_the_reader_ends_and_imports_them(scripted, org, officer, tmp_path,
                                                                              monkeypatch):
    gate = tmp_path / "gate"
    checked_before_the_end = []
    check_row = LedgerImporter.check_row

    def checking(self, number, *args):
        if not gate.exists():
            checked_before_the_end.append(number)
            if number == 41:
                gate.touch()  # only now may the reader send its last row and end
        return check_row(self, number, *args)

    monkeypatch.setattr(LedgerImporter, "check_row", checking)
    # More rows than the header is looked for in (30) come before the gate.
    people = [[f"张{chr(0x4E00 + index)}", "男", "1975.03", "东溪村"] for index in range(40)]
    progress = []
    data = scripted(*reader_opens(42), reader_sends("rows", [LEDGER_HEADER, *people]), ["flush"], ["wait", str(gate)],
                    reader_sends("rows", [["王五", "男", "1990.01", "东溪村"]]), reader_sends("sheet_end", {}),
                    reader_sends("done", {"peak_kb": 1}))
    result = import_ledger(data, "台账.xlsx", org.town1, officer, progress=lambda *args: progress.append(args))
    assert checked_before_the_end == list(range(2, 42))
    assert (result.created, result.errors, result.written) == (41, [], True)
    assert ("check", 41) in {(stage, total) for _, total, stage in progress}


@pytest.mark.django_db
def test_a_reader_failing_halfway_through_the_ledger_leaves_nothing_written(scripted, org, officer):
    data = scripted(*reader_opens(40), reader_sends("rows", ledger_rows()), ["flush"], ["exit", 3])
    with pytest.raises(ImportFileError, match="文件解析超出内存上限（768 MB），已停止读取"):
        import_scripted(data, org, officer)
    assert_nothing_written()


@pytest.mark.django_db
def test_a_refusal_after_the_ledgers_rows_leaves_nothing_written(scripted, org, officer):
    data = scripted(*reader_opens(3), reader_sends("rows", ledger_rows()), reader_sends("sheet_end", {}),
                    reader_sends("refused", {"code": "cells", "limit": 4_000_000}),
                    reader_sends("done", {"peak_kb": 1}))
    with pytest.raises(ImportFileError, match="单元格总数超过上限（4000000 个）"):
        import_scripted(data, org, officer)
    assert_nothing_written()


@pytest.mark.django_db
def test_the_readers_refusal_comes_before_a_missing_header_in_the_first_rows(scripted, org, officer):
    data = scripted(*reader_opens(1), reader_sends("rows", [["填表说明"]]), reader_sends("sheet_end", {}), ["flush"],
                    reader_sends("refused", {"code": "expanded", "limit": 1024 * 1024}),
                    reader_sends("done", {"peak_kb": 1}))
    with pytest.raises(ImportFileError, match="文字展开后超过上限"):
        import_scripted(data, org, officer)
    assert_nothing_written()
