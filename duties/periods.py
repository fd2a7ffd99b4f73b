"""Occurrences of a duty item within a scheme year: one a month, a quarter, a half-year or the whole year.

An occurrence has a `key` ("2026-03", "2026-Q2", "2026-H1", "2026") — the `period_key` a Submission is stored
under — a Chinese label and its first and last day. `occurrence.period` is the matching core.metrics.Period,
so a rule's figure is computed over exactly the occurrence's days.
"""

import calendar
import datetime
import re
from dataclasses import dataclass

from django.db import models

from core.metrics import Period

QUARTER_NAMES = "一二三四"


class Frequency(models.TextChoices):
    MONTH = "month", "每月"
    QUARTER = "quarter", "每季度"
    HALF_YEAR = "half", "每半年"
    YEAR = "year", "每年（一次）"


class ReportingPeriod(models.TextChoices):
    """The periods a scheme reports progress for (通报、排名): 月度/季度/半年/年度."""

    MONTH = "month", "月度"
    QUARTER = "quarter", "季度"
    HALF_YEAR = "half", "半年"
    YEAR = "year", "年度"


MONTHS_PER_OCCURRENCE = {Frequency.MONTH: 1, Frequency.QUARTER: 3, Frequency.HALF_YEAR: 6, Frequency.YEAR: 12}


@dataclass(frozen=True)
class Occurrence:
    key: str
    label: str
    start: datetime.date
    end: datetime.date
    frequency: str

    @property
    def period(self):
        return Period(self.start, self.end, self.label, self.key if self.frequency != Frequency.HALF_YEAR else "")

    @property
    def year(self):
        return self.start.year

    def __str__(self):
        return self.label


def occurrence(frequency, year, number):
    """The `number`-th (1-based) occurrence of `frequency` in `year`."""
    months = MONTHS_PER_OCCURRENCE[frequency]
    count = 12 // months
    if not 1 <= number <= count:
        raise ValueError(f"{Frequency(frequency).label}在一年中只有{count}期：{number}")
    first = (number - 1) * months + 1
    last = first + months - 1
    start = datetime.date(year, first, 1)
    end = datetime.date(year, last, calendar.monthrange(year, last)[1])
    if frequency == Frequency.MONTH:
        key, label = f"{year}-{number:02d}", f"{year}年{number}月"
    elif frequency == Frequency.QUARTER:
        key, label = f"{year}-Q{number}", f"{year}年第{QUARTER_NAMES[number - 1]}季度"
    elif frequency == Frequency.HALF_YEAR:
        key, label = f"{year}-H{number}", f"{year}年{'上' if number == 1 else '下'}半年"
    else:
        key, label = f"{year}", f"{year}年"
    return Occurrence(key, label, start, end, str(frequency))


def occurrences(frequency, year):
    """Every occurrence of `frequency` in `year`, in order."""
    return [occurrence(frequency, year, n) for n in range(1, 12 // MONTHS_PER_OCCURRENCE[frequency] + 1)]


def occurrence_of(frequency, day):
    """The occurrence of `frequency` containing `day`."""
    number = (day.month - 1) // MONTHS_PER_OCCURRENCE[frequency] + 1
    return occurrence(frequency, day.year, number)


def occurrences_in(frequency, year, period):
    """The occurrences of `frequency` in `year` lying entirely inside `period` (a core.metrics.Period).

    As with activity plans, an occurrence only partly inside the period is left out: a quarterly item is not
    judged on a month, a yearly one not on a quarter.
    """
    return [o for o in occurrences(frequency, year) if o.start >= period.start and o.end <= period.end]


def parse_key(key):
    """The occurrence stored under `key` ("2026", "2026-Q3", "2026-H1", "2026-03"); ValueError otherwise."""
    text = (key or "").strip()
    if match := re.fullmatch(r"(\d{4})", text):
        return occurrence(Frequency.YEAR, int(match[1]), 1)
    if match := re.fullmatch(r"(\d{4})-Q([1-4])", text):
        return occurrence(Frequency.QUARTER, int(match[1]), int(match[2]))
    if match := re.fullmatch(r"(\d{4})-H([12])", text):
        return occurrence(Frequency.HALF_YEAR, int(match[1]), int(match[2]))
    if match := re.fullmatch(r"(\d{4})-(0[1-9]|1[0-2])", text):
        return occurrence(Frequency.MONTH, int(match[1]), int(match[2]))
    raise ValueError(f"期次“{text}”无效，应为年（2026）、半年（2026-H1）、季度（2026-Q3）或月（2026-03）。")


def reporting_periods(kinds, year):
    """The report periods of a scheme year for the given kinds (ReportingPeriod codes), as Occurrences."""
    result = []
    for kind in (ReportingPeriod.MONTH, ReportingPeriod.QUARTER, ReportingPeriod.HALF_YEAR, ReportingPeriod.YEAR):
        if kind in kinds:
            result.extend(occurrences(kind, year))
    return result
