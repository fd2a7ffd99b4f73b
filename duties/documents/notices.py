"""Progress notices (通报): what a notice for a period says — the units ranked by progress (duties.ranking),
the lagging and the fully done — numbered, stored with its Word document."""

import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from core import audit, word
from core.models import AuditEvent

from ..models import Notice
from ..periods import Frequency, occurrence, parse_key, reporting_periods
from ..ranking import progress_rows, rank_by_progress, type_order
from .common import TEMPLATES, chinese_number, day_text, issuer_name, percent_text

DEFAULT_LAGGING_RATE = 80


# How a notice addresses the units it covers, by unit type (主送).
RECIPIENTS = {
    "town": "各镇（街道）", "member": "县级各成员单位", "village": "各村（社区）", "park": "各园区",
    "enterprise": "有关企业", "school": "有关学校", "hospital": "有关医院", "other": "有关单位", "county": "各县区",
}


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


def notice_content(scheme, period_occurrence, *, lagging_rate=DEFAULT_LAGGING_RATE, today=None):
    """What a notice for `period_occurrence` (an Occurrence of the scheme year) says, as JSON-ready data."""
    today = today or timezone.localdate()
    period = period_occurrence.period
    # Judged on the day of the notice: an item due a few working days after the period's end counts once due.
    as_of = max(period.start, today)
    rows = progress_rows(scheme, period, as_of=as_of, today=today)
    groups = rank_by_progress(rows)
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
