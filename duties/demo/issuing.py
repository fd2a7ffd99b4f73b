"""The documents of the demo duty lists: reminder letters and a progress notice, issued through duties.documents
as the pages would."""

import datetime

from core.demo import BEHIND_TOWNS

from ..documents import letters, notices
from ..periods import occurrences
from .items import MEMBER, QUARTER, TOWN, YEAR

NOTICE_AFTER_DAYS = 25
NOTICE_LAGGING_RATE = 60  # a member unit has three quarterly items: one missed is not yet "lagging"


def _working_day_before(calendar, day):
    while not calendar.is_working_day(day):
        day -= datetime.timedelta(days=1)
    return day


def issue_documents(scheme, generator, towns, users, today):
    """Two reminder letters (town02's 东溪镇 and the member unit most behind) and a notice for the last quarter
    over, issued by county_staff as the pages would."""
    staff = users.get("county_staff")
    calendar = generator.calendar
    letter_day = _working_day_before(calendar, max(datetime.date(scheme.year, 2, 1),
                                                   today - datetime.timedelta(days=12)))
    behind_towns = [towns[i] for i in BEHIND_TOWNS if i < len(towns)]
    members = [u for u in generator.members.values() if u.pk in generator.behind]
    found = letters.candidates(scheme, letter_day, [*behind_towns[:1], *members])
    chosen = [c for c in found if c.unit.type == TOWN][:1]
    others = sorted((c for c in found if c.unit.type == MEMBER), key=lambda c: (-len(c.overdue), c.unit.path))
    chosen += others[:1]
    for candidate in chosen:
        deadline = calendar.add_working_days(letter_day, letters.DEFAULT_DEADLINE_DAYS)
        letters.issue_letter(scheme, candidate, cutoff=letter_day, deadline=deadline, user=staff, today=letter_day)
    # A notice about a quarter comes once its items are due (most within ten working days of its end).
    after = datetime.timedelta(days=NOTICE_AFTER_DAYS)
    quarters = [o for o in occurrences(QUARTER, scheme.year) if o.end + after < today]
    period = quarters[-1] if quarters else occurrences(YEAR, scheme.year)[0]
    notice_day = _working_day_before(calendar, min(today, period.end + after))
    notices.issue_notice(scheme, period.key, lagging_rate=NOTICE_LAGGING_RATE, user=staff, today=notice_day)
    return f"{len(chosen)} 份提醒函，1 份通报"
