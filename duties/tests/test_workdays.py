"""Working days across 国庆 2026, from the holiday table seeded from chinese-calendar.

chinese-calendar 1.11 has for 2026: 国庆节 1–7 October off (3, 4 October fall on the weekend), Sunday 20 September
and Saturday 10 October working days (调休); 中秋 25–27 September off.
"""

import datetime

import pytest

from duties import workdays
from duties.models import CalendarYear, Holiday, Indicator
from duties.periods import Frequency, occurrence
from duties.workdays import WorkCalendar, add_working_days, due_date, is_working_day, working_days_between

pytestmark = pytest.mark.django_db

D = datetime.date


def test_national_day_2026_is_off_and_the_adjusted_saturday_works():
    for day in range(1, 8):
        assert not is_working_day(D(2026, 10, day)), day
    assert is_working_day(D(2026, 10, 8))  # Thursday after the holiday
    assert is_working_day(D(2026, 10, 9))
    assert is_working_day(D(2026, 10, 10))  # Saturday, 调休上班
    assert not is_working_day(D(2026, 10, 11))  # Sunday
    assert is_working_day(D(2026, 9, 20))  # Sunday, 调休上班
    assert not is_working_day(D(2026, 9, 25))  # 中秋 (Friday)
    assert is_working_day(D(2026, 9, 30))


def test_add_working_days_across_national_day():
    assert add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert add_working_days(D(2026, 9, 30), 2) == D(2026, 10, 9)
    assert add_working_days(D(2026, 9, 30), 3) == D(2026, 10, 10)  # the adjusted Saturday counts
    assert add_working_days(D(2026, 9, 30), 4) == D(2026, 10, 12)  # Sunday 11 is off
    assert add_working_days(D(2026, 10, 8), -1) == D(2026, 9, 30)
    assert add_working_days(D(2026, 10, 3), 0) == D(2026, 10, 3)
    assert working_days_between(D(2026, 9, 30), D(2026, 10, 12)) == 4


def test_add_working_days_counts_by_hand():
    # from Tue 29 Sep: 30 Sep (1), 8 Oct (2), 9 (3), 10 Sat (4), 12 (5), 13 (6), 14 (7), 15 (8), 16 (9), 19 (10)
    assert add_working_days(D(2026, 9, 29), 8) == D(2026, 10, 15)
    assert add_working_days(D(2026, 9, 29), 9) == D(2026, 10, 16)
    assert add_working_days(D(2026, 9, 29), 10) == D(2026, 10, 19)


def test_mid_autumn_2026():
    # Thu 24 Sep → Fri 25, Sat 26, Sun 27 off (中秋) → Mon 28
    assert add_working_days(D(2026, 9, 24), 1) == D(2026, 9, 28)
    # Fri 18 Sep → Sun 20 is a working day (调休)
    assert add_working_days(D(2026, 9, 18), 1) == D(2026, 9, 20)


def test_quarterly_deadline_in_working_days_after_the_quarter_starts(django_user_model):
    from duties.models import Scheme
    from org.testing import build_county

    org = build_county()
    scheme = Scheme.objects.create(year=2026, title="2026年度考核细则", owner_unit=org.county)
    category = Indicator.objects.create(scheme=scheme, text="基础工作")
    item = Indicator.objects.create(scheme=scheme, parent=category, text="季度报送", points=4,
                                    frequency=Frequency.QUARTER, deadline_days=5)
    q4 = occurrence(Frequency.QUARTER, 2026, 4)
    # 5 working days after 1 October: 8, 9, 10 (Sat, 调休), 12, 13 October
    assert due_date(item, q4) == D(2026, 10, 13)
    item.deadline_anchor = Indicator.DeadlineAnchor.END
    # 5 working days after 30 September (Q3's last day): 8, 9, 10, 12, 13 October as well
    assert due_date(item, occurrence(Frequency.QUARTER, 2026, 3)) == D(2026, 10, 13)
    item.deadline_days = None
    assert due_date(item, q4) == D(2026, 12, 31)


def test_year_seeded_from_official_calendar():
    year = workdays.ensure_year(2026)
    assert year.source == CalendarYear.Source.OFFICIAL
    national_day = Holiday.objects.get(date=D(2026, 10, 1))
    assert (national_day.is_workday, national_day.name, national_day.is_official) == (False, "国庆节", True)
    assert Holiday.objects.get(date=D(2026, 10, 10)).is_workday
    # seeding again changes nothing
    count = Holiday.objects.count()
    workdays.ensure_year(2026)
    assert Holiday.objects.count() == count


def test_year_unknown_to_chinese_calendar_is_weekends_only():
    assert 2027 not in workdays.official_years()
    year = workdays.ensure_year(2027)
    assert year.source == CalendarYear.Source.WEEKENDS
    assert not Holiday.objects.filter(date__year=2027).exists()
    assert is_working_day(D(2027, 10, 1))  # a Friday: no official arrangement known, so a working day
    assert not is_working_day(D(2027, 10, 2))  # Saturday
    # the administrator enters the holiday once it is announced
    Holiday.objects.create(date=D(2027, 10, 1), name="国庆节")
    workdays.mark_edited(2027)
    assert not is_working_day(D(2027, 10, 1))
    assert CalendarYear.objects.get(year=2027).edited


def test_reset_restores_the_official_arrangement():
    workdays.ensure_year(2026)
    Holiday.objects.filter(date=D(2026, 10, 7)).delete()
    workdays.mark_edited(2026)
    assert is_working_day(D(2026, 10, 7))
    workdays.seed_year(2026, reset=True)
    assert not is_working_day(D(2026, 10, 7))
    assert not CalendarYear.objects.get(year=2026).edited


def test_calendar_loads_each_year_once(django_assert_max_num_queries):
    workdays.ensure_year(2026)
    calendar = WorkCalendar()
    with django_assert_max_num_queries(2):
        for n in range(1, 60):
            calendar.add_working_days(D(2026, 9, 1), n)
