"""The dashboard (数据看板), its big-screen mode (大屏) and the Excel download of each chart.

Every page takes `unit` (a unit id: drill-down; the top of the user's jurisdiction by default) and `period`
(a core.metrics.Period key: "2026", "2026-Q3", "2026-03"; this year by default; the period form sends `year`
and `span` instead). A unit outside the user's jurisdiction is answered 404, like a unit that does not exist.
"""

import json
import re

from django.contrib import messages
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views import View
from django.views.generic import TemplateView

from core import cache as figure_cache
from core.exports import deny_export, export_xlsx
from core.metrics import QUARTERS, Period

from . import figures
from .jurisdiction import ROOT_LABEL, Jurisdiction

YEARS_BACK = 5
SPANS = [("", "全年")] + [(f"Q{q}", f"第{QUARTERS[q - 1]}季度") for q in range(1, 5)] + [
    (f"M{m:02d}", f"{m}月") for m in range(1, 13)]
REFRESH_SECONDS = 300  # the big screen reloads its figures this often


def chosen_period(request, today=None):
    """(period, error): the period the query string asks for, or this year with a message saying why not."""
    today = today or timezone.localdate()
    key = request.GET.get("period", "").strip()
    if not key and request.GET.get("year", "").strip():
        key = _key_from_form(request.GET.get("year", "").strip(), request.GET.get("span", "").strip())
    if not key:
        return Period.current_year(today), None
    shown = key if len(key) <= 30 else f"{key[:30]}…"
    try:
        period = Period.parse(key)
    except ValueError:
        return Period.current_year(today), (f"统计期间“{shown}”无效，应为年（如2026）、季度（如2026-Q3）或月"
                                            f"（如2026-03），已改为显示{today.year}年的数据。")
    if not figures.offered(period, today):
        return Period.current_year(today), (f"统计期间“{shown}”超出可选范围（2000年至明年，最长一年），"
                                            f"已改为显示{today.year}年的数据。")
    return period, None


def _key_from_form(year, span):
    if not re.fullmatch(r"\d{4}", year):
        return year or "?"  # Period.parse explains
    if re.fullmatch(r"Q[1-4]", span):
        return f"{year}-{span}"
    if re.fullmatch(r"M(0[1-9]|1[0-2])", span):
        return f"{year}-{span[1:]}"
    return year


def form_values(period):
    """(year, span) for the period form: what to preselect."""
    year = str(period.start.year)
    if re.fullmatch(r"\d{4}-Q[1-4]", period.key):
        return year, period.key[5:]
    if re.fullmatch(r"\d{4}-\d{2}", period.key):
        return year, f"M{period.key[5:]}"
    return year, ""


def payload_for(jurisdiction, unit, period, today=None, part=None, action="view"):
    """The dashboard's figures (`part`: a deferred section's) over the records the user may `action`, from the
    cache when the data has not changed (core.cache): one entry per (data scope, unit, period, part, day —
    figures "so far" move with the day). The data scope for `action`, not the action, names the entry: where a
    user may export what they may view, a download reuses the figures the page computed."""
    today = today or timezone.localdate()
    parts = (figure_cache.scope_key(jurisdiction.user, action), unit.pk if unit is not None else "top",
             [t.pk for t in jurisdiction.tops], period.start, period.end, today, part)
    return figure_cache.cached("dashboard", parts,
                               lambda: figures.compute(jurisdiction, unit, period, today, part=part, action=action))


def display(value):
    """A table cell: "—" for a figure that is undefined, one decimal for rates."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}".removesuffix(".0")
    return str(value)


def with_table(chart, drill_base):
    """A chart with its table as the template shows it: formatted cells, the drill-down link of each row."""
    drill = chart.get("drill") or [None] * len(chart["rows"])
    rows = [([display(cell) for cell in row], f"{drill_base}{target}" if target else None)
            for row, target in zip(chart["rows"], drill, strict=True)]
    footer = [display(cell) for cell in chart["footer"]] if chart.get("footer") else None
    return {**chart, "display_rows": rows, "display_footer": footer}


def tables(sections, drill_base):
    return [{**section, "charts": [with_table(chart, drill_base) for chart in section["charts"]]}
            for section in sections]


def chart_data(sections, drill_base):
    """What dashboard.js draws from: {"charts": {key: chart}, "drill_url": …}."""
    return {"charts": {c["key"]: c for s in sections for c in s["charts"]}, "drill_url": drill_base}


class DashboardMixin(AccessMixin):
    """Sign-in required; a user without any business data (e.g. the separated admin roles) gets 403."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.jurisdiction = Jurisdiction(request.user)
        if self.jurisdiction.is_empty:
            raise PermissionDenied
        self.unit = self.jurisdiction.resolve(request.GET.get("unit"))
        self.period, self.period_error = chosen_period(request)
        return super().dispatch(request, *args, **kwargs)

    @property
    def unit_label(self):
        return self.unit.name if self.unit is not None else ROOT_LABEL

    def query(self, unit=None, **extra):
        """The query string of a dashboard link: the period, and the unit when there is one."""
        values = {"period": self.period.key}
        if unit is not None:
            values["unit"] = unit.pk
        values.update(extra)
        return urlencode(values)

    def get_payload(self, part=None, action="view"):
        return payload_for(self.jurisdiction, self.unit, self.period, part=part, action=action)

    def full_payload(self, action="view"):
        """The page's figures and those of every deferred section, together (the big screen, downloads)."""
        payload = self.get_payload(action=action)
        cards, sections = list(payload["cards"]), list(payload["sections"])
        for deferred in payload["deferred"]:
            part = self.get_payload(deferred["key"], action)
            cards += part["cards"]
            sections += part["sections"]
        return {**payload, "cards": cards, "sections": sections, "deferred": []}

    def page_context(self, url_name, payload):
        base = reverse(url_name)
        trail = [(label, f"{base}?{self.query(unit)}") for label, unit in self.jurisdiction.trail(self.unit)]
        drill_base = f"{base}?{urlencode({'period': self.period.key})}&unit="
        return {
            "payload": payload, "sections": tables(payload["sections"], drill_base), "cards": payload["cards"],
            "deferred": payload["deferred"], "chart_data": chart_data(payload["sections"], drill_base),
            "unit": self.unit, "unit_label": self.unit_label, "period": self.period, "trail": trail,
            "querystring": self.query(self.unit), "downloadable": self.downloadable(payload["sections"]),
        }

    def downloadable(self, sections):
        """The keys of the charts (and "overview") among `sections` that the user may download."""
        keys = ["overview", *(chart["key"] for section in sections for chart in section["charts"])]
        return {key for key in keys if may_download(self.jurisdiction, key)}


