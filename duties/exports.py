"""A scheme as an Excel workbook (导出考核细则): one row per item, its category in the first column.

The same columns are read back by duties.importers, so an exported scheme, edited in Excel, imports again.
A category without items is a row with only the category.
"""

from core.excel import DropDowns, SheetWriter
from org.models import Unit

from . import rules
from .models import Indicator
from .periods import Frequency
from .scoring import fmt

COLUMNS = [
    "类别", "考核事项", "分值", "计分方式", "每次分值", "最低分", "佐证材料要求", "频次", "截止日期",
    "截止工作日数", "工作日起算", "适用范围", "适用单位类型", "适用单位", "自动取数指标", "取数参数", "比较方式",
    "达标值", "建议得分",
]
WIDTHS = {"类别": 16, "考核事项": 48, "佐证材料要求": 30, "适用单位": 24, "自动取数指标": 28, "取数参数": 24}
TYPE_LABELS = dict(Unit.Type.choices)


def _number(value):
    return fmt(value) if value is not None else ""


def item_row(category, item):
    return [
        category.text,
        item.text,
        _number(item.points),
        item.get_method_display(),
        _number(item.unit_points),
        _number(item.score_min) if item.method == Indicator.Method.REVIEW else "",
        item.evidence_required,
        item.get_frequency_display(),
        item.deadline.isoformat() if item.deadline else "",
        item.deadline_days if item.deadline_days is not None else "",
        item.get_deadline_anchor_display() if item.deadline_days is not None else "",
        item.get_applies_to_display(),
        "、".join(str(TYPE_LABELS.get(t, t)) for t in item.unit_types or []),
        "、".join(u.name for u in item.units.all()),
        item.metric_key,
        rules.params_text(item.metric_params, item.metric_key).replace("\n", "；"),
        item.get_rule_comparison_display() if item.metric_key else "",
        _number(item.rule_threshold) if item.metric_key else "",
        item.get_rule_mapping_display() if item.metric_key else "",
    ]


def scheme_rows(scheme):
    """The rows of the export, in tree order."""
    rows = []
    items = {}
    for item in scheme.items().prefetch_related("units"):
        items.setdefault(item.parent_id, []).append(item)
    for category in scheme.categories():
        children = items.get(category.pk, [])
        if not children:
            rows.append([category.text] + [""] * (len(COLUMNS) - 1))
        rows.extend(item_row(category, item) for item in children)
    return rows


def scheme_notes(scheme):
    """What the workbook's subtitle says of the scheme: year, units assessed, status."""
    coverage = "、".join([str(TYPE_LABELS.get(t, t)) for t in scheme.unit_types or []]
                        + [u.name for u in scheme.units.all()])
    return [f"年度：{scheme.year}", f"考核单位：{coverage or '—'}", f"状态：{scheme.get_status_display()}"]


def scheme_workbook(scheme, target, *, title, subtitle):
    """Write `scheme` to `target` under `title` and `subtitle` (core.exports.export_xlsx's); the row count."""
    writer = SheetWriter(target, "考核细则", COLUMNS, title=title, subtitle=subtitle,
                         text_columns=[COLUMNS.index("截止日期")], widths=WIDTHS)
    dropdowns = DropDowns(writer.workbook)
    first = writer.header_row + 1
    for column, values in [
        ("计分方式", Indicator.Method.labels),
        ("频次", Frequency.labels),
        ("工作日起算", Indicator.DeadlineAnchor.labels),
        ("适用范围", Indicator.Applicability.labels),
        ("比较方式", Indicator.Comparison.labels),
        ("建议得分", Indicator.Mapping.labels),
    ]:
        dropdowns.add(writer.sheet, COLUMNS.index(column), [str(v) for v in values], first_row=first,
                      last_row=first + 2000)
    for row in scheme_rows(scheme):
        writer.write_row(row)
    writer.close()
    return writer.count
