"""Excel output of the activities app: the activity list (through core's ObjectExportView) and the
due-vs-done table. Both audited. The activity columns read `visible_participants` (prefetched) and
`participant_count`, `photo_count` (annotated) from the export view's queryset."""

from core.exports import export_xlsx

from .models import Plan


def _names(related):
    return "、".join(str(getattr(o, "name", o)) for o in related)


ACTIVITY_COLUMNS = [
    ("活动名称", lambda a: a.title),
    ("活动类型", lambda a: a.activity_type.name),
    ("开始时间", lambda a: a.start),
    ("结束时间", lambda a: a.end),
    ("地点", lambda a: a.place),
    ("组织单位", lambda a: a.owner_unit.name),
    ("协办单位", lambda a: _names(a.co_organisers.all())),
    ("对应计划", lambda a: str(a.plan) if a.plan_id else "计划外"),
    ("计划期次", lambda a: a.occurrence),
    # Named: the participants the exporting user may see (people.visibility); counted: all of them.
    ("参加人员（台账）", lambda a: _names(a.visible_participants)),
    ("台账人员数", lambda a: a.participant_count),
    ("其他参加人数", lambda a: a.other_participants),
    ("参加总人数", lambda a: a.participant_count + a.other_participants),
    ("活动内容", lambda a: a.content),
    ("活动成效", lambda a: a.outcome),
    ("照片数", lambda a: getattr(a, "photo_count", 0)),
]

DUE_HEADERS = ["单位", "计划数", "全年应开展", "截至目前应开展", "已开展", "未开展", "完成率（%）"]
MISSING_HEADERS = ["单位", "计划", "未开展期次", "期次截止日"]


def due_response(request, year, parent, rows, missing):
    # The missing occurrences go under the table, after a blank row.
    appendix = [[], ["未开展明细"], MISSING_HEADERS, *(
        [plan.owner_unit.name, str(plan), f"{plan.year}年{occurrence.label}", occurrence.last_day]
        for plan, occurrence in missing)]
    where = f"（{parent.name}）" if parent is not None else ""
    return export_xlsx(
        request, models=[Plan], title=f"{year}年活动应开展与已开展{where}",
        filename="活动应开展与已开展", sheet="应开展与已开展", headers=DUE_HEADERS, widths={"单位": 24},
        notes=["应开展：已到期或已开展的期次；完成率＝已开展÷截至目前应开展"],
        rows=([row.label, row.plans, row.planned, row.expected, row.fulfilled, row.missing,
               row.rate if row.rate is not None else "—"] for row in rows),
        appendix=appendix,
        changes={"年度": year, "单位": parent.name if parent is not None else "", "未开展期次": len(missing)},
    )
