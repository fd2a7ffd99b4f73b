#!/usr/bin/env python3
"""Benchmark of the ledger import and export (issue 3, "Performance (a benchmark, not a test)").

    .venv/bin/python bench/import_people.py --rows 100000 [--db sqlite|postgres|both] [--json PATH]
                                            [--profile PATH]

Generates a ledger of N people in the messy shape real ledgers have, then measures on SQLite and/or
PostgreSQL, each measurement in its own subprocess (so that peak RSS, `ru_maxrss`, belongs to that
measurement alone) against its own fresh copy of a migrated database:

1. Tongxin: `people.importers.import_ledger` (not a dry run): read, validate, dedupe, encrypt, write,
   history, audit. Rows/s and peak RSS.
2. The floor: python-calamine reads the same file, each cell is converted as simply as possible (dict
   lookups, one regex for dates; no validation), and `Person.objects.bulk_create` inserts the rows with
   Django's default batch size. Nothing else: no encryption (the ID number and phone are stored as
   typed into their columns; the encrypted fields are bypassed in that process, the hash columns stay
   empty), no pinyin, no categories, no history, no audit.
3. django-import-export: a straightforward `ModelResource` over Person whose fields carry the file's
   Chinese headers as column names, with small widgets for what the file holds (labels such as 男/汉族/
   大学本科 to codes, dates such as "1975.03"/"1975年3月"/Excel dates, categories split on 、，,/; and
   spaces, 是/否, the village by name through `ForeignKeyWidget`). It is keyed on the ID number: the
   encrypted column cannot be searched (each value has its own nonce), so `import_id_fields` is
   `id_number_hash`, filled from the ID column with the same keyed hash the model uses; Person.save()
   encrypts and computes pinyin; django-simple-history records each row as usual. The file is loaded
   with tablib (openpyxl) skipping the two title rows, blank rows dropped in `before_import`, then
   `import_data(dataset, use_transactions=True, raise_errors=True)` with the library's defaults
   otherwise. It runs about 770 rows/s, so for N >= 20,000 it imports the first 10,000 people only (a
   separate file with the same rows), and the table says so.
4. Export: `people.exports.write_ledger` of all N people (masked, as most users export), read through
   `Person.objects.visible_to(user, "export")`: rows/s and peak RSS; against xlsxwriter (constant
   memory, public `write_string`/`write_number`) writing the very same cells from memory (the export is
   read back with calamine first, untimed): rows/s. On PostgreSQL the export runs twice: right after the
   import, before any statistics exist on the new rows (autovacuum is switched off on the three tables it
   reads, so this does not depend on when autovacuum wakes), then after an explicit ANALYZE of them (what
   autovacuum does within about a minute); the target is judged on both, the first marked as such.

The org tree is `org.testing.build_county()` plus the ten villages of org/demo.py's SAMPLE_LEDGER_PLACES
under its first town (东溪镇); the importing user is a town officer (镇街统战委员) of that town, and the
import goes to the town, every row naming its village. Settings are tongxin.settings.dev with a throwaway
TONGXIN_VAR_DIR, random keys and DATABASE_URL; SQLite is a fresh file (WAL, synchronous=NORMAL, as
configured for production), PostgreSQL 15 the throwaway cluster of scripts/pg.sh (a private PG_DIR, unix
socket only, fsync off), stopped and deleted on exit. No network.

The targets (issue 3) are set for 100,000 rows; the script prints PASS/FAIL for each, exits 0 when every
measurement ran (whatever the verdicts) and 1 when one failed.
"""

import argparse
import contextlib
import datetime
import json
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_SCRIPT = ROOT / "scripts" / "pg.sh"
RESULT_PREFIX = "BENCH-RESULT "
SEED = 20260630
IE_FULL_LIMIT = 20_000  # from this many rows on, django-import-export imports a prefix only
IE_PREFIX = 10_000
STEP_TIMEOUT = 1200  # seconds per subprocess: the benchmark never hangs
BLANK_ROW_CHANCE = 0.004

# Targets of issue 3 (at 100,000 rows).
TARGET_SQLITE_RATE = 10_000
TARGET_FLOOR_RATIO = 1 / 1.5
TARGET_IE_RATIO = 10
TARGET_PEAK_MB = 600
TARGET_EXPORT_RATIO = 0.7
TARGET_EXPORT_PEAK_MB = 150

TOWN = "东溪镇"  # build_county()'s first town
# org/demo.py's SAMPLE_LEDGER_PLACES, spelled out: the generator runs without Django.
VILLAGES = ["西溪村", "溪口村", "上庄村", "南塘村", "下洋村", "青石村", "新城社区", "东山村", "北岙村", "桥头社区"]
USERNAME = "bench_town"
EXPORT_TABLES = ("people_person", "people_person_categories", "people_person_tags")

# The file's columns: (ledger column, header as this file spells it). 20 columns, synonyms on purpose.
FILE_COLUMNS = [
    ("序号", "序号"), ("姓名", "姓 名"), ("性别", "性别"), ("民族", "民族"), ("出生年月", "出生日期"),
    ("身份证号", "公民身份号码"), ("政治面貌", "政治面貌"), ("类别", "人员类别"), ("工作单位及职务", "工作单位"),
    ("职务", "职务/职称"), ("学历", "文化程度"), ("联系电话", "手机号码"), ("所在村(社区)", "村（社区）"),
    ("管理层级", "管理层级"), ("是否代表人士", "是否代表人士"), ("籍贯", "籍贯"), ("住址", "家庭住址"),
    ("所在领域", "所在领域"), ("加入时间", "加入时间"), ("备注", "备注"),
]
HEADER = {column: header for column, header in FILE_COLUMNS}
COL = {column: index for index, (column, _) in enumerate(FILE_COLUMNS)}
TITLE = f"示范县{TOWN}统战成员台账"
SUBTITLE = "填报单位：东溪镇党委统战办　　　填报日期：2025年6月30日　　　单位：人"

