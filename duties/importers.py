"""Importing a scheme's indicators from Excel (导入考核细则), all or nothing.

The columns are those of duties.exports (an exported scheme imports again); a title row above the header is
fine, the header is found among the first rows, and a few other spellings of the headers are accepted. Each row
is an item under the category in the first column; an empty category cell repeats the one above (merged
cells); a row with a category and no item text creates the category alone. Every problem is reported with its
row and column, and nothing is saved unless the whole file is right.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from core import metrics
from core.importing import (
    CellError,
    ImportFileError,
    Problem,
    cell_date,
    cell_int,
    cell_text,
    locate_table,
    open_workbook,
    records,
)
from org.models import Unit

from . import rules
from .exports import COLUMNS
from .models import Indicator
from .periods import Frequency

MAX_ITEMS = 2000
SYNONYMS = {
    "类别": ("指标类别", "一级指标", "考核类别", "类型"),
    "考核事项": ("指标内容", "考核内容", "二级指标", "考核指标", "事项", "内容"),
    "分值": ("分数", "满分"),
    "计分方式": ("评分方式", "考核方式"),
    "每次分值": ("每次得分",),
    "最低分": (),
    "佐证材料要求": ("佐证材料", "佐证要求"),
    "频次": ("频率",),
    "截止日期": ("完成时限", "截止时间"),
    "截止工作日数": ("工作日数",),
    "工作日起算": (),
    "适用范围": ("共性/个性", "类别（共性/个性）"),
    "适用单位类型": ("单位类型",),
    "适用单位": (),
    "自动取数指标": ("自动取数", "取数指标"),
    "取数参数": ("参数",),
    "比较方式": ("比较",),
    "达标值": ("阈值",),
    "建议得分": ("得分规则", "建议得分方式"),
}
# Model field → the column its errors are reported in.
FIELD_COLUMNS = {
    "text": "考核事项", "points": "分值", "method": "计分方式", "unit_points": "每次分值", "score_min": "最低分",
    "evidence_required": "佐证材料要求", "frequency": "频次", "deadline": "截止日期", "deadline_days": "截止工作日数",
    "deadline_anchor": "工作日起算", "applies_to": "适用范围", "unit_types": "适用单位类型", "units": "适用单位",
    "metric_key": "自动取数指标", "metric_params": "取数参数", "rule_comparison": "比较方式",
    "rule_threshold": "达标值", "rule_mapping": "建议得分", "parent": "类别",
}


def _choice_lookup(choices, extra=None):
    lookup = {}
    for code, label in choices:
        lookup[str(label)] = code
        lookup[str(code)] = code
    lookup.update(extra or {})
    return {_key(k): v for k, v in lookup.items()}


def _key(text):
    return re.sub(r"\s+", "", str(text)).casefold()


METHODS = _choice_lookup(Indicator.Method.choices, {
    "完成": "done", "完成制": "done", "完成未完成": "done", "按次": "per_occurrence", "按次数": "per_occurrence",
    "每次计分": "per_occurrence", "评分": "review", "打分": "review", "评审": "review", "扣分": "deduction",
    "加分": "bonus",
})
FREQUENCIES = _choice_lookup(Frequency.choices, {
    "月": "month", "月度": "month", "按月": "month", "季度": "quarter", "按季度": "quarter", "每季": "quarter",
    "半年": "half", "每半年": "half", "年": "year", "年度": "year", "每年": "year", "一次": "year",
    "一次性": "year", "全年": "year",
})
ANCHORS = _choice_lookup(Indicator.DeadlineAnchor.choices, {"期初": "start", "期末": "end", "期末起": "end"})
APPLICABILITY = _choice_lookup(Indicator.Applicability.choices)
COMPARISONS = _choice_lookup(Indicator.Comparison.choices, {">=": "gte", "<=": "lte", "＞": "gt", "＜": "lt",
                                                          "≧": "gte", "≦": "lte", "==": "eq", "＝": "eq"})
MAPPINGS = _choice_lookup(Indicator.Mapping.choices, {"达标": "threshold", "比例": "proportional",
                                                      "按比例": "proportional", "计次": "count"})
UNIT_TYPES = _choice_lookup(Unit.Type.choices, {"镇": "town", "街道": "town", "镇街道": "town", "村": "village",
                                                "社区": "village", "村社区": "village"})


@dataclass
class ImportResult:
    categories: int = 0
    items: int = 0
    problems: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.problems


def read_table(data):
    """The located table of an uploaded file (ImportFileError for a file that is not one)."""
    workbook = open_workbook(data)
    try:
        columns = {name: SYNONYMS.get(name, ()) for name in COLUMNS}
        return locate_table(workbook, columns, required=("类别", "考核事项"))
    finally:
        workbook.close()


class RowErrors(Exception):
    def __init__(self, problems):
        self.problems = problems


def import_indicators(scheme, data, *, replace=False):
    """Import the file's indicators into `scheme` (saved; with `replace`, its indicators are deleted first).

    Returns an ImportResult; when it has problems nothing was changed. Raises ImportFileError for a file that
    cannot be read at all.
    """
    table = read_table(data)
    rows = list(records(table))
    if not rows:
        raise ImportFileError("表格中没有考核事项。")
    if len(rows) > MAX_ITEMS:
        raise ImportFileError(f"一次最多导入{MAX_ITEMS}个考核事项，文件中有{len(rows)}行。")
    units = _unit_lookup(scheme)
    result = ImportResult()
    with transaction.atomic():
        if replace:
            scheme.indicators.all().delete()  # items go with their categories
        categories = {}
        current = None
        position = 0
        for number, values in rows:
            category_text = cell_text(values.get("类别"))
            if category_text:
                current = category_text
            elif current is None:
                result.problems.append(Problem(number, "类别", "不能为空（第一行须填写类别）。"))
                continue
            category = categories.get(current)
            if category is None:
                category = Indicator(scheme=scheme, text=current, sort_order=len(categories) + 1)
                if len(current) > 200:
                    result.problems.append(Problem(number, "类别", "类别名称过长（最多200字）。"))
                category.save()
                categories[current] = category
                result.categories += 1
            if not cell_text(values.get("考核事项")):
                if not category_text:
                    result.problems.append(Problem(number, "考核事项", "不能为空。"))
                continue
            position += 1
            try:
                item, item_units = _item(scheme, category, values, units, position)
            except RowErrors as errors:
                result.problems.extend(Problem(number, column, message) for column, message in errors.problems)
                continue
            item.save()
            item.units.set(item_units)
            result.items += 1
        if result.problems:
            transaction.set_rollback(True)
            result.categories = result.items = 0
    return result


def _decimal(value, *, required=False, minimum=Decimal(0)):
    text = cell_text(value).removesuffix("分").strip()
    if not text:
        if required:
            raise CellError("不能为空。")
        return None
    try:
        number = Decimal(text)
    except InvalidOperation as error:
        raise CellError("应为数字。") from error
    if not number.is_finite() or number < minimum:
        raise CellError(f"不能小于{minimum}。")
    if number != number.quantize(Decimal("0.01")):
        raise CellError("最多保留两位小数。")
    if number >= Decimal("100000"):
        raise CellError("数值过大。")
    return number


def _choice(value, lookup, default, what):
    text = cell_text(value)
    if not text:
        return default
    found = lookup.get(_key(text))
    if found is None:
        raise CellError(f"“{text}”不是有效的{what}。")
    return found


def _unit_lookup(scheme):
    """{name or short name or division code: [units]} of the active units inside the county."""
    lookup = {}
    candidates = Unit.objects.filter(is_active=True)
    if scheme.owner_unit_id:
        candidates = candidates.filter(path__startswith=scheme.owner_unit.path)
    for unit in candidates:
        for key in {unit.name, unit.short_name, unit.division_code}:
            if key:
                lookup.setdefault(key, []).append(unit)
    return lookup


def _metric_key(text):
    if not text:
        return ""
    try:
        metrics.get(text)
        return text
    except LookupError:
        pass
    matches = [m.key for m in metrics.all() if m.label == text]
    return matches[0] if len(matches) == 1 else text  # an unknown key is reported by the model's check


def _item(scheme, category, values, units, position):
    """An unsaved item and its units from one row; RowErrors([(column, message)]) when something is wrong."""
    problems = []
    fields = {}

    def read(column, convert):
        try:
            return convert(values.get(column))
        except CellError as error:
            problems.append((column, str(error)))
            return None

    fields["text"] = cell_text(values.get("考核事项"))
    fields["points"] = read("分值", lambda v: _decimal(v, required=True))
    fields["method"] = read("计分方式", lambda v: _choice(v, METHODS, "done", "计分方式"))
    fields["unit_points"] = read("每次分值", _decimal)
    fields["score_min"] = read("最低分", _decimal) or Decimal(0)
    fields["evidence_required"] = cell_text(values.get("佐证材料要求"))
    fields["frequency"] = read("频次", lambda v: _choice(v, FREQUENCIES, "year", "频次"))
    fields["deadline"] = read("截止日期", lambda v: _deadline(v, scheme.year))
    fields["deadline_days"] = read("截止工作日数", lambda v: cell_int(v, minimum=0, maximum=365))
    fields["deadline_anchor"] = read("工作日起算", lambda v: _choice(v, ANCHORS, "start", "工作日起算方式"))
    fields["applies_to"] = read("适用范围", lambda v: _choice(v, APPLICABILITY, "common", "适用范围（共性/个性）"))
    fields["unit_types"] = read("适用单位类型", lambda v: [
        _choice(part, UNIT_TYPES, None, "单位类型") for part in _split(cell_text(v))])
    item_units = read("适用单位", lambda v: _units(cell_text(v), units)) or []
    fields["metric_key"] = _metric_key(cell_text(values.get("自动取数指标")))
    fields["metric_params"] = read("取数参数", lambda v: _params(cell_text(v), fields["metric_key"])) or {}
    fields["rule_comparison"] = read("比较方式", lambda v: _choice(v, COMPARISONS, "gte", "比较方式"))
    fields["rule_threshold"] = read("达标值", lambda v: _decimal(v, minimum=Decimal("-1e9")))
    fields["rule_mapping"] = read("建议得分", lambda v: _choice(v, MAPPINGS, "threshold", "建议得分方式"))
    if problems:
        raise RowErrors(problems)
    if fields["applies_to"] == Indicator.Applicability.SPECIFIC and not item_units:
        problems.append(("适用单位", "个性事项须填写适用单位。"))
    if fields["applies_to"] == Indicator.Applicability.COMMON and item_units:
        problems.append(("适用单位", "共性事项不填写适用单位（按单位类型适用）；要指定单位请将适用范围填为“个性”。"))
    item = Indicator(scheme=scheme, parent=category, sort_order=position, **fields)
    try:
        item.full_clean(exclude=["scheme", "parent"])
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            column = FIELD_COLUMNS.get(name, "")
            problems.extend((column, message) for message in messages)
    if problems:
        raise RowErrors(problems)
    return item, item_units


def _deadline(value, year):
    if not cell_text(value):
        return None
    day, precision = cell_date(value, earliest=2000, latest=2100)
    if precision != "day":
        raise CellError(f"须精确到日，例如“{year}-06-30”。")
    return day


def _split(text):
    return [part for part in re.split(r"[、,，;；\s]+", text) if part]


def _units(text, lookup):
    found = []
    for name in _split(text):
        matches = lookup.get(name, [])
        if not matches:
            raise CellError(f"找不到单位“{name}”。")
        if len(matches) > 1:
            raise CellError(f"单位“{name}”有重名，请改填区划代码。")
        found.append(matches[0])
    return found


def _params(text, key):
    try:
        return rules.parse_params(text.replace("；", "\n"), key)
    except ValueError as error:
        raise CellError(str(error)) from error
