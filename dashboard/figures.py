"""What the dashboard shows (数据看板), computed from the metrics registry (core.metrics) only.

The dashboard is a list of sections, each a list of charts; every chart is built from registered figures,
always computed with the user (so only records the user may see count, totals included). A chart whose
figures are not registered is left out, and a section without charts with it: the duty-list section
(issue 6) appears by itself once the duties app registers `duties.completion_rate` and `duties.score`.

Adding a chart is adding an entry to SECTIONS: a `Chart` with a builder made by one of the builder
functions below (`breakdown`, `per_unit`, `by_month`, `per_type`, `ranking`). A builder returns a `Table`
(columns, rows, optionally the unit each row drills into and a footer row), which serves the chart, its
table and its Excel download alike.

Figures "by unit" show the children of the unit being looked at — the towns of a county, the villages of
a town (`Jurisdiction.children`). For counts (additive figures) the records of the unit itself and of its
other children (成员单位、园区 …) form one more row, the difference between the total and the rows shown,
so the rows always add up to the total.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from core import metrics
from core.metrics import Period

from .jurisdiction import residual_label


def offered(period, today=None):
    """Whether the dashboard offers `period`: inside 2000 to next year, at most a year long."""
    today = today or timezone.localdate()
    return period.start.year >= 2000 and period.end.year <= today.year + 1 and period.days <= 366


@dataclass
class Table:
    columns: list
    rows: list
    drill: list | None = None  # per row: the id of the unit it drills into, or None
    footer: list | None = None  # a total row, shown in the table and the download, not in the chart
    note: str = ""


@dataclass(frozen=True)
class Series:
    """One plotted column of a chart's table."""

    column: int
    type: str = "bar"  # "bar" or "line"
    stack: str = ""
    axis: int = 0  # 1: the right-hand axis (percentages)


@dataclass(frozen=True)
class Chart:
    key: str  # stable: the Excel download's URL names it
    title: str
    kind: str  # "bar" (labels across), "hbar" (labels down, for long lists) or "pie"
    build: Callable  # (Calculator) -> Table | None (None: nothing to show here, e.g. no children)
    series: tuple = (Series(1),)
    note: str = ""
    limit: int = 0  # plot only the first `limit` rows (the table and the download have them all)

    @property
    def keys(self):
        return self.build.keys


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    icon: str
    charts: tuple
    # A deferred section is computed (and cached) on its own and loaded into the page after it: for figures
    # that take seconds (the duty lists' assessment), so that they do not hold up the rest of the dashboard.
    deferred: bool = False
    cards: tuple = ()  # headline figures shown at the top of a deferred section


@dataclass(frozen=True)
class Card:
    """A headline figure at the top of the dashboard."""

    key: str
    label: str
    hint: str = ""
    params: dict = field(default_factory=dict)


# --- computing ------------------------------------------------------------------------------------------


class Calculator:
    """Computes figures for one view (a unit or a whole jurisdiction, a period, a user), each figure once, over
    the records the user may `action` ("view" on the pages, "export" for a download)."""

    def __init__(self, jurisdiction, unit, period, today=None, action="view"):
        self.jurisdiction = jurisdiction
        self.user = jurisdiction.user
        self.action = action
        self.unit = unit
        self.units = jurisdiction.units_for(unit)
        self.period = period
        self.today = today or timezone.localdate()
        self._values = {}
        self._children = {}

    def value(self, key, units=None, period=None, **params):
        """The figure `key` for `units` (the view's by default) and `period` (the view's by default)."""
        units = self.units if units is None else tuple(units)
        period = period or self.period
        memo = (key, tuple(u.pk for u in units), period.start, period.end, tuple(sorted(params.items())))
        if memo not in self._values:
            self._values[memo] = plain(metrics.compute(key, units, period, user=self.user, action=self.action,
                                                       **params))
        return self._values[memo]

    def children(self, policy):
        if policy not in self._children:
            self._children[policy] = self.jurisdiction.children(self.unit, policy)
        return self._children[policy]