FULL_WIDTH = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")
HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: " "}


# =========================================================================================================
# The ledger file (pure Python: no Django needed)


def _weighted(rng, pairs):
    total = sum(w for _, w in pairs)
    r = rng.random() * total
    for value, weight in pairs:
        r -= weight
        if r < 0:
            return value
    return pairs[-1][0]


class LedgerGenerator:
    """Fictional people, every row valid: the ID number's check digit, birth date and gender agree with
    the other columns; the messiness is only in how values are spelled."""

    def __init__(self, seed=SEED):
        sys.path.insert(0, str(ROOT))
        from people import demo_data as words
        from people.identity import check_digit

        self.words = words
        self.check_digit = check_digit
        self.rng = random.Random(seed)
        self.taken = set()
        self.areas = [code for code, _ in words.ZHEJIANG_AREAS] + ["330998"] * 20
        self.surnames = words.SURNAMES

    def rows(self, count):
        """Yield (kind, values): ("row", 20 cells) for a person, ("blank", None) for a blank line."""
        for number in range(1, count + 1):
            if self.rng.random() < BLANK_ROW_CHANCE:
                yield "blank", None
            yield "row", self.person(number)

    def person(self, number):
        rng = self.rng
        words = self.words
        male = rng.random() < 0.56
        year = min(2002, max(1940, round(rng.gauss(1975, 12))))
        birth = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))
        while True:
            first17 = (f"{rng.choice(self.areas)}{birth:%Y%m%d}{rng.randrange(100):02d}"
                       f"{rng.choice('13579' if male else '02468')}")
            id_number = first17 + self.check_digit(first17)
            if id_number not in self.taken:
                self.taken.add(id_number)
                break
        id_cell = id_number
        if id_cell.endswith("X") and rng.random() < 0.6:
            id_cell = id_cell[:-1] + "x"
        if rng.random() < 0.06:
            id_cell = id_cell.translate(FULL_WIDTH)

        era = 0 if year < 1960 else 1 if year < 1980 else 2
        pool = words.GIVEN[("M" if male else "F", era)]
        surname = _weighted(rng, self.surnames)
        name = surname + rng.choice(pool) + (rng.choice(pool) if rng.random() < 0.75 else "")

        r = rng.random()
        if r < 0.35:
            birth_cell = f"{year}.{birth.month:02d}"
        elif r < 0.55:
            birth_cell = f"{year}年{birth.month}月"
        elif r < 0.80:
            birth_cell = birth  # an Excel date
        elif r < 0.92:
            birth_cell = f"{birth:%Y-%m-%d}"
        else:
            birth_cell = f"{year}.{birth.month}"

        r = rng.random()
        ethnicity = "汉族" if r < 0.95 else "畲族" if r < 0.975 else "汉" if r < 0.99 else "回族"

        primary = _weighted(rng, [("党外知识分子", 22), ("非公有制经济人士", 26), ("新的社会阶层人士", 25),
                                  ("民主党派成员", 8), ("华侨、归侨及侨眷", 8), ("出国和归国留学人员", 4),
                                  ("无党派人士", 3), ("少数民族人士", 2), ("宗教界人士", 1),
                                  ("台湾同胞及其在大陆的亲属", 1)])
        categories = [primary]
        if primary == "民主党派成员":
            affiliation = _weighted(rng, [("民盟盟员", 20), ("民建会员", 15), ("民进会员", 20), ("农工党党员", 15),
                                          ("九三学社社员", 12), ("致公党党员", 8), ("民革党员", 8), ("民盟", 3),
                                          ("民建", 3), ("九三", 2)])
        elif primary == "无党派人士":
            affiliation = "无党派人士"
        elif primary in ("非公有制经济人士", "新的社会阶层人士") and rng.random() < 0.2:
            affiliation = rng.choice(["中共党员", "中共党员", "党员"])
        else:
            affiliation = "群众"
        for extra, chance in (("党外知识分子", 0.15), ("华侨、归侨及侨眷", 0.06), ("出国和归国留学人员", 0.04),
                              ("新的社会阶层人士", 0.05)):
            if extra not in categories and len(categories) < 3 and rng.random() < chance:
                categories.append(extra)
        separator = _weighted(rng, [("、", 60), ("，", 12), (",", 10), ("/", 6), ("；", 6), (";", 6)])
        category_cell = separator.join(categories)

        brand = rng.choice(words.BRANDS)
        trade, field = rng.choice(words.INDUSTRIES)
        if primary == "非公有制经济人士":
            workplace = f"示范县{brand}{trade}有限公司"
            position = rng.choice(["董事长", "总经理", "执行董事", "监事", "副总经理"])
        elif primary == "党外知识分子":
            workplace, position, field = rng.choice([
                (f"{TOWN}中心小学", "教师", "教育"), (f"{TOWN}中学", "一级教师", "教育"),
                (f"{TOWN}卫生院", "主治医师", "医疗卫生"), ("示范县人民医院", "副主任医师", "医疗卫生"),
                ("示范县农业农村局", "农艺师", "农业")])
        elif primary == "新的社会阶层人士":
            workplace, position, field = rng.choice([
                (f"浙江{brand}律师事务所", "律师", "法律服务"),
                (f"示范县{brand}会计师事务所", "注册会计师", "中介服务"),
                (f"示范县{brand}网络科技有限公司", "主播", "新媒体"),
                (f"示范县{brand}{trade}有限公司", "部门经理", field)])
        else:
            workplace = rng.choice([f"示范县{brand}{trade}有限公司", "个体工商户", "务农", "退休"])
            position = rng.choice(["职员", "", "", "经理"])

        education = _weighted(rng, [("大学本科", 30), ("本科", 10), ("大学专科", 15), ("大专", 10), ("研究生", 5),
                                    ("硕士研究生", 2), ("中专/高中", 10), ("高中", 8), ("初中及以下", 5),
                                    ("初中", 5)])
        phone = rng.choice(words.MOBILE_PREFIXES) + f"{rng.randrange(10 ** 8):08d}"
        r = rng.random()
        if r < 0.05:
            phone = phone.translate(FULL_WIDTH)
        elif r < 0.08:
            phone = f"{phone[:3]} {phone[3:7]} {phone[7:]}"
        elif r < 0.10:
            phone = f"{phone[:3]}-{phone[3:7]}-{phone[7:]}"
        elif r < 0.13:
            phone = ""
        village = rng.choice(VILLAGES)
        tier = _weighted(rng, [("村管", 65), ("镇管", 30), ("县管", 5)])
        r = rng.random()
        representative = "是" if r < 0.03 else "否" if r < 0.65 else ""
        native = "浙江示范县" if rng.random() < 0.8 else rng.choice(["浙江温州", "浙江青田", "浙江杭州", "江西上饶"])
        address = f"{TOWN}{village}{rng.randrange(1, 300)}号" if rng.random() < 0.6 else ""
        joined = ""
        if affiliation not in ("群众", "无党派人士"):
            joined_year = min(2024, year + rng.randint(22, 40))
            month = rng.randint(1, 12)
            joined = f"{joined_year}.{month:02d}" if rng.random() < 0.6 else f"{joined_year}年{month}月"
        notes = rng.choice(["镇商会会员", "乡贤", "村民代表"]) if rng.random() < 0.05 else ""

        values = [None] * len(FILE_COLUMNS)
        for column, value in (
            ("序号", number), ("姓名", name), ("性别", "男" if male else "女"), ("民族", ethnicity),
            ("出生年月", birth_cell), ("身份证号", id_cell), ("政治面貌", affiliation), ("类别", category_cell),
            ("工作单位及职务", workplace), ("职务", position), ("学历", education), ("联系电话", phone),
            ("所在村(社区)", village), ("管理层级", tier), ("是否代表人士", representative), ("籍贯", native),
            ("住址", address), ("所在领域", field), ("加入时间", joined), ("备注", notes),
        ):
            values[COL[column]] = value if value != "" else None
        return values


