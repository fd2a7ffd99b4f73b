"""Importing the ledger (统战成员台账) from Excel: read → check every row → match the county → write in bulk.

One function does it for the web (a background task with progress), the command line and the benchmark:
`import_ledger(data, file_name, unit, user, ...)`. A dry run does everything but the writing.

What it reads is what cadres keep (see core.importing for the file-level part): the data sheet among
others, title rows above the header, header synonyms (people/columns.py), full-width digits, dates in
every usual spelling, categories separated by 、，,/; and spaces, blank rows. Columns it does not know
are reported as a notice.

How it stays fast on 100,000 rows (the benchmark's target is 10,000 rows/s end to end on SQLite):
- per-cell conversions of repeated values (categories, villages, enumerations, dates) are cached;
- name pinyin is computed per character where that is exactly what pypinyin would give for the name;
- the database is asked about the file's ID numbers in batches, never per row;
- people are inserted with `executemany` (SQLite; Django's `bulk_create` there sends 999 parameters
  per statement, i.e. 30 people) or COPY (PostgreSQL), with ids reserved up front so that categories
  and history can refer to them; each ID number and phone is encrypted once;
- history rows (django-simple-history, change reason "Excel导入：<file name>") are copied inside the
  database from the rows just written (INSERT … SELECT), with their categories;
- the sheet's raw rows are dropped as they are checked, so memory stays near what reading takes.
"""

import datetime
import queue
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone
from pypinyin import lazy_pinyin
from pypinyin.constants import PHRASES_DICT

from core import audit, crypto
from core.importing import (
    CellError,
    ImportFileError,
    Problem,
    Table,
    cell_date,
    cell_text,
    column_letter,
    fill_merged_down,
    find_header,
    header_key,
    normalise_text,
    open_large_workbook,
    records,
    stream_large_workbook,
)
from core.models import AuditEvent
from core.scope import Scope
from org.models import Unit

from . import choices, lookups
from .columns import HEADERS, REQUIRED, SYNONYMS
from .identity import (
    birth_date_from_id,
    gender_from_id,
    id_number_problem,
    normalize_id_number,
    normalize_phone,
    phone_problem,
)
from .lookups import registered_elsewhere
from .models import Category, Person, Tag, acting_unit
from .pinyin import SURNAME_READINGS

LEDGER_MAX_BYTES = 20 * 1024 * 1024  # web uploads
LEDGER_MAX_ROWS = 200_000
LEDGER_MAX_COLUMNS = 60
LEDGER_MAX_UNPACKED = 512 * 1024 * 1024  # all parts of the archive unpacked (a zip bomb stops there)
UPDATE_POLICIES = {
    "fill": "补充空白字段（已有内容不变，类别和标签只增不减）",
    "overwrite": "以文件为准覆盖（文件中的空白单元格不会清空已有内容）",
    "skip": "跳过已登记的人员",
}
ERROR_COLUMN = "错误说明"  # the last column of the error workbook; ignored when that file comes back
NUMERIC_ID = "身份证号被Excel存成了数字，后几位已丢失，请将该列设为文本格式后重新填写"
OUT_OF_SCOPE_NAMELESS = "该人员已在台账中登记，您无权修改，请联系县委统战部"
SEPARATORS = re.compile(r"[、，,/／;；|｜\s]+")
BATCH = 900  # ids per IN (...) list: SQLite's historical limit of 999 parameters per statement

WRITE_CHUNK = 5000
MAX_PROBLEMS_PER_ROW = 20

# The Person fields a ledger row carries, in this order in a checked row's values.
VALUE_FIELDS = (
    "name", "gender", "ethnicity", "birth_date", "id_number", "phone", "native_place", "address", "education",
    "degree", "workplace", "position", "field", "affiliation", "affiliation_date", "tier", "is_representative",
    "notes",
)
_INDEX = {name: i for i, name in enumerate(VALUE_FIELDS)}
# Compared with what is stored to decide what an update changes (id_number and phone by their hashes).
_STORED_FIELDS = tuple(f for f in VALUE_FIELDS if f not in ("id_number", "phone"))

TEXT_LIMITS = {
    "native_place": ("籍贯", 50), "address": ("住址", 200), "field": ("所在领域", 50), "workplace": ("工作单位", 100),
    "position": ("职务", 100), "notes": ("备注", 2000),
}


class ImportDenied(Exception):
    """The user may not import into the chosen unit. `str(error)` is a Chinese message."""


@dataclass
class ImportResult:
    file_name: str
    data_rows: int = 0
    valid_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # people already registered and left alone by update="skip" (also counted in unchanged)
    errors: list = field(default_factory=list)  # [Problem], sorted by row and column
    notices: list = field(default_factory=list)  # [str]: unknown columns and the like
    sheet: str = ""
    header_row: int = 0
    columns: dict = field(default_factory=dict)  # ledger column -> its letter in the file, e.g. {"身份证号": "F"}
    dry_run: bool = False
    written: bool = False  # whether the database was changed

    @property
    def invalid_rows(self):
        return self.data_rows - self.valid_rows

    def report(self):
        """The JSON report of the command line (`--report`)."""
        return {
            "data_rows": self.data_rows, "valid_rows": self.valid_rows, "created": self.created,
            "updated": self.updated, "unchanged": self.unchanged,
            "errors": [{"row": p.row, "column": p.column, "message": p.message} for p in self.errors],
        }

    def counts(self):
        return {
            "data_rows": self.data_rows, "valid_rows": self.valid_rows, "invalid_rows": self.invalid_rows,
            "created": self.created, "updated": self.updated, "unchanged": self.unchanged, "skipped": self.skipped,
        }


def import_ledger(data, file_name, unit, user, *, update="fill", skip_invalid=False, dry_run=False, progress=None):
    """Import the ledger in `data` (xlsx bytes) into `unit` as `user` (None: the system, with the whole
    subtree of `unit` as its scope). Returns an `ImportResult`.

    All or nothing: with any invalid row nothing is written, unless `skip_invalid`. `update` says what
    happens to people already in the county: "fill" empty fields, "overwrite", or "skip". `progress`, if
    given, is called as `progress(done, total, stage)` while rows are checked and written.
    Raises `ImportFileError` when the file cannot be read, `ImportDenied` when `unit` is out of scope and
    `people.lookups.LookupRefused` when the file's ID numbers would take `user` past the guessing limit (a
    check shows which rows update someone registered: it is an ID lookup, see core.lookups).
    """
    if update not in UPDATE_POLICIES:
        raise ValueError(f"unknown update policy {update!r}")
    run = LedgerImport(unit, user, file_name, update=update, skip_invalid=skip_invalid, dry_run=dry_run,
                       progress=progress)
    return run.run(data)


