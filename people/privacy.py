"""What of a person a user may see. The ID number and the phone are masked, and the birth date is shown to
the month only ("1975年03月", the way paper ledgers record 出生年月), unless the person is inside the user's
`view_sensitive` scope. The day is hidden because with region (the mask), birth date and gender only the
500 sequence numbers of one day would be left of an ID number (see core.lookups).

One rule for pages, forms, lists and exports: `may_see_sensitive` for one person, `SensitiveScope` for many
rows, `birth_date_text` and `age` to render.
"""

import datetime

from .metrics import years_before
from .models import Person


class SensitiveScope:
    """`user`'s view_sensitive scope, checked in memory against people whose `owner_unit` is loaded (Person's
    scope rule, as `visible_to` applies it: the unit's subtree or the unit itself, or the record's creator)."""

    def __init__(self, user):
        self.user = user
        # Every record the user may view is inside it: one answer for the whole list (filters, sorting).
        self.everything = Person.objects.scope_includes(user, "view_sensitive", "view")

    def covers(self, person):
        return self.everything or Person.objects.permits(self.user, "view_sensitive", person)


def may_see_sensitive(user, person):
    """Whether `user` may see `person`'s sensitive fields: the birth day, and the ID number and phone on request."""
    return SensitiveScope(user).covers(person)


def may_reveal(user, person):
    """Whether `user` may reveal `person`'s ID number and phone in clear (typing their password again)."""
    return user.can("view_sensitive", person)


def birth_date_text(value, *, day, export=False, iso=False):
    """A birth date as the user may see it: with `day` "1975-03-15", else the month only — "1975年03月" on a
    page, "1975.03" in an export (the importer reads it back at month precision), "1975-03" in ISO form (the
    REST API)."""
    if value is None:
        return ""
    if day:
        return value.isoformat()
    if iso:
        return f"{value.year}-{value.month:02d}"
    if export:
        return f"{value.year}.{value.month:02d}"
    return f"{value.year}年{value.month:02d}月"


def age(value, *, day, today=None):
    """Age in whole years. Without `day` it is counted by month (one more year from the first of the birth
    month), so that watching it change from one day to the next does not give the birth day away."""
    if value is None:
        return None
    today = today or datetime.date.today()
    if day:
        return today.year - value.year - ((today.month, today.day) < (value.month, value.day))
    return today.year - value.year - (today.month < value.month)


def first_of_next_month(day):
    return datetime.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def born_by_age_q(prefix, years, *, at_least, day, today=None):
    """Keyword lookups for "aged at least / at most `years`" on `prefix`birth_date, by `age` with `day`."""
    today = today or datetime.date.today()
    anchor = years_before(today, years if at_least else years + 1)
    if day:
        return {f"{prefix}birth_date__lte" if at_least else f"{prefix}birth_date__gt": anchor}
    # By month: aged at least N from the first of the birth month, i.e. born before the next month began.
    bound = first_of_next_month(anchor)
    return {f"{prefix}birth_date__lt" if at_least else f"{prefix}birth_date__gte": bound}
