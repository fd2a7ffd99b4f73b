"""Ranking the units a scheme assesses, within their unit type, ties sharing a rank (1, 2, 2, 4): by progress
for the progress notices (通报), by total for the final results (按单考核) — which are then stored as FinalResult rows
(`finalise`, audited) and commended (`commend`, 表彰). Every figure comes from duties.assessment; the documents
(duties.documents) only lay out what is computed here.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core import audit
from core.models import AuditEvent

from .assessment import assess_units
from .models import FinalResult
from .scoring import ZERO, fmt, money


def type_order():
    from org.models import Unit

    return {code: index for index, code in enumerate(Unit.Type.values)}


def type_label(code):
    from org.models import Unit

    return str(Unit.Type(code).label) if code in Unit.Type.values else code


def competition_ranks(rows, key):
    """Rank `rows` (all of one group) by `key` descending: equal keys share a rank, the next rank skips
    (1, 2, 2, 4). Returns {id(row): rank}."""
    keys = [key(row) for row in rows]
    return {id(row): 1 + sum(1 for other in keys if other > k) for row, k in zip(rows, keys, strict=True)}


# --- progress (notices) ------------------------------------------------------------------------------------


def _missing(result):
    """The unit's occurrences due and not done (scored items), as "事项（期次，状态）" texts."""
    found = []
    for state in result.occurrence_states():
        if state.indicator.is_base and state.expected and not state.done:
            text = " ".join(state.indicator.text.split())
            found.append(f"{text}（{state.occurrence.label}，{state.status_label}）")
    return found


def _progress_key(row):
    """A notice ranks by completion rate, then by score."""
    rate = row["completion_rate"]
    return (-1 if rate is None else rate, Decimal(row["score"]) if row["score"] != "—" else ZERO)


def progress_rows(scheme, period, *, as_of, today):
    """One JSON-ready row per unit the scheme assesses with items in `period`: its progress, score, overdue and
    missing occurrences, judged on the `as_of` day."""
    results = [r for r in assess_units(scheme, scheme.covered_units(), period, as_of=as_of, today=today)
               if r.items]
    rows = []
    for result in results:
        unit = result.unit
        rows.append({
            "unit": unit.pk, "name": unit.name, "type": unit.type, "path": unit.path,
            "expected": result.expected, "passed": result.passed, "completion_rate": result.completion_rate,
            "score": fmt(result.score.total), "full_marks": fmt(result.score.full_marks),
            "overdue": len(result.overdue), "missing": _missing(result),
        })
    return rows


def rank_by_progress(rows):
    """[{"type", "label", "rows"}]: `rows` grouped by unit type (in type order), each row given its rank
    (row["rank"]) by completion rate then score within its group, sorted by rank and tree order."""
    order = type_order()
    groups = []
    for code in sorted({row["type"] for row in rows}, key=lambda c: order.get(c, 99)):
        members = [row for row in rows if row["type"] == code]
        ranks = competition_ranks(members, _progress_key)
        for row in members:
            row["rank"] = ranks[id(row)]
        members.sort(key=lambda row: (row["rank"], row["path"]))
        groups.append({"type": code, "label": type_label(code), "rows": members})
    return groups


# --- final results -----------------------------------------------------------------------------------------


@dataclass
class ResultRow:
    """A unit's computed result under a scheme (before or as it is finalised)."""

    unit: object
    automatic: Decimal = ZERO
    reviewed: Decimal = ZERO
    bonus: Decimal = ZERO
    deductions: Decimal = ZERO
    full_marks: Decimal = ZERO
    rank: int | None = None
    expected: int = 0
    passed: int = 0
    overdue: int = 0

    @property
    def group(self):
        return self.unit.type

    @property
    def group_label(self):
        return type_label(self.unit.type)

    @property
    def total(self):
        return self.automatic + self.reviewed + self.bonus - self.deductions

    @property
    def percent(self):
        return round(float(100 * self.total / self.full_marks), 1) if self.full_marks else None


