"""Importing the ledger (统战成员台账) from Excel, on core's import framework (core.importing.framework): the
upload, the check in the background, the preview, the confirmation, the error workbook, the audit event and the
command line (`manage.py import_people`, `manage.py import people.person`) are the framework's. What is the
ledger's is here and in people/importing/: the column spec (people/columns.py), the converters (cells.py), the
checks of a row (below), the matcher and the ID lookup it is (match.py), the plan with the update modes
(plan.py) and the bulk writer (write.py).

What it reads is what cadres keep: the data sheet among others, title rows above the header, header synonyms,
full-width digits, dates in every usual spelling, categories separated by 、，,/; and spaces, blank rows, cells
merged down over several rows. Columns it does not know are reported as a notice.

How it stays fast on 100,000 rows (bench/import_people.py: 10,000 rows/s end to end on SQLite):
- per-cell conversions of repeated values (categories, villages, enumerations, dates) are cached;
- name pinyin is computed per character where that is exactly what pypinyin would give for the name;
- the database is asked about the file's ID numbers in batches, never per row;
- rows are checked while the caged reader still sends later ones (the framework reads a stream), and the sheet's
  raw rows are dropped as they are checked, so memory stays near what reading takes;
- ID numbers, phones and names are checked with regular expressions compiled once;
- people are written in bulk (people/importing/write.py), on SQLite by a writer thread while the next chunk is
  built, history copied inside the database.
"""

import dataclasses
import datetime
import functools

from django import forms
from django.urls import reverse

from core import crypto
from core.importing import LARGE_LIMITS, CellError, Problem, cell_date, cell_text
from core.importing.framework import ImportDenied, Importer, register
from org.models import Unit

from . import choices
from .columns import COLUMNS
from .identity import birth_date_from_id, gender_from_id
from .importing.cells import (
    AFFILIATIONS,
    DEGREES,
    EDUCATIONS,
    ETHNICITIES,
    GENDERS,
    NUMERIC_ID,
    TIERS,
    CategoryMatcher,
    PinyinCache,
    boolean,
    cached,
    choice,
    id_number,
    limited_text,
    mobile,
    person_name,
    phone,
    spelling_key,
    tags,
    work_and_position,
)
from .importing.match import LedgerMatcher
from .importing.plan import UPDATE_POLICIES, LedgerPlanner
from .importing.rows import INDEX, VALUE_FIELDS, Row, month_key
from .importing.write import LedgerWriter
from .models import Person

__all__ = ["NUMERIC_ID", "UPDATE_POLICIES", "ImportDenied", "LedgerImporter", "import_ledger"]

LEDGER_MAX_BYTES = 20 * 1024 * 1024  # web uploads
# A county ledger has 100,000+ rows; the unpacked size stops a zip bomb.
LEDGER_LIMITS = dataclasses.replace(LARGE_LIMITS, max_rows=200_000, max_columns=60, max_unpacked=512 * 1024 * 1024)
CONFLICT = "导入期间台账被其他操作修改（例如同时录入了相同的身份证号），未写入任何数据，请重新上传。"


class UpdateOptions(forms.Form):
    update = forms.ChoiceField(
        label="台账中已有的人员（按身份证号识别）", choices=list(UPDATE_POLICIES.items()), initial="fill",
        widget=forms.RadioSelect,
    )


