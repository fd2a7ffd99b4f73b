"""The cells of a scheme file (duties.importers): the spellings each column accepts and the converters, each
raising CellError with a Chinese message (the import framework names the row and the column)."""

import re
from decimal import Decimal, InvalidOperation

from core import metrics
from core.importing import CellError, cell_date, cell_text
from org.models import Unit

from . import rules
from .models import Indicator
from .periods import Frequency

# Model field → the column its errors are reported in.
FIELD_COLUMNS = {
    "text": "考核事项", "points": "分值", "method": "计分方式", "unit_points": "每次分值", "score_min": "最低分",
    "evidence_required": "佐证材料要求", "frequency": "频次", "deadline": "截止日期", "deadline_days": "截止工作日数",
    "deadline_anchor": "工作日起算", "applies_to": "适用范围", "unit_types": "适用单位类型", "units": "适用单位",
    "metric_key": "自动取数指标", "metric_params": "取数参数", "rule_comparison": "比较方式",
    "rule_threshold": "达标值", "rule_mapping": "建议得分", "parent": "类别",
}


def choice_lookup(choices, extra=None):
    lookup = {}
    for code, label in choices:
        lookup[str(label)] = code
        lookup[str(code)] = code
    lookup.update(extra or {})
    return {spelling_key(k): v for k, v in lookup.items()}


def spelling_key(text):
    return re.sub(r"\s+", "", str(text)).casefold()


METHODS = choice_lookup(Indicator.Method.choices, {
    "完成": "done", "完成制": "done", "完成未完成": "done", "按次": "per_occurrence", "按次数": "per_occurrence",
    "每次计分": "per_occurrence", "评分": "review", "打分": "review", "评审": "review", "扣分": "deduction",
    "加分": "bonus",
})
FREQUENCIES = choice_lookup(Frequency.choices, {
    "月": "month", "月度": "month", "按月": "month", "季度": "quarter", "按季度": "quarter", "每季": "quarter",
    "半年": "half", "每半年": "half", "年": "year", "年度": "year", "每年": "year", "一次": "year",
    "一次性": "year", "全年": "year",
})
ANCHORS = choice_lookup(Indicator.DeadlineAnchor.choices, {"期初": "start", "期末": "end", "期末起": "end"})
APPLICABILITY = choice_lookup(Indicator.Applicability.choices)
COMPARISONS = choice_lookup(Indicator.Comparison.choices, {">=": "gte", "<=": "lte", "＞": "gt", "＜": "lt",
                                                          "≧": "gte", "≦": "lte", "==": "eq", "＝": "eq"})
MAPPINGS = choice_lookup(Indicator.Mapping.choices, {"达标": "threshold", "比例": "proportional",
                                                      "按比例": "proportional", "计次": "count"})
UNIT_TYPES = choice_lookup(Unit.Type.choices, {"镇": "town", "街道": "town", "镇街道": "town", "村": "village",
                                                "社区": "village", "村社区": "village"})


def decimal(value, *, required=False, minimum=Decimal(0)):
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


def choice(value, lookup, default, what):
    text = cell_text(value)
    if not text:
        return default
    found = lookup.get(spelling_key(text))
    if found is None:
        raise CellError(f"“{text}”不是有效的{what}。")
    return found


def unit_lookup(scheme):
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


def metric_key(text):
    if not text:
        return ""
    try:
        metrics.get(text)
        return text
    except LookupError:
        pass
    matches = [m.key for m in metrics.all() if m.label == text]
    return matches[0] if len(matches) == 1 else text  # an unknown key is reported by the model's check


def deadline(value, year):
    if not cell_text(value):
        return None
    day, precision = cell_date(value, earliest=2000, latest=2100)
    if precision != "day":
        raise CellError(f"须精确到日，例如“{year}-06-30”。")
    if day.year != year:
        raise CellError(f"截止日期应在{year}年内。")
    return day


def split(text):
    return [part for part in re.split(r"[、,，;；\s]+", text) if part]


def units(text, lookup):
    found = []
    for name in split(text):
        matches = lookup.get(name, [])
        if not matches:
            raise CellError(f"找不到单位“{name}”。")
        if len(matches) > 1:
            raise CellError(f"单位“{name}”有重名，请改填区划代码。")
        found.append(matches[0])
    return found


def params(text, key):
    try:
        return rules.parse_params(text.replace("；", "\n"), key)
    except ValueError as error:
        raise CellError(str(error)) from error
