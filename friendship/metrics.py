"""Figures on pairings and contacts (联谊交友, 对口联系) for reports, the dashboard and the duty lists
(core.metrics). Registered when the app is ready (apps.py imports this module).

Everything is placed in the tree by the pairing's jurisdiction (`Pairing.owner_unit`): a contact or a
follow-up counts where its pairing belongs. With a user, only the records in that user's scope count (an
official with the "仅本人" scope: their own pairings). Coverage uses the pairings' own rule
(friendship.services: a pairing owes `contacts_per_year` pro rata by date, and is behind with fewer contacts
since 1 January), measured on the period's `as_of` day: its last day, or today while it is running. So the
figures of a past year are those of its 31 December, and "2026" this year is the coverage page's "today".
"""

from django.db.models import Count, Q

from core.metrics import metric

from .models import Contact, FollowUp, Pairing
from .services import BEHIND, with_progress

PAIRING_UNIT = "pairing__owner_unit"


def active_pairings(query):
    """Pairings running at some point of the period up to its `as_of` day."""
    period = query.period
    return query.records(Pairing).filter(start_date__lte=period.as_of()).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=period.start))


def progress(query):
    """The year's progress of the period's pairings on its `as_of` day (counts of pairings, behind, contacted).
    For a year, the pairings are those of the coverage page (services.active_in_year)."""
    return with_progress(active_pairings(query), query.period.as_of()).aggregate(
        pairings=Count("pk"), behind=Count("pk", filter=BEHIND), contacted=Count("pk", filter=Q(contacts_made__gt=0)),
    )


def _rate(part, whole):
    return round(100 * part / whole, 1) if whole else None


@metric("friendship.pairings", "结对联系（对）", unit="对")
def pairings(query):
    """Pairings running at some point of the period (up to today while it is running)."""
    return active_pairings(query).count()


@metric("friendship.contacts", "联系次数", unit="次")
def contacts(query):
    """Contacts dated in the period."""
    return query.records(Contact, PAIRING_UNIT).filter(query.period.q("date")).count()


@metric("friendship.contacts_by_form", "联系次数（按形式）", unit="次", labels=Contact.Form.choices)
def contacts_by_form(query):
    """Contacts dated in the period, by form (走访, 谈心谈话 …)."""
    counts = dict(query.records(Contact, PAIRING_UNIT).filter(query.period.q("date")).order_by()
                  .values_list("form").annotate(n=Count("pk")).values_list("form", "n"))
    return {code: counts.get(code, 0) for code in Contact.Form.values}


@metric("friendship.pairings_on_track", "联系进度正常的结对", unit="对")
def pairings_on_track(query):
    """Pairings with at least the contacts they owe pro rata, on the period's as_of day."""
    figures = progress(query)
    return figures["pairings"] - figures["behind"]


@metric("friendship.pairings_behind", "联系进度落后的结对", unit="对")
def pairings_behind(query):
    """Pairings with fewer contacts this year than they owe pro rata, on the period's as_of day."""
    return progress(query)["behind"]


@metric("friendship.coverage_rate", "结对联系进度达标率", unit="%")
def coverage_rate(query):
    """Pairings on track / the period's pairings, in percent (None without pairings)."""
    figures = progress(query)
    return _rate(figures["pairings"] - figures["behind"], figures["pairings"])


@metric("friendship.contact_rate", "结对联系率", unit="%")
def contact_rate(query):
    """Pairings with at least one contact this year (up to the as_of day) / the period's pairings, in percent."""
    figures = progress(query)
    return _rate(figures["contacted"], figures["pairings"])


@metric("friendship.follow_ups", "联系中反映的问题（跟进事项）", unit="件")
def follow_ups(query):
    """Follow-ups raised from contacts dated in the period."""
    return query.records(FollowUp, f"contact__{PAIRING_UNIT}").filter(query.period.q("contact__date")).count()


@metric("friendship.follow_ups_closed", "已办结的跟进事项", unit="件")
def follow_ups_closed(query):
    """Follow-ups closed (已办结) in the period."""
    return query.records(FollowUp, f"contact__{PAIRING_UNIT}").filter(
        status=FollowUp.Status.DONE).filter(query.period.q("closed_at")).count()
