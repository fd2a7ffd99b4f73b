"""Reminder letters (发函提醒): the units behind on the cut-off day, one numbered letter each with its Word
document, stored and sent to the unit's users."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core import audit, word
from core.models import AuditEvent
from core.notifications import notify

from ..assessment import assess_units
from ..models import ReminderLetter
from ..scoring import fmt
from ..workdays import WorkCalendar
from .common import TEMPLATES, day_text, issue_moment, issuer_name, user_name

DEFAULT_DEADLINE_DAYS = 5
PRESELECT_OVERDUE = 3  # the issuing page ticks the units with at least this many overdue occurrences


@dataclass
class Candidate:
    """A unit with occurrences overdue on the cut-off day, and the last letter it was sent under the scheme."""

    unit: object
    assessment: object
    overdue: list
    last_letter: ReminderLetter | None = None


def candidates(scheme, cutoff, units=None):
    """[Candidate] of the scheme's units (or `units`) with occurrences of scored items past their due date on
    `cutoff`, neither done nor awaiting review (UnitAssessment.overdue), in tree order."""
    units = scheme.covered_units() if units is None else units
    results = assess_units(scheme, units, today=cutoff)
    found = [Candidate(r.unit, r, r.overdue) for r in results if r.overdue]
    last = {}
    for letter in ReminderLetter.objects.filter(scheme=scheme, owner_unit__in=[c.unit.pk for c in found]) \
            .order_by("owner_unit_id", "-year", "-number"):
        last.setdefault(letter.owner_unit_id, letter)
    for candidate in found:
        candidate.last_letter = last.get(candidate.unit.pk)
    return found


def item_snapshot(state, cutoff):
    """What a letter says about one overdue occurrence (ReminderLetter.items_snapshot)."""
    indicator = state.indicator
    return {
        "indicator": indicator.pk,
        "category": indicator.parent.text if indicator.parent_id else "",
        "text": " ".join(indicator.text.split()),
        "period_key": state.period_key,
        "period": state.occurrence.label,
        "due": state.due.isoformat(),
        "status": state.status_label,
        "points": fmt(indicator.points),
        "scoring": indicator.scoring_text(),
        "cutoff": cutoff.isoformat(),
    }


def issue_letters(scheme, units, *, cutoff, days=DEFAULT_DEADLINE_DAYS, user=None, today=None):
    """One numbered letter to each of `units` that has overdue occurrences on `cutoff`; others are skipped.
    The deadline is the `days`-th working day after the day of issue (`today`). Returns the letters."""
    today = today or timezone.localdate()
    deadline = WorkCalendar().add_working_days(today, days)
    letters = []
    with transaction.atomic():
        for candidate in candidates(scheme, cutoff, units):
            letters.append(issue_letter(scheme, candidate, cutoff=cutoff, deadline=deadline, user=user,
                                        today=today))
    return letters


def issue_letter(scheme, candidate, *, cutoff, deadline, user=None, today=None):
    """Write, render, store and send one letter (inside the caller's transaction)."""
    today = today or timezone.localdate()
    unit = candidate.unit
    with transaction.atomic():
        letter = ReminderLetter.create_numbered(
            year=today.year, owner_unit=unit, scheme=scheme, deadline=deadline, sent_at=issue_moment(today),
            items_snapshot=[item_snapshot(state, cutoff) for state in candidate.overdue],
            created_by=user, updated_by=user,
        )
        letter.items.set({state.indicator.pk for state in candidate.overdue})
        store_letter_file(letter)
        notify_letter(letter)
        audit.record(AuditEvent.Action.CREATE, obj=letter, user=user, label=f"{letter.doc_number}（{unit.name}）",
                     changes={"收函单位": unit.name, "考核细则": str(scheme), "逾期事项": len(candidate.overdue),
                              "统计截止": cutoff.isoformat(), "整改期限": deadline.isoformat()})
    return letter


def letter_issue_date(letter):
    moment = letter.sent_at or letter.created_at
    return timezone.localtime(moment).date() if moment else timezone.localdate()


def letter_context(letter):
    """The template context of `letter`, from what it stored."""
    issued = letter_issue_date(letter)
    snapshot = list(letter.items_snapshot or [])
    cutoff = snapshot[0].get("cutoff") if snapshot and snapshot[0].get("cutoff") else issued.isoformat()
    items = [
        {"number": index, "category": item.get("category", ""), "text": item.get("text", ""),
         "period": item.get("period", ""), "due": day_text(item["due"]) if item.get("due") else "",
         "points": item.get("points", ""), "scoring": item.get("scoring", ""), "status": item.get("status", "")}
        for index, item in enumerate(snapshot, start=1)
    ]
    return {
        "issuer": issuer_name(letter.scheme.owner_unit),
        "issue_date": day_text(issued),
        "scheme_title": letter.scheme.title,
        "doc_number": letter.doc_number,
        "unit_name": letter.owner_unit.name,
        "cutoff_date": day_text(cutoff),
        "item_count": len(items),
        "items": items,
        "deadline": day_text(letter.deadline),
        "deadline_days": WorkCalendar().working_days_between(issued, letter.deadline),
        "contact_name": user_name(letter.created_by) or issuer_name(letter.scheme.owner_unit),
    }


def render_letter(letter):
    return word.render_docx(TEMPLATES["letter"], letter_context(letter))


def letter_filename(letter):
    return f"{letter.doc_number}_{letter.owner_unit.name}.docx"


def store_letter_file(letter):
    letter.file.save(f"统战提醒{letter.year}-{letter.number}号.docx", ContentFile(render_letter(letter)), save=False)
    letter.save(update_fields=["file"])


def letter_url(letter):
    return reverse("duties:reminderletter_detail", kwargs={"pk": letter.pk})


def notify_letter(letter):
    """Tell the addressee unit's users who may read the letter. Returns how many were notified."""
    unit = letter.owner_unit
    count = 0
    items = letter.items_snapshot or []
    body = (f"{letter.scheme.title}中有{len(items)}项工作逾期未完成，请于{day_text(letter.deadline)}前完成并报送"
            f"佐证材料。")
    for user in get_user_model().objects.filter(unit=unit, is_active=True).order_by("pk"):
        if ReminderLetter.objects.unit_in_scope(user, "view", unit):
            _, created = notify(user, f"提醒函 {letter.doc_number}：请抓紧落实职责清单事项", body, letter_url(letter),
                                key=f"duties-letter:{letter.pk}")
            count += created
    return count
