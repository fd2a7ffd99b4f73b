"""Ledgers (统战成员台账) in the shape cadres keep them, built in memory for the tests.

The tests read no file from outside the repository: every workbook an import test needs is built here.

- `ledger(rows, headers, ...)` writes rows exactly as given (dicts {header: value}; a number stays a number,
  a date becomes an Excel date, `Blank` is an empty line) under a merged title row: for tests about one quirk.
- `town_people(count)` plans fictional people of town01 of the demo county (城关街道): deterministic (seeded),
  each with a valid GB 11643 ID number whose birth date and gender agree with the other columns, a unique
  mobile number, a village of town01 (org/demo.py's SAMPLE_LEDGER_PLACES) and categories that fit their
  政治面貌 and 民族.
- `town_ledger(entries, ...)` writes them in the shape of a town's ledger: a merged title row, a header row,
  the 14 columns below, 出生年月 as "1975.03", the ID number as text, categories joined with "、". Its options
  add the mess of real ledgers: the harmless kind (subtitle rows, synonym headers, full-width ID numbers,
  Excel dates and "1975年3月", stray spaces, other category separators, blank rows, an instructions sheet)
  and the kind the importer must refuse (ID numbers typed as numbers, duplicates, bad phone numbers), whose
  rows `TownLedger` reports so that a test can name them.
"""

import datetime
import io
import random
from dataclasses import dataclass, field

import xlsxwriter

from org.testing import SAMPLE_LEDGER_PLACES

from .. import demo_data
from ..identity import check_digit

HEADERS = ["序号", "姓名", "性别", "民族", "出生年月", "身份证号", "政治面貌", "类别", "工作单位及职务", "学历",
           "联系电话", "所在村(社区)", "是否代表人士", "备注"]

# The headers other ledgers use for the same columns (people/columns.py knows them all).
SYNONYM_HEADERS = {
    "姓名": "姓 名", "出生年月": "出生日期", "身份证号": "公民身份号码", "政治面貌": "党派", "类别": "人员类别",
    "学历": "文化程度", "联系电话": "手机号码", "所在村(社区)": "村（社区）", "是否代表人士": "代表人士",
    "备注": "说明",
}

TOWN01 = "城关街道"
TOWN01_VILLAGES = [name for names in SAMPLE_LEDGER_PLACES["城关"] for name in names]

# A fictional county code that the demo ledger (people/demo.py, 330999 and real Zhejiang codes) never uses,
# so that a generated ledger imports into the demo county as new people.
AREA = "330998"
SEED = 20240601

AFFILIATIONS = [  # (政治面貌 as the sample ledgers spell it, weight)
    ("群众", 20), ("中共党员", 7), ("民革党员", 8), ("民盟盟员", 6), ("民建会员", 6), ("民进会员", 8),
    ("农工党党员", 8), ("致公党党员", 8), ("九三学社社员", 9), ("台盟盟员", 2), ("无党派人士", 8),
]
PARTIES = {"民革党员", "民盟盟员", "民建会员", "民进会员", "农工党党员", "致公党党员", "九三学社社员", "台盟盟员"}
# Categories of people who are neither in a democratic party nor 无党派人士 (a CPC member is in the ledger
# for what they do, e.g. as a private entrepreneur, never as a 党外知识分子 or for a religion).
OTHER_CATEGORIES = [
    ("党外知识分子", 10), ("非公有制经济人士", 10), ("新的社会阶层人士", 10), ("宗教界人士", 2),
    ("出国和归国留学人员", 3), ("香港同胞", 1), ("澳门同胞", 1), ("台湾同胞及其在大陆的亲属", 1),
    ("华侨、归侨及侨眷", 4),
]
MINORITIES = ["畲族", "回族", "苗族", "土家族", "壮族", "满族"]
WORK = [  # 工作单位及职务 as typed: unit and position separated by a space, or one of the two alone
    "县第一中学 教师", "县人民医院 主治医师", "宏达五金有限公司 总经理", "镇卫生院 医生", "晨光电子厂 副总经理",
    "县会计师事务所 注册会计师", "鑫源茶业专业合作社 理事长", "县律师事务所 律师", "网络主播", "个体工商户",
]
EDUCATIONS = [("大学本科", 10), ("大学专科", 5), ("研究生", 5), ("高中", 6), ("初中", 4)]
# Separators the importer splits categories on besides 、 (a space alone between two names is not among them:
# the importer drops spaces inside a category cell before splitting).
SEPARATORS = ["，", ",", "/", "；", ";", "／"]