# ---------------------------------------------------------------------------------------------------------
# Reading


def read_table(data):
    """The ledger's table in an xlsx file (see `ledger_table`), read whole."""
    with open_ledger_workbook(data) as workbook:
        return ledger_table(workbook)


def open_ledger_workbook(data, *, streamed=False):
    """The caged reader on a ledger file, with the ledger's caps: read whole, or `streamed` (the import checks
    rows while later ones still arrive; see core.importing.stream_workbook)."""
    opener = stream_large_workbook if streamed else open_large_workbook
    return opener(data, max_rows=LEDGER_MAX_ROWS, max_columns=LEDGER_MAX_COLUMNS, max_unpacked=LEDGER_MAX_UNPACKED)


def ledger_table(workbook):
    """The ledger's table: the first sheet (visible ones first) whose header row names 姓名 and at least two
    other ledger columns, else the first naming 姓名 at all. Cells merged down over several data rows (a
    village's name over its people) count for each of those rows."""
    ordered = [s for s in workbook.sheets if s.visible] + [s for s in workbook.sheets if not s.visible]
    fallback = too_big = None
    for sheet in ordered:
        try:
            rows = workbook.rows(sheet)
        except ImportFileError as exc:
            too_big = too_big or exc
            continue
        match = find_header(rows, SYNONYMS, required=REQUIRED)
        if match is None:
            continue
        index, found, ignored = match
        fill_merged_down(rows, workbook.merged_ranges(sheet), index)
        table = Table(sheet.name, rows, index, found, ignored)
        if len(found) >= 3:
            return table
        fallback = fallback or table
    if fallback is not None:
        return fallback
    if too_big is not None:
        raise too_big
    raise ImportFileError("没有找到台账的表头：请确认工作表前30行中有一行表头，至少包含“姓名”列（建议使用导入模板）。")


def unknown_columns(table):
    """[(column letter, header text)] of header cells that name no ledger column (错误说明 aside)."""
    known = set(table.columns.values())
    header = table.rows[table.header_index]
    unknown = []
    for col, value in enumerate(header):
        text = cell_text(value)
        if col in known or not text or header_key(text) == header_key(ERROR_COLUMN):
            continue
        unknown.append((column_letter(col), text))
    return unknown


# ---------------------------------------------------------------------------------------------------------
# Pinyin, fast and exactly as people.pinyin computes it


class PinyinCache:
    """`people.pinyin.name_pinyin` / `name_initials` for many names.

    pypinyin spends ~25 µs per call, mostly segmenting the text into phrases. A name none of whose
    substrings is a known phrase is read character by character with each character's default reading,
    which is what pypinyin does for it too; such names are assembled from per-character results. Names
    containing a phrase go through pypinyin itself. The tests compare both ways on generated names.
    """

    def __init__(self):
        self.names = {}
        self.chars = {}

    def __call__(self, name):
        keys = self.names.get(name)
        if keys is None:
            syllables = self._syllables(name)
            keys = self.names[name] = ("".join(syllables).lower(), "".join(s[0] for s in syllables if s).lower())
        return keys

    def _syllables(self, name):
        name = "".join(name.split())
        for surname, reading in SURNAME_READINGS.items():
            if name.startswith(surname):
                return [reading, *self._plain(name[len(surname):])]
        return self._plain(name)

    def _plain(self, text):
        if len(text) > 8 or any(text[i:j] in PHRASES_DICT for i in range(len(text))
                                for j in range(i + 2, len(text) + 1)):
            return lazy_pinyin(text, errors="ignore")
        syllables = []
        for char in text:
            reading = self.chars.get(char)
            if reading is None:
                reading = self.chars[char] = lazy_pinyin(char, errors="ignore")
            syllables.extend(reading)
        return syllables


# ---------------------------------------------------------------------------------------------------------
# Cell conversions (each raises CellError with a Chinese message; blank cells never reach them)


def _label_map(pairs, extra=None):
    mapping = {}
    for value, label in pairs:
        mapping[_key(label)] = value
        mapping[_key(str(value))] = value
    for label, value in (extra or {}).items():
        mapping[_key(label)] = value
    return mapping


def _key(text):
    return re.sub(r"\s+", "", normalise_text(text)).upper()


GENDERS = _label_map(choices.Gender.choices, {"男性": "M", "女性": "F"})
ETHNICITIES = _label_map(choices.ETHNICITIES)
for _code, _label in choices.ETHNICITIES:
    if _label.endswith("族"):
        ETHNICITIES[_key(_label[:-1])] = _code
ETHNICITIES[_key("其他")] = "97"
AFFILIATIONS = _label_map(choices.Affiliation.choices, choices.AFFILIATION_SYNONYMS)
EDUCATIONS = _label_map(choices.Education.choices, choices.EDUCATION_SYNONYMS)
DEGREES = _label_map(choices.Degree.choices, {
    "博士学位": "doctor", "硕士学位": "master", "学士学位": "bachelor", "无学位": "none", "没有": "none",
})
TIERS = _label_map(choices.Tier.choices, {"县级": "county", "镇级": "town", "乡管": "town", "街道管": "town",
                                          "村级": "village", "社区管": "village"})
BOOLEANS = {_key(k): v for k, v in {
    "是": True, "否": False, "Y": True, "N": False, "YES": True, "NO": False, "√": True, "✓": True, "×": False,
    "1": True, "0": False, "TRUE": True, "FALSE": False, "代表人士": True,
}.items()}


def _choice(mapping, what, labels):
    def convert(raw):
        text = cell_text(raw)
        value = mapping.get(_key(text))
        if value is None:
            raise CellError(f"无法识别的{what}“{text}”，应为{labels}")
        return value
    return convert


def _text(name):
    label, limit = TEXT_LIMITS[name]

    def convert(raw):
        text = cell_text(raw)
        if len(text) > limit:
            raise CellError(f"{label}不能超过{limit}个字（现有{len(text)}个字）")
        return text or None
    return convert


def _boolean(raw):
    if isinstance(raw, bool):
        return raw
    text = cell_text(raw)
    value = BOOLEANS.get(_key(text))
    if value is None:
        raise CellError(f"应填“是”或“否”，而不是“{text}”")
    return value


def _date(raw):
    return cell_date(raw)


def _phone(raw):
    value = normalize_phone(cell_text(raw))
    if not value:
        return None
    problem = phone_problem(value)
    if problem:
        raise CellError(f"{problem}（“{cell_text(raw)}”）")
    return value


def _id_number(raw):
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        raise CellError(NUMERIC_ID)
    value = normalize_id_number(cell_text(raw))
    if not value:
        return None
    problem = id_number_problem(value)
    if problem:
        raise CellError(problem)
    return value


