"""督查进度: the units × items matrix of a scheme for county staff (reviewers), with each unit's score so far and
completion rate, and its Excel export. Built on assessment.assess_units (one query for the submissions)."""

from dataclasses import dataclass, field

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from core.exports import deny_export, export_xlsx, query_filters
from core.text import is_number
from org.models import Unit

from .assessment import assess_units
from .models import Scheme, Submission
from .periods import parse_key, reporting_periods
from .scoring import fmt
from .submission_views import STATUS_COLOURS, SubmissionAccessMixin, calendar_note

Status = Submission.Status
AUTO, OVERDUE, NOT_APPLICABLE = "auto", "overdue", "na"
# A cell's state: a submission status, or "auto" (every occurrence done, by a rule without a passed submission).
STATE_LABELS = {**dict(Status.choices), AUTO: "自动取数达标"}
STATE_COLOURS = {**STATUS_COLOURS, AUTO: "teal"}
LEGEND = [Status.NOT_STARTED, Status.IN_PROGRESS, Status.SUBMITTED, Status.RETURNED, Status.PASSED, AUTO]
SORTS = {"": "单位顺序", "score": "得分从高到低", "completion": "完成率从高到低"}


@dataclass
class Column:
    indicator: object
    number: str

    @property
    def short(self):
        text = str(self.indicator)
        return text[:8] + ("…" if len(text) > 8 else "")


@dataclass
class Cell:
    state: str = NOT_APPLICABLE
    score: object = None
    overdue: bool = False
    title: str = ""
    url: str = ""

    @property
    def colour(self):
        return STATE_COLOURS.get(self.state, "")

    @property
    def label(self):
        return STATE_LABELS.get(self.state, "不适用")

    @property
    def score_text(self):
        return fmt(self.score) if self.score is not None else ""


@dataclass
class Row:
    unit: Unit
    result: object
    cells: list = field(default_factory=list)

    @property
    def total(self):
        return self.result.score.total

    @property
    def full_marks(self):
        return self.result.score.full_marks

    @property
    def percent(self):
        return self.result.score.percent

    @property
    def completion(self):
        return self.result.completion_rate

    @property
    def overdue(self):
        return len(self.result.overdue)

    def has(self, state):
        if state == OVERDUE:
            return any(c.overdue for c in self.cells)
        return any(c.state == state for c in self.cells)


def cell_state(item):
    """The state of one item of one unit over the period's occurrences (see STATE_LABELS)."""
    occurrences = item.occurrences
    statuses = [o.status for o in occurrences]
    if occurrences and all(o.done for o in occurrences):
        return Status.PASSED if Status.PASSED in statuses else AUTO
    for status in (Status.RETURNED, Status.SUBMITTED):
        if status in statuses:
            return status
    if Status.IN_PROGRESS in statuses or any(o.done for o in occurrences):
        return Status.IN_PROGRESS
    return Status.NOT_STARTED


def make_cell(item, unit, year):
    """The cell of one unit's item; its tooltip counts the occurrences by status ("已通过3、未开始1（逾期1）")."""
    counts = {}
    for occ in item.occurrences:
        label = "自动取数达标" if occ.done and occ.status != Status.PASSED else occ.status_label
        counts[label] = counts.get(label, 0) + 1
    overdue = sum(1 for o in item.occurrences if o.overdue)
    if len(item.occurrences) == 1:
        summary = next(iter(counts))
    else:
        summary = "、".join(f"{label}{n}" for label, n in counts.items())
    if overdue:
        summary += f"（逾期{overdue}）"
    score = item.score.score if item.score is not None else None
    url = (f"{reverse('duties:unit_list')}?year={year}&unit={unit.pk}&scheme={item.indicator.scheme_id}"
           f"#item-{item.indicator.pk}")
    return Cell(cell_state(item), score, bool(overdue), f"{summary}；得分{fmt(score)}", url)


def numbered_items(scheme):
    """[(indicator, "2.3")] of the scheme's items, numbered by category and position."""
    result, categories, position = [], {}, {}
    for indicator in scheme.items():
        number = categories.setdefault(indicator.parent_id, len(categories) + 1)
        position[indicator.parent_id] = position.get(indicator.parent_id, 0) + 1
        result.append((indicator, f"{number}.{position[indicator.parent_id]}"))
    return result


def period_choices(scheme):
    """[(key, label)]: the scheme year and its reporting periods."""
    choices = [(str(scheme.year), f"{scheme.year}年全年")]
    for occurrence in reporting_periods(scheme.periods or [], scheme.year):
        if occurrence.key != str(scheme.year):
            choices.append((occurrence.key, occurrence.label))
    return choices