def make_id(birth=datetime.date(1975, 3, 14), seq=123, area=AREA):
    """A valid 18-digit ID number; an odd `seq` is a man."""
    first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_digit(first17)


def id_ending_in_x(birth, female=True):
    for seq in range(0 if female else 1, 1000, 2):
        number = make_id(birth, seq)
        if number.endswith("X"):
            return number
    raise AssertionError("no such number")


def fullwidth(text):
    """Digits and letters as a Chinese input method in full-width mode types them."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


class Blank:
    """A blank row in `ledger(...)`."""


def person(name="张三", **values):
    row = {"姓名": name}
    row.update(values)
    return row


def ledger(rows, headers=HEADERS, *, title="东溪镇统战成员台账", subtitle=None, instructions=False, merge=True,
           sheet="台账", extra_sheets=()):
    """Bytes of an xlsx ledger. Rows are dicts {header: value}; values keep their type (a number stays a
    number, a date becomes an Excel date); `Blank` makes an empty row. `extra_sheets` ([(name, rows)]) come
    before the data sheet, as does the instructions sheet. `subtitle` is a line or a list of lines."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    if instructions:
        notes = book.add_worksheet("填表说明")
        for index, line in enumerate(["填表说明", "1. 姓名必填；", "2. 身份证号请设为文本格式；", "姓名"]):
            notes.write_string(index, 0, line)
    for name, lines in extra_sheets:
        other = book.add_worksheet(name)
        for index, line in enumerate(lines):
            for col, value in enumerate(line):
                other.write(index, col, value)
    row = 0
    data = book.add_worksheet(sheet)
    if title:
        if merge:
            data.merge_range(row, 0, row, len(headers) - 1, title)
        else:
            data.write_string(row, 0, title)
        row += 1
    for line in [subtitle] if isinstance(subtitle, str) else subtitle or ():
        data.write_string(row, 0, line)
        row += 1
    for col, header in enumerate(headers):
        data.write_string(row, col, header)
    row += 1
    for values in rows:
        if values is not Blank:
            for col, header in enumerate(headers):
                value = values.get(header)
                if value is None:
                    continue
                if isinstance(value, bool):
                    data.write_boolean(row, col, value)
                elif isinstance(value, int | float):
                    data.write_number(row, col, value)
                elif isinstance(value, datetime.date):
                    data.write_datetime(row, col, value, date_format)
                else:
                    data.write_string(row, col, value)
        row += 1
    book.close()
    return buffer.getvalue()


# --- generated people of a town ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One person of a generated ledger, with the values the importer should store."""

    name: str
    id_number: str
    ethnicity: str  # 民族 as written, e.g. "汉族"
    affiliation: str  # 政治面貌 as written, e.g. "民革党员"
    categories: tuple  # category names
    work: str  # 工作单位及职务 as written
    education: str  # 学历 as written
    phone: str
    village: str
    representative: bool = False

    @property
    def birth_date(self):
        return datetime.date(int(self.id_number[6:10]), int(self.id_number[10:12]), int(self.id_number[12:14]))

    @property
    def gender(self):
        """"M" or "F", as the ID number says."""
        return "M" if int(self.id_number[16]) % 2 else "F"

    @property
    def workplace(self):
        return self.work.split(" ")[0]

    @property
    def position(self):
        return self.work.split(" ")[1] if " " in self.work else ""

    def row(self, number):
        """The entry as a tidy ledger spells it, under HEADERS."""
        return {
            "序号": number, "姓名": self.name, "性别": "男" if self.gender == "M" else "女", "民族": self.ethnicity,
            "出生年月": f"{self.birth_date:%Y.%m}", "身份证号": self.id_number, "政治面貌": self.affiliation,
            "类别": "、".join(self.categories), "工作单位及职务": self.work, "学历": self.education,
            "联系电话": self.phone, "所在村(社区)": self.village, "是否代表人士": "是" if self.representative else None,
        }


