"""The work report in Word (工作汇报一键生成): the figures of a unit and a period, woven into a .docx template.

Every figure comes from the metrics registry (core.metrics) for the unit's subtree and the period, as the
user sees the data (`user=None`: the whole subtree, for the command line and scheduled reports). Each headline
figure is also computed for the previous period (the year before, the quarter before) and compared.

`PLACEHOLDERS` is the one list of what a template may use ({placeholder: description}); the upload page shows
it and uploaded templates are checked against it (core.word.check_template). The default template is
report_templates/work_report.docx, built by report_templates/build_work_report.py.
"""

import datetime
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone

from core import metrics, word
from core.metrics import Period

DEFAULT_TEMPLATE = Path(__file__).resolve().parent / "report_templates" / "work_report.docx"

ROWS = "每行有 row.name（名称）、row.value（本期）、row.prev（上期）、row.trend（变化）、row.share（占比）"


@dataclass(frozen=True)
class Figure:
    """A headline figure: `name` in the template, read from the metric `key`; a rate is compared in
    percentage points, a count in percent."""

    name: str
    key: str
    description: str
    rate: bool = False
    params: tuple = ()


# The headline figures; each gives three placeholders: NAME (this period), NAME_prev and NAME_trend.
FIGURES = [
    Figure("people_total", "people.total", "在册统战成员人数（截至期末）"),
    Figure("people_added", "people.added", "本期新登记的统战成员人数"),
    Figure("people_left", "people.left", "本期调出、退出或去世的统战成员人数"),
    Figure("completeness_rate", "people.completeness_rate", "台账信息完整率（如“90.3%”）", rate=True),
    Figure("reps_total", "representatives.total", "党外代表人士人数（发现、培养、认定，截至期末）"),
    Figure("reps_certified", "representatives.certified", "其中已认定的党外代表人士人数（截至期末）"),
    Figure("reps_new_discovered", "representatives.newly_discovered", "本期新发现的党外代表人士人数"),
    Figure("reps_new_cultivated", "representatives.newly_cultivated", "本期新列入培养的党外代表人士人数"),
    Figure("reps_new_certified", "representatives.newly_certified", "本期新认定的党外代表人士人数"),
    Figure("reps_exited", "representatives.exited", "本期退出的党外代表人士人数"),
    Figure("pairings", "friendship.pairings", "本期结对联系（对）"),
    Figure("pairings_behind", "friendship.pairings_behind", "联系进度落后的结对（对，期末或截至今日）"),
    Figure("contacts", "friendship.contacts", "本期联系次数"),
    Figure("contact_rate", "friendship.contact_rate", "结对联系率：本年有联系记录的结对所占比例（如“85.0%”）",
           rate=True),
    Figure("coverage_rate", "friendship.coverage_rate", "结对联系进度达标率（如“82.5%”）", rate=True),
    Figure("follow_ups", "friendship.follow_ups", "联系中反映的问题（跟进事项）件数"),
    Figure("follow_ups_closed", "friendship.follow_ups_closed", "本期办结的跟进事项件数"),
    Figure("activities_held", "activities.held", "本期开展活动次数"),
    Figure("activities_participants", "activities.participants", "本期参加活动的台账人员人数（每人计一次）"),
    Figure("activities_headcount", "activities.headcount", "本期参加活动人次"),
    Figure("occurrences_expected", "activities.occurrences_expected", "活动计划应开展期次"),
    Figure("occurrences_fulfilled", "activities.occurrences_fulfilled", "活动计划已开展期次"),
    Figure("fulfilment_rate", "activities.fulfilment_rate", "活动计划完成率（如“85.9%”）", rate=True),
]

# The breakdowns, each a table (a list of rows): name -> (metric key, description, base figure of row.share).
TABLES = {
    "people_by_category": ("people.by_category", "表格：在册统战成员按类别（一人可属多类）", "people_total"),
    "people_by_tier": ("people.by_tier", "表格：在册统战成员按管理层级（县管、镇管、村管）", "people_total"),
    "reps_by_stage": ("representatives.by_stage", "表格：党外代表人士按阶段（发现、培养、认定、退出）", None),
    "reps_by_level": ("representatives.by_level", "表格：党外代表人士按层级（市级、县级、镇级）", "reps_total"),
    "contacts_by_form": ("friendship.contacts_by_form", "表格：联系次数按形式（走访、谈心谈话……）", "contacts"),
    "activities_by_type": ("activities.by_type", "表格：开展活动按类型", "activities_held"),
}

