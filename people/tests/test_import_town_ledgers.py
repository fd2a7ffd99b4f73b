"""Whole town ledgers built by people.testing.ledgers, tidy and messy, imported into the demo county's town01:
every row stored as entered, a second import creating nothing, every fault named by its row, and a full export
that imports again unchanged."""

import datetime
import io

import pytest
from django.db.models import Count
from python_calamine import CalamineWorkbook

from accounts.testing import create_user
from core.models import AuditEvent
from org.models import Unit
from people import choices
from people.importers import NUMERIC_ID, import_ledger
from people.models import Category, Person, Tag
from people.pinyin import name_initials, name_pinyin
from people.testing import (
    TOWN01,
    TOWN01_VILLAGES,
    Entry,
    problems_of,
    town_ledger,
    town_people,
)

# --- whole town ledgers ---------------------------------------------------------------------------------------

# 陶国 of 桥头社区, a CPC member in the ledger as a private entrepreneur: one person written out in full.
TAO = Entry(name="陶国", id_number="330999195408186946", ethnicity="汉族", affiliation="中共党员",
            categories=("非公有制经济人士", "新的社会阶层人士"), work="宏达五金有限公司 总经理", education="大学本科",
            phone="13233060742", village="桥头社区")


def town_of_300():
    """300 people of town01, the fourth being 陶国."""
    entries = town_people(300)
    entries[3] = TAO
    return entries


def assert_stored_as_entered(entries, unit):
    """Every entry is a person of `unit`'s villages with exactly the entry's values, and nobody else is."""
    expected = {
        e.id_number: (e.name, e.gender, e.birth_date, e.ethnicity, e.affiliation, sorted(e.categories), e.workplace,
                      e.position, choices.EDUCATION_SYNONYMS[e.education], e.phone, e.village, e.representative)
        for e in entries
    }
    stored = {
        p.id_number: (p.name, p.gender, p.birth_date, p.get_ethnicity_display(), p.get_affiliation_display(),
                      sorted(c.name for c in p.categories.all()), p.workplace, p.position, p.education, p.phone,
                      p.owner_unit.name, p.is_representative)
        for p in Person.objects.select_related("owner_unit").prefetch_related("categories")
    }
    assert stored == expected
    assert set(Person.objects.values_list("owner_unit__path", flat=True)) <= set(
        Unit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1).values_list("path", flat=True))


@pytest.fixture
def demo_town(db):
    """城关街道 of 示范县 with the villages the generated town ledgers name."""
    county = Unit.objects.add_root(instance=Unit(name="示范县", type=Unit.Type.COUNTY, division_code="330999"))
    town = Unit.objects.add_child(Unit.objects.get(pk=county.pk), instance=Unit(
        name=TOWN01, short_name="城关", type=Unit.Type.TOWN, division_code="330999001"))
    for name in TOWN01_VILLAGES:
        Unit.objects.add_child(Unit.objects.get(pk=town.pk), instance=Unit(name=name, type=Unit.Type.VILLAGE))
    return Unit.objects.get(pk=town.pk)


def test_a_town_ledger_imports_every_row_and_a_second_time_creates_nothing(demo_town):
    officer = create_user("town01", demo_town, "town_officer")
    entries = town_of_300()
    book = town_ledger(entries)
    result = import_ledger(book.data, book.name, demo_town, officer)
    assert problems_of(result) == []
    assert (result.data_rows, result.valid_rows, result.created, result.updated) == (300, 300, 300, 0)
    assert result.written and result.notices == []
    assert Person.objects.count() == 300
    assert_stored_as_entered(entries, demo_town)
    # Every row landed in its village, none at the town itself.
    by_unit = dict(Person.objects.values_list("owner_unit__name").annotate(n=Count("id")))
    assert set(by_unit) == set(TOWN01_VILLAGES)
    assert by_unit["西溪村"] == sum(e.village == "西溪村" for e in entries) > 0
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(book.data)).get_sheet_by_index(0).to_python()
    overseas = sum(1 for row in sheet[2:] if "华侨、归侨及侨眷" in row[7])
    assert overseas > 0 and Category.objects.get(name="华侨、归侨及侨眷").people.count() == overseas
    tao = Person.objects.get(name="陶国")
    assert tao.id_number == "330999195408186946" and tao.gender == "F"
    assert tao.birth_date == datetime.date(1954, 8, 18)
    assert (tao.workplace, tao.position) == ("宏达五金有限公司", "总经理")
    assert sorted(tao.categories.values_list("name", flat=True)) == ["新的社会阶层人士", "非公有制经济人士"]
    assert (tao.name_pinyin, tao.name_initials) == (name_pinyin("陶国"), name_initials("陶国"))
    assert tao.created_by == officer and tao.owner_unit.name == "桥头社区"
    assert Person.objects.filter(affiliation=choices.Affiliation.RCCK).count() == sum(
        e.affiliation == "民革党员" for e in entries) > 0
    assert Person.objects.filter(is_representative=True).count() == sum(e.representative for e in entries) > 0
    history = tao.history.get()
    assert (history.history_type, history.history_change_reason, history.history_user) == (
        "+", f"Excel导入：{book.name}", officer)
    assert sorted(c.category.name for c in history.categories.all()) == ["新的社会阶层人士", "非公有制经济人士"]
    assert Person.history.count() == 300
    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT)
    assert event.object_label == book.name and event.changes["新增"] == 300 and event.user == officer

    again = import_ledger(book.data, book.name, demo_town, officer)
    assert (again.created, again.updated, again.unchanged, again.errors) == (0, 0, 300, [])
    assert Person.objects.count() == 300 and Person.history.count() == 300


