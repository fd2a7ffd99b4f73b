"""The duty lists' public surface (with duties.models): what the pages of 据单督查 and the REST API share.

- `may(user, action, unit)`: whether the user may view, add or change the submissions of a unit.
- `duty_list(user, year, unit, scheme)`: the year, unit and scheme a unit's list (我的职责清单) shows.
- `new_submission(user, indicator, unit, period)`: an item and period of a unit's list, to start (or its
  existing submission).
- `save_submission(submission, form, user, intent)`: store a unit's evidence (SubmissionForm), audited.
"""

import uuid
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core import audit
from core.models import AuditEvent
from core.text import is_number
from org.models import Unit

from .models import Indicator, Scheme, Submission, SubmissionAttachment, SubmissionLink, SubmissionStep
from .periods import parse_key

__all__ = ["DutyList", "duty_list", "listable_units", "may", "new_submission", "save_submission", "scheme_years"]

Status = Submission.Status


def may(user, action, unit):
    """Whether `user` may `action` ("view", "add", "change") submissions of `unit`."""
    return Submission.objects.unit_in_scope(user, action, unit)


def scheme_years():
    years = set(Scheme.objects.published().values_list("year", flat=True))
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)


def listable_units(user, year):
    """The units in the user's scope covered by a published scheme of `year`, in tree order."""
    ids = set()
    for scheme in Scheme.objects.published().filter(year=year).select_related("owner_unit"):
        ids.update(scheme.assessed_units_for(user).values_list("pk", flat=True))
    return list(Unit.objects.filter(pk__in=ids).order_by("path"))


@dataclass
class DutyList:
    """What a unit's list shows: `year` (of `years`), `unit` (of `units`, those the user may pick; None when the
    user must pick one), `scheme` (of `schemes`, the published schemes of the year covering the unit)."""

    year: int
    years: list
    units: list
    unit: Unit | None
    schemes: list
    scheme: Scheme | None


def duty_list(user, year="", unit="", scheme="", *, today=None):
    """The list asked for by the page's parameters (ids as text; empty: the default): a year without a
    published scheme is this year, no unit is the user's own (or the only one), no scheme the first. 404 for a
    unit outside the user's scope for submissions."""
    today = today or timezone.localdate()
    years = scheme_years()
    year = int(year) if is_number(str(year)) and int(year) in years else today.year
    units = listable_units(user, year)
    chosen = None
    if is_number(str(unit)):
        chosen = get_object_or_404(Unit, pk=int(unit))
        if not may(user, "view", chosen):
            raise Http404
    elif user.unit_id and any(u.pk == user.unit_id for u in units):
        chosen = next(u for u in units if u.pk == user.unit_id)
    elif len(units) == 1:
        chosen = units[0]
    schemes = [s for s in Scheme.objects.published().filter(year=year).select_related("owner_unit")
               if chosen is not None and s.covers(chosen)]
    picked = next((s for s in schemes if s.pk == int(scheme)), None) if is_number(str(scheme)) else None
    return DutyList(year, years, units, chosen, schemes, picked or (schemes[0] if schemes else None))


def new_submission(user, indicator, unit, period):
    """The submission of `unit` for the item `indicator` (ids) and the occurrence `period` (a key such as
    "2026-Q3"): the stored one when the unit has started it, else a new unsaved one. 404 for a unit outside the
    user's view scope, an item that is not on the unit's published list, or a period that is not the item's."""
    unit = get_object_or_404(Unit, pk=unit)
    if not may(user, "view", unit):
        raise Http404
    indicator = get_object_or_404(Indicator.objects.select_related("scheme", "parent"), pk=indicator,
                                  parent__isnull=False, scheme__status=Scheme.Status.PUBLISHED)
    try:
        occurrence = parse_key(period)
    except ValueError as error:
        raise Http404 from error
    if occurrence.frequency != indicator.frequency or occurrence.year != indicator.scheme.year \
            or not indicator.applies_to_unit(unit):
        raise Http404
    existing = Submission.objects.filter(indicator=indicator, owner_unit=unit, period_key=occurrence.key).first()
    return existing or Submission(indicator=indicator, owner_unit=unit, period_key=occurrence.key)


def save_submission(submission, form, user, intent):
    """Store the evidence of the form: text, files, links, removals; on submit the status and a step. Audited."""
    data = form.cleaned_data
    creating = submission.pk is None
    before = {} if creating else {"text": submission.text, "status": submission.get_status_display()}
    changes = {}
    with transaction.atomic():
        submission.text = (data.get("text") or "").strip()
        submission.updated_by = user
        if creating:
            submission.created_by = user
        if intent == "submit":
            submission.status = Status.SUBMITTED
            submission.submitted_at = timezone.now()
        else:
            submission.status = Status.IN_PROGRESS
        submission.clean()
        submission.save()
        removed_files = []
        remove = [int(pk) for pk in data.get("remove_attachments") or []]
        for attachment in submission.attachments.filter(pk__in=remove):
            removed_files.append(attachment.file)
            changes.setdefault("删除附件", []).append(attachment.name)
            attachment.delete()
        for upload in data.get("files") or []:
            original = Path(upload.name).name[:200]
            upload.name = uuid.uuid4().hex + Path(original).suffix.lower()
            SubmissionAttachment.objects.create(submission=submission, file=upload, name=original, size=upload.size,
                                                uploaded_by=user)
            changes.setdefault("上传附件", []).append(original)
        remove = [int(pk) for pk in data.get("remove_links") or []]
        for link in submission.links.filter(pk__in=remove):
            changes.setdefault("移除关联", []).append(link.label)
            link.delete()
        for record in data.get("records") or []:
            link = SubmissionLink.link(submission, record, user)
            changes.setdefault("关联记录", []).append(link.label)
        if intent == "submit":
            SubmissionStep.objects.create(submission=submission, action=SubmissionStep.Action.SUBMIT,
                                          status_after=submission.status, user=user)
        if not creating:
            for name, label, value in (("text", "完成情况", submission.text),
                                       ("status", "状态", submission.get_status_display())):
                if before[name] != value:
                    changes[label] = [before[name], value]
        audit.record(AuditEvent.Action.CREATE if creating else AuditEvent.Action.UPDATE, obj=submission,
                     changes=changes)
        transaction.on_commit(lambda: [f.storage.delete(f.name) for f in removed_files if f.name])
    return submission