@register
class LedgerImporter(LedgerMatcher, LedgerPlanner, LedgerWriter, Importer):
    """The ledger import. Options: {"update": "fill" | "overwrite" | "skip"} (what happens to people already in
    the county). Without a user (the command line), the scope is the subtree of the unit imported into."""

    kind = "people.person"
    title = "从 Excel 导入台账"
    noun = "人员"
    measure = "人"
    sheet_label = "台账"
    columns = COLUMNS
    model = Person
    asks_unit = True
    unit_help = "“所在村(社区)”列填写了下级村（社区）的行归入该村（社区），其余行归入所选单位"
    allows_skip_invalid = True
    options_form = UpdateOptions
    max_bytes = LEDGER_MAX_BYTES
    reader_limits = LEDGER_LIMITS
    counts_shown = ("data_rows", "valid_rows", "created", "updated", "unchanged", "invalid_rows")
    redirect_when_done = False  # the job page shows what was written, with a link to the ledger
    template_url_name = "people:person_template"
    upload_help = (
        "表头可以在标题行下方，常见的列名写法（如“公民身份号码”“手机号码”“村（社区）”）都能识别；认不出的列会提示，"
        "不会导入。",
        "身份证号列须设为<strong>文本格式</strong>：存成数字的身份证号后几位已被 Excel 改掉，无法导入。",
        "出生年月可写“1975.03”“1975年3月”“1975-03-01”；填了身份证号的，性别和出生日期以身份证号为准并相互核对。",
        "多个类别用“、”分隔，例如“民主党派成员、华侨、归侨及侨眷”。",
        "表头为“手机”“手机号码”的列只能填11位手机号码；固定电话（须带区号）请填在“电话”“联系电话”或“固定电话”列。",
        "同一文件重复导入不会产生重复人员。",
        "检查时按文件中的身份证号查询台账，每次检查都记入审计日志；一小时内对同一地区、出生日期和性别反复查询多个"
        "未登记的号码，会被视为猜测他人身份证号，暂停身份证号查询1小时。",
    )
    conflict_message = CONFLICT

    @classmethod
    def breadcrumbs(cls, context):
        return [("统战成员台账", reverse("people:person_list"))]

    @classmethod
    def back_url(cls, context):
        return reverse("people:person_list")

    @classmethod
    def done_url(cls, result):
        return reverse("people:person_list"), "查看台账"

    @classmethod
    def clean_options(cls, form, context):
        return {"update": form.cleaned_data["update"]}

    @classmethod
    def describe_options(cls, options):
        return [("已登记的人员", UPDATE_POLICIES.get(options.get("update", "fill"), ""))]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.update = self.options.get("update", "fill")
        if self.update not in UPDATE_POLICIES:
            raise ValueError(f"unknown update policy {self.update!r}")
        self.pinyin = PinyinCache()
        self.hash = crypto.keyed_hasher()
        self.seen = {}  # row key -> the first row with it (duplicates inside the file)
        self.today = datetime.date.today()  # once per import, not per row: birth dates may not be later

    def audit_options(self):
        return {"更新方式": UPDATE_POLICIES[self.update]}

    # --- checking rows ----------------------------------------------------------------------------------

    def converters(self, table):
        columns = table.columns
        split_work = ("工作单位及职务" in columns and "职务" not in columns
                      and "职务" in self.header_text(table, "工作单位及职务"))
        phone_column = mobile if "联系电话" in columns and self.mobile_only(table, "联系电话") else phone
        return [
            ("姓名", "name", person_name),
            ("性别", "gender", cached(choice(GENDERS, "性别", "男或女"))),
            ("民族", "ethnicity", cached(choice(ETHNICITIES, "民族", "民族全称，如“汉族”“畲族”"))),
            ("出生年月", "birth", cached(cell_date)),
            ("身份证号", "id_number", functools.partial(id_number, today=self.today)),
            ("政治面貌", "affiliation", cached(choice(
                AFFILIATIONS, "政治面貌", "“中共党员”“民革党员”“无党派人士”“群众”等"))),
            ("类别", "categories", CategoryMatcher()),
            ("工作单位及职务", "work", cached(work_and_position if split_work else limited_text("workplace"))),
            ("职务", "position", cached(limited_text("position"))),
            ("学历", "education", cached(choice(
                EDUCATIONS, "学历", "研究生、大学本科、大学专科、中专/高中或初中及以下"))),
            ("学位", "degree", cached(choice(DEGREES, "学位", "博士、硕士、学士或无"))),
            ("联系电话", "phone", phone_column),
            ("所在村(社区)", "unit", cached(self.unit_lookup())),
            ("管理层级", "tier", cached(choice(TIERS, "管理层级", "县管、镇管或村管"))),
            ("是否代表人士", "is_representative", cached(boolean)),
            ("籍贯", "native_place", cached(limited_text("native_place"))),
            ("住址", "address", limited_text("address")),
            ("所在领域", "field", cached(limited_text("field"))),
            ("加入时间", "affiliation_date", cached(cell_date)),
            ("标签", "tags", cached(tags)),
            ("备注", "notes", limited_text("notes")),
        ]

    def check_row(self, number, raw, got, problems):
        """The row's values in VALUE_FIELDS order, checked across columns: the ID number against gender and birth
        date, duplicates inside the file. None when the row has problems."""
        values = [None] * len(VALUE_FIELDS)
        seen = self.seen
        name = got.get("name")
        birth_key = None  # a month-precise 出生年月 without an ID number matches a stored date by its month
        if name is None and not any(p.column == "姓名" for p in problems):
            problems.append(Problem(number, "姓名", "姓名不能为空"))
        id_number = got.get("id_number")
        id_hash = ""
        if id_number is not None:
            values[INDEX["id_number"]] = id_number
            id_hash = self.hash(id_number)
            derived_gender, derived_birth = gender_from_id(id_number), birth_date_from_id(id_number)
            typed = got.get("gender")
            if typed is not None and typed != derived_gender:
                problems.append(Problem(number, "性别", (
                    f"性别“{label(choices.Gender, typed)}”与身份证号不符"
                    f"（身份证号显示为{label(choices.Gender, derived_gender)}）")))
            values[INDEX["gender"]] = derived_gender
            birth = got.get("birth")
            if birth is not None and not same_birth(birth, derived_birth):
                problems.append(Problem(number, "出生年月", (
                    f"出生年月“{cell_text(raw['出生年月'])}”与身份证号中的出生日期"
                    f"（{derived_birth.year}年{derived_birth.month}月{derived_birth.day}日）不符")))
            values[INDEX["birth_date"]] = derived_birth
        else:
            values[INDEX["gender"]] = got.get("gender")
            birth = got.get("birth")
            if birth is not None:
                date, precision = birth
                if precision == "year":
                    problems.append(Problem(number, "出生年月", "出生年月只有年份，请填写到月，如“1975.03”"))
                elif date > self.today:
                    problems.append(Problem(number, "出生年月", "出生年月晚于今天"))
                values[INDEX["birth_date"]] = date
                if precision == "month":
                    birth_key = month_key(date)
        for simple in ("ethnicity", "education", "degree", "affiliation", "tier", "is_representative",
                       "native_place", "address", "field", "notes", "position"):
            if simple in got:
                values[INDEX[simple]] = got[simple]
        if name is not None:
            values[INDEX["name"]] = name
        if "affiliation_date" in got:
            values[INDEX["affiliation_date"]] = got["affiliation_date"][0]
        work = got.get("work")
        if work is not None:
            if isinstance(work, tuple):
                values[INDEX["workplace"]], position = work
                if position and values[INDEX["position"]] is None:
                    values[INDEX["position"]] = position
            else:
                values[INDEX["workplace"]] = work
        phone = got.get("phone")
        phone_hash = ""
        if phone is not None:
            values[INDEX["phone"]] = phone
            phone_hash = self.hash(phone)
        unit_id = got.get("unit")
        unit_named = unit_id is not None
        if unit_id is None:
            unit_id = self.unit.pk

        key = id_hash or (unit_id, name, birth_key or values[INDEX["birth_date"]])
        earlier = seen.get(key)
        if earlier is None:
            if id_hash or not any(p.column == "身份证号" for p in problems):
                seen[key] = number
        elif name is not None:
            if id_hash:
                problems.append(Problem(number, "身份证号", f"与第{earlier}行身份证号重复"))
            else:
                problems.append(Problem(number, "姓名", (
                    f"与第{earlier}行重复（姓名、出生年月和所在单位相同，且都没有身份证号），"
                    "如确为两人请填写身份证号")))
        if problems:
            return None
        return Row(number, values, got.get("categories"), got.get("tags"), unit_id, unit_named, id_hash,
                   phone_hash, key)


    def unit_lookup(self):
        """所在村(社区) → a unit of the importing unit's subtree, by name or short name."""
        by_name = {}
        allowed = set()
        for unit in Unit.objects.filter(path__startswith=self.unit.path, is_active=True).only(
                "pk", "path", "name", "short_name"):
            for spelling in {unit.name, unit.short_name} - {""}:
                by_name.setdefault(spelling_key(spelling), []).append(unit)
            if self.may_import_into(unit):
                allowed.add(unit.pk)
        where = self.unit.name

        def resolve(raw):
            text = cell_text(raw)
            found = by_name.get(spelling_key(text), [])
            if not found:
                raise CellError(f"“{text}”不是“{where}”的下级单位，请核对名称（须与组织机构中的名称一致）")
            if len({u.pk for u in found}) > 1:
                raise CellError(f"“{where}”下有多个名为“{text}”的单位，请分别按所属镇街导入")
            unit = found[0]
            if unit.pk not in allowed:
                raise CellError(f"您没有向“{unit.name}”导入人员的权限")
            return unit.pk
        return resolve

    # --- matching ----------------------------------------------------------------------------------------

    def plan(self, rows):
        self.match_existing(rows)
        self.settle_lookups(rows)
        return super().plan(rows)


def import_ledger(data, file_name, unit, user, *, update="fill", skip_invalid=False, dry_run=False, progress=None):
    """Import the ledger in `data` (the file's bytes) into `unit` as `user` (None: the system, with the whole
    subtree of `unit` as its scope). Returns a core.importing.framework.ImportResult.

    All or nothing: with any invalid row nothing is written, unless `skip_invalid`. `update` says what happens
    to people already in the county: "fill" empty fields, "overwrite", or "skip". `progress`, if given, is called
    as `progress(done, total, stage)`. Raises ImportFileError when the file cannot be read, ImportDenied when
    `unit` is out of scope and people.lookups.LookupRefused when the file's ID numbers would take `user` past the
    guessing limit (a check shows which rows update someone registered: it is an ID lookup, see core.lookups).
    """
    run = LedgerImporter(user=user, unit=unit, options={"update": update}, file_name=file_name, dry_run=dry_run,
                         skip_invalid=skip_invalid, progress=progress)
    return run.run(data)


def same_birth(typed, derived):
    date, precision = typed
    if precision == "day":
        return date == derived
    if precision == "month":
        return (date.year, date.month) == (derived.year, derived.month)
    return date.year == derived.year


def label(choices_class, value):
    return dict(choices_class.choices).get(value, value)