_HAN = re.compile(r"[\u4e00-\u9fff]")


def _name(raw):
    parts = cell_text(raw).split()
    # "张 三" (a space typed for alignment) is 张三; Latin names keep single spaces.
    name = "".join(parts) if _HAN.search("".join(parts)) else " ".join(parts)
    if len(name) > 50:
        raise CellError(f"姓名不能超过50个字（现有{len(name)}个字）")
    if ":" in name or "：" in name:
        raise CellError(f"“{name}”不像姓名（可能是表尾的填表说明），请删除该行或改正姓名")
    return name or None


class CategoryMatcher:
    """Category names in a cell: known names (and synonyms, sub-types) that contain a separator, such as
    华侨、归侨及侨眷, are matched before the rest is split on separators."""

    def __init__(self):
        self.names = {}
        self.inactive = {}  # spelling key of a disabled category -> its name
        for category in Category.objects.all():
            spellings = [category.name, *(s for s in SEPARATORS.split(category.synonyms or "") if s)]
            for spelling in spellings:
                key = _key(spelling)
                if category.is_active:
                    self.names.setdefault(key, category.pk)
                else:
                    self.inactive.setdefault(key, category.name)
        # Disabled names with a separator too, so that "华侨、归侨及侨眷" disabled is reported as itself.
        self.joined = sorted((n for n in (*self.names, *self.inactive) if SEPARATORS.search(n)), key=len,
                             reverse=True)
        self.cache = {}

    def __call__(self, raw):
        text = cell_text(raw)
        found = self.cache.get(text)
        if found is None:
            try:
                found = self._match(text)
            except CellError as exc:
                found = exc
            self.cache[text] = found
        if isinstance(found, CellError):
            raise found
        return found or None

    def _match(self, text):
        rest = _key(text)
        ids = []
        unknown, disabled = [], []
        for name in self.joined:
            if name in rest:
                if name in self.names:
                    ids.append(self.names[name])
                else:
                    disabled.append(self._disabled(name))
                rest = rest.replace(name, "、")
        for token in SEPARATORS.split(rest):
            if not token:
                continue
            pk = self.names.get(token)
            if pk is not None:
                ids.append(pk)
            elif token in self.inactive:
                disabled.append(self._disabled(token))
            else:
                unknown.append(token)
        if disabled:
            raise CellError(f"类别{'、'.join(disabled)}已停用")
        if unknown:
            raise CellError(f"无法识别的类别“{'、'.join(unknown)}”，请使用类别全称，多个类别用“、”分隔")
        return frozenset(ids)

    def _disabled(self, key):
        name = self.inactive[key]
        return f"“{name}”" if _key(name) == key else f"“{key}”（即“{name}”）"


def _tags(raw):
    names = tuple(dict.fromkeys(t for t in SEPARATORS.split(cell_text(raw)) if t))
    too_long = [n for n in names if len(n) > 30]
    if too_long:
        raise CellError(f"标签“{too_long[0]}”超过30个字")
    return names or None


def _cached(convert):
    """`convert` remembering its answer (or its error) per raw value: ledgers repeat most values."""
    cache = {}

    def cached(raw):
        found = cache.get(raw, cache)
        if found is cache:
            try:
                found = convert(raw)
            except CellError as exc:
                found = exc
            cache[raw] = found
        if isinstance(found, CellError):
            raise found
        return found
    return cached


# ---------------------------------------------------------------------------------------------------------
# The import


class Row:
    """A checked row: Excel row number, its values (VALUE_FIELDS order, None = not given) and the rest."""

    __slots__ = ("number", "values", "categories", "tags", "unit_id", "unit_named", "id_hash", "phone_hash",
                 "key")

    def __init__(self, number, values, categories, tags, unit_id, unit_named, id_hash, phone_hash, key):
        self.number = number
        self.values = values
        self.categories = categories
        self.tags = tags
        self.unit_id = unit_id
        self.unit_named = unit_named
        self.id_hash = id_hash
        self.phone_hash = phone_hash
        self.key = key  # how the row is matched: the ID number's hash, or (unit, name, birth date) without one


class Existing:
    """A person already in the county, as far as an update needs it."""

    __slots__ = ("pk", "values", "unit_id", "phone_hash", "categories", "tags")

    def __init__(self, pk, values, unit_id, phone_hash):
        self.pk = pk
        self.values = values  # {field: stored value} for _STORED_FIELDS
        self.unit_id = unit_id
        self.phone_hash = phone_hash
        self.categories = set()
        self.tags = set()


