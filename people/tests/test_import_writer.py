"""The ledger import's SQLite writer inserts on a thread of its own while the import builds the next rows: a
failure on either side ends the import with nothing written, and the caller sees the error."""

import datetime
import io

import pytest
import xlsxwriter
from django.db import IntegrityError

from accounts.testing import create_user
from people.identity import check_digit
from people.importers import import_ledger
from people.importing import cells, write
from people.models import Person


def make_id(seq):
    first17 = f"330998{datetime.date(1975, 3, 14):%Y%m%d}{seq:03d}"
    return first17 + check_digit(first17)


def ledger(rows):
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("台账")
    for index, row in enumerate([["姓名", "身份证号"], *rows]):
        sheet.write_row(index, 0, row)
    book.close()
    return buffer.getvalue()


@pytest.fixture
def officer(org):
    return create_user("town01", org.town1, "town_officer")


@pytest.fixture
def five_people():
    return ledger([[f"张{name}", make_id(seq)] for seq, name in enumerate("一二三四五", 1)])


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(write, "WRITE_CHUNK", 2)  # five people: three chunks


@pytest.mark.django_db
def test_five_people_in_chunks_are_all_written(org, officer, five_people, small_chunks):
    result = import_ledger(five_people, "台账.xlsx", org.town1, officer)
    assert result.created == 5
    assert sorted(Person.objects.values_list("name", flat=True)) == sorted(f"张{name}" for name in "一二三四五")
    assert all(p.id_number and p.id_number_hash for p in Person.objects.all())


@pytest.mark.django_db
def test_an_insert_failing_in_the_writer_thread_fails_the_import_and_writes_nothing(org, officer, five_people,
                                                                                  small_chunks, monkeypatch):
    someone = Person.objects.create(name="已登记", owner_unit=org.town1)
    reserve_ids = write.SqlWriter.reserve_ids

    def colliding(self, count):
        ids = reserve_ids(self, count)
        ids[3] = someone.pk  # in the second chunk: the first one is in by then
        return ids

    monkeypatch.setattr(write.SqlWriter, "reserve_ids", colliding)
    with pytest.raises(IntegrityError):
        import_ledger(five_people, "台账.xlsx", org.town1, officer)
    assert list(Person.objects.values_list("name", flat=True)) == ["已登记"]


@pytest.mark.django_db
def test_a_row_failing_to_build_stops_the_writer_and_writes_nothing(org, officer, five_people, small_chunks,
                                                                    monkeypatch):
    calls = []
    pinyin = cells.PinyinCache.__call__

    def failing(self, name):
        calls.append(name)
        if len(calls) == 4:
            raise RuntimeError("broken row")
        return pinyin(self, name)

    monkeypatch.setattr(cells.PinyinCache, "__call__", failing)
    with pytest.raises(RuntimeError, match="broken row"):
        import_ledger(five_people, "台账.xlsx", org.town1, officer)
    assert not Person.objects.exists()