def write_ledger_file(path, rows):
    """Write `rows` ((kind, values) from LedgerGenerator.rows) as a ledger sheet: a merged title row and a
    subtitle row above the header, ID/phone columns as text, birth dates partly as Excel dates."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                               "strings_to_formulas": False, "strings_to_urls": False})
    sheet = workbook.add_worksheet("花名册")
    title = workbook.add_format({"bold": True, "font_size": 16, "align": "center"})
    bold = workbook.add_format({"bold": True, "border": 1, "align": "center"})
    text = workbook.add_format({"num_format": "@"})
    date_formats = [workbook.add_format({"num_format": "yyyy-mm-dd"}),
                    workbook.add_format({"num_format": "yyyy\"年\"m\"月\"d\"日\""})]
    width = len(FILE_COLUMNS)
    sheet.merge_range(0, 0, 0, width - 1, TITLE, title)
    sheet.write_string(1, 0, SUBTITLE)
    for col, (column, header) in enumerate(FILE_COLUMNS):
        sheet.write_string(2, col, header, bold)
        sheet.set_column(col, col, 14, text if column in ("身份证号", "联系电话") else None)
    text_cols = {COL["身份证号"], COL["联系电话"]}
    excel_row = 3
    people = 0
    for kind, values in rows:
        if kind == "row":
            people += 1
            for col, value in enumerate(values):
                if value is None:
                    continue
                if isinstance(value, datetime.date):
                    sheet.write_datetime(excel_row, col, value, date_formats[excel_row % 2])
                elif isinstance(value, int):
                    sheet.write_number(excel_row, col, value)
                else:
                    sheet.write_string(excel_row, col, value, text if col in text_cols else None)
        excel_row += 1
    workbook.close()
    return people


# =========================================================================================================
# Simple cell conversions shared by the floor and the django-import-export resource (Django set up)


def simple_conversions():
    from people import choices

    def labels(pairs, extra=None):
        mapping = {label: value for value, label in pairs}
        mapping.update(extra or {})
        return mapping

    ethnicities = labels(choices.ETHNICITIES)
    ethnicities.update({label[:-1]: code for code, label in choices.ETHNICITIES if label.endswith("族")})
    return {
        "gender": {"男": "M", "女": "F"},
        "ethnicity": ethnicities,
        "affiliation": labels(choices.Affiliation.choices, dict(choices.AFFILIATION_SYNONYMS)),
        "education": labels(choices.Education.choices, dict(choices.EDUCATION_SYNONYMS)),
        "tier": labels(choices.Tier.choices),
    }


_DATE = re.compile(r"(\d{4})\D+(\d{1,2})(?:\D+(\d{1,2}))?\D*")


def simple_date(value):
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    year, month, day = _DATE.fullmatch(str(value).translate(HALF_WIDTH).strip()).groups()
    return datetime.date(int(year), int(month), int(day or 1))


def simple_text(value):
    return "" if value is None else str(value).translate(HALF_WIDTH).strip()


_JOINED_CATEGORY = "华侨、归侨及侨眷"
_SPLIT = re.compile(r"[、，,/;；\s]+")


def split_categories(value):
    text = simple_text(value)
    names = []
    if _JOINED_CATEGORY in text:
        names.append(_JOINED_CATEGORY)
        text = text.replace(_JOINED_CATEGORY, "、")
    return names + [n for n in _SPLIT.split(text) if n]


# =========================================================================================================
# Workers (each runs in its own process; Django set up from the environment the parent passes)


def _setup_django():
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _peak_mb():
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _rss_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


class RssSampler:
    """The largest RSS of this process and its child processes (the workbook reader) together, sampled every
    few milliseconds from /proc while the import runs; and this process's own largest RSS while a child ran."""

    def __init__(self, interval=0.005):
        import threading

        self.interval = interval
        self.peak_mb = 0.0
        self.own_beside_child_mb = 0.0
        self.running = True
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while self.running:
            own, children = _rss_mb(), _child_pids()
            self.peak_mb = max(self.peak_mb, own + sum(map(_pid_rss_mb, children)))
            if children:
                self.own_beside_child_mb = max(self.own_beside_child_mb, own)
            time.sleep(self.interval)

    def stop(self):
        self.running = False
        self.thread.join()
        return self.peak_mb