class LedgerImport:
    def __init__(self, unit, user, file_name, *, update="fill", skip_invalid=False, dry_run=False, progress=None):
        self.unit = unit
        self.user = user
        self.file_name = file_name
        self.update = update
        self.skip_invalid = skip_invalid
        self.dry_run = dry_run
        self.progress = progress
        if user is None:
            self.import_scope = Scope(subtree_paths=frozenset([unit.path]))
        else:
            self.import_scope = user.scope_for(Person, "import")
        if not self.import_scope.covers_unit(unit):
            raise ImportDenied(f"您没有向“{unit.name}”导入人员的权限。")
        self.result = ImportResult(file_name=file_name, dry_run=dry_run)
        self.problems = []
        self.invalid = set()  # Excel row numbers with a problem
        self.pinyin = PinyinCache()
        self.hash = crypto.keyed_hasher()

    # --- the run ----------------------------------------------------------------------------------------

    def run(self, data):
        result = self.result
        # Rows are checked while the reader still sends later ones; nothing is looked up or written before
        # the reader has ended well (finish()).
        with open_ledger_workbook(data, streamed=True) as workbook:
            del data
            table = ledger_table(workbook)
            result.sheet, result.header_row = table.sheet, table.header_row_number
            result.columns = {name: column_letter(index) for name, index in table.columns.items()}
            unknown = unknown_columns(table)
            if unknown:
                listed = "、".join(f"“{text}”（{letter}列）" for letter, text in unknown)
                result.notices.append(f"以下列不是台账的列，内容未导入：{listed}。")
            rows = self.check_rows(table)
            del table
            workbook.finish()
        if not result.data_rows:
            result.notices.append(f"表头（第{result.header_row}行）下方没有数据行。")
        self.match_existing(rows)
        self.settle_lookups(rows)
        result.valid_rows = result.data_rows - len(self.invalid)
        result.errors = sorted(self.problems, key=lambda p: (p.row, _column_order(p.column)))
        plan = self.plan(rows)
        del rows
        blocked = bool(self.invalid) and not self.skip_invalid
        result.created = len(plan.create)
        result.updated = len(plan.update)
        result.unchanged = plan.unchanged
        result.skipped = plan.skipped
        if self.dry_run:
            return result
        if blocked:
            result.created = result.updated = result.unchanged = result.skipped = 0
            self.record_audit(success=False)
            return result
        if plan.create or plan.update:
            self.write(plan)
            result.written = True
        else:
            self.record_audit(success=True)
        return result

    # --- checking rows ----------------------------------------------------------------------------------

    def check_rows(self, table):
        columns = table.columns
        header = table.rows[table.header_index]
        split_work = (
            "工作单位及职务" in columns and "职务" not in columns
            and "职务" in cell_text(header[columns["工作单位及职务"]])
        )
        units = self.unit_lookup()
        categories = CategoryMatcher()
        converters = []  # (column, field or pseudo-field, convert)
        plan = [
            ("姓名", "name", _name),
            ("性别", "gender", _cached(_choice(GENDERS, "性别", "男或女"))),
            ("民族", "ethnicity", _cached(_choice(ETHNICITIES, "民族", "民族全称，如“汉族”“畲族”"))),
            ("出生年月", "birth", _cached(_date)),
            ("身份证号", "id_number", _id_number),
            ("政治面貌", "affiliation", _cached(_choice(
                AFFILIATIONS, "政治面貌", "“中共党员”“民革党员”“无党派人士”“群众”等"))),
            ("类别", "categories", categories),
            ("工作单位及职务", "work", _cached(_text("workplace")) if not split_work else _cached(_work_and_position)),
            ("职务", "position", _cached(_text("position"))),
            ("学历", "education", _cached(_choice(
                EDUCATIONS, "学历", "研究生、大学本科、大学专科、中专/高中或初中及以下"))),
            ("学位", "degree", _cached(_choice(DEGREES, "学位", "博士、硕士、学士或无"))),
            ("联系电话", "phone", _phone),
            ("所在村(社区)", "unit", _cached(units)),
            ("管理层级", "tier", _cached(_choice(TIERS, "管理层级", "县管、镇管或村管"))),
            ("是否代表人士", "is_representative", _cached(_boolean)),
            ("籍贯", "native_place", _cached(_text("native_place"))),
            ("住址", "address", _text("address")),
            ("所在领域", "field", _cached(_text("field"))),
            ("加入时间", "affiliation_date", _cached(_date)),
            ("标签", "tags", _cached(_tags)),
            ("备注", "notes", _text("notes")),
        ]
        for column, name, convert in plan:
            if column in columns:
                converters.append((column, name, convert))
        others = [c for c in columns if c != "序号"]
        total = max(0, len(table.rows) - table.header_index - 1)
        rows = []
        seen = {}
        progress = self.progress
        for count, (number, raw) in enumerate(records(table), 1):
            table.rows[number - 1] = None  # checked rows are not needed any more: keep memory flat
            if progress is not None and count % 2000 == 0:
                progress(number - table.header_index - 1, total, "check")
            if _blank(raw.get("姓名")) and all(_blank(raw[c]) for c in others):
                continue  # only a 序号: an unused line of a template
            self.result.data_rows += 1
            row = self.check_row(number, raw, converters, seen)
            if row is not None:
                rows.append(row)
        if progress is not None:
            progress(total, total, "check")
        return rows

    def check_row(self, number, raw, converters, seen):
        values = [None] * len(VALUE_FIELDS)
        got = {}
        problems = []
        for column, name, convert in converters:
            value = raw[column]
            if value is None:
                continue
            try:
                converted = convert(value)
            except CellError as exc:
                problems.append(Problem(number, column, str(exc)))
                continue
            if converted is not None:
                got[name] = converted

        name = got.get("name")
        birth_key = None  # a month-precise 出生年月 without an ID number matches a stored date by its month
        if name is None and not any(p.column == "姓名" for p in problems):
            problems.append(Problem(number, "姓名", "姓名不能为空"))
        id_number = got.get("id_number")
        id_hash = ""
        if id_number is not None:
            values[_INDEX["id_number"]] = id_number
            id_hash = self.hash(id_number)
            derived_gender, derived_birth = gender_from_id(id_number), birth_date_from_id(id_number)
            typed = got.get("gender")
            if typed is not None and typed != derived_gender:
                problems.append(Problem(number, "性别", (
                    f"性别“{_label(choices.Gender, typed)}”与身份证号不符"
                    f"（身份证号显示为{_label(choices.Gender, derived_gender)}）")))
            values[_INDEX["gender"]] = derived_gender
            birth = got.get("birth")
            if birth is not None and not _same_birth(birth, derived_birth):
                problems.append(Problem(number, "出生年月", (
                    f"出生年月“{cell_text(raw['出生年月'])}”与身份证号中的出生日期"
                    f"（{derived_birth.year}年{derived_birth.month}月{derived_birth.day}日）不符")))
            values[_INDEX["birth_date"]] = derived_birth
        else:
            values[_INDEX["gender"]] = got.get("gender")
            birth = got.get("birth")
            if birth is not None:
                date, precision = birth
                if precision == "year":
                    problems.append(Problem(number, "出生年月", "出生年月只有年份，请填写到月，如“1975.03”"))
                elif date > datetime.date.today():
                    problems.append(Problem(number, "出生年月", "出生年月晚于今天"))
                values[_INDEX["birth_date"]] = date
                if precision == "month":
                    birth_key = _month_key(date)
        for simple in ("ethnicity", "education", "degree", "affiliation", "tier", "is_representative",
                       "native_place", "address", "field", "notes", "position"):
            if simple in got:
                values[_INDEX[simple]] = got[simple]
        if name is not None:
            values[_INDEX["name"]] = name
        if "affiliation_date" in got:
            values[_INDEX["affiliation_date"]] = got["affiliation_date"][0]
        work = got.get("work")
        if work is not None:
            if isinstance(work, tuple):
                values[_INDEX["workplace"]], position = work
                if position and values[_INDEX["position"]] is None:
                    values[_INDEX["position"]] = position
            else:
                values[_INDEX["workplace"]] = work
        phone = got.get("phone")
        phone_hash = ""
        if phone is not None:
            values[_INDEX["phone"]] = phone
            phone_hash = self.hash(phone)
        unit_id = got.get("unit")
        unit_named = unit_id is not None
        if unit_id is None:
            unit_id = self.unit.pk

        key = id_hash or (unit_id, name, birth_key or values[_INDEX["birth_date"]])
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
            self.reject(number, problems)
            return None
        return Row(number, values, got.get("categories"), got.get("tags"), unit_id, unit_named, id_hash,
                   phone_hash, key)

    def reject(self, number, problems):
        self.invalid.add(number)
        self.problems.extend(problems[:MAX_PROBLEMS_PER_ROW])

    def unit_lookup(self):
        """所在村(社区) → a unit of the importing unit's subtree, by name or short name."""
        by_name = {}
        for unit in Unit.objects.filter(path__startswith=self.unit.path, is_active=True).only(
                "pk", "path", "name", "short_name"):
            for spelling in {unit.name, unit.short_name} - {""}:
                by_name.setdefault(_key(spelling), []).append(unit)
        scope = self.import_scope
        where = self.unit.name

        def resolve(raw):
            text = cell_text(raw)
            found = by_name.get(_key(text), [])
            if not found:
                raise CellError(f"“{text}”不是“{where}”的下级单位，请核对名称（须与组织机构中的名称一致）")
            if len({u.pk for u in found}) > 1:
                raise CellError(f"“{where}”下有多个名为“{text}”的单位，请分别按所属镇街导入")
            unit = found[0]
            if not scope.covers_unit(unit):
                raise CellError(f"您没有向“{unit.name}”导入人员的权限")
            return unit.pk
        return resolve

    # --- people already in the county ------------------------------------------------------------------

    def match_existing(self, rows):
        """Attach the stored person to each row that names one; rows naming a person outside the user's
        jurisdiction become invalid, learning only which unit registered the ID number."""
        self.existing = {}
        self.outside = {}  # row key -> the unit (its name once matched) of a person outside the user's jurisdiction
        hashes = [row.id_hash for row in rows if row.id_hash]
        fields = ("pk", "id_number_hash", "owner_unit_id", "phone_hash", *_STORED_FIELDS)
        for batch in _among(Person.objects.all(), "id_number_hash", hashes):
            found = list(batch.values_list(*fields))
            if found:
                self._adopt(found, key=lambda values: values[1])
        nameless = [row for row in rows if not row.id_hash]
        if nameless:
            names = {row.values[_INDEX["name"]] for row in nameless}
            candidates = Person.objects.filter(id_number_hash="", owner_unit__path__startswith=self.unit.path)
            if len(names) <= BATCH:
                candidates = candidates.filter(name__in=names)
            found = [values for values in candidates.values_list(*fields) if values[4] in names]
            birth = _field_position("birth_date")
            # A row matches by the stored date, or by its month when the file gives the month only (as a masked
            # export writes it for a user who may not see the day).
            keyed = (lambda values: (values[2], values[4], values[birth]),
                     lambda values: (values[2], values[4], _month_key(values[birth])) if values[birth] else None)
            wanted = {row.key for row in nameless}
            by_key = {}
            for values in found:
                for key_of in keyed:
                    key = key_of(values)
                    if key in wanted:
                        by_key.setdefault(key, []).append(values)
            ambiguous = {key for key, people in by_key.items() if len(people) > 1}
            for row in nameless:
                if row.key in ambiguous:
                    self.reject(row.number, [Problem(row.number, "姓名", (
                        "台账中已有多名同名、同出生年月且没有身份证号的人员，无法确定对应哪一位，请填写身份证号"))])
            for key_of in keyed:
                self._adopt([people[0] for key, people in by_key.items()
                             if key not in ambiguous and key == key_of(people[0])], key=key_of)
        if self.outside:
            units = dict(Unit.objects.filter(pk__in=set(self.outside.values())).values_list("pk", "name"))
            self.outside = {key: units.get(unit_id, "") for key, unit_id in self.outside.items()}
        for row in rows:
            if row.key in self.existing and self.existing[row.key] is None:
                if row.id_hash:
                    message = registered_elsewhere(self.outside[row.key])
                    self.reject(row.number, [Problem(row.number, "身份证号", message)])
                else:
                    self.reject(row.number, [Problem(row.number, "姓名", OUT_OF_SCOPE_NAMELESS)])
        self._load_links()

    def _adopt(self, found, key):
        pks = [values[0] for values in found]
        allowed = set()
        for batch in _among(self.changeable(), "id", pks):
            allowed.update(batch.values_list("pk", flat=True))
        for values in found:
            if values[0] in allowed:
                stored = dict(zip(_STORED_FIELDS, values[4:], strict=True))
                self.existing[key(values)] = Existing(values[0], stored, values[2], values[3])
            else:
                self.existing[key(values)] = None
                self.outside[key(values)] = values[2]

    def settle_lookups(self, rows):
        """The file's ID numbers are one ID lookup (people.lookups): audited, and refused as a whole — before
        anything of the check is shown — when they would take the user past the guessing limit. A number is
        a hit when the file's row matched someone (to update, or registered outside the user's scope)."""
        number = _INDEX["id_number"]
        misses, hits, outside = [], [], {}
        for row in rows:
            if not row.id_hash:
                continue
            if row.key not in self.existing:
                misses.append((row.values[number], row.id_hash))
                continue
            hits.append(row.id_hash)
            if self.existing[row.key] is None:
                outside[row.id_hash] = self.outside[row.key]
        if not (misses or hits):
            return  # no ID number in the file: nothing was looked up
        source = lookups.IMPORT_CHECK if self.dry_run else lookups.IMPORT
        lookups.settle(self.user, source, misses=misses, hits=hits, outside=outside, label=self.file_name,
                       details={"文件": self.file_name, "导入单位": self.unit.name})

    def changeable(self):
        if self.user is None:
            return Person.objects.filter(owner_unit__path__startswith=self.unit.path)
        return Person.objects.visible_to(self.user, "change")

    def _load_links(self):
        by_pk = {e.pk: e for e in self.existing.values() if e is not None}
        pks = list(by_pk)
        categories, tags = Person.categories.through, Person.tags.through
        for batch in _among(categories.objects.all(), "person_id", pks):
            for person_id, category_id in batch.values_list("person_id", "category_id"):
                by_pk[person_id].categories.add(category_id)
        for batch in _among(tags.objects.all(), "person_id", pks):
            for person_id, tag_id in batch.values_list("person_id", "tag_id"):
                by_pk[person_id].tags.add(tag_id)

    # --- what to write -------------------------------------------------------------------------------

    def plan(self, rows):
        plan = Plan()
        names = {t for row in rows if row.number not in self.invalid for t in (row.tags or ())}
        tag_ids = self.visible_tags().lookup(names, unit=self.tag_unit())
        plan.tag_ids = tag_ids
        overwrite = self.update == "overwrite"
        for row in rows:
            if row.number in self.invalid:
                continue
            existing = self.existing.get(row.key)
            if existing is None:
                plan.create.append(row)
                continue
            if self.update == "skip":
                plan.unchanged += 1
                plan.skipped += 1
                continue
            changes = {}
            stored = existing.values
            for index, name in enumerate(VALUE_FIELDS):
                new = row.values[index]
                if new is None or name == "id_number":
                    continue
                if name == "phone":
                    if row.phone_hash != existing.phone_hash and (overwrite or not existing.phone_hash):
                        changes["phone"] = new
                    continue
                old = stored[name]
                if name == "birth_date" and _month_precise(row) and old is not None:
                    continue  # matched by its month: the stored day is kept
                if new != old and (overwrite or old in ("", None, False)):
                    changes[name] = new
            if overwrite and row.unit_named and row.unit_id != existing.unit_id:
                changes["owner_unit_id"] = row.unit_id
            categories = None
            if row.categories is not None:
                wanted = set(row.categories) if overwrite else existing.categories | row.categories
                if wanted != existing.categories:
                    categories = wanted
            new_tags = [t for t in (row.tags or ()) if tag_ids.get(t) not in existing.tags]
            if changes or categories is not None or new_tags:
                plan.update.append((row, existing, changes, categories, new_tags))
            else:
                plan.unchanged += 1
        return plan

    # --- writing --------------------------------------------------------------------------------------

    def write(self, plan):
        now = timezone.now()
        reason = f"Excel导入：{self.file_name}"[:100]
        user_id = self.user.pk if self.user is not None else None
        progress = self.progress
        total = len(plan.create) + len(plan.update)
        if progress is not None:
            progress(0, total, "write")
        with transaction.atomic(), _sqlite_cache():
            tag_ids = self._tags(plan)
            writer = _Writer(now, user_id, self.pinyin)
            history_from = writer.history_watermark()
            created = writer.insert_people(plan.create)
            writer.insert_links(
                Person.categories.through, "category_id",
                ((pk, c) for pk, row in zip(created, plan.create, strict=True) for c in (row.categories or ())),
            )
            writer.insert_links(
                Person.tags.through, "tag_id",
                ((pk, tag_ids[t]) for pk, row in zip(created, plan.create, strict=True) for t in (row.tags or ())),
            )
            if progress is not None:
                progress(len(plan.create), total, "write")
            changed = writer.update_people(plan.update, tag_ids)
            writer.copy_history(created, "+", reason, history_from)
            writer.copy_history(changed, "~", reason, history_from)
            self.record_audit(success=True)
        if progress is not None:
            progress(total, total, "write")

    def _tags(self, plan):
        names = {t for row in plan.create for t in (row.tags or ())}
        names.update(t for update in plan.update for t in update[4])
        missing = sorted(names - set(plan.tag_ids))
        if missing:
            plan.tag_ids.update(self.visible_tags().ensure(missing, unit=self.tag_unit(), user=self.user))
        return plan.tag_ids

    def visible_tags(self):
        """The tags a name in the 标签 column may mean: those the user sees (the unit's subtree's without one)."""
        if self.user is None:
            return Tag.objects.filter(owner_unit__path__startswith=self.unit.path)
        return Tag.objects.visible_to(self.user)

    def tag_unit(self):
        """Where a new tag of the 标签 column belongs: the user's unit, else the unit imported into."""
        return acting_unit(self.user, fallback=self.unit)

    def record_audit(self, *, success):
        result = self.result
        audit.record(
            AuditEvent.Action.IMPORT, object_type=Person._meta.label, label=self.file_name, user=self.user,
            success=success,
            changes={
                "文件": self.file_name, "导入单位": self.unit.name, "更新方式": UPDATE_POLICIES[self.update],
                "只导入无误的行": self.skip_invalid, "数据行": result.data_rows, "有效": result.valid_rows,
                "错误行": result.invalid_rows, "新增": result.created, "更新": result.updated,
                "无变化": result.unchanged,
            },
        )


