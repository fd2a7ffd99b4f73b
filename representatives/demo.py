"""Demo representatives (党外代表人士) of 示范县: about 865 in the pipeline, with their history. All fictional.

Chosen among the demo ledger's people: those the ledger marks 是否代表人士 first, then a few more of the
county's and towns' people (newly discovered: their ledger flag is set, as the pages would set it), plus a
few who have left (退出): people who moved away, died or joined the CPC, and some who were no longer put
forward. Their levels follow their standing (political positions and 县管 first): 市级 few, 县级 about 35%,
镇级 the rest; their field (领域) follows their categories and party; most are 认定, some 发现 or 培养.

Each has a dated StageChange for every step, over the five years before `today`, with the reason a county
would write; the current stage and level are the last step's. Some have cultivation records (training,
挂职锻炼, 实践锻炼; a few planned), and those certified before last year have last year's assessment.

Planned in memory from a generator seeded with core.demo.SEED and written with `bulk_create`.
`load(ctx, count=N, today=D)` loads N representatives in the pipeline (the tests use a few dozen) as of D.
"""

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.management.base import CommandError
from django.db.models import Count
from django.utils import timezone

from core.demo import SEED, weighted_pick
from org.models import Unit
from people.choices import DEMOCRATIC_PARTIES, Affiliation, PositionKind, PositionLevel, Status, Tier
from people.models import Person, SocialPosition
from people.services import mark_representative

from .models import Assessment, Cultivation, Field, Kind, Level, Representative, Stage, StageChange

ORDER = 40
LABEL = "党外代表人士"
REPRESENTATIVES = 865  # in the pipeline (发现, 培养, 认定), as the seed report counts them
EXITED_SHARE = 0.02  # and about this many more who have left
CITY_SHARE, COUNTY_SHARE = 0.02, 0.35  # of levels; 镇级 the rest
STAGE_WEIGHTS = [(Stage.CERTIFIED, 76), (Stage.CULTIVATING, 14), (Stage.DISCOVERED, 10)]
YEARS = 5  # history over this many years before `today`
BATCH = 2000

# Statutory category codes (people.choices.STATUTORY_CATEGORIES) → field, the first that applies.
FIELD_BY_CATEGORY = [("01", Field.DEMOCRATIC_PARTY), ("02", Field.NON_PARTY), ("05", Field.RELIGIOUS),
                     ("04", Field.ETHNIC), ("06", Field.NON_PUBLIC), ("07", Field.NEW_STRATUM),
                     ("09", Field.OVERSEAS), ("10", Field.OVERSEAS), ("11", Field.OVERSEAS), ("12", Field.OVERSEAS),
                     ("03", Field.INTELLECTUAL), ("08", Field.INTELLECTUAL)]
POLITICAL = (PositionKind.NPC, PositionKind.CPPCC, PositionKind.SPECIAL)

DISCOVER_REASONS = {
    Level.TOWN: ["经{town}党委研究，列入党外代表人士发现对象", "{town}统战委员走访发现，列入人选库",
                 "村（社区）推荐，经{town}党委研究列为发现对象", "所在单位推荐，列入{town}党外代表人士人选库"],
    Level.COUNTY: ["县委统战部调研发现，列入党外代表人士人选库", "所在单位推荐，列入县级党外代表人士人选库",
                   "换届人选考察中发现，列入人选库", "县工商联推荐，列入人选库"],
    Level.CITY: ["县委统战部推荐，列入市级党外代表人士人选库", "换届人选考察中发现，列入人选库"],
}
CULTIVATE_REASONS = {
    Level.TOWN: ["经{town}党委研究，列入培养对象", "列入{town}党外代表人士年度培养计划"],
    Level.COUNTY: ["经县委统战部部务会研究，列入重点培养对象", "列入县委统战部年度培养计划",
                   "参加县党外代表人士培训班，列入培养对象"],
    Level.CITY: ["经县委统战部推荐，列入市委统战部重点培养对象"],
}
CERTIFY_REASONS = {
    Level.TOWN: ["经{town}党委研究，认定为镇级党外代表人士", "经{town}党委会议研究决定，予以认定"],
    Level.COUNTY: ["经县委统战部部务会研究，认定为县级党外代表人士", "经考察合格，县委统战部部务会研究予以认定"],
    Level.CITY: ["经市委统战部审核，认定为市级党外代表人士"],
}
EXIT_REASONS_ACTIVE = ["年龄原因，不再列为党外代表人士", "本人申请，退出党外代表人士队伍",
                       "经考察不再符合党外代表人士条件", "长期在外地工作，不再列入"]