def _child_pids():
    pids = []
    for task in Path("/proc/self/task").iterdir():
        with contextlib.suppress(OSError):
            pids += (task / "children").read_text().split()
    return pids


def _pid_rss_mb(pid):
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024
    except (OSError, IndexError, ValueError):
        return 0.0


def _reader_peak_mb():
    """The peak RSS of the caged workbook reader (the child process that parsed the file), as it reported it
    (RUSAGE_CHILDREN would count the pages of this process it was forked from)."""
    from core.importing import largest_reader_peak_kb

    return largest_reader_peak_kb() / 1024


def worker_setup(spec):
    """Migrate the template database and create the org tree and the importing user."""
    _setup_django()
    from django.core.management import call_command
    from django.db import connection

    from accounts.testing import create_user
    from org.models import Unit
    from org.testing import build_county

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    county = build_county()
    town = Unit.objects.get(pk=county.town1.pk)
    for index, name in enumerate(VILLAGES, 1):
        Unit.objects.add_child(Unit.objects.get(pk=town.pk), instance=Unit(
            name=name, type=Unit.Type.VILLAGE, division_code=f"330998001{100 + index:03d}", sort_order=index))
    create_user(USERNAME, Unit.objects.get(pk=town.pk), "town_officer")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return {"seconds": time.perf_counter() - started}


def _context():
    from django.contrib.auth import get_user_model

    from org.models import Unit

    user = get_user_model().objects.get(username=USERNAME)
    town = Unit.objects.get(name=TOWN)
    return user, town


def worker_tongxin(spec):
    _setup_django()
    from people.importers import import_ledger
    from people.models import Person

    user, town = _context()
    path = Path(spec["file"])
    marks = {}

    def progress(done, total, stage):
        now = time.perf_counter()
        marks.setdefault(f"{stage}_first", now)
        marks[f"{stage}_last"] = now

    profiler = None
    if spec.get("profile"):
        import cProfile

        profiler = cProfile.Profile()
    sampler = RssSampler()
    started = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    data = path.read_bytes()
    result = import_ledger(data, path.name, town, user, progress=progress)
    if profiler is not None:
        profiler.disable()
    seconds = time.perf_counter() - started
    sampled = sampler.stop()
    peak = _peak_mb()
    if result.errors or result.created != spec["rows"]:
        shown = [f"{p.row}/{p.column}: {p.message}" for p in result.errors[:10]]
        raise RuntimeError(f"import created {result.created} of {spec['rows']}, {len(result.errors)} errors: {shown}")
    stages = {}
    if "check_first" in marks:
        stages["check_done_s"] = marks["check_last"] - started
    if "write_first" in marks:
        stages["write_started_s"] = marks["write_first"] - started
        stages["write_s"] = marks["write_last"] - marks["write_first"]
    history = Person.history.count()
    if profiler is not None:
        import pstats

        profiler.dump_stats(spec["profile"])
        stats = pstats.Stats(profiler, stream=sys.stderr).strip_dirs()
        print(f"\n--- cProfile of import_ledger, {spec['rows']} rows: by own time ---", file=sys.stderr)
        stats.sort_stats("tottime").print_stats(30)
        print("--- by cumulative time ---", file=sys.stderr)
        stats.sort_stats("cumulative").print_stats(45)
    child = _reader_peak_mb()
    # An upper bound of this process and the reader together: the reader's own peak (as it reported it) on top
    # of the most this process held while the reader ran (it checks rows meanwhile), or this process's peak.
    bound = max(peak, sampler.own_beside_child_mb + child)
    return {"seconds": seconds, "rows": result.created, "peak_mb": peak, "child_peak_mb": child,
            "together_bound_mb": bound, "together_peak_mb": max(sampled, peak), "stages": stages,
            "history_rows": history, "people": Person.objects.count()}