HARMLESS_MESS = {
    "subtitles": ["填报单位：城关街道统战办\u3000\u3000填报日期：2024年12月31日", "单位：人"], "synonyms": True,
    "instructions": True, "full_width_ids": 0.2, "excel_dates": 0.25, "chinese_dates": 0.25, "stray_spaces": 0.3,
    "separators": True, "blank_rows": 0.03,
}


def test_a_messy_town_ledger_imports_the_same_people_as_a_tidy_one(demo_town):
    officer = create_user("town01", demo_town, "town_officer")
    entries = town_people(300)
    book = town_ledger(entries, **HARMLESS_MESS)
    result = import_ledger(book.data, book.name, demo_town, officer)
    assert (problems_of(result), result.notices) == ([], [])
    assert (result.sheet, result.header_row, result.data_rows, result.created) == ("台账", 4, 300, 300)
    assert_stored_as_entered(entries, demo_town)


def test_every_fault_of_a_messy_town_ledger_is_named_by_its_row(demo_town):
    officer = create_user("town01", demo_town, "town_officer")
    entries = town_people(300)
    book = town_ledger(entries, **HARMLESS_MESS, numeric_ids=3, duplicates=2, bad_phones=2)
    assert (len(book.numeric_id_rows), len(book.duplicate_rows), len(book.bad_phone_rows)) == (3, 2, 2)
    result = import_ledger(book.data, book.name, demo_town, officer)
    expected = [(row, "身份证号", NUMERIC_ID) for row in book.numeric_id_rows]
    expected += [(row, "身份证号", f"与第{first}行身份证号重复") for row, first in book.duplicate_rows.items()]
    short_phones = {row: entries[book.rows.index(row)].phone[:-1] for row in book.bad_phone_rows}
    # The ledger's phone column is headed 手机号码 (a synonym): a mobile column, told so.
    expected += [(row, "联系电话", f"手机号码应为11位数字（以1开头）；固定电话请填在“电话”或“固定电话”列（“{phone}”）")
                 for row, phone in short_phones.items()]
    assert sorted(problems_of(result)) == sorted(expected)
    assert (result.data_rows, result.written, Person.objects.count()) == (302, False, 0)

    partial = import_ledger(book.data, book.name, demo_town, officer, skip_invalid=True)
    assert (partial.created, partial.written) == (295, True)
    refused = {entries[book.rows.index(row)].id_number for row in book.numeric_id_rows + book.bad_phone_rows}
    assert_stored_as_entered([e for e in entries if e.id_number not in refused], demo_town)




def test_a_full_export_imports_again_unchanged(demo_town):
    from people.exports import write_ledger

    officer = create_user("town01", demo_town, "town_officer")
    book = town_ledger(town_of_300())
    import_ledger(book.data, book.name, demo_town, officer)
    person_ = Person.objects.get(name="陶国")
    person_.tags.add(Tag.objects.create(name="乡贤", owner_unit=demo_town))
    Person.objects.filter(pk=person_.pk).update(native_place="浙江示范", affiliation_date=datetime.date(2001, 7, 1))
    buffer = io.BytesIO()
    assert write_ledger(buffer, Person.objects.all(), tags=Tag.objects.visible_to(officer), masked=False) == 300
    again = import_ledger(buffer.getvalue(), "导出.xlsx", demo_town, officer, update="overwrite")
    assert (again.errors, again.notices) == ([], [])
    assert (again.data_rows, again.created, again.updated, again.unchanged) == (300, 0, 0, 300)