def _executemany_beside(cursor, sql, rows):
    """`cursor.executemany(sql, rows)` in chunks of WRITE_CHUNK, run by a thread of its own: SQLite inserts a
    chunk (sqlite3_step runs without the GIL) while this thread builds the next one (encryption, pinyin), as
    the COPY writer does on PostgreSQL. `cursor` is the DB-API cursor of the connection (Django's wrapper
    refuses other threads); this thread does not use the connection until the writer is done."""
    chunks = queue.Queue(maxsize=2)
    failure = []
    database_errors = connection.wrap_database_errors  # Django's exceptions, as from its own cursor

    def write():
        while (chunk := chunks.get()) is not None:
            if not failure:
                try:
                    with database_errors:
                        cursor.executemany(sql, chunk)
                except BaseException as exc:  # noqa: BLE001 (raised again in the caller's thread)
                    failure.append(exc)

    writer = threading.Thread(target=write, name="ledger-writer")
    writer.start()
    try:
        chunk = []
        for row in rows:
            chunk.append(row)
            if len(chunk) == WRITE_CHUNK:
                chunks.put(chunk)
                chunk = []
                if failure:
                    break
        if chunk:
            chunks.put(chunk)
    finally:
        chunks.put(None)
        writer.join()
    if failure:
        raise failure[0]


