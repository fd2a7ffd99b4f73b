"""The pairings' check for the health check (台账体检, core.checks): 代表人士未结对 — a representative (发现、培养 or
认定, not 退出) with no pairing running today among the pairings the user may view. A unit without
representatives scores the full share."""

from django.db.models import Exists, OuterRef, Q

from core.checks import CheckedRecord, CheckResult, Finding, detail_url_pattern, register_check
from representatives.models import Representative, Stage

from .models import Pairing

UNPAIRED = "unpaired"


@register_check("friendship.paired", "代表人士结对率", weight=15, population="representatives", order=50,
                kinds=[(UNPAIRED, "代表人士未结对")],
                description="代表人士结对率＝有正在进行的结对联系的代表人士÷代表人士（发现、培养、认定阶段；没有代表人士的单位此项记满分）")
def paired(query):
    today = query.today
    running = query.visible(Pairing).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today), representative=OuterRef("pk"), start_date__lte=today)
    reps = (query.records(Representative).exclude(stage=Stage.EXITED).annotate(paired=Exists(running)).order_by()
            .values("pk", "person__name", "owner_unit_id", "owner_unit__path", "stage", "paired"))
    stages = dict(Stage.choices)
    url = detail_url_pattern("representatives:representative_detail")
    records, findings = [], []
    for rep in reps:
        records.append(CheckedRecord(rep["pk"], rep["owner_unit__path"]))
        if not rep["paired"]:
            findings.append(Finding(UNPAIRED, rep["pk"], rep["person__name"], url.format(rep["pk"]),
                                    f"{stages.get(rep['stage'], '')}阶段，目前没有结对联系干部",
                                    rep["owner_unit_id"], rep["owner_unit__path"]))
    return CheckResult(records, findings)
