"""The final results of a scheme (考核结果), as ranked and stored by duties.ranking: the Word document and the
columns of the Excel export."""

from django.utils import timezone

from core import word

from ..ranking import group_results, result_percent, type_label
from ..scoring import fmt
from .common import TEMPLATES, chinese_number, day_text, issuer_name, percent_text


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
