"""What the county's documents share: the Word templates and what each may use, dates and percentages as the
documents write them, the issuing organ, the stored file of a document."""

import datetime
from pathlib import Path

from django.utils import timezone

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "word_templates"
TEMPLATES = {
    "letter": TEMPLATE_DIR / "reminder_letter.docx",
    "notice": TEMPLATE_DIR / "progress_notice.docx",
    "results": TEMPLATE_DIR / "final_results.docx",
}

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


def document_bytes(document, render):
    """The stored file of a letter or notice, or a fresh rendering from its snapshot when it has none."""
    if document.file:
        try:
            with document.file.open("rb") as handle:
                return handle.read()
        except (FileNotFoundError, OSError):
            pass
    return render(document)
