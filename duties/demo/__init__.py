"""Demo duty lists (职责清单) of 示范县: this year's published scheme for the 12 towns and the member units, the
units' submissions with a realistic mix of progress, two reminder letters and one progress notice. All fictional.

The scheme (考核细则) has 32 common items (共性) in six categories, modelled on county 统战工作考核细则:
组织领导, 阵地建设与活动开展, 联谊交友与代表人士, 台账管理与信息报送, 重点领域统战工作, 加分和扣分. Several are
judged from records already in Tongxin (录入一次，处处可用): 同心行活动日 every month and 同心大讲堂 every
quarter (activities.held_of_type), the pairings' contact progress (friendship.coverage_rate and
friendship.pairings_behind), representatives certified (representatives.certified) and ledger completeness
(people.completeness_rate). Every town has two specific items (个性) of its own, and so do some member units.

Submissions cover the occurrences already begun: most past ones passed (reviewed by the demo county staff
account, with a score where the item is scored by review), some awaiting review, returned or still in
progress, a few missing; the towns behind with their activities (core.demo.BEHIND_TOWNS: 东溪镇 of the
demo account town02 and two others) and one member unit in seven do worse. A few units earn a bonus or a
deduction. Two reminder letters (to 东溪镇 and to the member unit most behind) and a notice for the last quarter
over are issued by county_staff through duties.documents, as the pages would.

Planned in memory from a generator seeded with core.demo.SEED and written with `bulk_create`.
`load(ctx, today=D)` plans as of day D (today by default).

The package: the loader entry points and the bulk insert here (what core.demo looks for), the scheme's items
in `items`, the planner in `generator`, the letters and the notice in `issuing`.
"""

import random
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils import timezone

from core.demo import SEED
from org.models import Unit

from ..documents import common
from ..models import Indicator, Notice, ReminderLetter, Scheme, Submission, SubmissionStep
from .generator import Generator
from .issuing import issue_documents
from .items import MEMBER, TOWN

ORDER = 70
LABEL = "职责清单"
BATCH = 2000
ACCOUNTS = ("county_staff", "town01", "town02")


def has_data():
    return Scheme.objects.exists()


def _context(ctx):
    data = ctx.data
    county = data.get("county") or Unit.objects.filter(type=Unit.Type.COUNTY, depth=1).order_by("path").first()
    if county is None:
        raise CommandError("没有县区单位，请先加载组织机构示范数据。")
    towns = data.get("towns") or list(
        Unit.objects.filter(county.subtree_q(), type=TOWN, depth=2).order_by("path"))
    members = data.get("members")
    if members is None:
        members = {u.short_name or u.name: u for u in Unit.objects.filter(county.subtree_q(), type=MEMBER)}
    users = data.get("users")
    if users is None:
        users = {u.username: u for u in get_user_model().objects.filter(username__in=ACCOUNTS)}
    return county, towns, members, {k: v for k, v in users.items() if k in ACCOUNTS}


def load(ctx, today=None):
    county, towns, members, users = _context(ctx)
    if Scheme.objects.filter(owner_unit__path__startswith=county.path).exists():
        raise CommandError(f"{county.name}已有考核细则，未重复加载示范数据。")
    today = today or timezone.localdate()
    generator = Generator(random.Random(f"{SEED}:duties"), county, towns, members, users, today)
    scheme = generator.scheme()
    scheme.save()
    rows = generator.indicators(scheme)
    categories = [(i, ind) for i, (ind, parent) in enumerate(rows) if parent is None]
    Indicator.objects.bulk_create([ind for _, ind in categories])
    for indicator, parent in rows:
        if parent is not None:
            indicator.parent = rows[parent][0]
    Indicator.objects.bulk_create([ind for ind, parent in rows if parent is not None], batch_size=BATCH)
    through = Indicator.units.through
    through.objects.bulk_create([through(indicator_id=rows[i][0].pk, unit_id=u) for i, u in generator.plan.units])
    specific = {}
    for index, unit_pk in generator.plan.units:
        specific.setdefault(rows[index][0].pk, set()).add(unit_pk)
    indicators = [ind for ind, _ in rows]
    generator.submissions(indicators, specific)
    plan = generator.plan
    Submission.objects.bulk_create(plan.submissions, batch_size=BATCH)
    steps = []
    for index, step, _ in plan.steps:
        step.submission = plan.submissions[index]
        steps.append(step)
    for step, (_, _, moment) in zip(steps, plan.steps, strict=True):
        step.created_at = moment
    with stamped_as_given(SubmissionStep, "created_at"):
        SubmissionStep.objects.bulk_create(steps, batch_size=BATCH)

    issued = issue_documents(scheme, generator, towns, users, today)
    items = sum(1 for ind, parent in rows if parent is not None)
    common = items - len(generator.plan.units)
    ctx.data["duty_scheme"] = scheme
    return (f"{scheme.title}：{common} 项共性事项、{len(generator.plan.units)} 项个性事项，"
            f"{len(plan.submissions)} 条报送，{issued}")


@contextmanager
def stamped_as_given(model, name):
    """Insert `model` rows with the `name` timestamps set on them (the review history of past months) instead of
    auto_now_add's "now" — a bulk_update afterwards would cost more than the whole insert."""
    field_ = model._meta.get_field(name)
    field_.auto_now_add = False
    try:
        yield
    finally:
        field_.auto_now_add = True


def report(ctx):
    """One line from the latest notice of this year's scheme (no assessment is computed again here)."""
    if ctx.verbosity < 1:
        return
    scheme = ctx.data.get("duty_scheme") or Scheme.objects.published().order_by("-year").first()
    if scheme is None:
        return
    notice = Notice.objects.filter(scheme=scheme).order_by("-year", "-number").first()
    letters_sent = ReminderLetter.objects.filter(scheme=scheme).count()
    line = f"职责清单：{scheme.title}覆盖 {scheme.covered_units().count()} 个单位，已发提醒函 {letters_sent} 份"
    if notice is not None:
        content = notice.content or {}
        lagging = "、".join(f"{row['name']}（{common.percent_text(row['completion_rate'])}）"
                            for row in content.get("lagging", [])[:5]) or "无"
        line += (f"；{notice.doc_number}（{content.get('period_label', '')}）：到期事项完成率 "
                 f"{common.percent_text(content.get('completion_rate'))}，完成率低于"
                 f"{content.get('lagging_rate')}%的单位 {len(content.get('lagging', []))} 个（{lagging}）")
    ctx.write("")
    ctx.write(line + "。")