def worker_floor(spec):
    """calamine + the simplest conversion + Person.objects.bulk_create; no encryption, nothing else."""
    _setup_django()
    from python_calamine import CalamineWorkbook

    from org.models import Unit
    from people.models import Person

    user, town = _context()
    # No encryption in this process: the ID number and phone go into their columns as typed, no hash.
    for name in ("id_number", "phone"):
        field = Person._meta.get_field(name)
        field.pre_save = lambda instance, add, attname=field.attname: getattr(instance, attname)
        field.get_prep_value = lambda value: value
    units = dict(Unit.objects.filter(path__startswith=town.path).values_list("name", "pk"))
    conv = simple_conversions()
    gender, ethnicity, affiliation = conv["gender"], conv["ethnicity"], conv["affiliation"]
    education, tier = conv["education"], conv["tier"]
    user_id = user.pk

    started = time.perf_counter()
    sheet = CalamineWorkbook.from_path(spec["file"]).get_sheet_by_index(0).to_python()
    header = list(sheet[2])
    c = {column: header.index(HEADER[column]) for column, _ in FILE_COLUMNS}
    read_s = time.perf_counter() - started
    people = []
    for row in sheet[3:]:
        if not row[c["姓名"]]:
            continue  # a blank row
        people.append(Person(
            name=row[c["姓名"]], gender=gender[row[c["性别"]]], ethnicity=ethnicity[row[c["民族"]]],
            birth_date=simple_date(row[c["出生年月"]]), id_number=simple_text(row[c["身份证号"]]).upper(),
            affiliation=affiliation[row[c["政治面貌"]]], workplace=row[c["工作单位及职务"]] or "",
            position=row[c["职务"]] or "", education=education[row[c["学历"]]],
            phone=simple_text(row[c["联系电话"]]).replace(" ", "").replace("-", ""),
            owner_unit_id=units[row[c["所在村(社区)"]]], tier=tier[row[c["管理层级"]]],
            is_representative=row[c["是否代表人士"]] == "是", native_place=row[c["籍贯"]] or "",
            address=row[c["住址"]] or "", field=row[c["所在领域"]] or "",
            affiliation_date=simple_date(row[c["加入时间"]]), notes=row[c["备注"]] or "",
            created_by_id=user_id, updated_by_id=user_id,
        ))
    del sheet
    convert_s = time.perf_counter() - started - read_s
    Person.objects.bulk_create(people)
    seconds = time.perf_counter() - started
    peak = _peak_mb()
    count = Person.objects.count()
    if count != spec["rows"]:
        raise RuntimeError(f"floor inserted {count} of {spec['rows']}")
    return {"seconds": seconds, "rows": count, "peak_mb": peak,
            "stages": {"read_s": read_s, "convert_s": convert_s, "insert_s": seconds - read_s - convert_s}}


def import_export_resource(user):
    """The straightforward django-import-export resource (see the module docstring)."""
    from import_export import fields, resources, widgets

    from core import crypto
    from org.models import Unit
    from people.identity import normalize_id_number
    from people.models import Category, Person

    conv = simple_conversions()

    class LabelWidget(widgets.Widget):
        def __init__(self, mapping):
            super().__init__()
            self.mapping = mapping

        def clean(self, value, row=None, **kwargs):
            text = simple_text(value)
            return self.mapping[text] if text else ""

    class LooseDateWidget(widgets.Widget):
        def clean(self, value, row=None, **kwargs):
            return simple_date(value)

    class YesNoWidget(widgets.Widget):
        def clean(self, value, row=None, **kwargs):
            return simple_text(value) == "是"

    class IdHashWidget(widgets.Widget):
        def clean(self, value, row=None, **kwargs):
            number = normalize_id_number(value)
            return crypto.keyed_hash(number) if number else ""

    class CategoriesWidget(widgets.ManyToManyWidget):
        def clean(self, value, row=None, **kwargs):
            if not value:
                return self.model.objects.none()
            return self.model.objects.filter(name__in=split_categories(value))

    def text(attribute, column):
        return fields.Field(attribute=attribute, column_name=HEADER[column], widget=widgets.CharWidget())

    class PersonResource(resources.ModelResource):
        name = text("name", "姓名")
        gender = fields.Field(attribute="gender", column_name=HEADER["性别"], widget=LabelWidget(conv["gender"]))
        ethnicity = fields.Field(attribute="ethnicity", column_name=HEADER["民族"],
                                 widget=LabelWidget(conv["ethnicity"]))
        birth_date = fields.Field(attribute="birth_date", column_name=HEADER["出生年月"], widget=LooseDateWidget())
        id_number_hash = fields.Field(attribute="id_number_hash", column_name=HEADER["身份证号"],
                                      widget=IdHashWidget())
        id_number = text("id_number", "身份证号")
        affiliation = fields.Field(attribute="affiliation", column_name=HEADER["政治面貌"],
                                   widget=LabelWidget(conv["affiliation"]))
        categories = fields.Field(attribute="categories", column_name=HEADER["类别"],
                                  widget=CategoriesWidget(Category, field="name"))
        workplace = text("workplace", "工作单位及职务")
        position = text("position", "职务")
        education = fields.Field(attribute="education", column_name=HEADER["学历"],
                                 widget=LabelWidget(conv["education"]))
        phone = text("phone", "联系电话")
        owner_unit = fields.Field(attribute="owner_unit", column_name=HEADER["所在村(社区)"],
                                  widget=widgets.ForeignKeyWidget(Unit, field="name"))
        tier = fields.Field(attribute="tier", column_name=HEADER["管理层级"], widget=LabelWidget(conv["tier"]))
        is_representative = fields.Field(attribute="is_representative", column_name=HEADER["是否代表人士"],
                                         widget=YesNoWidget())
        native_place = text("native_place", "籍贯")
        address = text("address", "住址")
        field = text("field", "所在领域")
        affiliation_date = fields.Field(attribute="affiliation_date", column_name=HEADER["加入时间"],
                                        widget=LooseDateWidget())
        notes = text("notes", "备注")

        class Meta:
            model = Person
            fields = ("name", "gender", "ethnicity", "birth_date", "id_number_hash", "id_number", "affiliation",
                      "categories", "workplace", "position", "education", "phone", "owner_unit", "tier",
                      "is_representative", "native_place", "address", "field", "affiliation_date", "notes")
            import_id_fields = ("id_number_hash",)

        def before_import(self, dataset, **kwargs):
            blank = [i for i, values in enumerate(dataset) if all(v in (None, "") for v in values)]
            for index in reversed(blank):
                del dataset[index]

        def before_save_instance(self, instance, row, **kwargs):
            if instance.pk is None:
                instance.created_by = user
            instance.updated_by = user

    return PersonResource()


def worker_import_export(spec):
    _setup_django()
    import tablib

    from people.models import Person

    user, _ = _context()
    resource = import_export_resource(user)
    started = time.perf_counter()
    with open(spec["file"], "rb") as stream:
        dataset = tablib.Dataset().load(stream, format="xlsx", skip_lines=2)
    result = resource.import_data(dataset, dry_run=False, raise_errors=True, use_transactions=True)
    seconds = time.perf_counter() - started
    peak = _peak_mb()
    count = Person.objects.count()
    if count != spec["rows"] or result.has_errors() or result.has_validation_errors():
        raise RuntimeError(f"django-import-export created {count} of {spec['rows']}")
    return {"seconds": seconds, "rows": count, "peak_mb": peak, "history_rows": Person.history.count()}


