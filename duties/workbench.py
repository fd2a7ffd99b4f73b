"""The duty list on the workbench (core.workbench): whether the user's scope holds an assessed unit (the menu shows
the unit's list, letters and results only then), and the items of the user's own unit due this month."""

import operator
from functools import reduce
from urllib.parse import urlencode

from django.urls import reverse

from core.workbench import DueItem
from org.models import Unit

from .assessment import assess
from .models import ReminderLetter, Scheme, Submission

SENT = (Submission.Status.SUBMITTED, Submission.Status.PASSED)


def _schemes(year):
    return Scheme.objects.published().filter(year=year).select_related("owner_unit")


def has_assessed_unit(user):
    """Whether a published scheme (of any year: last year's results are read in January) assesses a unit of the
    user's scope: a village no scheme assesses has no duty list, no reminder letter and no result to read.

    Asked by several menu items on every page (directly and through `reads_letters`): answered once per request,
    kept on the user object as core.navigation keeps its answers, in two queries however many schemes."""
    if "_has_assessed_unit" not in user.__dict__:
        schemes = Scheme.objects.published().select_related("owner_unit")
        covered = reduce(operator.or_, (scheme.covered_units() for scheme in schemes), Unit.objects.none())
        user.__dict__["_has_assessed_unit"] = (covered & Submission.objects.units_in_scope(user)).exists()
    return user.__dict__["_has_assessed_unit"]


def reads_letters(user):
    """发函提醒 and 考核结果: county staff manage them; a unit reads its own, if a scheme assesses it."""
    return user.has_action(ReminderLetter, "manage") or has_assessed_unit(user)


def due_items(user, month):
    """The items of the user's own unit whose evidence is due this month and not yet submitted, when the user
    may submit for that unit. Other units of a town's or the county's scope have their progress page."""
    unit = user.unit
    if unit is None or not Submission.objects.unit_in_scope(user, "add", unit):
        return []
    found = []
    for scheme in _schemes(month.today.year):
        if not scheme.covers(unit):
            continue
        url = reverse("duties:unit_list") + "?" + urlencode({"year": scheme.year, "scheme": scheme.pk})
        for item in assess(scheme, unit, today=month.today, rules=False).items:
            for state in item.occurrences:
                if month.first_day <= state.due <= month.last_day and not state.done and state.status not in SENT:
                    found.append(DueItem(f"{state.indicator.text}（{state.occurrence.label}）", state.due, url))
    return found
