"""Figures over the REST API (/api/v1/figures/): any figure of the metrics registry (core.metrics), for a unit
and a period, counted as the dashboard counts it — over the records the token user may see, so a figure never
includes what the user could not open. Units are those the user's dashboard offers (dashboard.jurisdiction): any
other is 404, like a unit that does not exist.
"""

import re
from datetime import date
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError

from core import metrics
from core.api.errors import responses
from core.api.schemas import Ref
from core.metrics import Period

from .figures import offered, plain
from .jurisdiction import Jurisdiction, unit_model

router = Router(tags=["统计指标"])

Number = int | float
Value = Number | dict[str, Number | None] | None
CHINESE = re.compile(r"[\u4e00-\u9fff]")


class FigureInfo(Schema):
    """A registered figure. `params`: the query parameters it takes ({name: meaning}); `breakdown`: for a figure
    that is a breakdown, its codes and their names ({code: name}), else null."""

    key: str
    label: str
    measure: str
    app: str
    description: str
    params: dict[str, str]
    breakdown: dict[str, str] | None


class PeriodOut(Schema):
    key: str
    label: str
    start: date
    end: date


class BreakdownRow(Schema):
    code: str
    label: str
    value: Number | None


class ChildFigure(Schema):
    unit: Ref
    value: Value
    formatted: str


class FigureOut(Schema):
    """`value`: a number (null when undefined, e.g. a rate over nothing) or, for a breakdown, {code: number} with
    `rows` naming the codes; `formatted` as the reports print it. `scope`: the unit covered with everything below
    it (null: the user's whole jurisdiction). `children` (with `by=child`): the same figure for each child unit the
    dashboard's charts "by unit" show."""

    key: str
    label: str
    measure: str
    scope: Ref | None
    period: PeriodOut
    value: Value
    formatted: str
    rows: list[BreakdownRow] | None = None
    children: list[ChildFigure] | None = None


def _info(figure):
    return {"key": figure.key, "label": figure.label, "measure": figure.unit, "app": figure.app,
            "description": figure.description, "params": {k: str(v) for k, v in figure.params.items()},
            "breakdown": {str(k): str(v) for k, v in figure.labels.items()} if figure.is_breakdown else None}


def _jurisdiction(request):
    """The token user's dashboard jurisdiction; 403 for an account with no business data (the admin roles)."""
    jurisdiction = Jurisdiction(request.user)
    if jurisdiction.is_empty:
        raise PermissionDenied("您的账号没有可统计的业务数据范围。")
    return jurisdiction


@router.get("/", response=responses(list[FigureInfo]), summary="统计指标目录（指标登记表中的全部指标）")
def list_figures(request):
    _jurisdiction(request)
    return [_info(figure) for figure in metrics.all()]


@router.get("/{name}/", response=responses(FigureOut),
            summary="计算统计指标（按本人数据范围；unit=单位编号或区划代码，period=2026、2026-Q3、2026-03）",
            description="指标登记的参数（见指标目录的 params）以同名查询参数传入，例如 `activity_type=同心大讲堂`。"
                        "`by=child` 同时给出各下级单位的数值（与数据看板“按单位”图表相同的单位）。")
def compute_figure(request, name: str, unit: str | None = None, period: str | None = None,
                   by: Literal["child"] | None = None):
    jurisdiction = _jurisdiction(request)
    try:
        figure = metrics.get(name)
    except LookupError as error:
        raise Http404 from error
    scope = _unit(jurisdiction, unit)
    chosen = _period(period)
    params = {key: request.GET[key] for key in figure.params if request.GET.get(key, "") != ""}
    value = _compute(figure, jurisdiction.units_for(scope), chosen, request.user, params)
    result = {
        "key": figure.key, "label": figure.label, "measure": figure.unit, "period": chosen,
        "scope": {"id": scope.pk, "name": scope.name} if scope is not None else None,
        "value": value, "formatted": figure.format(value),
        "rows": _rows(figure, value) if isinstance(value, dict) else None,
    }
    if by == "child":  # the parameters were accepted by the figure above
        shown, _ = jurisdiction.children(scope, "areas")
        children = [(child, plain(child_value)) for child, child_value in metrics.by_unit(
            figure.key, shown, chosen, user=request.user, **params)]
        result["children"] = [{"unit": child, "value": value, "formatted": figure.format(value)}
                              for child, value in children]
    return result


def _rows(figure, breakdown):
    """A breakdown's codes with their names, in the order of the figure's rows (Metric.codes)."""
    return [{"code": str(code), "label": figure.label_of(code), "value": breakdown[code]}
            for code in figure.codes(breakdown)]


def _unit(jurisdiction, reference):
    """The unit named by an id or a division code, inside the jurisdiction; None (the whole jurisdiction, or its
    one top unit) when not given; 404 for anything else."""
    if reference in (None, ""):
        return jurisdiction.resolve(None)
    unit = unit_model().resolve(reference)
    if unit is None or not jurisdiction.covers(unit):
        raise Http404
    return unit


def _period(key):
    """This year when not given; 422 (in Chinese) for a period the dashboard would not offer."""
    today = timezone.localdate()
    if key in (None, ""):
        return Period.current_year(today)
    try:
        period = Period.parse(key)
    except ValueError as error:
        raise HttpError(422, str(error)) from error
    if not offered(period, today):
        raise HttpError(422, f"统计期间“{period.key}”超出可选范围（2000年至明年，最长一年）。")
    return period


def _compute(figure, units, period, user, params):
    """The figure as JSON carries it. A parameter the figure cannot use (an unknown activity type, a scheme that
    is not a number) is 422, in the figure's own words when it has them."""
    try:
        value = figure.compute(units, period, user=user, **params)
    except (LookupError, TypeError, ValueError) as error:
        if not params:
            raise
        message = str(error) if CHINESE.search(str(error)) else f"统计指标参数有误：{'、'.join(params)}。"
        raise HttpError(422, message) from error
    return plain(value)