def plain(value):
    """A figure as JSON can carry it (a Decimal as a float; breakdowns item by item)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def rate(part, whole):
    return round(100 * part / whole, 1) if whole else None


def months_of(period, today):
    """The months of `period` (clipped to it) that have begun by `today`, as Periods labelled "3月"."""
    months = []
    year, month = period.start.year, period.start.month
    across_years = period.start.year != period.end.year
    while (year, month) <= (period.end.year, period.end.month):
        whole = Period.month(year, month)
        start, end = max(whole.start, period.start), min(whole.end, period.end)
        if start > today:
            break
        label = f"{year}年{month}月" if across_years else f"{month}月"
        months.append(Period(start, end, label, f"{start.isoformat()}~{end.isoformat()}"))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


# --- builders: each returns build(calc) -> Table, with the figure keys it needs as `build.keys` --------


def _builder(keys, function):
    function.keys = tuple(keys)
    return function


def breakdown(key, header, value_header, *, skip_zero=False):
    """A breakdown figure ({code: number}) as rows [display name, number]."""

    def build(calc):
        figure = metrics.get(key)
        rows = [[label, number] for label, number in figure.rows(calc.value(key)) if number or not skip_zero]
        total = sum(n for _, n in rows if n)
        return Table([header, value_header], rows, footer=None if figure.unit == "%" else ["合计", total])

    return _builder([key], build)


def per_unit(columns, *, derived=(), policy="areas", additive=True):
    """One row per child unit: columns [(header, figure key)], then derived columns [(header, f(values))].

    Additive figures (counts) get a row for the unit's own records and its other children (the total minus
    the rows shown) and a total row; others (rates, scores) get the view's own figure as the footer.
    """

    def build(calc):
        shown, others = calc.children(policy)
        if not shown:
            return None
        rows, drill = [], []
        for unit in shown:
            values = [calc.value(key, (unit,)) for _, key in columns]
            if not additive and all(v is None for v in values):
                continue  # e.g. a unit no duty list assesses
            rows.append([unit.name, *values, *(f(values) for _, f in derived)])
            drill.append(unit.pk if calc.jurisdiction.covers(unit) else None)
        totals = [calc.value(key) for _, key in columns]
        if additive:
            rest = [total - sum(row[i + 1] or 0 for row in rows) for i, total in enumerate(totals)]
            if calc.unit is not None and any(rest):
                rows.append([residual_label(calc.unit, others), *rest, *(f(rest) for _, f in derived)])
                drill.append(None)
        footer = ["合计" if additive else "总体", *totals, *(f(totals) for _, f in derived)]
        headers = [header for header, _ in columns] + [header for header, _ in derived]
        return Table(["单位", *headers], rows, drill, footer)

    return _builder([key for _, key in columns], build)


def ranking(key, header, *, policy="areas"):
    """Child units ranked by a figure (highest first, equal figures sharing a rank); units without the figure
    (not assessed) are left out."""

    def build(calc):
        shown, _ = calc.children(policy)
        if not shown:
            return None
        scored = [(unit, value) for unit in shown if (value := calc.value(key, (unit,))) is not None]
        scored.sort(key=lambda item: (-item[1], item[0].sort_order, item[0].name))
        rows, drill, rank, previous = [], [], 0, object()
        for position, (unit, value) in enumerate(scored, start=1):
            if value != previous:
                rank, previous = position, value
            rows.append([unit.name, value, rank])
            drill.append(unit.pk if calc.jurisdiction.covers(unit) else None)
        return Table(["单位", header, "名次"], rows, drill)

    return _builder([key], build)


def by_month(columns):
    """One row per month of the period (up to the current month): columns [(header, figure key)]."""

    def build(calc):
        months = months_of(calc.period, calc.today)
        rows = [[month.label, *(calc.value(key, period=month) for _, key in columns)] for month in months]
        footer = ["合计", *(calc.value(key) for _, key in columns)]
        return Table(["月份", *(header for header, _ in columns)], rows, footer=footer)

    return _builder([key for _, key in columns], build)


def per_type(types_key, expected_key, fulfilled_key):
    """Plan fulfilment by activity type: the types of the breakdown `types_key`, each with the occurrences
    its plans expected and those fulfilled (figures taking the parameter `activity_type`)."""

    def build(calc):
        rows = []
        for name in calc.value(types_key):
            expected = calc.value(expected_key, activity_type=name)
            if expected:
                fulfilled = calc.value(fulfilled_key, activity_type=name)
                rows.append([name, expected, fulfilled, rate(fulfilled, expected)])
        expected, fulfilled = calc.value(expected_key), calc.value(fulfilled_key)
        return Table(["活动类型", "应开展期次", "已开展期次", "完成率（%）"], rows,
                     footer=["合计", expected, fulfilled, rate(fulfilled, expected)])

    return _builder([types_key, expected_key, fulfilled_key], build)


# --- what the dashboard shows ---------------------------------------------------------------------------

FULFILMENT_NOTE = "完成率 = 已开展期次 ÷ 应开展期次；只计统计期内已到期（或已完成）的计划期次。"

CARDS = [
    Card("people.total", "在册统战成员", "截至期末"),
    Card("representatives.total", "党外代表人士", "发现、培养、认定"),
    Card("representatives.certified", "其中已认定", "截至期末"),
    Card("friendship.pairings", "结对联系", "期内在结对期"),
    Card("friendship.contacts", "联系次数", "期内"),
    Card("friendship.coverage_rate", "联系进度达标率", "截至期末或今日"),
    Card("activities.held", "开展活动", "期内"),
    Card("activities.fulfilment_rate", "活动计划完成率", "期内到期的计划期次"),
]

SECTIONS = [
    Section("people", "统战成员台账", "ti-users", (
        Chart("people_by_unit", "在册统战成员（按单位）", "hbar", per_unit([("在册人数", "people.total")]),
              note="点击镇街或村社可查看其看板。"),
        Chart("people_by_category", "在册统战成员（按类别）", "hbar",
              breakdown("people.by_category", "类别", "人数"), note="一人可属多类，各类人数之和可大于在册总数。"),
        Chart("people_by_tier", "在册统战成员（按管理层级）", "pie", breakdown("people.by_tier", "管理层级", "人数")),
        Chart("people_by_age_band", "在册统战成员（按年龄段）", "bar",
              breakdown("people.by_age_band", "年龄段", "人数"), note="年龄按统计期末计算。"),
        Chart("people_by_affiliation", "在册统战成员（按政治面貌）", "hbar",
              breakdown("people.by_affiliation", "政治面貌", "人数", skip_zero=True)),
    )),
    Section("representatives", "党外代表人士", "ti-award", (
        Chart("representatives_by_stage", "党外代表人士（按阶段）", "bar",
              breakdown("representatives.by_stage", "阶段", "人数"), note="按统计期末所处阶段，含已退出。"),
        Chart("representatives_by_level", "党外代表人士（按层级）", "pie",
              breakdown("representatives.by_level", "层级", "人数")),
        Chart("representatives_by_unit", "党外代表人士（按单位）", "hbar",
              per_unit([("代表人士", "representatives.total")])),
    )),
    Section("friendship", "联谊交友与联系覆盖", "ti-heart-handshake", (
        Chart("friendship_by_unit", "结对联系进度（按单位）", "hbar",
              per_unit([("结对数", "friendship.pairings"), ("进度正常", "friendship.pairings_on_track"),
                        ("进度落后", "friendship.pairings_behind")],
                       derived=[("进度达标率（%）", lambda v: rate(v[1], v[0]))]),
              series=(Series(2, stack="pairings"), Series(3, stack="pairings")),
              note="进度落后：当年联系次数少于按日期折算的应联系次数。"),
        Chart("friendship_contacts_by_form", "联系次数（按形式）", "pie",
              breakdown("friendship.contacts_by_form", "联系形式", "次数")),
        Chart("friendship_contacts_by_month", "联系次数（按月）", "bar",
              by_month([("联系次数", "friendship.contacts")]), series=(Series(1, type="line"),)),
    )),
    Section("activities", "活动开展", "ti-calendar-event", (
        Chart("activities_by_type", "开展活动（按类型）", "hbar", breakdown("activities.by_type", "活动类型", "次数")),
        Chart("activities_by_month", "开展活动（按月）", "bar", by_month([("开展活动", "activities.held")])),
        Chart("activities_by_unit", "开展活动（按单位）", "hbar", per_unit([("开展活动", "activities.held")])),
        Chart("activities_fulfilment_by_unit", "活动计划完成率（按单位）", "hbar",
              per_unit([("应开展期次", "activities.occurrences_expected"),
                        ("已开展期次", "activities.occurrences_fulfilled")],
                       derived=[("完成率（%）", lambda v: rate(v[1], v[0]))]),
              series=(Series(3, axis=1),), note=FULFILMENT_NOTE),
        Chart("activities_fulfilment_by_type", "活动计划完成率（按类型）", "bar",
              per_type("activities.by_type", "activities.occurrences_expected", "activities.occurrences_fulfilled"),
              series=(Series(3, axis=1),), note=FULFILMENT_NOTE),
    )),
    # Duty lists (职责清单, issue 6): shown once the duties app registers these figures. Deferred: assessing
    # every unit's list evaluates its rules (each a figure of its own) and takes seconds on a county.
    Section("duties", "职责清单与考核", "ti-clipboard-check", (
        Chart("duties_progress", "职责清单完成率（按单位）", "hbar",
              per_unit([("完成率（%）", "duties.completion_rate")], additive=False), series=(Series(1, axis=1),)),
        Chart("duties_ranking", "考核得分排名（按单位）", "hbar", ranking("duties.score", "得分", policy="areas")),
        Chart("duties_ranking_others", "考核得分排名（成员单位等）", "hbar",
              ranking("duties.score", "得分", policy="others"), limit=20),
    ), deferred=True, cards=(Card("duties.completion_rate", "职责清单完成率", "期内到期的考核事项"),)),
]

# The charts of the big screen (大屏), the first SCREEN_SIZE of them that are available, in this order.
SCREEN_CHARTS = ["people_by_unit", "people_by_category", "representatives_by_stage", "friendship_by_unit",
                 "activities_by_month", "duties_ranking", "activities_fulfilment_by_unit", "people_by_tier"]
SCREEN_SIZE = 6


def registered(keys, apps=None):
    """Whether the figures `keys` are all registered (and, given `apps`, all of those apps)."""
    for key in keys:
        try:
            figure = metrics.get(key)
        except LookupError:
            return False
        if apps is not None and figure.app not in apps:
            return False
    return True


def available_sections(apps=None):
    """[(section, [charts])] with the charts whose figures are all registered (and of `apps`, given);
    empty sections left out."""
    found = []
    for section in SECTIONS:
        charts = [chart for chart in section.charts if registered(chart.keys, apps)]
        if charts:
            found.append((section, charts))
    return found


def compute(jurisdiction, unit, period, today=None, part=None, action="view"):
    """The figures of the dashboard for `unit` (None: the whole jurisdiction) and `period`, as a plain dict
    (cacheable, JSON-serialisable): {"cards": [...], "sections": [...], "deferred": [...]}.

    `part` None: the headline figures and every section that is not deferred, with the deferred sections
    listed (key, title, icon) for the page to load; `part` the key of a deferred section: that section alone,
    its cards as "cards". `action`: whose records count — those the user may view, or export (a download).
    """
    calc = Calculator(jurisdiction, unit, period, today, action)
    available = available_sections(jurisdiction.apps)
    if part is None:
        card_specs = CARDS
        chosen = [(section, charts) for section, charts in available if not section.deferred]
    else:
        chosen = [(section, charts) for section, charts in available if section.deferred and section.key == part]
        if not chosen:
            raise LookupError(part)
        card_specs = chosen[0][0].cards
    cards = [card_payload(calc, card) for card in card_specs if registered([card.key], jurisdiction.apps)]
    sections = []
    for section, charts in chosen:
        built = []
        for chart in charts:
            table = chart.build(calc)
            if table is None:
                continue
            note = table.note or chart.note
            if chart.limit and len(table.rows) > chart.limit:
                note = f"图中为前{chart.limit}个，共{len(table.rows)}个，完整名单见表格或Excel。{note}"
            built.append({
                "key": chart.key, "title": chart.title, "kind": chart.kind, "note": note, "limit": chart.limit,
                "series": [vars(s) for s in chart.series], "columns": table.columns, "rows": table.rows,
                "drill": table.drill, "footer": table.footer,
            })
        if built or section.deferred:
            sections.append({"key": section.key, "title": section.title, "icon": section.icon, "charts": built})
    deferred = [{"key": s.key, "title": s.title, "icon": s.icon} for s, _ in available if s.deferred] \
        if part is None else []
    return {"cards": cards, "sections": sections, "deferred": deferred, "computed_at": timezone.now().isoformat()}


def card_payload(calc, card):
    figure = metrics.get(card.key)
    value = calc.value(card.key, **card.params)
    return {"key": card.key, "label": card.label, "hint": card.hint, "value": value, "unit": figure.unit,
            "text": figure.format(value).removesuffix(figure.unit) if value is not None else "—"}


def section_chart_keys(key):
    return [chart.key for section in SECTIONS if section.key == key for chart in section.charts]


def deferred_keys(apps=None):
    return [section.key for section, _ in available_sections(apps) if section.deferred]


def chart_apps(key):
    """The apps whose figures the chart `key` shows ("overview": the headline figures, a deferred section's
    included), or None when there is no such chart."""
    if key == "overview":
        keys = [card.key for card in CARDS] + [card.key for section in SECTIONS for card in section.cards]
    else:
        keys = next((chart.keys for section in SECTIONS for chart in section.charts if chart.key == key), None)
        if keys is None:
            return None
    return frozenset(k.split(".", 1)[0] for k in keys)


def find_chart(payload, key):
    """The computed chart `key` of a payload, or the headline figures as a table for "overview"."""
    if key == "overview":
        return {"key": "overview", "title": "主要指标", "columns": ["指标", "数值", "单位", "说明"],
                "rows": [[c["label"], c["value"], c["unit"], c["hint"]] for c in payload["cards"]],
                "footer": None, "note": ""}
    for section in payload["sections"]:
        for chart in section["charts"]:
            if chart["key"] == key:
                return chart
    return None


def has_figures(chart):
    """Whether a chart has anything to plot (a figure other than 0 or undefined)."""
    return any(row[series["column"]] for row in chart["rows"] for series in chart["series"])


def screen_charts(payload):
    """The big screen's charts: the first SCREEN_SIZE of SCREEN_CHARTS that have something to show."""
    charts = {c["key"]: c for s in payload["sections"] for c in s["charts"]}
    return [charts[key] for key in SCREEN_CHARTS if key in charts and has_figures(charts[key])][:SCREEN_SIZE]


__all__ = ["CARDS", "SECTIONS", "Calculator", "Card", "Chart", "Section", "Series", "Table", "compute"]