def worker_export(spec):
    _setup_django()
    from people.exports import write_ledger
    from people.models import Person, Tag

    user, _ = _context()
    started = time.perf_counter()
    count = write_ledger(spec["out"], Person.objects.visible_to(user, "export"), tags=Tag.objects.visible_to(user),
                         masked=True, subtitle="导出：bench_town　2025-06-30 12:00")
    seconds = time.perf_counter() - started
    peak = _peak_mb()
    if count != spec["rows"]:
        raise RuntimeError(f"export wrote {count} of {spec['rows']}")
    return {"seconds": seconds, "rows": count, "peak_mb": peak, "bytes": os.path.getsize(spec["out"])}


def worker_xlsxwriter(spec):
    """xlsxwriter writing the cells of the export (read back first, untimed) from memory."""
    import xlsxwriter
    from python_calamine import CalamineWorkbook

    sys.path.insert(0, str(ROOT))
    rows = CalamineWorkbook.from_path(spec["export"]).get_sheet_by_index(0).to_python()
    text_columns = {index for index, header in enumerate(rows[2]) if header in ("身份证号", "联系电话", "出生年月",
                                                                                  "加入时间")}
    started = time.perf_counter()
    workbook = xlsxwriter.Workbook(spec["out"], {"constant_memory": True, "strings_to_numbers": False,
                                                 "strings_to_formulas": False, "strings_to_urls": False})
    sheet = workbook.add_worksheet("台账")
    text = workbook.add_format({"num_format": "@"})
    for col in range(len(rows[2])):
        sheet.set_column(col, col, 14, text if col in text_columns else None)
    write_string, write_number = sheet.write_string, sheet.write_number
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                write_string(r, c, value, text if c in text_columns else None)
            else:
                write_number(r, c, value)
    workbook.close()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": spec["rows"], "peak_mb": _peak_mb()}


WORKERS = {
    "setup": worker_setup, "tongxin": worker_tongxin, "floor": worker_floor, "import_export": worker_import_export,
    "export": worker_export, "xlsxwriter": worker_xlsxwriter,
}


def run_worker(step, spec_json):
    spec = json.loads(spec_json)
    result = WORKERS[step](spec)
    print(RESULT_PREFIX + json.dumps(result), flush=True)


# =========================================================================================================
# The parent: databases, subprocesses, the table