# The rows of the comparison table `trends`, in its order.
TREND_FIGURES = ["people_total", "people_added", "completeness_rate", "reps_total", "reps_certified",
                 "reps_new_certified", "pairings", "contacts", "contact_rate", "coverage_rate", "follow_ups",
                 "activities_held", "activities_headcount", "fulfilment_rate"]

DUTIES_APP = "duties"
# Duty-list figures (issue 6) with placeholders of their own; they appear only when the duties app registers
# them ("—" otherwise), and every registered duties.* figure is also a row of the table `duties_figures`.
DUTY_FIGURES = [
    Figure("duties_completion_rate", "duties.completion_rate", "职责清单完成率（如“92.5%”）", rate=True),
    Figure("duties_score", "duties.score", "职责清单考核得分（多个单位时为平均分）"),
    Figure("duties_items_overdue", "duties.items_overdue", "职责清单逾期事项数"),
]


def _placeholders():
    names = {
        "unit_name": "单位名称（如“示范县”“东溪镇”）",
        "period_label": "统计期间（如“2026年”“2026年第一季度”）",
        "period_start": "统计期间的第一天（如“2026年1月1日”）",
        "period_end": "统计期间的最后一天（如“2026年12月31日”）；期间未结束时，期末类数字截至今日",
        "previous_period_label": "对比的上一期间（如“2025年”“2025年第四季度”）",
        "report_date": "报告生成日期（如“2026年11月25日”）",
        "category_count": "有在册成员的统战成员类别数（如“建立11类……台账”中的11）",
    }
    for figure in FIGURES + DUTY_FIGURES:
        names[figure.name] = figure.description
        names[f"{figure.name}_prev"] = f"上一期间的{figure.description.split('（')[0]}"
        example = "上升2.5个百分点" if figure.rate else "增长12.5%"
        names[f"{figure.name}_trend"] = f"与上一期间相比的变化，如“{example}”“下降…”“持平”；上期为0时为“上期为0”"
    for name, (_, description, _) in TABLES.items():
        names[name] = f"{description}；{ROWS}"
    rows = ROWS.replace("、row.share（占比）", "")
    names["trends"] = f"表格：主要指标与上一期间对比；{rows}"
    names["has_duties"] = ("是否有职责清单统计（考核督查模块登记了 duties.* 指标，且所选单位和期间有考核数据时为真）；"
                           "用 {%p if has_duties %} … {%p endif %} 包住职责清单部分，没有时整段不出现")
    names["duties_figures"] = f"表格：职责清单进度的各项指标（每个 duties.* 指标一行）；{rows}"
    return names


PLACEHOLDERS = _placeholders()


def previous_period(period):
    """The period a report compares with: the year before a year, the quarter before a quarter."""
    key = period.key
    if len(key) == 4:
        return Period.year(int(key) - 1)
    if "-Q" in key:
        year, quarter = int(key[:4]), int(key[-1])
        return Period.quarter(year - 1, 4) if quarter == 1 else Period.quarter(year, quarter - 1)
    if len(key) == 7:
        year, month = int(key[:4]), int(key[5:])
        return Period.month(year - 1, 12) if month == 1 else Period.month(year, month - 1)
    length = period.end - period.start
    end = period.start - datetime.timedelta(days=1)
    return Period.between(end - length, end)


def report_period(year, quarter=None):
    return Period.quarter(year, quarter) if quarter else Period.year(year)


def _day(date):
    return f"{date.year}年{date.month}月{date.day}日"


def percent(value):
    """A rate as printed: "85.9%", "—" when undefined."""
    if value is None:
        return "—"
    return f"{float(value):.1f}".removesuffix(".0") + "%"


def trend(current, previous, rate=False):
    """The change from `previous` to `current` in words: 增长/下降 x% for counts, 上升/下降 x个百分点 for rates."""
    if current is None or previous is None:
        return "—"
    if rate:
        change = round(float(current) - float(previous), 1)
        if change == 0:
            return "持平"
        return f"{'上升' if change > 0 else '下降'}{abs(change):.1f}个百分点".replace(".0个", "个")
    if current == previous:
        return "持平"
    if not previous:
        return "上期为0"
    change = round(100 * (current - previous) / previous, 1)
    text = f"{abs(change):.1f}".removesuffix(".0")
    return f"{'增长' if change > 0 else '下降'}{text}%"


def _share(value, base):
    return percent(round(100 * value / base, 1)) if base else "—"


def duty_metrics():
    """The duty-list figures registered by the duties app (issue 6), in registration order."""
    return metrics.all(DUTIES_APP)


def number(value):
    """A count or score as printed: 865, 85.5 (one decimal at most), "—" when undefined."""
    if value is None:
        return "—"
    if isinstance(value, int):
        return value
    return f"{float(value):.1f}".removesuffix(".0")