@contextmanager
def _sqlite_cache(kib=64 * 1024):
    """A bigger SQLite page cache while writing: the person table's nine indexes then stay in memory (the
    default 2 MB cache makes a 100,000-row insert about 40 % slower). Restored afterwards."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = {-int(kib)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


class Plan:
    def __init__(self):
        self.create = []  # [Row]
        self.update = []  # [(Row, Existing, {field: value}, categories or None, [new tag names])]
        self.unchanged = 0
        self.skipped = 0
        self.tag_ids = {}


def _among(queryset, field, values):
    """`queryset` narrowed to `field` IN `values`, batch by batch: on PostgreSQL one array parameter per
    10,000 values (several times faster there than long IN lists), on SQLite IN lists of 900. The values
    (hashes, ids) go to the database as they are: Django's lookup would prepare each of them again."""
    values = list(values)
    model = queryset.model._meta
    column = f"{connection.ops.quote_name(model.db_table)}.{connection.ops.quote_name(model.get_field(field).column)}"
    # The column comes from the model's metadata; the values are parameters.
    if connection.vendor != "postgresql":
        for start in range(0, len(values), BATCH):
            batch = values[start:start + BATCH]
            yield queryset.extra(where=[f"{column} IN ({', '.join(['%s'] * len(batch))})"], params=batch)  # noqa: S610
        return
    for start in range(0, len(values), 10_000):
        yield queryset.extra(where=[f"{column} = ANY(%s)"], params=[values[start:start + 10_000]])  # noqa: S610


def _blank(value):
    return value is None or (isinstance(value, str) and not normalise_text(value))