class Bench:
    def __init__(self, args):
        self.args = args
        self.tmp = Path(tempfile.mkdtemp(prefix="tongxin-bench-"))
        self.pg_dir = self.tmp / "pg"
        self.pg_url = None
        self.env = dict(os.environ)
        self.env.update({
            "DJANGO_SETTINGS_MODULE": "tongxin.settings.dev",
            "TONGXIN_VAR_DIR": str(self.tmp / "var"),
            "SECRET_KEY": secrets.token_hex(32),
            "FIELD_ENCRYPTION_KEY": secrets.token_hex(32),
            "PYTHONDONTWRITEBYTECODE": "1",
            "PG_DIR": str(self.pg_dir),
        })
        self.env.pop("DATABASE_URL", None)
        self.failed = False

    def log(self, message):
        print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    def worker(self, step, database_url, **spec):
        env = dict(self.env, DATABASE_URL=database_url) if database_url else self.env
        started = time.perf_counter()
        process = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--worker", step, json.dumps(spec)],
            env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True, timeout=STEP_TIMEOUT, check=False,
        )
        found = [line for line in process.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
        if process.returncode != 0 or not found:
            raise RuntimeError(f"step {step} failed (exit {process.returncode})")
        result = json.loads(found[-1][len(RESULT_PREFIX):])
        self.log(f"{step}: {json.dumps(result, ensure_ascii=False)} ({time.perf_counter() - started:.1f} s wall)")
        return result

    # --- files ----------------------------------------------------------------------------------------

    def make_files(self, count):
        started = time.perf_counter()
        rows = list(LedgerGenerator().rows(count))
        ledger = self.tmp / f"台账_{count}.xlsx"
        write_ledger_file(ledger, rows)
        files = {"ledger": ledger, "ie_rows": count}
        if count >= IE_FULL_LIMIT:
            prefix, people = [], 0
            for kind, values in rows:
                if kind == "row":
                    if people == IE_PREFIX:
                        break
                    people += 1
                prefix.append((kind, values))
            files["ie_file"] = self.tmp / f"台账_前{IE_PREFIX}.xlsx"
            files["ie_rows"] = write_ledger_file(files["ie_file"], prefix)
        else:
            files["ie_file"] = ledger
        blank = sum(1 for kind, _ in rows if kind == "blank")
        self.log(f"generated {count} rows (+{blank} blank) × {len(FILE_COLUMNS)} columns in "
                 f"{time.perf_counter() - started:.1f} s: {ledger} ({ledger.stat().st_size / 1e6:.1f} MB)")
        return files

    # --- databases ------------------------------------------------------------------------------------

    def pg_start(self):
        process = subprocess.run([str(PG_SCRIPT), "start"], env=self.env, cwd=ROOT, stdout=subprocess.PIPE,
                                 text=True, timeout=180, check=True)
        self.pg_url = process.stdout.strip().splitlines()[-1]

    def pg_destroy(self):
        if self.pg_dir.exists():
            subprocess.run([str(PG_SCRIPT), "destroy"], env=self.env, cwd=ROOT, timeout=180, check=False)

    def pg_database_url(self, name):
        parts = urllib.parse.urlsplit(self.pg_url)
        return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))

    def pg_admin(self, *statements, database="postgres"):
        import psycopg

        with psycopg.connect(self.pg_database_url(database), autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)

    def fresh_database(self, db, name):
        """A copy of the migrated template database; returns its DATABASE_URL."""
        if db == "sqlite":
            target = self.tmp / f"{name}.sqlite3"
            shutil.copyfile(self.tmp / "template.sqlite3", target)
            return f"sqlite:///{target}"
        self.pg_admin(f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}" TEMPLATE bench_template')
        return self.pg_database_url(name)

    def template(self, db):
        if db == "sqlite":
            url = f"sqlite:///{self.tmp / 'template.sqlite3'}"
        else:
            if self.pg_url is None:
                self.pg_start()
            self.pg_admin("DROP DATABASE IF EXISTS bench_template", "CREATE DATABASE bench_template")
            url = self.pg_database_url("bench_template")
        self.worker("setup", url)

    # --- one database ---------------------------------------------------------------------------------

    def measure(self, db, files, count):
        self.log(f"=== {db}: migrating the template database")
        self.template(db)
        figures = {"db": db, "rows": count}
        url = self.fresh_database(db, "bench_tongxin")
        if db == "postgres":
            # Whether autovacuum gathers statistics on the new rows before the export starts is a race (it
            # wakes once a minute); the export is measured both ways, deterministically: right after the
            # import with no statistics, then after an explicit ANALYZE (what autovacuum soon does).
            self.pg_admin(*(f"ALTER TABLE {table} SET (autovacuum_enabled = false)" for table in EXPORT_TABLES),
                          database="bench_tongxin")
        figures["tongxin"] = self.worker("tongxin", url, file=str(files["ledger"]), rows=count)
        if db == "postgres":
            figures["export_cold"] = self.worker("export", url, out=str(self.tmp / "export_cold.xlsx"), rows=count)
            started = time.perf_counter()
            self.pg_admin(f"ANALYZE {', '.join(EXPORT_TABLES)}", database="bench_tongxin")
            figures["analyze_s"] = time.perf_counter() - started
        figures["export"] = self.worker("export", url, out=str(self.tmp / f"export_{db}.xlsx"), rows=count)
        figures["xlsxwriter"] = self.worker("xlsxwriter", None, export=str(self.tmp / f"export_{db}.xlsx"),
                                            out=str(self.tmp / f"xlsxwriter_{db}.xlsx"), rows=count)
        figures["floor"] = self.worker("floor", self.fresh_database(db, "bench_floor"),
                                       file=str(files["ledger"]), rows=count)
        if not self.args.skip_import_export:
            figures["import_export"] = self.worker("import_export", self.fresh_database(db, "bench_ie"),
                                                   file=str(files["ie_file"]), rows=files["ie_rows"])
        if self.args.profile:
            figures["profile"] = self.worker("tongxin", self.fresh_database(db, "bench_profile"),
                                             file=str(files["ledger"]), rows=count,
                                             profile=f"{self.args.profile}.{db}")
        for name in ("bench_tongxin", "bench_floor", "bench_ie", "bench_profile"):
            if db == "sqlite":
                for suffix in ("", "-wal", "-shm"):
                    (self.tmp / f"{name}.sqlite3{suffix}").unlink(missing_ok=True)
            else:
                self.pg_admin(f'DROP DATABASE IF EXISTS "{name}"')
        return figures

    def run(self):
        count = self.args.rows
        dbs = ["sqlite", "postgres"] if self.args.db == "both" else [self.args.db]
        files = self.make_files(count)
        results = []
        for db in dbs:
            try:
                results.append(self.measure(db, files, count))
            except (RuntimeError, subprocess.SubprocessError, OSError) as exc:
                self.failed = True
                self.log(f"{db}: {exc}")
        for figures in results:
            print_table(figures, files, results)
        if self.args.json:
            Path(self.args.json).write_text(json.dumps([summary(f) for f in results], indent=2) + "\n")
            self.log(f"wrote {self.args.json}")
        return 1 if self.failed else 0

    def close(self):
        try:
            self.pg_destroy()
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)


def rate(step):
    return step["rows"] / step["seconds"]


def summary(figures):
    ie = figures.get("import_export")
    return {
        "rows": figures["rows"], "db": figures["db"],
        "tongxin_rows_per_s": round(rate(figures["tongxin"])),
        "floor_rows_per_s": round(rate(figures["floor"])),
        "import_export_rows_per_s": round(rate(ie)) if ie else None,
        "peak_rss_mb": round(figures["tongxin"]["peak_mb"]),
        "reader_peak_rss_mb": round(figures["tongxin"].get("child_peak_mb", 0)),
        "together_peak_rss_mb": round(figures["tongxin"].get("together_peak_mb", figures["tongxin"]["peak_mb"])),
        "export_rows_per_s": round(rate(figures["export"])),
        "xlsxwriter_rows_per_s": round(rate(figures["xlsxwriter"])),
        "export_peak_rss_mb": round(figures["export"]["peak_mb"]),
    }


DB_NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL 15"}