def _weighted(rng, pairs):
    return rng.choices([value for value, _ in pairs], weights=[weight for _, weight in pairs])[0]


def town_people(count=300, *, seed=SEED, villages=TOWN01_VILLAGES):
    """`count` fictional people of town01, the same for the same arguments; ID numbers and phones unique."""
    rng = random.Random(seed)
    surnames = demo_data.SURNAMES
    taken_ids, taken_phones, entries = set(), set(), []
    while len(entries) < count:
        gender = rng.choice("MF")
        birth = datetime.date(1945, 1, 1) + datetime.timedelta(days=rng.randrange(56 * 365))
        first17 = f"{AREA}{birth:%Y%m%d}{rng.randrange(100):02d}{rng.choice('13579' if gender == 'M' else '02468')}"
        id_number = first17 + check_digit(first17)
        phone = rng.choice(demo_data.MOBILE_PREFIXES) + f"{rng.randrange(10 ** 8):08d}"
        if id_number in taken_ids or phone in taken_phones:
            continue
        taken_ids.add(id_number)
        taken_phones.add(phone)
        generation = 0 if birth.year < 1960 else 1 if birth.year < 1980 else 2
        given = demo_data.GIVEN[gender, generation]
        name = _weighted(rng, surnames) + "".join(rng.choice(given) for _ in range(rng.choice((1, 2, 2))))
        ethnicity = rng.choice(MINORITIES) if rng.random() < 0.25 else "汉族"
        affiliation = _weighted(rng, AFFILIATIONS)
        if affiliation in PARTIES:
            categories = ["民主党派成员"]
        elif affiliation == "无党派人士":
            categories = ["无党派人士"]
        else:
            outside = ("党外知识分子", "宗教界人士") if affiliation == "中共党员" else ()
            pool = [(c, w) for c, w in OTHER_CATEGORIES if c not in outside]
            categories = [_weighted(rng, pool)]
        if ethnicity != "汉族":
            categories.append("少数民族人士")
        if rng.random() < 0.15:
            extra = _weighted(rng, [(c, w) for c, w in OTHER_CATEGORIES if c not in ("党外知识分子", "宗教界人士")])
            if extra not in categories:
                categories.append(extra)
        entries.append(Entry(
            name=name, id_number=id_number, ethnicity=ethnicity, affiliation=affiliation,
            categories=tuple(categories), work=rng.choice(WORK), education=_weighted(rng, EDUCATIONS), phone=phone,
            village=rng.choice(villages), representative=affiliation != "中共党员" and rng.random() < 0.09,
        ))
    return entries


@dataclass
class TownLedger:
    """A generated ledger: its bytes and where its people and its faults are (worksheet row numbers, from 1)."""

    data: bytes
    entries: list
    rows: list  # rows[i]: the row of entries[i] (its first row when it is duplicated)
    numeric_id_rows: list = field(default_factory=list)  # ID number typed as a number (its digits destroyed)
    bad_phone_rows: list = field(default_factory=list)  # a phone number one digit short
    duplicate_rows: dict = field(default_factory=dict)  # row of a repeated person → row of their first entry
    name: str = "城关街道统战成员台账.xlsx"