EXIT_REASONS_BY_STATUS = {
    Status.TRANSFERRED_OUT: "{reason}，退出本县党外代表人士队伍", Status.DECEASED: "{reason}",
    Status.EXITED: "{reason}，退出党外代表人士队伍",
}
NO_TOWN = "属地镇（街道）"  # for a 镇级 representative whose record a county unit keeps

TRAININGS = ["县党外代表人士培训班", "县党外知识分子研修班", "县新的社会阶层人士培训班",
             "县非公有制经济人士理想信念教育培训班", "市委统战部党外干部培训班", "省社会主义学院党外代表人士研修班",
             "县委党校党外干部专题培训班",
             "“同心”讲师团骨干培训"]
PRACTICES = ["参与县政协民主监督专项调研", "参加县委统战部“同心实践”志愿服务", "参与县重点课题调研并撰写调研报告",
             "列席县政府常务会议", "参与县营商环境特约监督", "参加“两个健康”专题调研"]
SECONDMENTS = ["挂职{town}副镇长", "在县信访局挂职锻炼", "在县发改局挂职锻炼", "在县经信局挂职锻炼",
               "在县市场监管局挂职锻炼"]
GRADES = [(Assessment.Grade.EXCELLENT, 20), (Assessment.Grade.COMPETENT, 72), (Assessment.Grade.BASIC, 7),
          (Assessment.Grade.INCOMPETENT, 1)]


@dataclass
class Candidate:
    """What the plan needs to know of a person of the ledger (read with values(), no decryption)."""

    pk: int
    owner_unit_id: int
    path: str
    tier: str
    affiliation: str
    field: str
    status: str
    status_date: datetime.date | None
    status_reason: str
    codes: set = field(default_factory=set)
    positions: list = field(default_factory=list)  # (kind, level)


@dataclass
class Plan:
    representatives: list = field(default_factory=list)  # unsaved Representative (person_id set)
    steps: list = field(default_factory=list)  # (index, StageChange without representative)
    cultivations: list = field(default_factory=list)  # (index, Cultivation)
    assessments: list = field(default_factory=list)  # (index, Assessment)
    flag: list = field(default_factory=list)  # person pks whose ledger flag is set (newly discovered)


def has_data():
    return Representative.objects.exists()


def _county(ctx):
    county = ctx.data.get("county")
    if county is None:
        county = Unit.objects.filter(type=Unit.Type.COUNTY, depth=1).order_by("path").first()
    if county is None:
        raise CommandError("没有县区单位，请先加载组织机构示范数据。")
    return county


def _candidates(queryset):
    fields = ("pk", "owner_unit_id", "owner_unit__path", "tier", "affiliation", "field", "status", "status_date",
              "status_reason")
    found = {row[0]: Candidate(*row) for row in queryset.order_by("pk").values_list(*fields)}
    through = Person.categories.through.objects.filter(person__in=queryset.values("pk"))
    for pk, code in through.values_list("person_id", "category__code"):
        found[pk].codes.add(code)
    for pk, kind, level in SocialPosition.objects.filter(person__in=queryset.values("pk")).values_list(
            "person_id", "kind", "level"):
        found[pk].positions.append((kind, level))
    return list(found.values())


