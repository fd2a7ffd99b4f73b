"""Reminder letters (发函提醒), progress notices (通报) and final results (按单考核, 表彰): what they say and the
Word documents made of them. Every figure comes from duties.assessment — nothing is scored here.

- Letters: `candidates(scheme, cutoff)` lists the units with occurrences overdue on the cut-off day;
  `issue_letters(scheme, units, cutoff=, days=, user=)` writes one numbered letter per unit (统战提醒〔2026〕3号)
  with the overdue items and a deadline `days` working days after the day of issue (duties.workdays), stores
  the .docx on the letter and notifies the unit's users.
- Notices: `notice_content(scheme, occurrence)` ranks the units by progress and score within their unit type,
  lists the lagging units with their missing items and the units that did everything due; `issue_notice`
  stores it (统战通报〔2026〕1号) with its .docx.
- Results: `compute_results(scheme)` ranks the units' totals (automatic + reviewed + bonus − deductions)
  within each unit type, ties sharing a rank; `finalise(scheme, user)` stores them as FinalResult rows (a new
  run overwrites them; audited); `results_docx` / the Excel export print them.

Scope: these are the county's documents about every unit a scheme assesses, made by those who manage them (the
views require "manage" on ReminderLetter, Notice or FinalResult). So they read, on purpose, every assessed unit's
submissions (Submission.objects.of_assessed_units), letters and results — not the records of the manager's scope;
what each reader then sees of them goes through `visible_to`.

The documents are rendered from what the letter or notice stored (its snapshot), so a download always gives
what was sent. The templates are duties/word_templates/*.docx, built by word_templates/build_templates.py;
`PLACEHOLDERS` lists what each may use.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core import audit, word
from core.models import AuditEvent
from core.notifications import notify

from .assessment import assess_units
from .models import FinalResult, Notice, ReminderLetter
from .periods import Frequency, occurrence, parse_key, reporting_periods
from .scoring import ZERO, fmt, money
from .workdays import WorkCalendar

TEMPLATE_DIR = Path(__file__).resolve().parent / "word_templates"
TEMPLATES = {
    "letter": TEMPLATE_DIR / "reminder_letter.docx",
    "notice": TEMPLATE_DIR / "progress_notice.docx",
    "results": TEMPLATE_DIR / "final_results.docx",
}

DEFAULT_DEADLINE_DAYS = 5
PRESELECT_OVERDUE = 3  # the issuing page ticks the units with at least this many overdue occurrences
DEFAULT_LAGGING_RATE = 80
CHINESE_NUMBERS = "一二三四五六七八九十"

COMMON = {
    "issuer": "发文机关（如“中共示范县委统战部”）",
    "issue_date": "成文日期（如“2026年11月24日”）",
    "scheme_title": "考核细则名称（如“2026年度统战工作考核细则”）",
}
# What each template may use: {placeholder: description}. core.word.check_template checks a template against it.
PLACEHOLDERS = {
    "letter": {
        **COMMON,
        "doc_number": "文号（如“统战提醒〔2026〕3号”）",
        "unit_name": "收函单位（如“东溪镇”）",
        "cutoff_date": "督查统计截止日期（如“2026年11月20日”）",
        "item_count": "逾期事项数",
        "items": ("表格：逾期事项；每行有 item.number（序号）、item.category（类别）、item.text（考核事项）、"
                  "item.period（期次）、item.due（完成期限）、item.points（分值）、item.scoring（计分方式）、"
                  "item.status（当前状态）"),
        "deadline": "整改期限（如“2026年12月1日”）",
        "deadline_days": "整改期限为发函后多少个工作日",
        "contact_name": "联系人（发函人姓名）",
    },
    "notice": {
        **COMMON,
        "doc_number": "文号（如“统战通报〔2026〕1号”）",
        "title": "通报标题",
        "recipients": "主送单位（如“各镇（街道），县级各成员单位”）",
        "period_label": "通报期间（如“2026年第三季度”）",
        "as_of": "统计截止日期",
        "unit_count": "参加考核的单位数",
        "expected": "各单位应完成事项（项次）合计",
        "passed": "各单位已完成事项（项次）合计",
        "completion_rate": "总体完成率（如“86.5%”）",
        "commended_count": "按时完成全部到期事项的单位数",
        "lagging_rate": "进度滞后的标准：完成率低于此值（如“80%”）",
        "lagging_count": "进度滞后的单位数",
        "groups": ("按单位类型分组的排名表；每组有 group.number（一、二……）、group.label（如“镇街”）、group.count、"
                   "group.rows；每行有 row.rank（名次）、row.name（单位）、row.expected（应完成）、"
                   "row.passed（已完成）、row.completion_rate（完成率）、row.score（得分）、row.overdue（逾期事项数）"),
        "lagging": "进度滞后的单位；每项有 unit.name、unit.completion_rate、unit.missing（未完成事项，顿号分隔）",
        "commended": "按时完成全部到期事项的单位名称（顿号分隔，没有时为空）",
    },
    "results": {
        **COMMON,
        "title": "标题（如“2026年度统战工作职责清单考核结果”）",
        "year": "考核年度",
        "finalized_date": "考核结果确定日期",
        "groups": ("按单位类型分组的结果表；每组有 group.chinese_number（一、二……）、group.label、group.count、"
                   "group.rows；每行有 row.rank（名次）、row.name、row.automatic（自动取数得分）、"
                   "row.reviewed（审核得分）、row.bonus（加分）、row.deductions（扣分）、row.total（总分）、row.full_marks（满分）、"
                   "row.percent（得分率）、row.commended（“优秀”或空）"),
        "commended": "拟表彰（优秀）单位；每项有 row.name、row.note（表彰说明，如“：……”，没有时为空）",
    },
}

# How a notice addresses the units it covers, by unit type (主送).
RECIPIENTS = {
    "town": "各镇（街道）", "member": "县级各成员单位", "village": "各村（社区）", "park": "各园区",
    "enterprise": "有关企业", "school": "有关学校", "hospital": "有关医院", "other": "有关单位", "county": "各县区",
}


# --- small helpers -----------------------------------------------------------------------------------------


def day_text(day):
    """"2026年10月9日" (成文日期 in Arabic numerals, as GB/T 9704-2012 asks)."""
    if isinstance(day, str):
        day = datetime.date.fromisoformat(day)
    return f"{day.year}年{day.month}月{day.day}日"


def percent_text(value):
    if value is None:
        return "—"
    return f"{float(value):.1f}".removesuffix(".0") + "%"


def chinese_number(n):
    return CHINESE_NUMBERS[n - 1] if 1 <= n <= len(CHINESE_NUMBERS) else str(n)


def issuer_name(county):
    """The issuing organ: "中共示范县委统战部" for the county 示范县."""
    return f"中共{county.name}委统战部" if county is not None else "县委统战部"


def type_order():
    from org.models import Unit

    return {code: index for index, code in enumerate(Unit.Type.values)}


def type_label(code):
    from org.models import Unit

    return str(Unit.Type(code).label) if code in Unit.Type.values else code


def issue_moment(day):
    """The moment a document is issued on `day`: now, or 10:00 that day when issuing as of another day."""
    now = timezone.localtime()
    if now.date() == day:
        return now
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))


def user_name(user):
    if user is None:
        return ""
    return getattr(user, "full_name", "") or user.get_username()


def competition_ranks(rows, key):
    """Rank `rows` (all of one group) by `key` descending: equal keys share a rank, the next rank skips
    (1, 2, 2, 4). Returns {id(row): rank}."""
    keys = [key(row) for row in rows]
    return {id(row): 1 + sum(1 for other in keys if other > k) for row, k in zip(rows, keys, strict=True)}


# --- reminder letters --------------------------------------------------------------------------------------


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


def document_bytes(document, render):
    """The stored file of a letter or notice, or a fresh rendering from its snapshot when it has none."""
    if document.file:
        try:
            with document.file.open("rb") as handle:
                return handle.read()
        except (FileNotFoundError, OSError):
            pass
    return render(document)


# --- progress notices --------------------------------------------------------------------------------------


def notice_periods(scheme, today=None):
    """The periods a notice of `scheme` may cover: its reporting periods (and the whole year) that have begun."""
    today = today or timezone.localdate()
    found = reporting_periods(scheme.periods or [], scheme.year)
    if not any(o.frequency == Frequency.YEAR for o in found):
        found.append(occurrence(Frequency.YEAR, scheme.year, 1))
    return [o for o in found if o.start <= today]


def default_notice_title(period_label):
    return f"关于{period_label}统战工作职责清单落实情况的通报"


def recipients_text(scheme):
    types = list(dict.fromkeys(u.type for u in scheme.covered_units()))
    types.sort(key=lambda code: type_order().get(code, 99))
    return "，".join(RECIPIENTS.get(code, "有关单位") for code in types) or "各有关单位"


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


def notice_content(scheme, period_occurrence, *, lagging_rate=DEFAULT_LAGGING_RATE, today=None):
    """What a notice for `period_occurrence` (an Occurrence of the scheme year) says, as JSON-ready data."""
    today = today or timezone.localdate()
    period = period_occurrence.period
    # Judged on the day of the notice: an item due a few working days after the period's end counts once due.
    as_of = max(period.start, today)
    results = [r for r in assess_units(scheme, scheme.covered_units(), period, as_of=as_of, today=today)
               if r.items]
    order = type_order()
    rows = []
    for result in results:
        unit = result.unit
        rows.append({
            "unit": unit.pk, "name": unit.name, "type": unit.type, "path": unit.path,
            "expected": result.expected, "passed": result.passed, "completion_rate": result.completion_rate,
            "score": fmt(result.score.total), "full_marks": fmt(result.score.full_marks),
            "overdue": len(result.overdue), "missing": _missing(result),
        })
    groups = []
    for code in sorted({row["type"] for row in rows}, key=lambda c: order.get(c, 99)):
        members = [row for row in rows if row["type"] == code]
        ranks = competition_ranks(members, _progress_key)
        for row in members:
            row["rank"] = ranks[id(row)]
        members.sort(key=lambda row: (row["rank"], row["path"]))
        groups.append({"type": code, "label": type_label(code), "rows": members})
    expected = sum(row["expected"] for row in rows)
    passed = sum(row["passed"] for row in rows)
    lagging = sorted((row for row in rows if row["completion_rate"] is not None
                      and row["completion_rate"] < lagging_rate),
                     key=lambda row: (row["completion_rate"], row["path"]))
    commended = [row for group in groups for row in group["rows"]
                 if row["expected"] and row["passed"] == row["expected"]]
    return {
        "period_key": period_occurrence.key,
        "period_label": period_occurrence.label,
        "as_of": as_of.isoformat(),
        "issue_date": today.isoformat(),
        "recipients": recipients_text(scheme),
        "lagging_rate": lagging_rate,
        "unit_count": len(rows),
        "expected": expected,
        "passed": passed,
        "completion_rate": round(100 * passed / expected, 1) if expected else None,
        "groups": groups,
        "lagging": [{"unit": row["unit"], "name": row["name"], "completion_rate": row["completion_rate"],
                     "missing": row["missing"]} for row in lagging],
        "commended": [row["name"] for row in commended],
    }


def issue_notice(scheme, period_key, *, title="", lagging_rate=DEFAULT_LAGGING_RATE, user=None, today=None):
    """Compute, number, render and store a notice for the period `period_key` of `scheme`."""
    today = today or timezone.localdate()
    period_occurrence = parse_key(period_key)
    content = notice_content(scheme, period_occurrence, lagging_rate=lagging_rate, today=today)
    with transaction.atomic():
        notice = Notice.create_numbered(
            year=today.year, owner_unit=scheme.owner_unit, scheme=scheme, period_key=period_occurrence.key,
            title=(title or default_notice_title(period_occurrence.label))[:200], content=content,
            created_by=user, updated_by=user,
        )
        notice.file.save(f"统战通报{notice.year}-{notice.number}号.docx", ContentFile(render_notice(notice)),
                         save=False)
        notice.save(update_fields=["file"])
        audit.record(AuditEvent.Action.CREATE, obj=notice, user=user,
                     changes={"考核细则": str(scheme), "通报期间": period_occurrence.label,
                              "单位数": content["unit_count"], "进度滞后": len(content["lagging"])})
    return notice


def notice_issue_date(notice):
    """The day the notice was issued (成文日期)."""
    issued = (notice.content or {}).get("issue_date")
    if issued:
        return datetime.date.fromisoformat(issued)
    return timezone.localtime(notice.created_at).date() if notice.created_at else timezone.localdate()


def notice_date_text(notice):
    return day_text(notice_issue_date(notice))


def notice_context(notice):
    content = notice.content or {}
    lagging_rate = content.get("lagging_rate", DEFAULT_LAGGING_RATE)
    groups = []
    for number, group in enumerate(content.get("groups", []), start=1):
        rows = [{"rank": row.get("rank", ""), "name": row["name"], "expected": row["expected"],
                 "passed": row["passed"], "completion_rate": percent_text(row["completion_rate"]),
                 "score": row["score"], "overdue": row["overdue"]} for row in group["rows"]]
        groups.append({"number": chinese_number(number), "label": group["label"], "count": len(rows), "rows": rows})
    issued = notice_issue_date(notice)
    return {
        "issuer": issuer_name(notice.scheme.owner_unit),
        "issue_date": day_text(issued),
        "scheme_title": notice.scheme.title,
        "doc_number": notice.doc_number,
        "title": notice.title,
        "recipients": content.get("recipients", "各有关单位"),
        "period_label": content.get("period_label", notice.period_key),
        "as_of": day_text(content["as_of"]) if content.get("as_of") else "",
        "unit_count": content.get("unit_count", 0),
        "expected": content.get("expected", 0),
        "passed": content.get("passed", 0),
        "completion_rate": percent_text(content.get("completion_rate")),
        "commended_count": len(content.get("commended", [])),
        "lagging_rate": f"{lagging_rate}%",
        "lagging_count": len(content.get("lagging", [])),
        "groups": groups,
        "lagging": [{"name": row["name"], "completion_rate": percent_text(row["completion_rate"]),
                     "missing": "、".join(row["missing"]) or "已报送的事项尚待审核"}
                    for row in content.get("lagging", [])],
        "commended": "、".join(content.get("commended", [])),
    }


def render_notice(notice):
    return word.render_docx(TEMPLATES["notice"], notice_context(notice))


def notice_filename(notice):
    return f"{notice.doc_number}_{notice.title}.docx"


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


SCORE_FIELDS = ("automatic", "reviewed", "bonus", "deductions", "total", "full_marks", "rank", "rank_group")


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


def results_title(scheme):
    return f"{scheme.year}年度统战工作职责清单考核结果"


def results_context(scheme, results, today=None):
    today = today or timezone.localdate()
    results = list(results)
    groups = []
    for number, (_, label, rows) in enumerate(group_results(results), start=1):
        groups.append({
            "chinese_number": chinese_number(number), "label": label, "count": len(rows),
            "rows": [{"rank": r.rank or "", "name": r.owner_unit.name, "automatic": fmt(r.automatic),
                      "reviewed": fmt(r.reviewed), "bonus": fmt(r.bonus), "deductions": fmt(r.deductions),
                      "total": fmt(r.total), "full_marks": fmt(r.full_marks),
                      "percent": percent_text(result_percent(r)), "commended": "优秀" if r.commended else ""}
                     for r in rows],
        })
    finalized = [r.finalized_at for r in results if r.finalized_at]
    commended = [r for _, _, rows in group_results(results) for r in rows if r.commended]
    return {
        "issuer": issuer_name(scheme.owner_unit),
        "issue_date": day_text(today),
        "scheme_title": scheme.title,
        "title": results_title(scheme),
        "year": scheme.year,
        "finalized_date": day_text(timezone.localtime(max(finalized)).date()) if finalized else "—",
        "groups": groups,
        "commended": [{"name": r.owner_unit.name, "note": f"：{r.commendation}" if r.commendation else ""}
                      for r in commended],
    }


def results_docx(scheme, results, today=None):
    return word.render_docx(TEMPLATES["results"], results_context(scheme, results, today))


RESULT_COLUMNS = [
    ("单位类型", lambda r: type_label(r.rank_group)),
    ("名次", lambda r: r.rank),
    ("单位", lambda r: r.owner_unit.name),
    ("自动取数得分", lambda r: float(r.automatic)),
    ("审核得分", lambda r: float(r.reviewed)),
    ("加分", lambda r: float(r.bonus)),
    ("扣分", lambda r: float(r.deductions)),
    ("总分", lambda r: float(r.total)),
    ("满分", lambda r: float(r.full_marks)),
    ("得分率（%）", result_percent),
    ("表彰", lambda r: "优秀" if r.commended else ""),
    ("表彰说明", lambda r: r.commendation),
    ("确定时间", lambda r: r.finalized_at),
]