def print_table(figures, files, everything):
    db, count = figures["db"], figures["rows"]
    t, fl, ie = figures["tongxin"], figures["floor"], figures.get("import_export")
    ex, xw = figures["export"], figures["xlsxwriter"]
    lines = [
        "",
        f"== {DB_NAMES[db]} — {count:,} rows × {len(FILE_COLUMNS)} columns ==",
        f"{'measurement':<52}{'seconds':>9}{'rows/s':>10}{'peak MB':>9}",
    ]

    def line(label, step, peak=True):
        peak_text = f"{step['peak_mb']:>9.0f}" if peak else f"{'':>9}"
        lines.append(f"{label:<52}{step['seconds']:>9.2f}{rate(step):>10,.0f}{peak_text}")

    line("Tongxin import_ledger (whole import)", t)
    lines.append(f"{'  its workbook reader (child process)':<52}{'':>19}{t.get('child_peak_mb', 0):>9.0f}")
    lines.append(f"{'  both at once (sampled peak; upper bound)':<52}{'':>19}"
                 f"{t.get('together_peak_mb', t['peak_mb']):>9.0f} ({t.get('together_bound_mb', t['peak_mb']):.0f})")
    line("floor: calamine + bulk_create", fl)
    if ie:
        ie_note = "" if ie["rows"] == count else f"(first {ie['rows']:,} rows only)"
        line(f"django-import-export {ie_note}".rstrip(), ie)
    else:
        lines.append("django-import-export: not run (--skip-import-export)")
    if "export_cold" in figures:
        line("export right after the import (no statistics yet)", figures["export_cold"])
        line(f"export: write_ledger (after ANALYZE, {figures['analyze_s']:.2f} s)", ex)
    else:
        line("export: write_ledger", ex)
    line("xlsxwriter from memory (same cells)", xw, peak=False)
    stages = t.get("stages", {})
    if stages:
        lines.append("  Tongxin: read+check done at {:.2f} s, writing {:.2f} s–{:.2f} s; {:,} history rows".format(
            stages.get("check_done_s", 0), stages.get("write_started_s", 0),
            stages.get("write_started_s", 0) + stages.get("write_s", 0), t.get("history_rows", 0)))
    fs = fl["stages"]
    if ie:
        lines.append(f"  django-import-export: {ie.get('history_rows', 0):,} history rows for {ie['rows']:,} people "
                     "(simple-history records the save and again when the categories are set)")
    lines.append(f"  floor: calamine read {fs['read_s']:.2f} s, convert {fs['convert_s']:.2f} s, "
                 f"bulk_create {fs['insert_s']:.2f} s")

    tongxin = rate(t)
    ratios = [
        ("Tongxin / floor", tongxin / rate(fl)),
        ("export / xlsxwriter", rate(ex) / rate(xw)),
    ]
    if ie:
        ratios.append(("Tongxin / django-import-export", tongxin / rate(ie)))
    if "export_cold" in figures:
        ratios.append(("export before ANALYZE / xlsxwriter", rate(figures["export_cold"]) / rate(xw)))
    lines.append("  ratios: " + "；".join(f"{name} = {value:.2f}" for name, value in ratios))

    checks = []
    if db == "sqlite":
        checks.append(("≥ 10,000 rows/s end to end on SQLite", f"{tongxin:,.0f}", tongxin >= TARGET_SQLITE_RATE))
    else:
        sqlite = next((f for f in everything if f["db"] == "sqlite"), None)
        if sqlite is not None:
            other = rate(sqlite["tongxin"])
            checks.append((f"PostgreSQL ≥ SQLite ({other:,.0f} rows/s)", f"{tongxin:,.0f}", tongxin >= other))
        else:
            checks.append(("≥ 10,000 rows/s end to end (SQLite not run)", f"{tongxin:,.0f}",
                           tongxin >= TARGET_SQLITE_RATE))
    together = t.get("together_peak_mb", t["peak_mb"])
    checks.append(("within 1.5× of the floor (Tongxin/floor ≥ 0.667)", f"{ratios[0][1]:.3f}",
                   ratios[0][1] >= TARGET_FLOOR_RATIO))
    if ie:
        checks.append(("≥ 10× django-import-export", f"{ratios[2][1]:.1f}×", ratios[2][1] >= TARGET_IE_RATIO))
    checks += [
        ("import peak memory, process + reader < 600 MB", f"{together:.0f} MB", together < TARGET_PEAK_MB),
        ("export ≥ 0.7× xlsxwriter", f"{ratios[1][1]:.3f}", ratios[1][1] >= TARGET_EXPORT_RATIO),
    ]
    if "export_cold" in figures:
        cold = rate(figures["export_cold"]) / rate(xw)
        checks.append(("  the same right after the import, before ANALYZE", f"{cold:.3f}", cold >= TARGET_EXPORT_RATIO))
    checks += [
        ("export peak memory < 150 MB", f"{ex['peak_mb']:.0f} MB", ex["peak_mb"] < TARGET_EXPORT_PEAK_MB),
    ]
    lines.append(f"{'target':<52}{'value':>12}  result")
    for label, value, ok in checks:
        lines.append(f"{label:<52}{value:>12}  {'PASS' if ok else 'FAIL'}")
    if count != 100_000:
        lines.append("  (the targets are set for 100,000 rows)")
    print("\n".join(lines), flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Ledger import/export benchmark (issue 3).")
    parser.add_argument("--rows", type=int, default=100_000, help="people in the generated ledger")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    parser.add_argument("--profile", metavar="PATH",
                        help="also run the Tongxin import once more under cProfile (stats to PATH.<db>, summary "
                             "on stderr)")
    parser.add_argument("--skip-import-export", action="store_true",
                        help="leave out the django-import-export comparison (e.g. when the bench extra is not "
                             "installed)")
    parser.add_argument("--worker", nargs=2, metavar=("STEP", "SPEC"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        run_worker(*args.worker)
        return 0
    if args.rows < 1 or args.rows > 200_000:
        parser.error("--rows must be between 1 and 200,000 (the importer's cap)")
    try:
        import import_export  # noqa: F401
        import tablib  # noqa: F401
    except ImportError:
        if not args.skip_import_export:
            parser.error("django-import-export is missing: install the bench extra, e.g. "
                         ".venv/bin/pip install 'django-import-export[xlsx]==4.4.3' (pyproject.toml, bench), "
                         "or leave that comparison out with --skip-import-export")

    bench = Bench(args)

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)
    try:
        return bench.run()
    finally:
        bench.close()


if __name__ == "__main__":
    sys.exit(main())