NEEDS_PARAMETER = object()


def _compute_optional(metric, unit, period, user, action):
    """`metric` (a core.metrics.Metric), computed without parameters; NEEDS_PARAMETER when it requires one (it
    raises TypeError then, by the registry's convention, e.g. activities.held_of_type)."""
    if not metric.params:
        return metric.compute(unit, period, user=user, action=action)
    try:
        return metric.compute(unit, period, user=user, action=action)
    except TypeError:
        return NEEDS_PARAMETER


def report_apps():
    """The apps whose figures a report holds (its headline figures, tables and duty-list figures)."""
    keys = [f.key for f in FIGURES + DUTY_FIGURES] + [key for key, _, _ in TABLES.values()]
    return frozenset(key.split(".", 1)[0] for key in keys)


def build_context(unit, period, user=None, today=None, action="view"):
    """The template context of the report of `unit`'s subtree for `period`, over the records `user` may `action`
    (a report downloaded from the site: "export")."""
    today = today or timezone.localdate()
    previous = previous_period(period)

    def compute(key, when):
        return metrics.compute(key, unit, when, user=user, action=action)

    context = {
        "unit_name": unit.name,
        "period_label": period.label,
        "period_start": _day(period.start),
        "period_end": _day(period.end),
        "previous_period_label": previous.label,
        "report_date": _day(today),
    }
    raw = {}

    def put(figure, current, before):
        raw[figure.name] = (current, before, figure.rate)
        show = percent if figure.rate else number
        context[figure.name] = show(current)
        context[f"{figure.name}_prev"] = show(before)
        context[f"{figure.name}_trend"] = trend(current, before, figure.rate)

    for figure in FIGURES:
        put(figure, compute(figure.key, period), compute(figure.key, previous))
    for name, (key, _, base_name) in TABLES.items():
        metric = metrics.get(key)
        current, before = compute(key, period), compute(key, previous)
        base = raw[base_name][0] if base_name else sum(current.values())
        labels = dict(metric.labels or {})
        codes = list(current) + [code for code in before if code not in current]
        context[name] = [
            {"name": str(labels.get(code, code)), "value": current.get(code, 0),
             "prev": before.get(code, 0), "trend": trend(current.get(code, 0), before.get(code, 0)),
             "share": _share(current.get(code, 0), base)}
            for code in codes
        ]
    context["category_count"] = sum(1 for row in context["people_by_category"] if row["value"])
    context["trends"] = [
        {"name": metrics.get(next(f.key for f in FIGURES if f.name == name)).label,
         "value": context[name], "prev": context[f"{name}_prev"], "trend": context[f"{name}_trend"]}
        for name in TREND_FIGURES
    ]
    duties = []
    for metric in duty_metrics():
        current = _compute_optional(metric, unit, period, user, action)
        before = _compute_optional(metric, unit, previous, user, action)
        if current is not NEEDS_PARAMETER and before is not NEEDS_PARAMETER:
            duties.append((metric, current, before))
    computed = {metric.key: (current, before) for metric, current, before in duties}
    for figure in DUTY_FIGURES:
        put(figure, *computed.get(figure.key, (None, None)))
    # Registered figures that are all undefined or zero (no published scheme covers the unit) show nothing.
    context["has_duties"] = any(current not in (None, 0, {}) for _, current, _ in duties)
    context["duties_figures"] = [
        {"name": metric.label, "value": metric.format(current), "prev": metric.format(before),
         "trend": "—" if metric.is_breakdown else trend(current, before, rate=metric.unit == "%")}
        for metric, current, before in duties
    ]
    return context


def active_template(unit):
    """The uploaded template in use for reports of `unit` (its county's active one), or None: the default."""
    from .models import ReportTemplate

    root_paths = [unit.path[:n] for n in range(unit.steplen, len(unit.path) + 1, unit.steplen)]
    return (ReportTemplate.objects.filter(is_active=True, unit__path__in=root_paths)
            .order_by("-unit__depth", "-uploaded_at").first())


def generate(unit, period, user=None, template=None, today=None, action="view"):
    """The report as .docx bytes, from `template` (a path, bytes or file; by default the unit's active uploaded
    template, else the built-in one). ValidationError (core.word) when the template cannot be rendered."""
    if template is None:
        uploaded = active_template(unit)
        template = uploaded.file if uploaded is not None else DEFAULT_TEMPLATE
    return word.render_docx(template, build_context(unit, period, user, today, action))


def filename(unit, period):
    return f"{unit.name}{period.label}统战工作情况汇报.docx"
