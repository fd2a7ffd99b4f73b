"""Progress of pairings against their yearly quota (联系进度), computed in the database.

The rule: on day D of year Y, a pairing owes `floor(contacts_per_year × days / days_in_Y)` contacts, where
`days` counts the days of Y it has run so far, both ends included: from 1 January (or its start date, when it
started during Y) to D (or its end date, when it ended before D). A pairing is *behind* (进度落后) when it has
fewer contacts dated from 1 January to D than it owes. So a pairing of 2 contacts a year owes its first contact
from 2 July (1 July in a leap year) and its second on 31 December; one that started on 1 July owes one by the
year's end. On 1 January nothing is owed yet (1 × 2 / 365 rounds down to 0).

`with_progress(queryset, on)` adds three annotations to a Pairing queryset — `contacts_made`, `expected` and
`behind` — as SQL expressions (a correlated count and plain integer arithmetic on the dates), so a list of
pairings with their progress, filtered by it, or grouped by unit is one query whatever its length.
`expected_contacts(...)` is the same rule in Python, for one pairing and for tests.
"""

import calendar
import datetime
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, ExtractDay
from django.utils import timezone

from .models import Contact


def days_in_year(year):
    return 366 if calendar.isleap(year) else 365


def expected_contacts(contacts_per_year, start_date, end_date, on):
    """How many contacts a pairing owes on day `on` of its year (the rule above, in Python)."""
    year_start = datetime.date(on.year, 1, 1)
    begin = max(year_start, start_date)
    end = min(on, end_date) if end_date else on
    days = (end - begin).days + 1
    if days <= 0:
        return 0
    return contacts_per_year * days // days_in_year(on.year)


def _day_of_year(field, year):
    """The day of the year (1..366) of a date column whose date lies in `year`, in portable SQL: the days of
    the months before it (February of `year`, so leap years count) plus its day of the month."""
    before = [0]
    for month in range(1, 12):
        before.append(before[-1] + calendar.monthrange(year, month)[1])
    month_offset = Case(
        *[When(**{f"{field}__month": month}, then=Value(before[month - 1])) for month in range(2, 13)],
        default=Value(0), output_field=IntegerField(),
    )
    # EXTRACT gives a numeric on PostgreSQL: cast, so that the quota below divides integers (rounding down).
    return month_offset + Cast(ExtractDay(field), IntegerField())


def progress_expressions(on):
    """The annotations of `with_progress` for day `on` (a dict name -> expression)."""
    year_start = datetime.date(on.year, 1, 1)
    today = on.timetuple().tm_yday
    # Days of the year the pairing has run by `on`, both ends included (0 when it had not started or was over).
    begin = Case(When(start_date__lt=year_start, then=Value(1)), default=_day_of_year("start_date", on.year),
                 output_field=IntegerField())
    end = Case(When(end_date__lt=on, then=_day_of_year("end_date", on.year)), default=Value(today),
               output_field=IntegerField())
    days = Case(
        When(start_date__gt=on, then=Value(0)),
        When(end_date__lt=year_start, then=Value(0)),
        default=end - begin + Value(1),
        output_field=IntegerField(),
    )
    # Integer division of non-negative integers rounds down, on SQLite and PostgreSQL alike.
    expected = Case(
        When(start_date__gt=on, then=Value(0)),
        When(end_date__lt=year_start, then=Value(0)),
        default=F("contacts_per_year") * days / Value(days_in_year(on.year)),
        output_field=IntegerField(),
    )
    made = (
        Contact.objects.filter(pairing=OuterRef("pk"), date__gte=year_start, date__lte=on)
        .order_by().values("pairing").annotate(n=Count("pk")).values("n")[:1]
    )
    return {
        "contacts_made": Coalesce(Subquery(made, output_field=IntegerField()), Value(0)),
        "expected": expected,
    }


BEHIND = Q(contacts_made__lt=F("expected"))


def with_progress(queryset, on=None):
    """Pairings annotated with `contacts_made` (this year, up to `on`), `expected` (owed by `on`) and
    `behind` (True when fewer were made than owed). `on` defaults to today."""
    on = on or timezone.localdate()
    return queryset.annotate(**progress_expressions(on)).annotate(
        behind=Case(When(BEHIND, then=Value(True)), default=Value(False), output_field=BooleanField())
    )


