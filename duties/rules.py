"""Automatic evidence (录入一次，处处可用): an indicator's rule over records already in the system.

A rule is a registered figure (core.metrics: `metric_key` + `metric_params`), a comparison with a threshold
("≥ 1"), and a mapping of the figure to a suggested score (`rule_mapping`):

- 达标得满分 (threshold): the comparison holds → done/review items earn their points, per-occurrence and bonus
  items one occurrence (unit_points); a deduction item takes unit_points when the comparison does NOT hold
  (the rule states the requirement, e.g. 落后结对 ≤ 0).
- 按完成比例得分 (proportional, for done/review items with ≥ or >): points × min(1, figure / threshold).
- 按数值计次 (count, for counted items): the figure is the number of occurrences, × unit_points (the item's
  cap applies later); with a threshold, "met" is the comparison, without one, figure > 0.

The rule is evaluated for each occurrence of the item (a quarterly item: each quarter) over the unit's subtree,
without a user: the assessment of a unit is not limited by who looks at it.

    evaluate(indicator, town, occurrence.period)   # RuleResult(figure=2, met=True, completion=1.0, …)
"""

import json
import operator
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from django.apps import apps
from django.urls import NoReverseMatch, reverse

from core import metrics
from core.metrics import Period
from core.text import is_number

from . import scoring
from .scoring import dec, fmt, money

COMPARE = {"gte": operator.ge, "gt": operator.gt, "lte": operator.le, "lt": operator.lt, "eq": operator.eq}
SIGNS = {"gte": "≥", "gt": ">", "lte": "≤", "lt": "<", "eq": "="}
THRESHOLD, PROPORTIONAL, COUNT = "threshold", "proportional", "count"


@dataclass(frozen=True)
class RuleSpec:
    metric_key: str
    params: dict
    comparison: str = "gte"
    threshold: Decimal | None = None
    mapping: str = THRESHOLD

    @classmethod
    def of(cls, indicator):
        return cls(indicator.metric_key, dict(indicator.metric_params or {}), indicator.rule_comparison,
                   dec(indicator.rule_threshold), indicator.rule_mapping)


@dataclass(frozen=True)
class RuleResult:
    """A rule's answer for one unit and period.

    figure: the metric's value (None when undefined, e.g. a rate over nothing); met: whether the comparison
    holds (None when it cannot be judged); completion: 0–1 (a ratio for proportional rules); suggested: the
    occurrence value the rule suggests (see scoring.resolve); text: the figure in words; records_url: a list
    page of the records counted (filtered by unit and period) where one is known; error: a Chinese message
    when the figure could not be computed.
    """

    figure: object = None
    met: bool | None = None
    completion: float | None = None
    suggested: Decimal | None = None
    text: str = ""
    records_url: str = ""
    error: str = ""


def judge(spec, rule, figure, *, label="", unit_label=""):
    """The RuleResult of `figure` for an item scored by `spec` (scoring.Spec) with `rule` (RuleSpec). Pure."""
    if figure is None:
        return RuleResult(None, None, None, None, f"{label}：暂无数据".lstrip("："))
    value = dec(figure)
    threshold = rule.threshold
    compare = COMPARE.get(rule.comparison, operator.ge)
    met = compare(value, threshold) if threshold is not None else value > 0
    points = spec.points
    unit_points = spec.unit_points or scoring.ZERO
    completion = 1.0 if met else 0.0
    if rule.mapping == PROPORTIONAL and threshold is not None and threshold > 0:
        ratio = min(Decimal(1), max(Decimal(0), value / threshold))
        completion = float(ratio)
        suggested = money(points * ratio)
    elif rule.mapping == COUNT:
        suggested = money(max(scoring.ZERO, value) * unit_points)
    elif spec.method == scoring.DEDUCTION:
        suggested = scoring.ZERO if met else money(unit_points)
    elif spec.is_counted:
        suggested = money(unit_points) if met else scoring.ZERO
    else:
        suggested = money(points) if met else scoring.ZERO
    requirement = f"（要求{SIGNS.get(rule.comparison, '≥')}{fmt(threshold)}）" if threshold is not None else ""
    text = f"{label}：{fmt(value)}{unit_label}{requirement}" if label else f"{fmt(value)}{unit_label}{requirement}"
    return RuleResult(figure, met, completion, suggested, text)


def evaluate(indicator, unit, period, *, user=None):
    """Evaluate `indicator`'s rule for `unit` (its subtree) over `period` (a core.metrics.Period, e.g. an
    occurrence's `.period`). Never raises for a bad rule: the result carries the error instead."""
    if not indicator.metric_key:
        return None
    rule = RuleSpec.of(indicator)
    try:
        metric = metrics.get(rule.metric_key)
        figure = metric.compute(unit, period, user=user, **rule.params)
    except (LookupError, TypeError, ValueError) as error:
        return RuleResult(error=f"自动取数失败：{error}", text="自动取数失败")
    if isinstance(figure, dict):
        return RuleResult(error="该统计指标是分类统计，不能用于考核规则。", text="自动取数失败")
    result = judge(scoring.Spec.of(indicator), rule, figure, label=metric.label, unit_label=metric.unit)
    return RuleResult(result.figure, result.met, result.completion, result.suggested, result.text,
                      records_url(rule.metric_key, unit, period, rule.params))


# --- validation and forms ---------------------------------------------------------------------------------


def metric_choices():
    """[(key, "label（key）")] of the figures a rule may use: plain numbers, not the duty lists' own."""
    return [(m.key, f"{m.label}（{m.key}）") for m in metrics.all()
            if not m.is_breakdown and not m.key.startswith("duties.")]


