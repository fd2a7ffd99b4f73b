"""What the representatives' pages do besides rendering: who may certify, the pipeline's steps, the
political arrangement read from the person's social positions, and term-end flags.

The stage of a representative changes only here (`change_stage`), always with a StageChange row, an
audit event and, for the ledger's "是否代表人士" flag, a history entry on the person (people.services).

Certification (认定) is at the representative's own level: moving a 县级 representative to 认定 needs
`certify_county` on Representative, and the record must lie inside that permission's data scope.
Changing the level of a representative who is already 认定 is a certification at the new level, so it
needs the certify permission for both the old and the new level (see `forms.RepresentativeEditForm`).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch

from core import audit
from core.models import AuditEvent
from people.choices import PositionKind, PositionLevel
from people.models import SocialPosition
from people.services import mark_representative

from .models import NEXT_STAGES, Cultivation, Level, Representative, Stage, StageChange

# Social positions that are a political arrangement (政治安排).
POLITICAL_KINDS = (PositionKind.NPC, PositionKind.CPPCC, PositionKind.SPECIAL)
TERM_WARNING_DAYS = 90
STAGE_LABELS = dict(Stage.choices)
LEVEL_LABELS = dict(Level.choices)
# Position levels as they prefix a title: 县级 + 政协委员 → 县政协委员.
POSITION_PREFIX = {
    PositionLevel.NATIONAL: "全国", PositionLevel.PROVINCE: "省", PositionLevel.CITY: "市",
    PositionLevel.COUNTY: "县", PositionLevel.TOWN: "镇",
}


def no_certify_message(level):
    return f"您没有认定{LEVEL_LABELS.get(level, level)}代表人士的权限"


def may_certify(user, representative, level=None):
    """Whether `user` may certify `representative` at `level` (its own level by default)."""
    action = Representative.certify_action(level or representative.level)
    return user.can(action, representative)


def next_stages(representative):
    return list(NEXT_STAGES.get(Stage(representative.stage), []))


def allowed_stages(user, representative):
    """The stages `user` may move `representative` to now: the pipeline's next steps, 认定 only with the
    certify permission at the representative's level."""
    stages = next_stages(representative)
    if Stage.CERTIFIED in stages and not may_certify(user, representative):
        stages.remove(Stage.CERTIFIED)
    return stages


def stage_problem(representative, stage, date, user, today=None):
    """Why `representative` cannot be moved to `stage` on `date` by `user`: (form field, message), or None."""
    today = today or datetime.date.today()
    current = representative.stage
    if stage not in next_stages(representative):
        return "stage", f"不能从“{STAGE_LABELS.get(current, current)}”变更为“{STAGE_LABELS.get(stage, stage)}”"
    if stage == Stage.CERTIFIED and not may_certify(user, representative):
        return "stage", no_certify_message(representative.level)
    if date > today:
        return "date", "日期不能晚于今天"
    if representative.stage_date and date < representative.stage_date:
        return "date", f"日期不能早于进入当前阶段的日期（{representative.stage_date:%Y-%m-%d}）"
    return None


def record_step(representative, stage, date, reason, user, level=None):
    return StageChange.objects.create(
        representative=representative, stage=stage, level=level or representative.level, date=date,
        reason=reason, created_by=user,
    )


def change_stage(representative, stage, date, reason, user):
    """Move `representative` to `stage` (checked again on the locked row), in one transaction with the
    StageChange, the audit event and the person's flag. Raises ValidationError with a Chinese message."""
    with transaction.atomic():
        rep = Representative.objects.select_for_update().select_related("person").get(pk=representative.pk)
        problem = stage_problem(rep, stage, date, user)
        if problem:
            raise ValidationError(problem[1])
        old = rep.stage
        step = record_step(rep, stage, date, reason, user)
        rep.stage, rep.stage_date, rep.updated_by = stage, date, user
        rep.save(update_fields=["stage", "stage_date", "updated_by", "updated_at"])
        audit.record(AuditEvent.Action.UPDATE, obj=rep, changes={
            "阶段": [STAGE_LABELS[old], STAGE_LABELS[stage]], "日期": date.isoformat(), "层级": LEVEL_LABELS[rep.level],
            "原因": reason,
        })
        if stage == Stage.EXITED:
            mark_representative(rep.person, user, False, f"代表人士退出：{reason}")
        elif old == Stage.EXITED:
            mark_representative(rep.person, user, True, f"重新列为代表人士：{reason}")
    representative.stage, representative.stage_date = rep.stage, rep.stage_date
    return step


