"""Working days (工作日) by the Chinese holiday calendar, from the editable Holiday table.

A day is a working day when it is Monday to Friday and not a holiday, or when it is a weekend day marked as a
working day (调休上班). The table holds only the days that differ from the weekend rule. A year enters the table
the first time it is asked about: from chinese-calendar (the State Council's published arrangement) when the
library knows the year, weekends only otherwise — chinese-calendar 1.11 knows 2004–2026, and next year's
arrangement is announced late in the year. The system administrator edits the table on the 节假日 pages, which
say when a year is not from the official arrangement.

    is_working_day(date(2026, 10, 8))         # True  (国庆 2026: 1–7 October off)
    add_working_days(date(2026, 9, 30), 1)    # date(2026, 10, 8)
"""

import datetime
from functools import cache

from django.db import IntegrityError, transaction

from .models import CalendarYear, Holiday, Indicator
from .periods import Frequency

MAX_DAYS_SCANNED = 3660  # add_working_days gives up after ten years of days (a calendar without working days)


@cache
def _library():
    try:
        import chinese_calendar
    except ImportError:  # pragma: no cover - a pinned dependency
        return None
    return chinese_calendar


@cache
def official_years():
    """The years chinese-calendar knows the official arrangement of (range; empty without the library)."""
    library = _library()
    if library is None or not library.holidays:
        return range(0)
    return range(min(library.holidays).year, max(max(library.holidays), max(library.workdays)).year + 1)


def _chinese_name(english):
    library = _library()
    for holiday in library.Holiday:
        if holiday.value == english:
            return holiday.chinese
    return english or ""


def official_days(year):
    """{date: (is_workday, name)} of the official arrangement of `year` (chinese-calendar), {} if unknown."""
    if year not in official_years():
        return {}
    library = _library()
    days = {}
    for day, name in library.holidays.items():
        if day.year == year:
            days[day] = (False, _chinese_name(name))
    for day, name in library.workdays.items():
        if day.year == year and day.weekday() >= 5:
            days[day] = (True, _chinese_name(name))
    return dict(sorted(days.items()))


def seed_year(year, *, reset=False):
    """Enter `year` into the calendar (official arrangement or weekends only); days already in the table stay
    as they are. With `reset`, the year's rows are replaced by the official arrangement again, dropping the
    administrator's edits."""
    with transaction.atomic():
        existing = CalendarYear.objects.filter(year=year).first()
        if existing is not None and not reset:
            return existing
        days = official_days(year)
        source = CalendarYear.Source.OFFICIAL if days else CalendarYear.Source.WEEKENDS
        if reset:
            Holiday.objects.filter(date__year=year).delete()
        kept = set(Holiday.objects.filter(date__year=year).values_list("date", flat=True))  # entered by hand
        Holiday.objects.bulk_create([
            Holiday(date=day, is_workday=workday, name=name, is_official=True)
            for day, (workday, name) in days.items() if day not in kept
        ])
        if existing is None:
            return CalendarYear.objects.create(year=year, source=source)
        existing.source, existing.edited = source, False
        existing.save(update_fields=["source", "edited", "updated_at"])
        return existing


def ensure_year(year):
    """The CalendarYear of `year`, seeding it on first use (safe when two requests race to seed it)."""
    found = CalendarYear.objects.filter(year=year).first()
    if found is not None:
        return found
    try:
        return seed_year(year)
    except IntegrityError:
        return CalendarYear.objects.get(year=year)


def mark_edited(year):
    """Record that the administrator changed `year` (after an add, edit or delete of a Holiday row)."""
    ensure_year(year)
    CalendarYear.objects.filter(year=year).update(edited=True)


class WorkCalendar:
    """The working-day calendar, loading each year's exceptions once (one object per computation)."""

    def __init__(self):
        self._years = {}

    def exceptions(self, year):
        if year not in self._years:
            ensure_year(year)
            self._years[year] = dict(Holiday.objects.filter(date__year=year).values_list("date", "is_workday"))
        return self._years[year]

    def is_working_day(self, day):
        special = self.exceptions(day.year).get(day)
        if special is not None:
            return special
        return day.weekday() < 5

    def add_working_days(self, day, n):
        """The `n`-th working day after `day` (before it for negative `n`); `day` itself for 0."""
        if n == 0:
            return day
        step = datetime.timedelta(days=1 if n > 0 else -1)
        remaining = abs(n)
        current = day
        for _ in range(MAX_DAYS_SCANNED):
            current += step
            if self.is_working_day(current):
                remaining -= 1
                if remaining == 0:
                    return current
        raise ValueError(f"{day}之后{MAX_DAYS_SCANNED}天内没有足够的工作日，请检查节假日设置。")

    def working_days_between(self, start, end):
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        count = 0
        current = start
        while current < end:
            current += datetime.timedelta(days=1)
            count += self.is_working_day(current)
        return count


def is_working_day(day):
    return WorkCalendar().is_working_day(day)


def add_working_days(day, n, calendar=None):
    """The `n`-th working day after `day` (e.g. a deadline "10 working days after 1 October")."""
    return (calendar or WorkCalendar()).add_working_days(day, n)


def working_days_between(start, end):
    return WorkCalendar().working_days_between(start, end)


def due_date(indicator, occurrence, calendar=None):
    """The day the evidence of `indicator`'s `occurrence` is due: the fixed deadline, the N-th working day after
    the occurrence's first (or last) day, or the occurrence's last day. `calendar`: a WorkCalendar to share
    between many calls."""
    if indicator.deadline and indicator.frequency == Frequency.YEAR:
        return indicator.deadline
    if indicator.deadline_days is not None:
        anchor = occurrence.start if indicator.deadline_anchor == Indicator.DeadlineAnchor.START else occurrence.end
        return add_working_days(anchor, indicator.deadline_days, calendar)
    return occurrence.end