def rule_problems(indicator):
    """{field: Chinese message} of what is wrong with `indicator`'s rule ({} when it is fine or has none)."""
    key = indicator.metric_key
    if not key:
        return {}
    try:
        metric = metrics.get(key)
    except LookupError:
        return {"metric_key": f"未登记的统计指标：{key}"}
    if metric.is_breakdown:
        return {"metric_key": f"“{metric.label}”是分类统计，不能用于考核规则。"}
    if key.startswith("duties."):
        return {"metric_key": "考核指标不能引用职责清单自身的统计。"}
    errors = {}
    params = indicator.metric_params or {}
    if not isinstance(params, dict):
        return {"metric_params": "取数参数格式不正确。"}
    unknown = sorted(set(params) - set(metric.params))
    if unknown:
        allowed = "、".join(f"{k}（{v}）" for k, v in metric.params.items()) or "无"
        errors["metric_params"] = f"“{metric.label}”没有参数{'、'.join(unknown)}；可用参数：{allowed}。"
    mapping, method = indicator.rule_mapping, indicator.method
    threshold = indicator.rule_threshold
    if mapping in (THRESHOLD, PROPORTIONAL) and threshold is None:
        errors["rule_threshold"] = "请填写达标值。"
    if mapping == PROPORTIONAL:
        if method not in (scoring.DONE, scoring.REVIEW):
            errors["rule_mapping"] = "按完成比例得分只用于“完成/未完成”和“评审打分”事项。"
        elif indicator.rule_comparison not in ("gte", "gt") or (threshold is not None and threshold <= 0):
            errors["rule_mapping"] = "按完成比例得分须用“≥”或“>”且达标值大于0。"
    if mapping == COUNT and method not in scoring.COUNTED:
        errors["rule_mapping"] = "按数值计次只用于按次计分、加分项、扣分项。"
    if not errors:
        year = indicator.scheme.year if indicator.scheme_id else 2000
        try:  # a dry run over no unit: catches unknown activity types and the like, costs next to nothing
            metric.compute([], Period.year(year), **params)
        except (LookupError, TypeError, ValueError) as error:
            errors["metric_params"] = f"取数参数无效：{error}"
    return errors


def parse_params(text, metric_key=""):
    """Parameters typed as lines "名称=值" (the parameter's key or its display name) or as JSON → dict.
    ValueError with a Chinese message when they cannot be read."""
    text = (text or "").strip()
    if not text:
        return {}
    if text.startswith("{"):
        try:
            value = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(f"取数参数不是有效的 JSON：{error.msg}") from error
        if not isinstance(value, dict):
            raise ValueError("取数参数应为“名称=值”。")
        return value
    names = {}
    try:
        declared = metrics.get(metric_key).params if metric_key else {}
    except LookupError:
        declared = {}
    for key, label in declared.items():
        names[key] = key
        names[str(label)] = key
    result = {}
    for line in re.split(r"[\n;；]+", text):
        line = line.strip()
        if not line:
            continue
        match = re.fullmatch(r"([^=＝:：]+)[=＝:：](.*)", line)
        if not match:
            raise ValueError(f"取数参数“{line}”应写成“名称=值”。")
        name, value = match[1].strip(), match[2].strip()
        result[names.get(name, name)] = value
    return result


def params_text(params, metric_key=""):
    """The parameters as "显示名=值" lines (the inverse of parse_params)."""
    if not params:
        return ""
    try:
        declared = metrics.get(metric_key).params if metric_key else {}
    except LookupError:
        declared = {}
    return "\n".join(f"{declared.get(k, k)}={v}" for k, v in params.items())


# --- links to the records counted -------------------------------------------------------------------------

# Where the records behind a figure are listed: key or "<app>." prefix → (URL name, the list's date filters).
RECORD_LISTS = [
    ("activities.occurrences", "activities:plan_list", None),
    ("activities.fulfilment_rate", "activities:plan_list", None),
    ("activities.", "activities:activity_list", ("date_from", "date_to")),
    ("friendship.contacts", "friendship:contact_list", ("date_from", "date_to")),
    ("friendship.follow_ups", "friendship:followup_list", None),
    ("friendship.", "friendship:pairing_list", "year"),
    ("representatives.", "representatives:representative_list", None),
    ("people.", "people:person_list", None),
]


def records_url(key, unit, period, params=None):
    """A list page of the records `key` counts for `unit` and `period`, filtered as far as the list can be;
    "" when no list is known."""
    found = next(((name, dates) for prefix, name, dates in RECORD_LISTS if key.startswith(prefix)), None)
    if found is None:
        return ""
    url_name, dates = found
    try:
        url = reverse(url_name)
    except NoReverseMatch:
        return ""
    query = {}
    if unit is not None:
        query["unit"] = unit.pk
    if isinstance(dates, tuple):
        query[dates[0]], query[dates[1]] = period.start.isoformat(), period.end.isoformat()
    elif dates == "year" or url_name == "activities:plan_list":
        query["year"] = period.start.year
    activity_type = (params or {}).get("activity_type")
    if activity_type and key.startswith("activities."):
        type_id = _activity_type_id(activity_type)
        if type_id:
            query["activity_type"] = type_id
    return f"{url}?{urlencode(query)}"


def _activity_type_id(value):
    """The id of an activity type given by id or name (through the app registry: no import of activities)."""
    if is_number(str(value).strip()):
        return int(value)
    try:
        model = apps.get_model("activities", "ActivityType")
    except LookupError:
        return None
    return model.objects.filter(name=str(value).strip()).values_list("pk", flat=True).first()


def parse_threshold(value):
    try:
        return Decimal(str(value).strip()) if str(value).strip() else None
    except InvalidOperation as error:
        raise ValueError("达标值应为数字。") from error