# --- cultivations and assessments: kept on the representative, audited as its updates ------------------

def touch(representative, user):
    representative.updated_by = user
    representative.save(update_fields=["updated_by", "updated_at"])


def save_record(form, representative, user, values_before):
    """Save a valid cultivation or assessment form of `representative` (the page's and the API's one write):
    audited as an update of the representative, naming the record (new) or its changed fields against
    `values_before` (core.audit.snapshot of the record before the form was bound)."""
    creating = form.instance.pk is None
    verbose = form._meta.model._meta.verbose_name
    with transaction.atomic():
        record = form.save()
        changes = {"内容": str(record)} if creating else audit.field_changes(record, values_before, form.changed_data)
        audit.record(AuditEvent.Action.UPDATE, obj=representative,
                     changes={f"{'新增' if creating else '修改'}{verbose}": changes})
        touch(representative, user)
    return record


def complete_cultivation(cultivation, representative, user, today=None):
    """A planned cultivation marked done (its end date today unless one is set): True; False when it already
    was. Raises ValidationError when it starts after today."""
    if cultivation.status == Cultivation.Status.DONE:
        return False
    today = today or datetime.date.today()
    if cultivation.start_date and cultivation.start_date > today:
        raise ValidationError(f"“{cultivation}”的开始日期在今天之后，不能标记为已完成。")
    with transaction.atomic():
        cultivation.status = Cultivation.Status.DONE
        cultivation.end_date = cultivation.end_date or today
        cultivation.save(update_fields=["status", "end_date"])
        audit.record(AuditEvent.Action.UPDATE, obj=representative,
                     changes={"培养记录": {"内容": cultivation.title, "状态": ["计划", "已完成"]}})
        touch(representative, user)
    return True


def delete_record(record, representative, user):
    """Delete a cultivation or assessment, audited on the representative."""
    label, verbose = str(record), record._meta.verbose_name
    with transaction.atomic():
        record.delete()
        audit.record(AuditEvent.Action.UPDATE, obj=representative, changes={f"删除{verbose}": label})
        touch(representative, user)


# --- political arrangement (政治安排) -----------------------------------------------------------------

def position_title(position):
    """"县政协委员", "市人大代表", "全国政协常委" ..."""
    prefix = POSITION_PREFIX.get(position.level, "")
    title = position.title or position.get_kind_display()
    return title if title.startswith(prefix) else f"{prefix}{title}"


def term_flag(position, today=None):
    """"已届满" when the term has ended, "即将届满" when it ends within 90 days, else ""."""
    if position.term_end is None:
        return ""
    today = today or datetime.date.today()
    if position.term_end < today:
        return "已届满"
    if position.term_end <= today + datetime.timedelta(days=TERM_WARNING_DAYS):
        return "即将届满"
    return ""


def political_positions(positions):
    """The political arrangement among a person's positions (an iterable, e.g. a prefetched list)."""
    return [p for p in positions if p.kind in POLITICAL_KINDS]


def prefetch_political_positions():
    """Representatives' `person.positions` limited to the political arrangement (one query for a page)."""
    return Prefetch("person__positions", queryset=SocialPosition.objects.filter(kind__in=POLITICAL_KINDS))


def current_arrangement(positions, today=None):
    """The titles of the political arrangements still in term, e.g. "县政协委员、镇人大代表"."""
    today = today or datetime.date.today()
    titles = [position_title(p) for p in political_positions(positions) if p.term_end is None or p.term_end >= today]
    return "、".join(dict.fromkeys(titles))