class DashboardView(DashboardMixin, TemplateView):
    template_name = "dashboard/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.period_error:
            messages.warning(self.request, self.period_error)
        context.update(self.page_context("dashboard:index", self.get_payload()))
        year, span = form_values(self.period)
        this_year = timezone.localdate().year
        years = sorted({*range(this_year - YEARS_BACK, this_year + 1), int(year)}, reverse=True)
        context.update(year=year, span=span, years=[str(y) for y in years], spans=SPANS,
                       screen_url=f"{reverse('dashboard:screen')}?{self.query(self.unit)}")
        return context


class ScreenView(DashboardMixin, TemplateView):
    template_name = "dashboard/dashboard_screen.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.page_context("dashboard:screen", self.full_payload()))
        context.update(
            screen_charts=figures.screen_charts(context["payload"]), refresh_seconds=REFRESH_SECONDS,
            dashboard_url=f"{reverse('dashboard:index')}?{self.query(self.unit)}", period_error=self.period_error,
        )
        return context


class SectionView(DashboardMixin, TemplateView):
    """A deferred section (e.g. the duty lists), loaded into the dashboard after the page (htmx)."""

    template_name = "dashboard/dashboard_section.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if kwargs["key"] not in figures.deferred_keys(self.jurisdiction.apps):
            raise Http404("没有这个统计栏目。")
        payload = self.get_payload(kwargs["key"])
        drill_base = f"{reverse('dashboard:index')}?{urlencode({'period': self.period.key})}&unit="
        context.update(
            section=tables(payload["sections"], drill_base)[0], section_cards=payload["cards"],
            section_json=json.dumps(chart_data(payload["sections"], drill_base), ensure_ascii=False),
            querystring=self.query(self.unit), downloadable=self.downloadable(payload["sections"]),
        )
        return context


class ExportView(DashboardMixin, View):
    """One chart's table (or "overview": the headline figures) as an xlsx download, for a user who may export the
    records it counts, and counted over those records. Audited, refusals too."""

    def get(self, request, key):
        if figures.chart_apps(key) is None:
            raise Http404("没有这个统计图表。")
        if not may_download(self.jurisdiction, key):
            deny_export(f"数据看板：下载图表{key}", "dashboard")
        chart = self.find(key, "export")
        if chart is None:
            raise Http404("没有这个统计图表。")
        title = f"{chart['title']}（{self.unit_label}，{self.period.label}）"
        return export_xlsx(
            request, models=downloaded_models(self.jurisdiction, key), title=title, object_type="dashboard",
            label=f"数据看板：{title}", filename=f"{chart['title']}_{self.unit_label}_{self.period.label}",
            sheet=chart["title"], headers=chart["columns"], widths={chart["columns"][0]: 24},
            rows=chart["rows"] + ([chart["footer"]] if chart.get("footer") else []),
            appendix=[[f"说明：{chart['note']}"]] if chart.get("note") else [],
            changes={"图表": key, "单位": self.unit_label, "统计期间": self.period.label},
        )

    def find(self, key, action):
        """The chart `key`: among the page's charts, else a deferred section's; "overview" covers them all."""
        if key == "overview":
            return figures.find_chart(self.full_payload(action), key)
        payload = self.get_payload(action=action)
        chart = figures.find_chart(payload, key)
        for deferred in payload["deferred"]:
            if chart is None and key in figures.section_chart_keys(deferred["key"]):
                chart = figures.find_chart(self.get_payload(deferred["key"], action), key)
        return chart


def may_download(jurisdiction, key):
    """Whether the user may download the chart `key`: they may export the records of every app whose figures it
    shows them."""
    apps = (figures.chart_apps(key) or frozenset()) & jurisdiction.apps
    return bool(apps) and apps <= jurisdiction.exportable_apps


def downloaded_models(jurisdiction, key):
    """The models whose records the download of chart `key` counts for the user: those they may view in the apps
    of its figures (`may_download` has found them all exportable)."""
    apps = (figures.chart_apps(key) or frozenset()) & jurisdiction.apps
    return [m for m in jurisdiction.models if m._meta.app_label in apps and jurisdiction.user.has_action(m, "view")]
