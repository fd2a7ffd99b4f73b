"""The cells of a ledger row: one converter per column, each raising CellError with a Chinese message (the
framework names the row and the column; blank cells never reach a converter), and the fast pinyin of names.

Ledgers repeat most values (categories, villages, enumerations, dates): `cached` remembers a converter's answer
per raw value.
"""

import re

from pypinyin import lazy_pinyin
from pypinyin.constants import PHRASES_DICT

from core.importing import CellError, cell_text, normalise_text

from .. import choices
from ..identity import id_number_problem, mobile_problem, normalize_id_number, normalize_phone, phone_problem
from ..models import Category
from ..pinyin import SURNAME_READINGS

NUMERIC_ID = "身份证号被Excel存成了数字，后几位已丢失，请将该列设为文本格式后重新填写"
SEPARATORS = re.compile(r"[、，,/／;；|｜\s]+")
HAN = re.compile(r"[\u4e00-\u9fff]")
TEXT_LIMITS = {
    "native_place": ("籍贯", 50), "address": ("住址", 200), "field": ("所在领域", 50), "workplace": ("工作单位", 100),
    "position": ("职务", 100), "notes": ("备注", 2000),
}


def label_map(pairs, extra=None):
    mapping = {}
    for value, label in pairs:
        mapping[spelling_key(label)] = value
        mapping[spelling_key(str(value))] = value
    for label, value in (extra or {}).items():
        mapping[spelling_key(label)] = value
    return mapping


def spelling_key(text):
    return re.sub(r"\s+", "", normalise_text(text)).upper()


GENDERS = label_map(choices.Gender.choices, {"男性": "M", "女性": "F"})
ETHNICITIES = label_map(choices.ETHNICITIES)
for _code, _label in choices.ETHNICITIES:
    if _label.endswith("族"):
        ETHNICITIES[spelling_key(_label[:-1])] = _code
ETHNICITIES[spelling_key("其他")] = "97"
AFFILIATIONS = label_map(choices.Affiliation.choices, choices.AFFILIATION_SYNONYMS)
EDUCATIONS = label_map(choices.Education.choices, choices.EDUCATION_SYNONYMS)
DEGREES = label_map(choices.Degree.choices, {
    "博士学位": "doctor", "硕士学位": "master", "学士学位": "bachelor", "无学位": "none", "没有": "none",
})
TIERS = label_map(choices.Tier.choices, {"县级": "county", "镇级": "town", "乡管": "town", "街道管": "town",
                                          "村级": "village", "社区管": "village"})
BOOLEANS = {spelling_key(k): v for k, v in {
    "是": True, "否": False, "Y": True, "N": False, "YES": True, "NO": False, "√": True, "✓": True, "×": False,
    "1": True, "0": False, "TRUE": True, "FALSE": False, "代表人士": True,
}.items()}


def choice(mapping, what, labels):
    def convert(raw):
        text = cell_text(raw)
        value = mapping.get(spelling_key(text))
        if value is None:
            raise CellError(f"无法识别的{what}“{text}”，应为{labels}")
        return value
    return convert


def limited_text(name):
    label, limit = TEXT_LIMITS[name]

    def convert(raw):
        text = cell_text(raw)
        if len(text) > limit:
            raise CellError(f"{label}不能超过{limit}个字（现有{len(text)}个字）")
        return text or None
    return convert


def boolean(raw):
    if isinstance(raw, bool):
        return raw
    text = cell_text(raw)
    value = BOOLEANS.get(spelling_key(text))
    if value is None:
        raise CellError(f"应填“是”或“否”，而不是“{text}”")
    return value


def phone(raw):
    """A 联系电话/电话/固定电话 column: a mobile number, or a landline with its area code."""
    value = normalize_phone(cell_text(raw))
    if not value:
        return None
    problem = phone_problem(value)
    if problem:
        raise CellError(f"{problem}（“{cell_text(raw)}”）")
    return value


def mobile(raw):
    """A 手机/手机号码 column: mobile numbers only (a landline belongs in a 电话 or 固定电话 column)."""
    value = normalize_phone(cell_text(raw))
    if not value:
        return None
    problem = mobile_problem(value)
    if problem:
        raise CellError(f"{problem}（“{cell_text(raw)}”）")
    return value


def id_number(raw, today=None):
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        raise CellError(NUMERIC_ID)
    value = normalize_id_number(cell_text(raw))
    if not value:
        return None
    problem = id_number_problem(value, today)
    if problem:
        raise CellError(problem)
    return value


def person_name(raw):
    parts = cell_text(raw).split()
    # "张 三" (a space typed for alignment) is 张三; Latin names keep single spaces.
    name = "".join(parts) if HAN.search("".join(parts)) else " ".join(parts)
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
                key = spelling_key(spelling)
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
        rest = spelling_key(text)
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
        return f"“{name}”" if spelling_key(name) == key else f"“{key}”（即“{name}”）"


def tags(raw):
    names = tuple(dict.fromkeys(t for t in SEPARATORS.split(cell_text(raw)) if t))
    too_long = [n for n in names if len(n) > 30]
    if too_long:
        raise CellError(f"标签“{too_long[0]}”超过30个字")
    return names or None


def cached(convert):
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




def work_and_position(raw):
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