class Generator:
    def __init__(self, rng, county, towns, users, today):
        self.rng = rng
        self.county = county
        self.towns = {t.path: t for t in towns}
        self.users = users
        self.today = today
        self.earliest = today - datetime.timedelta(days=365 * YEARS)

    def town_of(self, candidate):
        return self.towns.get(candidate.path[:2 * Unit.steplen])

    def plan(self, count):
        rng = self.rng
        people = Person.objects.filter(owner_unit__path__startswith=self.county.path)
        active = people.filter(status=Status.ACTIVE)
        flagged = _candidates(active.filter(is_representative=True))
        if len(flagged) > count:
            flagged = sorted(rng.sample(flagged, count), key=lambda c: c.pk)
        pool = list(active.filter(is_representative=False, tier__in=[Tier.COUNTY, Tier.TOWN])
                    .order_by("pk").values_list("pk", flat=True))
        exits = max(1, round(count * EXITED_SHARE))
        chosen = rng.sample(pool, min(len(pool), count - len(flagged) + exits // 2))
        others = _candidates(Person.objects.filter(pk__in=chosen))
        rng.shuffle(others)
        newcomers, leaving_active = others[:count - len(flagged)], others[count - len(flagged):]
        gone = _candidates(people.exclude(status=Status.ACTIVE).filter(
            tier__in=[Tier.COUNTY, Tier.TOWN], status_date__gte=self.earliest + datetime.timedelta(days=400),
            status_date__lte=self.today))
        gone = rng.sample(gone, min(len(gone), exits - len(leaving_active)))

        pipeline = flagged + newcomers
        levels = self.levels(pipeline)
        plan = Plan(flag=[c.pk for c in newcomers])
        new = set(plan.flag)
        for candidate in pipeline:
            stage = Stage.DISCOVERED if candidate.pk in new else weighted_pick(rng, STAGE_WEIGHTS)
            self.add(plan, candidate, levels[candidate.pk], stage)
        for candidate in leaving_active + gone:  # 县管 people had been 县级 representatives, the others 镇级
            level = Level.COUNTY if candidate.tier == Tier.COUNTY else Level.TOWN
            self.add(plan, candidate, level, Stage.EXITED)
        return plan

    def levels(self, candidates):
        """市级 for the few of highest standing, 县级 for the next ~35%, 镇级 for the rest."""
        rng = self.rng

        def standing(c):
            if any(k in POLITICAL and lv in (PositionLevel.NATIONAL, PositionLevel.PROVINCE, PositionLevel.CITY)
                   for k, lv in c.positions):
                return 3
            if any(k in POLITICAL and lv == PositionLevel.COUNTY for k, lv in c.positions):
                return 2
            return 1 if c.tier == Tier.COUNTY or any(lv == PositionLevel.COUNTY for _, lv in c.positions) else 0

        ranked = sorted(candidates, key=lambda c: (-standing(c), rng.random()))
        city, county = round(len(ranked) * CITY_SHARE), round(len(ranked) * COUNTY_SHARE)
        return {c.pk: Level.CITY if i < city else Level.COUNTY if i < city + county else Level.TOWN
                for i, c in enumerate(ranked)}

    def field_of(self, candidate):
        if candidate.affiliation in DEMOCRATIC_PARTIES:
            return Field.DEMOCRATIC_PARTY
        if candidate.affiliation == Affiliation.NON_PARTY:
            return Field.NON_PARTY
        return next((f for code, f in FIELD_BY_CATEGORY if code in candidate.codes), Field.OTHER)

    def kind_of(self, candidate, field_):
        rng = self.rng
        if candidate.field == "党外干部":
            return Kind.CADRE
        if any(k in POLITICAL for k, _ in candidate.positions):
            return Kind.DEPUTY
        if field_ == Field.DEMOCRATIC_PARTY and rng.random() < 0.25:
            return Kind.PARTY_LEADER
        if field_ in (Field.NON_PARTY, Field.INTELLECTUAL) and rng.random() < 0.08:
            return Kind.CADRE
        return Kind.OTHER

    def day(self, low, high):
        """A random day between two dates (inclusive; `low` if they cross)."""
        span = (high - low).days
        return low + datetime.timedelta(days=self.rng.randint(0, span)) if span > 0 else low

    def add(self, plan, candidate, level, final):
        rng = self.rng
        today = self.today
        town = self.town_of(candidate)
        town_name = town.name if town is not None else NO_TOWN
        index = len(plan.representatives)
        field_ = self.field_of(candidate)
        days = datetime.timedelta

        if final == Stage.EXITED:
            if candidate.status != Status.ACTIVE:
                exit_on = candidate.status_date
                reason = EXIT_REASONS_BY_STATUS[candidate.status].format(reason=candidate.status_reason)
                if candidate.status_reason.endswith("退出"):  # 本人申请退出 → 本人申请退出党外代表人士队伍
                    reason = f"{candidate.status_reason}党外代表人士队伍"
            else:
                exit_on = self.day(today - days(900), today - days(30))
                reason = rng.choice(EXIT_REASONS_ACTIVE)
            reached = rng.choice([Stage.CERTIFIED, Stage.CERTIFIED, Stage.CULTIVATING])
            last = exit_on - days(rng.randint(180, 720))
        elif final == Stage.DISCOVERED:
            last = self.day(today - days(700), today - days(3))
            reached, exit_on, reason = final, None, ""
        elif final == Stage.CULTIVATING:
            last = self.day(today - days(1400), today - days(10))
            reached, exit_on, reason = final, None, ""
        else:
            last = self.day(self.earliest + days(200), today - days(7))
            reached, exit_on, reason = final, None, ""

        # The steps before the last one reached: 认定 after 5–24 months of 培养, 培养 1–12 months after 发现,
        # all inside the window of YEARS years.
        floor = self.earliest
        dates = {reached: max(last, floor + days(200 if reached == Stage.CERTIFIED else 40))}
        if reached == Stage.CERTIFIED:
            certified = dates[reached]
            dates[Stage.CULTIVATING] = self.day(max(floor + days(30), certified - days(720)), certified - days(150))
        if Stage.CULTIVATING in dates:
            cultivated = dates[Stage.CULTIVATING]
            dates[Stage.DISCOVERED] = self.day(max(floor, cultivated - days(365)), cultivated - days(20))
        order = [s for s in (Stage.DISCOVERED, Stage.CULTIVATING, Stage.CERTIFIED) if s in dates]
        if exit_on is not None:
            dates[Stage.EXITED] = max(exit_on, dates[order[-1]] + days(1))

        reasons = {Stage.DISCOVERED: DISCOVER_REASONS, Stage.CULTIVATING: CULTIVATE_REASONS,
                   Stage.CERTIFIED: CERTIFY_REASONS}
        user = self.user_for(level, town)
        for stage in [*order, *([Stage.EXITED] if exit_on else [])]:
            text = reason if stage == Stage.EXITED else rng.choice(reasons[stage][level]).format(town=town_name)
            plan.steps.append((index, StageChange(stage=stage, level=level, date=dates[stage], reason=text[:200],
                                                  created_by=user)))
        final_date = dates[Stage.EXITED] if exit_on else dates[order[-1]]
        plan.representatives.append(Representative(
            person_id=candidate.pk, owner_unit_id=candidate.owner_unit_id, level=level, field=field_,
            kind=self.kind_of(candidate, field_), stage=final, stage_date=final_date,
            created_by=user, updated_by=user,
        ))
        if Stage.CULTIVATING in dates:
            self.add_cultivations(plan, index, dates, level, town_name, exit_on)
        certified = dates.get(Stage.CERTIFIED)
        last_year = today.year - 1
        # Last year's assessment, for those certified by its middle and still there at its end.
        if certified and certified <= datetime.date(last_year, 6, 30) and (exit_on is None or exit_on.year > last_year):
            plan.assessments.append((index, Assessment(year=last_year, grade=weighted_pick(rng, GRADES))))

    def add_cultivations(self, plan, index, dates, level, town_name, exit_on):
        rng = self.rng
        days = datetime.timedelta
        start = dates[Stage.CULTIVATING]
        end = exit_on or self.today
        for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
            r = rng.random()
            if r < 0.65:
                kind, title, organiser = Cultivation.Kind.TRAINING, rng.choice(TRAININGS), "县委统战部"
                if title.startswith("市"):
                    organiser = "市委统战部"
                elif title.startswith("省"):
                    organiser = "省委统战部"
                length = rng.randint(2, 7)
            elif r < 0.9 or level == Level.TOWN:
                kind, title, organiser, length = (Cultivation.Kind.PRACTICE, rng.choice(PRACTICES), "县委统战部",
                                                  rng.randint(30, 120))
            else:
                kind = Cultivation.Kind.SECONDMENT
                places = SECONDMENTS if town_name != NO_TOWN else SECONDMENTS[1:]
                title, organiser = rng.choice(places).format(town=town_name), "县委组织部、县委统战部"
                length = rng.choice([180, 365])
            begin = self.day(start, end)
            status = Cultivation.Status.DONE
            if exit_on is None and rng.random() < 0.12:  # next year's plan
                begin = self.today + days(rng.randint(20, 200))
                status = Cultivation.Status.PLANNED
            finish = begin + days(length)
            if status == Cultivation.Status.DONE and finish > end:
                finish = exit_on  # cut short by leaving, or still under way (no end date yet)
            plan.cultivations.append((index, Cultivation(kind=kind, status=status, title=title, organiser=organiser,
                                                         start_date=begin, end_date=finish)))

    def user_for(self, level, town):
        users = self.users
        if level == Level.TOWN and town is not None:
            for username in ("town01", "town02"):
                user = users.get(username)
                if user is not None and user.unit_id == town.pk:
                    return user
        return users.get("county_staff")



def _users(ctx):
    from django.contrib.auth import get_user_model

    users = ctx.data.get("users")
    if users is None:
        users = {u.username: u for u in get_user_model().objects.filter(username__in=["county_staff", "town01",
                                                                                      "town02"])}
    return users


def build(ctx, count=None, today=None):
    """The plan for `count` representatives in the pipeline (REPRESENTATIVES by default); writes nothing."""
    county = _county(ctx)
    towns = ctx.data.get("towns") or list(Unit.objects.filter(county.subtree_q(), type=Unit.Type.TOWN, depth=2))
    generator = Generator(random.Random(f"{SEED}:representatives"), county, towns, _users(ctx),
                          today or timezone.localdate())
    return generator.plan(REPRESENTATIVES if count is None else count)


def load(ctx, count=None, today=None):
    county = _county(ctx)
    if Representative.objects.filter(owner_unit__path__startswith=county.path).exists():
        raise CommandError(f"{county.name}已有党外代表人士，未重复加载示范数据。")
    if not Person.objects.filter(owner_unit__path__startswith=county.path).exists():
        raise CommandError("没有统战成员，请先加载统战成员台账示范数据。")
    plan = build(ctx, count, today)
    write(plan)
    ctx.data["representatives"] = plan.representatives
    stages = defaultdict(int)
    for rep in plan.representatives:
        stages[rep.stage] += 1
    in_pipeline = len(plan.representatives) - stages[Stage.EXITED]
    parts = "、".join(f"{label} {stages[code]}" for code, label in Stage.choices)
    return f"{in_pipeline} 名党外代表人士（{parts}），{len(plan.steps)} 条阶段记录"


def write(plan):
    Representative.objects.bulk_create(plan.representatives, batch_size=BATCH)
    for rows in (plan.steps, plan.cultivations, plan.assessments):
        for index, row in rows:
            row.representative = plan.representatives[index]
    StageChange.objects.bulk_create([row for _, row in plan.steps], batch_size=BATCH)
    Cultivation.objects.bulk_create([row for _, row in plan.cultivations], batch_size=BATCH)
    Assessment.objects.bulk_create([row for _, row in plan.assessments], batch_size=BATCH)
    if plan.flag:
        # Newly discovered people of the ledger become 代表人士 there too, with a history entry, as the
        # pipeline's pages do.
        for person in Person.objects.filter(pk__in=plan.flag):
            mark_representative(person, None, True, "列为党外代表人士发现对象")


def report(ctx):
    if ctx.verbosity < 1 or not Representative.objects.exists():
        return
    rows = []
    counts = dict(Representative.objects.order_by().values_list("level").annotate(n=Count("pk")))
    by = defaultdict(int)
    for level, stage, n in Representative.objects.order_by().values_list("level", "stage").annotate(n=Count("pk")):
        by[level, stage] = n
    for level, label in Level.choices:
        rows.append((label, *(by[level, stage] for stage in Stage.values), counts.get(level, 0)))
    ctx.write("")
    ctx.write("党外代表人士（按层级、阶段）：")
    ctx.write(ctx.table(["层级", *Stage.labels, "合计"], rows))