def town_ledger(entries, *, seed=SEED, title=f"示范县{TOWN01}统战成员台账（2024年）", subtitles=(),
                synonyms=False, instructions=False, full_width_ids=0.0, excel_dates=0.0, chinese_dates=0.0,
                stray_spaces=0.0, separators=False, blank_rows=0.0, numeric_ids=0, duplicates=0, bad_phones=0):
    """The ledger file of `entries` (town_people). With no options it is tidy; the options make it messy:

    Harmless, the importer reads the same people: `subtitles` (lines between the title and the header),
    `synonyms` (headers as other ledgers spell them), `instructions` (a 填表说明 sheet first), the shares of rows
    with `full_width_ids`, 出生年月 as `excel_dates` (the full date) or `chinese_dates` ("1975年3月"),
    `stray_spaces` (around and inside names, ID numbers and phones), `separators` (categories joined with
    ，,/；;／ instead of 、), and `blank_rows` (the share of rows followed by an empty line).

    Refused by the importer, each in that many rows chosen by the seed: `numeric_ids` (the ID number written
    as a number, as Excel stores one typed without a text format), `duplicates` (a person entered again
    further down, ID number in lower case), `bad_phones` (a mobile number missing its last digit).
    """
    rng = random.Random(seed)
    numeric = set(rng.sample([i for i, e in enumerate(entries) if not e.id_number.endswith("X")], numeric_ids))
    bad_phone = set(rng.sample([i for i in range(len(entries)) if i not in numeric], bad_phones))
    repeated = rng.sample([i for i in range(len(entries)) if i not in numeric | bad_phone], duplicates)
    # Each repeated person appears again somewhere after their own row.
    again_after = {}
    for index in repeated:
        again_after.setdefault(rng.randrange(index, len(entries)), []).append(index)

    def spaced(text):
        if rng.random() >= stray_spaces:
            return text
        cut = rng.randrange(1, len(text))
        return f" {text[:cut]} {text[cut:]}\u3000" if len(text) > 2 else f"{text[0]} {text[1:]} "

    def cells(index, number):
        entry = entries[index]
        row = entry.row(number)
        if rng.random() < full_width_ids:
            row["身份证号"] = fullwidth(entry.id_number)
        else:
            row["身份证号"] = spaced(entry.id_number)
        if index in numeric:
            row["身份证号"] = float(entry.id_number)
        r = rng.random()
        if r < excel_dates:
            row["出生年月"] = entry.birth_date
        elif r < excel_dates + chinese_dates:
            row["出生年月"] = f"{entry.birth_date.year}年{entry.birth_date.month}月"
        row["姓名"] = spaced(entry.name)
        row["联系电话"] = entry.phone[:-1] if index in bad_phone else spaced(entry.phone)
        if separators and len(entry.categories) > 1:
            row["类别"] = rng.choice(SEPARATORS).join(entry.categories)
        return row

    title_rows = 1 + len(subtitles)
    line = title_rows + 2  # the worksheet row of the first person
    rows, positions, duplicate_rows = [], [], {}
    for index in range(len(entries)):
        rows.append(cells(index, len(positions) + len(duplicate_rows) + 1))
        positions.append(line)
        line += 1
        for earlier in again_after.get(index, ()):
            row = cells(earlier, len(positions) + len(duplicate_rows) + 1)
            row["身份证号"] = entries[earlier].id_number.lower()
            rows.append(row)
            duplicate_rows[line] = positions[earlier]
            line += 1
        if rng.random() < blank_rows:
            rows.append(Blank)
            line += 1
    headers = [SYNONYM_HEADERS.get(h, h) for h in HEADERS] if synonyms else HEADERS
    if synonyms:
        rows = [r if r is Blank else {SYNONYM_HEADERS.get(h, h): v for h, v in r.items()} for r in rows]
    data = ledger(rows, headers, title=title, subtitle=list(subtitles), instructions=instructions)
    return TownLedger(
        data=data, entries=list(entries), rows=positions,
        numeric_id_rows=sorted(positions[i] for i in numeric), bad_phone_rows=sorted(positions[i] for i in bad_phone),
        duplicate_rows=duplicate_rows,
    )