def active_in_year(queryset, on=None):
    """Pairings running at some point between 1 January of `on`'s year and `on`."""
    on = on or timezone.localdate()
    return queryset.filter(start_date__lte=on).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=datetime.date(on.year, 1, 1))
    )


FIRST_YEAR = 2015


def year_choices():
    """The years the pages and the API offer, newest first (values as text, like a query string's)."""
    this_year = timezone.localdate().year
    return [(str(y), f"{y}年") for y in range(this_year, FIRST_YEAR - 1, -1)]


def chosen_year(value):
    """The year `value` (text, e.g. ?year=) if it is one offered, else None (this year)."""
    value = str(value or "")
    return int(value) if value in {y for y, _ in year_choices()} else None


def progress_date(year=None, today=None):
    """The day progress is measured on for `year`: today in the current year, 31 December of a past year,
    1 January of a future one."""
    today = today or timezone.localdate()
    if not year or int(year) == today.year:
        return today
    year = int(year)
    return datetime.date(year, 12, 31) if year < today.year else datetime.date(year, 1, 1)


# --- coverage by unit ------------------------------------------------------------------------------------

@dataclass
class CoverageRow:
    label: str
    unit: object = None
    pairings: int = 0
    behind: int = 0
    contacted: int = 0  # pairings with at least one contact this year
    contacts: int = 0
    expected: int = 0
    exact: bool = False  # the unit's own records only (the "本级" row)
    is_total: bool = False

    @property
    def on_track(self):
        return self.pairings - self.behind

    @property
    def contact_rate(self):
        """联系率: the share of pairings with at least one contact this year, in percent (None without pairings)."""
        return round(100 * self.contacted / self.pairings, 1) if self.pairings else None

    @property
    def on_track_rate(self):
        return round(100 * self.on_track / self.pairings, 1) if self.pairings else None


def coverage(queryset, rows, on=None):
    """Coverage figures for `rows` = [(label, unit, exact)] from the pairings of `queryset` active this year.

    A pairing falls in the first row whose unit contains its jurisdiction (the row's unit alone when `exact`,
    for the "本级" row). One query: the pairings are bucketed with a CASE on the unit path and grouped.
    Returns [CoverageRow, ..., total row].
    """
    on = on or timezone.localdate()
    buckets = []
    for index, (_label, unit, exact) in enumerate(rows):
        condition = Q(owner_unit__path=unit.path) if exact else Q(owner_unit__path__startswith=unit.path)
        buckets.append(When(condition, then=Value(index)))
    pairings = with_progress(active_in_year(queryset, on), on).annotate(
        bucket=Case(*buckets, default=Value(-1), output_field=IntegerField())
    ) if buckets else queryset.none()
    figures = {}
    if buckets:
        grouped = pairings.order_by().values("bucket").annotate(
            n=Count("pk"),
            n_behind=Count("pk", filter=BEHIND),
            n_contacted=Count("pk", filter=Q(contacts_made__gt=0)),
            n_contacts=Sum("contacts_made"),
            n_expected=Sum("expected"),
        )
        figures = {g["bucket"]: g for g in grouped}
    result = []
    total = CoverageRow("合计", is_total=True)
    # Pairings of the queryset outside every row (e.g. an official's pairing kept by another unit) make a
    # row of their own, so that the total is the total.
    labelled = [*((label, unit, exact, index) for index, (label, unit, exact) in enumerate(rows))]
    if figures.get(-1):
        labelled.append(("其他单位", None, False, -1))
    for label, unit, exact, index in labelled:
        g = figures.get(index, {})
        row = CoverageRow(
            label, unit, pairings=g.get("n", 0), behind=g.get("n_behind", 0), contacted=g.get("n_contacted", 0),
            contacts=g.get("n_contacts") or 0, expected=g.get("n_expected") or 0, exact=exact,
        )
        result.append(row)
        for name in ("pairings", "behind", "contacted", "contacts", "expected"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    result.append(total)
    return result