def _work_and_position(raw):
    """"县人民医院 主治医师" → ("县人民医院", "主治医师"): split on the last space."""
    text = cell_text(raw)
    workplace, _, position = text.rpartition(" ")
    if not workplace:
        workplace, position = text, ""
    workplace, position = workplace.strip(), position.strip()
    if len(workplace) > 100:
        raise CellError(f"工作单位不能超过100个字（现有{len(workplace)}个字）")
    if len(position) > 100:
        raise CellError(f"职务不能超过100个字（现有{len(position)}个字）")
    return workplace, position


def _month_key(date):
    """How a month-precise birth date keys a row without an ID number (a date keys it otherwise)."""
    return ("month", date.year, date.month)


def _month_precise(row):
    return not row.id_hash and isinstance(row.key[2], tuple)


def _same_birth(typed, derived):
    date, precision = typed
    if precision == "day":
        return date == derived
    if precision == "month":
        return (date.year, date.month) == (derived.year, derived.month)
    return date.year == derived.year


def _label(choices_class, value):
    return dict(choices_class.choices).get(value, value)


def _column_order(column):
    try:
        return HEADERS.index(column)
    except ValueError:
        return len(HEADERS)


def _field_position(name):
    """Position of a stored field in the values_list of match_existing."""
    return 4 + _STORED_FIELDS.index(name)


class _Writer:
    """Bulk SQL for one import, inside the caller's transaction."""

    def __init__(self, now, user_id, pinyin):
        self.ops = connection.ops
        self.quote = connection.ops.quote_name
        self.vendor = connection.vendor
        self.now = now
        self.now_db = self.ops.adapt_datetimefield_value(now)
        self.user_id = user_id
        self.pinyin = pinyin
        self.encrypt = crypto.encrypter()
        self.dates = {}

    def date(self, value):
        if value is None:
            return None
        adapted = self.dates.get(value)
        if adapted is None:
            adapted = self.dates[value] = self.ops.adapt_datefield_value(value)
        return adapted

    # people

    def insert_people(self, rows):
        """Insert new people; returns their ids in the order of `rows`."""
        if not rows:
            return []
        fields = Person._meta.concrete_fields
        columns = [f.column for f in fields]
        slot = {f.attname: index for index, f in enumerate(fields)}
        defaults = {f.attname: f.get_default() for f in fields}
        defaults.update(created_at=self.now_db, updated_at=self.now_db, created_by_id=self.user_id,
                        updated_by_id=self.user_id, photo="")
        template = [defaults[f.attname] for f in fields]
        plain = [(index, slot[name]) for index, name in enumerate(VALUE_FIELDS)
                 if name not in ("birth_date", "affiliation_date", "id_number", "phone", "tier")]
        dates = [(_INDEX[name], slot[name]) for name in ("birth_date", "affiliation_date")]
        tier, tier_default = _INDEX["tier"], defaults["tier"]
        id_slot, unit_slot, tier_slot = slot["id"], slot["owner_unit_id"], slot["tier"]
        pinyin_slot, initials_slot = slot["name_pinyin"], slot["name_initials"]
        id_slots = (slot["id_number"], slot["id_number_hash"], _INDEX["id_number"])
        phone_slots = (slot["phone"], slot["phone_hash"], _INDEX["phone"])
        name_index = _INDEX["name"]
        encrypt = self.encrypt
        ids = self.reserve_ids(len(rows))

        def values(pk, row):
            record = template[:]
            given = row.values
            for index, position in plain:
                value = given[index]
                if value is not None:
                    record[position] = value
            for index, position in dates:
                if given[index] is not None:
                    record[position] = self.date(given[index])
            record[id_slot] = pk
            record[unit_slot] = row.unit_id
            record[tier_slot] = given[tier] or tier_default
            record[pinyin_slot], record[initials_slot] = self.pinyin(given[name_index])
            if row.id_hash:
                record[id_slots[0]] = encrypt(given[id_slots[2]])
                record[id_slots[1]] = row.id_hash
            if row.phone_hash:
                record[phone_slots[0]] = encrypt(given[phone_slots[2]])
                record[phone_slots[1]] = row.phone_hash
            return record

        self.insert(Person._meta.db_table, columns,
                    (values(pk, row) for pk, row in zip(ids, rows, strict=True)))
        return ids

    def reserve_ids(self, count):
        table = Person._meta.db_table
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                               [table, count])
                return [pk for (pk,) in cursor.fetchall()]
            if self.vendor != "sqlite":
                raise NotImplementedError("the ledger import supports SQLite and PostgreSQL")
            # The transaction holds SQLite's write lock (IMMEDIATE), so nobody else takes these ids.
            cursor.execute(f"SELECT MAX(id) FROM {self.quote(table)}")  # noqa: S608 (a model's table)
            top = cursor.fetchone()[0] or 0
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            found = cursor.fetchone()
            top = max(top, found[0] if found else 0)
        return list(range(top + 1, top + 1 + count))

    def insert(self, table, columns, rows):
        """INSERT many rows: COPY on PostgreSQL, executemany in chunks on SQLite."""
        names = ", ".join(self.quote(c) for c in columns)
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                from psycopg.copy import QueuedLibpqWriter

                # The queued writer sends from a thread: the server indexes rows while Python makes the next.
                raw = cursor.cursor
                with raw.copy(f"COPY {self.quote(table)} ({names}) FROM STDIN",
                              writer=QueuedLibpqWriter(raw)) as copy:
                    for row in rows:
                        copy.write_row(row)
                return
            sql = f"INSERT INTO {self.quote(table)} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
            _executemany_beside(cursor.cursor, sql, rows)

    def insert_links(self, through, target, pairs):
        self.insert(through._meta.db_table, ["person_id", target], pairs)

    def update_people(self, updates, tag_ids):
        """Apply the planned changes; returns the ids of people whose history gets a row."""
        groups = {}
        history = []
        category_rows, dropped, tag_rows = [], [], []
        for row, existing, changes, categories, new_tags in updates:
            values = dict(changes)
            if "name" in values:
                values["name_pinyin"], values["name_initials"] = self.pinyin(values["name"])
            if "phone" in values:
                values["phone"] = self.encrypt(values["phone"])
                values["phone_hash"] = row.phone_hash
            for name in ("birth_date", "affiliation_date"):
                if name in values:
                    values[name] = self.date(values[name])
            if categories is not None:
                if existing.categories - categories:  # a category goes: rewrite the links
                    dropped.append(existing.pk)
                    category_rows.extend((existing.pk, c) for c in categories)
                else:
                    category_rows.extend((existing.pk, c) for c in categories - existing.categories)
            tag_rows.extend((existing.pk, tag_ids[t]) for t in new_tags)
            if changes or categories is not None:
                history.append(existing.pk)
            if values:
                values["updated_at"] = self.now_db
                values["updated_by_id"] = self.user_id
                names = tuple(sorted(values))
                groups.setdefault(names, []).append([values[n] for n in names] + [existing.pk])
        table = self.quote(Person._meta.db_table)
        with connection.cursor() as cursor:
            for names, params in groups.items():
                assignments = ", ".join(f"{self.quote(n)} = %s" for n in names)
                sql = f"UPDATE {table} SET {assignments} WHERE id = %s"  # noqa: S608 (model columns)
                for start in range(0, len(params), WRITE_CHUNK):
                    cursor.executemany(sql, params[start:start + WRITE_CHUNK])
            through = Person.categories.through
            for start in range(0, len(dropped), BATCH):
                through.objects.filter(person_id__in=dropped[start:start + BATCH]).delete()
        self.insert_links(Person.categories.through, "category_id", category_rows)
        self.insert_links(Person.tags.through, "tag_id", tag_rows)
        return history

    # history

    def history_watermark(self):
        history = Person.history.model
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT MAX(history_id) FROM {self.quote(history._meta.db_table)}")  # noqa: S608
            return cursor.fetchone()[0] or 0

    def copy_history(self, pks, kind, reason, watermark):
        """One history row per person (and its categories), copied from the rows just written."""
        if not pks:
            return
        history = Person.history.model
        links = history.categories.model
        through = Person.categories.through
        quote = self.quote
        tracked = [(quote(history._meta.get_field(f.name).column), quote(f.column)) for f in history.tracked_fields]
        columns = ", ".join(target for target, _ in tracked)
        sources = ", ".join(f"p.{source}" for _, source in tracked)
        # PostgreSQL takes the ids as one array per statement (its planner then joins in bulk); SQLite as
        # lists of at most BATCH parameters.
        postgres = self.vendor == "postgresql"
        where = "= ANY(%s)" if postgres else "IN ({})"
        copy_people = (
            f"INSERT INTO {quote(history._meta.db_table)} ({columns}, history_date, history_change_reason, "  # noqa: S608
            f"history_type, history_user_id) SELECT {sources}, %s, %s, %s, %s "
            f"FROM {quote(Person._meta.db_table)} p WHERE p.id {where}"
        )
        copy_links = (
            f"INSERT INTO {quote(links._meta.db_table)} (id, person_id, category_id, history_id) "  # noqa: S608
            f"SELECT t.id, t.person_id, t.category_id, h.history_id FROM {quote(through._meta.db_table)} t "
            f"JOIN {quote(history._meta.db_table)} h ON h.id = t.person_id "
            f"WHERE h.history_id > %s AND t.person_id {where}"
        )
        chunk = 50_000 if postgres else BATCH
        with connection.cursor() as cursor:
            for start in range(0, len(pks), chunk):
                ids = pks[start:start + chunk]
                if postgres:
                    people_sql, links_sql, id_params = copy_people, copy_links, [ids]
                else:
                    marks = ", ".join(["%s"] * len(ids))
                    people_sql, links_sql, id_params = copy_people.format(marks), copy_links.format(marks), ids
                cursor.execute(people_sql, [self.now_db, reason, kind, self.user_id, *id_params])
                cursor.execute(links_sql, [watermark, *id_params])