def progress(user, scheme, period_key="", unit_type="", category="", state="", sort="", today=None, action="view"):
    """The matrix: (columns, rows, period) for the units of `scheme` whose submissions the user may `action`
    (an export counts only the units the user may export)."""
    try:
        period = parse_key(period_key).period if period_key else scheme.period
    except ValueError:
        period = scheme.period
    if not (scheme.period.start <= period.start and period.end <= scheme.period.end):
        period = scheme.period
    units = scheme.assessed_units_for(user, action)
    if unit_type:
        units = units.filter(type=unit_type)
    columns = [Column(indicator, number) for indicator, number in numbered_items(scheme)
               if (not category or str(indicator.parent_id) == str(category)) and indicator.occurrences(period)]
    results = assess_units(scheme, units, period, today=today)
    rows = []
    for result in results:
        items = {item.indicator.pk: item for item in result.items}
        row = Row(result.unit, result)
        for column in columns:
            item = items.get(column.indicator.pk)
            row.cells.append(make_cell(item, result.unit, scheme.year) if item is not None else Cell())
        rows.append(row)
    if state:
        rows = [r for r in rows if r.has(state)]
    if sort == "score":
        rows.sort(key=lambda r: -r.total)
    elif sort == "completion":
        rows.sort(key=lambda r: -(r.completion if r.completion is not None else -1))
    return columns, rows, period


class ProgressMixin(SubmissionAccessMixin):
    """For the reviewers (county staff): others get 403."""

    action = "review"

    def schemes(self):
        return list(Scheme.objects.visible_to(self.request.user).published().order_by("-year", "title"))

    def choose(self):
        get = self.request.GET
        schemes = self.schemes()
        scheme = None
        if is_number(get.get("scheme", "")):
            scheme = next((s for s in schemes if s.pk == int(get["scheme"])), None)
            if scheme is None:
                raise Http404
        scheme = scheme or next((s for s in schemes if s.year == timezone.localdate().year), None) \
            or (schemes[0] if schemes else None)
        options = {
            "period_key": get.get("period", ""),
            "unit_type": get.get("unit_type", "") if get.get("unit_type", "") in Unit.Type.values else "",
            "category": get.get("category", "") if is_number(get.get("category", "")) else "",
            "state": get.get("state", "") if get.get("state", "") in [*LEGEND, OVERDUE] else "",
            "sort": get.get("sort", "") if get.get("sort", "") in SORTS else "",
        }
        return schemes, scheme, options


class ProgressView(ProgressMixin, TemplateView):
    template_name = "duties/progress.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        schemes, scheme, options = self.choose()
        context.update(schemes=schemes, scheme=scheme, options=options, sorts=SORTS,
                       legend=[(s, STATE_LABELS[s], STATE_COLOURS[s]) for s in LEGEND],
                       states=[(s, STATE_LABELS[s]) for s in LEGEND] + [(OVERDUE, "有逾期事项")])
        if scheme is None:
            return context
        columns, rows, period = progress(self.request.user, scheme, **options)
        query = self.request.GET.copy()
        query.pop("sort", None)
        unit_types = scheme.covered_units().values_list("type", flat=True).distinct()
        context.update(
            columns=columns, rows=rows, period=period, periods=period_choices(scheme),
            categories=scheme.categories(), unit_types=[(t, Unit.Type(t).label) for t in sorted(set(unit_types))],
            sort_query=query.urlencode(), querystring=self.request.GET.urlencode(),
            can_export=self.request.user.has_action(Submission, "export"),
            calendar_note=calendar_note(scheme.year), today=timezone.localdate(),
            average=(sum(r.total for r in rows) / len(rows)) if rows else None,
        )
        return context


class ProgressExportView(ProgressMixin, View):
    def get(self, request, *args, **kwargs):
        if not request.user.has_action(Submission, "export"):
            deny_export("导出督查进度", Submission._meta.label)
        _, scheme, options = self.choose()
        if scheme is None:
            raise Http404
        columns, rows, period = progress(request.user, scheme, **options, action="export")
        return export_xlsx(
            request, models=[Submission], title=f"{scheme.title}督查进度",
            filename=f"督查进度_{scheme.title}_{period.label}", sheet="督查进度", widths={"单位": 24},
            headers=["单位", "单位类型", "总分", "满分", "得分率（%）", "完成率（%）", "逾期事项",
                     *[f"{c.number} {c.indicator}" for c in columns]],
            rows=([row.unit.name, row.unit.get_type_display(), float(row.total), float(row.full_marks), row.percent,
                   row.completion, row.overdue,
                   *[f"{c.label}（{c.score_text}分）" if c.state != NOT_APPLICABLE else "不适用" for c in row.cells]]
                  for row in rows),
            filters=query_filters(request.GET, ignored=()), notes=[f"统计期间：{period.label}"],
            changes={"单位数": len(rows)},
        )