def rank_results(rows):
    """Set each row's rank within its unit type by total (ties share a rank); returns the rows sorted by
    type, rank and tree order."""
    order = type_order()
    for code in {row.group for row in rows}:
        members = [row for row in rows if row.group == code]
        ranks = competition_ranks(members, lambda row: row.total)
        for row in members:
            row.rank = ranks[id(row)]
    return sorted(rows, key=lambda row: (order.get(row.group, 99), row.rank, row.unit.path))


def compute_results(scheme, today=None):
    """[ResultRow] of every unit the scheme assesses (with at least one item), ranked within unit type."""
    rows = []
    for result in assess_units(scheme, scheme.covered_units(), scheme.period, today=today):
        if not result.items:
            continue
        score = result.score
        rows.append(ResultRow(result.unit, money(score.automatic), money(score.reviewed), money(score.bonus),
                              money(score.deductions), money(score.full_marks), expected=result.expected,
                              passed=result.passed, overdue=len(result.overdue)))
    return rank_results(rows)


def _result_text(total, rank):
    return f"{fmt(total)}分，第{rank}名" if rank else f"{fmt(total)}分"


def finalise(scheme, user=None, today=None):
    """Store the computed results as the scheme's FinalResult rows: create, overwrite (commendations are kept),
    and delete the rows of units no longer assessed. One audit event lists what changed. Returns the rows."""
    rows = compute_results(scheme, today)
    now = timezone.now()
    with transaction.atomic():
        stored = FinalResult.objects.select_for_update(of=("self",)).filter(scheme=scheme).select_related("owner_unit")
        existing = {r.owner_unit_id: r for r in stored}
        first = not existing
        changes = {}
        for row in rows:
            values = {"automatic": row.automatic, "reviewed": row.reviewed, "bonus": row.bonus,
                      "deductions": row.deductions, "total": money(row.total), "full_marks": row.full_marks,
                      "rank": row.rank, "rank_group": row.group}
            result = existing.pop(row.unit.pk, None)
            if result is None:
                FinalResult.objects.create(scheme=scheme, owner_unit=row.unit, finalized_at=now, created_by=user,
                                           updated_by=user, **values)
                if not first:
                    changes[row.unit.name] = f"新增：{_result_text(row.total, row.rank)}"
                continue
            if any(getattr(result, name) != value for name, value in values.items()):
                changes[row.unit.name] = (f"{_result_text(result.total, result.rank)} → "
                                          f"{_result_text(row.total, row.rank)}")
            for name, value in values.items():
                setattr(result, name, value)
            result.finalized_at, result.updated_by = now, user
            result.save()
        for result in existing.values():
            changes[result.owner_unit.name] = "不再纳入考核，已删除"
            result.delete()
        audit.record(AuditEvent.Action.CREATE if first else AuditEvent.Action.UPDATE, user=user,
                     object_type=FinalResult._meta.label,
                     label=f"{scheme}：{'确定' if first else '重新确定'}考核结果（{len(rows)}个单位）",
                     changes={"考核细则": str(scheme), "单位数": len(rows), **({"变化": changes} if not first else {})})
    return rows


def commend(result, commended, note, user=None):
    """Mark (or unmark) `result` for commendation (优秀) with a note. Audited as an update."""
    fields = ["commended", "commendation"]
    before = audit.snapshot(result, fields)
    result.commended = bool(commended)
    result.commendation = (note or "").strip()[:200] if commended else ""
    result.updated_by = user
    with transaction.atomic():
        result.save(update_fields=[*fields, "updated_by", "updated_at"])
        audit.record(AuditEvent.Action.UPDATE, obj=result, user=user,
                     label=f"{result.owner_unit.name}考核结果表彰",
                     changes=audit.field_changes(result, before, fields))
    return result


def result_percent(result):
    return round(float(100 * result.total / result.full_marks), 1) if result.full_marks else None


def group_results(results):
    """[(type code, label, [FinalResult])] in unit-type order, each ranked."""
    order = type_order()
    groups = {}
    for result in results:
        groups.setdefault(result.rank_group, []).append(result)
    return [(code, type_label(code), sorted(rows, key=lambda r: (r.rank or 10**6, r.owner_unit.path)))
            for code, rows in sorted(groups.items(), key=lambda item: order.get(item[0], 99))]