# ---------------------------------------------------------------------------------------------------------
# The error workbook


def write_error_workbook(data, problems, target):
    """The uploaded sheet again, row for row where it was (so row numbers match the messages), bad cells
    filled red and a last column 错误说明 listing each row's problems. `problems`: [(row, column, message)].
    Written with xlsxwriter to `target` (a path or a file object)."""
    import xlsxwriter

    table = read_table(data)
    by_row = {}
    for row, column, message in problems:
        by_row.setdefault(row, []).append((column, message))
    dropped = {col for col, value in enumerate(table.rows[table.header_index])
               if header_key(cell_text(value)) == header_key(ERROR_COLUMN)}
    width = max((len(r) for r in table.rows if r), default=0)
    kept = [col for col in range(width) if col not in dropped]
    position = {col: index for index, col in enumerate(kept)}
    column_of = {name: col for name, col in table.columns.items()}
    text_columns = {column_of[name] for name in ("身份证号", "联系电话") if name in column_of}

    workbook = xlsxwriter.Workbook(target, {
        "constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
        "strings_to_urls": False,
    })
    sheet = workbook.add_worksheet((table.sheet or "台账")[:31])
    red = {"bg_color": "#FFC7CE", "font_color": "#9C0006", "border": 1, "border_color": "#C00000"}
    formats = {
        (False, False, False): None,
        (True, False, False): workbook.add_format(red),
        (False, True, False): workbook.add_format({"num_format": "@"}),
        (True, True, False): workbook.add_format({**red, "num_format": "@"}),
        (False, False, True): workbook.add_format({"num_format": "yyyy-mm-dd"}),
        (True, False, True): workbook.add_format({**red, "num_format": "yyyy-mm-dd"}),
    }
    note_header = workbook.add_format({"bold": True, "font_color": "#C00000", "bg_color": "#FFC7CE", "border": 1})
    note = workbook.add_format({"font_color": "#C00000", "text_wrap": True, "valign": "top"})
    last = len(kept)
    for col in kept:
        sheet.set_column(position[col], position[col], 14, formats[(False, True, False)] if col in text_columns
                         else None)
    sheet.set_column(last, last, 60)
    for index, values in enumerate(table.rows):
        number = index + 1
        found = by_row.get(number, ())
        bad = {column_of.get(column) for column, _ in found}
        for col in kept:
            value = values[col] if values is not None and col < len(values) else None
            is_text = col in text_columns
            is_date = isinstance(value, datetime.date)
            fmt = formats[(col in bad, is_text, is_date and not is_text)]
            _write_cell(sheet, index, position[col], value, fmt, is_text)
        if index == table.header_index:
            sheet.write_string(index, last, ERROR_COLUMN, note_header)
        elif found:
            text = "；".join(f"{column}：{message}" if column else message for column, message in found)
            sheet.write_string(index, last, text, note)
    sheet.freeze_panes(table.header_index + 1, 0)
    workbook.close()


def _write_cell(sheet, row, col, value, fmt, is_text):
    if value is None or value == "":
        if fmt is not None:
            sheet.write_blank(row, col, None, fmt)
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value, fmt)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value, fmt)
    elif isinstance(value, datetime.datetime | datetime.date) and not is_text:
        sheet.write_datetime(row, col, value, fmt)
    else:
        sheet.write_string(row, col, cell_text(value) if not isinstance(value, str) else value, fmt)
