"""Demo activities (活动) of 示范县: this year's plans and the activities held since October of last year.
All fictional.

Plans are this year's (Tongxin went live in the autumn of last year; last year's activities were recorded
without plans): every town has a monthly 同心行活动日 plan and a quarterly 同心大讲堂 plan, the county a
quarterly 同心大讲堂, and about one village in six a monthly 同心行活动日 (always the demo liaison's
village0101). Activities fulfil nearly every occurrence due so far, except in the towns that are behind
(core.demo.BEHIND_TOWNS: town02's 东溪镇 and two others), which miss several months and a quarter; the month in
progress is done in proportion to how far it has gone. Last year's October to December have the same kinds
of activity, unplanned. Other activities (志愿服务, 座谈会, 培训, 调研, now and then 主题教育 or 联谊活动) are held
without plans by the county, the towns, some villages and a few member units.

Each activity has 3–30 participants from the ledger people (在册) of the organising unit's subtree (fewer when
a village has fewer) and a number of other participants, and is recorded by the unit's demo account where
there is one. No photos and no sign-ins. Everything is held before `today`.

Planned in memory from a generator seeded with core.demo.SEED and written with `bulk_create`; the plan
occurrence an activity fulfils is set here (Activity.save, which computes it, is not called).
`load(ctx, today=D)` plans as of day D (today by default).
"""

import datetime
import importlib
import random
import secrets
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils import timezone

from core.demo import BEHIND_TOWNS, SEED
from org.models import Unit
from people.choices import Status
from people.models import Person

from .metrics import occurrence_span
from .models import OCCURRENCES_PER_YEAR, Activity, ActivityType, Frequency, Plan, occurrence_for

ORDER = 60
LABEL = "活动"
BATCH = 2000
VILLAGE_PLAN_SHARE = 1 / 6
FIRST_MONTH_LAST_YEAR = 10  # records go back to October of last year

DAY, LECTURE, THEME, VOLUNTEER, FORUM, TRAINING, SURVEY, SOCIAL = (
    "同心行活动日", "同心大讲堂", "主题教育", "志愿服务", "座谈会", "培训", "调研", "联谊活动")
ACCOUNTS = ("county_staff", "town01", "town02", "village0101")

# 同心行活动日: theme, the member unit (short name) that often co-organises it, content.
DAY_THEMES = [
    ("政策宣讲进村社", "县委宣传部",
     "组织党外代表人士深入村社，宣讲惠民惠企政策和基层治理有关要求，现场解答群众疑问。"),
    ("义诊送健康", "县卫健局",
     "邀请党外医务工作者开展义诊，为群众免费测量血压血糖、提供健康咨询，发放健康宣传资料。"),
    ("法律咨询进万家", "县司法局",
     "组织党外律师、法律工作者开展法律咨询，围绕婚姻家庭、土地承包、劳动纠纷等问题答疑解惑。"),
    ("同心助农", "县农业农村局",
     "组织新的社会阶层人士开展助农直播，帮助农户销售茶叶、笋干等农特产品，介绍电商销售经验。"),
    ("反诈宣传", "县公安局",
     "联合派出所开展防范电信网络诈骗宣传，讲解典型案例，指导群众安装国家反诈中心APP。"),
    ("关爱留守儿童", "县妇联",
     "组织党外知识分子走访留守儿童家庭，开展课业辅导和心理关爱，赠送学习用品。"),
    ("垃圾分类与人居环境整治", "县住建局",
     "组织党外人士参与村庄环境整治，开展垃圾分类宣传和卫生死角清理。"),
    ("送文化下乡", "县文联",
     "邀请文艺界党外人士开展书法、摄影、戏曲等文化志愿服务，为群众书写春联、拍摄全家福。"),
    ("助力乡村振兴", "县工商联",
     "组织民营企业家走访村集体经济项目，围绕产业发展、就业增收开展结对帮扶对接。"),
    ("侨胞联谊与家乡建设", "县侨联",
     "邀请归侨侨眷代表座谈交流，介绍家乡发展变化，听取对招商引资、引才引智的意见建议。"),
]
LECTURE_TOPICS = [
    "学习贯彻党的二十届四中全会精神", "铸牢中华民族共同体意识", "《中国共产党统一战线工作条例》解读",
    "《民营经济促进法》解读", "新时代民营经济高质量发展", "数字经济与企业数字化转型", "乡村振兴与共同富裕",
    "中华优秀传统文化的当代价值", "基层治理现代化的实践探索", "网络安全与个人信息保护", "宗教工作法规政策解读",
    "安全生产与企业合规经营",
]
OTHER_KINDS = {  # type: (weight, titles, contents, ledger participants, other participants)
    VOLUNTEER: (30, ["同心志愿服务——{x}"], [
        "组织党外人士志愿者开展{x}活动，服务群众{n}余人次。",
        "发动新的社会阶层人士参与{x}，现场发放宣传资料，受到群众欢迎。",
    ], (5, 20), (5, 30)),
    FORUM: (25, ["{u}党外人士座谈会", "民营企业家座谈会", "新的社会阶层人士座谈会", "党外知识分子座谈会"], [
        "通报近期经济社会发展情况，与会党外人士围绕{x}等议题交流发言，提出意见建议{k}条。",
        "召开座谈会听取党外人士对{x}的意见建议，逐条梳理形成问题清单，明确责任单位限期办理。",
    ], (5, 15), (0, 5)),
    TRAINING: (20, ["党外代表人士培训班", "统战联络员业务培训", "新的社会阶层人士专题培训", "民族宗教政策培训"], [
        "围绕{x}开展专题培训，邀请党校教师授课，并组织学员分组讨论。",
        "举办培训班，学习统一战线有关政策法规，交流基层统战工作经验，重点讲解{x}。",
    ], (10, 30), (0, 20)),
    SURVEY: (15, ["关于{x}的专题调研"], [
        "深入企业、村社实地走访，召开座谈会了解{x}情况，形成调研报告报送县委统战部。",
        "围绕{x}开展调研，走访相关单位和党外人士，梳理存在问题并提出对策建议。",
    ], (3, 8), (0, 3)),
    THEME: (6, ["“同心向党”主题教育活动", "“同心共筑中国梦”主题教育", "党外人士爱国主义教育"], [
        "组织党外人士参观红色教育基地，重温革命历史，开展{x}交流研讨。",
        "开展主题教育活动，组织集中学习和交流分享，围绕{x}谈体会、话担当。",
    ], (10, 25), (0, 10)),
    SOCIAL: (4, ["党外知识分子联谊活动", "新春联谊会", "新的社会阶层人士联谊交流"], [
        "组织党外人士开展联谊交流，增进了解、凝聚共识，围绕{x}畅谈发展。",
    ], (10, 30), (0, 15)),
}
OTHER_TOPICS = [
    "优化营商环境", "民营企业用工", "新就业群体服务", "宗教活动场所安全管理", "侨资企业发展", "农村电商发展",
    "基层社会治理", "乡村文化建设", "校外培训规范", "养老服务体系建设", "美丽乡村建设", "平安建设",
]
VOLUNTEER_TOPICS = ["文明城市创建", "防汛防台", "敬老助老", "环境保护", "交通劝导", "爱心助学", "健康咨询"]
OUTCOMES = [
    "活动得到群众广泛好评，参与党外人士表示将继续发挥自身优势服务基层。",
    "收集意见建议{k}条，已梳理交相关部门研究办理。",
    "进一步密切了党同党外人士的联系，增进了政治共识。",
    "形成可复制经验做法，拟在全镇推广。",
    "",
]
MEMBER_ORGANISERS = ["县工商联", "县侨联", "县知联会", "县新联会"]
START_TIMES = [(9, 0), (9, 0), (9, 30), (14, 0), (14, 30), (15, 0), (19, 0)]


@dataclass
class Build:
    plans: list = field(default_factory=list)
    plan_co: list = field(default_factory=list)  # (plan index, unit pk)
    activities: list = field(default_factory=list)
    people: list = field(default_factory=list)  # (activity index, person pk)
    co: list = field(default_factory=list)  # (activity index, unit pk)
    plan_of: dict = field(default_factory=dict)  # activity index → plan index


def has_data():
    return Activity.objects.exists() or Plan.objects.exists()


def seed_types():
    """The seeded types (a test database flushed by a transactional test has lost the migration's rows)."""
    seeded = importlib.import_module("activities.migrations.0002_activity_types").ACTIVITY_TYPES
    for order, (name, frequency) in enumerate(seeded, start=1):
        ActivityType.objects.get_or_create(name=name, defaults={"expected_frequency": frequency, "sort_order": order})
    return {t.name: t for t in ActivityType.objects.all()}


class Generator:
    def __init__(self, rng, county, towns, villages_by_town, members, users, people, types, today):
        self.rng = rng
        self.county = county
        self.towns = towns
        self.villages_by_town = villages_by_town
        self.members = members
        self.users = users
        self.people = people  # unit path → pks of the active people of its subtree
        self.types = types
        self.today = today
        self.year = today.year
        self.recorder = {u.unit_id: u for u in users.values()}
        self.build = Build()

    # ---- helpers
    def day_between(self, low, high):
        """A day in [low, high], a working day when there is one."""
        span = (high - low).days
        for _ in range(8):
            day = low + datetime.timedelta(days=self.rng.randint(0, max(span, 0)))
            if day.weekday() < 5 or span < 3:
                return day
        return day

    def moment(self, day, hours):
        hour, minute = self.rng.choice(START_TIMES)
        start = timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour, minute))
        return start, start + datetime.timedelta(minutes=int(60 * self.rng.uniform(*hours)) // 30 * 30)

    def participants(self, unit, low, high):
        pool = self.people.get(unit.path) or []
        count = min(len(pool), self.rng.randint(low, high))
        return self.rng.sample(pool, count)

    def place(self, unit, kind=""):
        rng = self.rng
        if unit.pk == self.county.pk:
            return rng.choice(["县同心实践中心", "县委党校报告厅", "县行政中心第三会议室", "县民营经济服务中心"])
        if unit.type == Unit.Type.TOWN:
            villages = self.villages_by_town.get(unit, [])
            if kind in (DAY, VOLUNTEER) and villages and rng.random() < 0.6:
                village = rng.choice(villages)
                return f"{village.name}{'党群服务中心' if village.name.endswith('社区') else '文化礼堂'}"
            return rng.choice([f"{unit.name}同心实践站", f"{unit.name}人民政府会议室", f"{unit.name}文化中心"])
        if unit.type == Unit.Type.VILLAGE:
            if unit.name.endswith("社区"):
                return rng.choice([f"{unit.name}党群服务中心", f"{unit.name}居民活动室"])
            return rng.choice([f"{unit.name}文化礼堂", f"{unit.name}党群服务中心", f"{unit.name}村委会议室"])
        return f"{unit.name}会议室"

    def add(self, unit, kind, day, title, content, people, others, plan_index=None, co=(), outcome="",
            hours=(1.5, 3)):
        start, end = self.moment(day, hours)
        recorder = self.recorder.get(unit.pk)
        activity = Activity(
            title=title[:100], activity_type=self.types[kind], start=start, end=end, place=self.place(unit, kind)[:100],
            other_participants=others, content=content, outcome=outcome, owner_unit=unit, created_by=recorder,
            updated_by=recorder, signin_token=secrets.token_urlsafe(16),  # 22 characters: the field holds 32
        )
        index = len(self.build.activities)
        if plan_index is not None:
            plan = self.build.plans[plan_index]
            activity.plan = plan
            activity.occurrence = occurrence_for(plan.frequency, day)
            self.build.plan_of[index] = plan_index
        self.build.activities.append(activity)
        self.build.people.extend((index, pk) for pk in people)
        self.build.co.extend((index, unit_pk) for unit_pk in co)

    def outcome(self):
        return self.rng.choice(OUTCOMES).format(k=self.rng.randint(3, 12))

    # ---- plans
    def plan(self):
        towns_behind = {self.towns[i].pk for i in BEHIND_TOWNS if i < len(self.towns)}
        school = self.members.get("县委党校")
        county_plan = self.add_plan(self.county, LECTURE, Frequency.QUARTER, f"{self.year}年全县同心大讲堂",
                                    [school] if school else [])
        self.fulfil(county_plan, self.county, 0.97)
        first_village = {}
        for town in self.towns:
            villages = self.villages_by_town.get(town, [])
            if villages:
                first_village[town.pk] = villages[0]
            behind = town.pk in towns_behind
            day_plan = self.add_plan(town, DAY, Frequency.MONTH, f"{self.year}年{town.name}每月同心行活动日")
            co = [school] if school and self.rng.random() < 0.5 else []
            lecture_plan = self.add_plan(town, LECTURE, Frequency.QUARTER, f"{self.year}年{town.name}同心大讲堂", co)
            self.fulfil(day_plan, town, 0.55 if behind else 0.95, must_miss=3 if behind else 0)
            self.fulfil(lecture_plan, town, 0.6 if behind else 0.97, must_miss=1 if behind else 0)
            self.last_year(town, behind)
            for village in villages:
                demo_village = village is villages[0] and town is self.towns[0]
                if demo_village or self.rng.random() < VILLAGE_PLAN_SHARE:
                    plan = self.add_plan(village, DAY, Frequency.MONTH, f"{self.year}年{village.name}同心行活动日")
                    self.fulfil(plan, village, 0.7 if behind else 0.9, low=(3, 12))
        self.unplanned(first_village)
        return self.build

    def add_plan(self, unit, kind, frequency, title, co=()):
        recorder = self.recorder.get(unit.pk)
        notes = {Frequency.MONTH: "每月至少开展一次，活动结束后及时录入活动记录并上传照片。",
                 Frequency.QUARTER: "每季度至少举办一期，邀请党外代表人士、统战成员参加。"}[frequency]
        self.build.plans.append(Plan(title=title, activity_type=self.types[kind], frequency=frequency,
                                     year=self.year, notes=notes, owner_unit=unit, created_by=recorder,
                                     updated_by=recorder))
        index = len(self.build.plans) - 1
        self.build.plan_co.extend((index, u.pk) for u in co)
        return index

    def fulfil(self, plan_index, unit, share, must_miss=0, low=None):
        """Activities for the plan's occurrences due so far: each held with probability `share`; the running
        one in proportion to how far it has gone; `must_miss` of the past ones missed whatever the draw."""
        rng = self.rng
        plan = self.build.plans[plan_index]
        last = self.today - datetime.timedelta(days=1)
        numbers = range(1, OCCURRENCES_PER_YEAR[plan.frequency] + 1)
        spans = [occurrence_span(plan.frequency, plan.year, n) for n in numbers]
        past = [i for i, (_, end) in enumerate(spans) if end <= last]
        missed = set(rng.sample(past[1:], min(must_miss, max(0, len(past) - 1))))
        for i, (start, end) in enumerate(spans):
            if start > last or i in missed:
                continue
            if end > last and rng.random() > (last - start).days / (end - start).days:
                continue  # the running occurrence, not yet held
            if rng.random() > share:
                continue
            for _ in range(2 if rng.random() < 0.05 else 1):
                day = self.day_between(start, min(end, last))
                if plan.activity_type.name == DAY:
                    self.day_activity(unit, day, plan_index, low)
                else:
                    self.lecture(unit, day, plan_index)

    def day_activity(self, unit, day, plan_index=None, low=None):
        rng = self.rng
        theme, member, content = rng.choice(DAY_THEMES)
        co = [self.members[member].pk] if member in self.members and rng.random() < 0.4 else []
        people = self.participants(unit, *(low or (5, 20)))
        others = rng.randint(10, 60)
        content = f"{content}参加活动的党外人士{len(people)}人，服务群众{others * rng.randint(2, 4)}余人次。"
        self.add(unit, DAY, day, f"{unit.name}{day.month}月同心行活动日：{theme}", content, people, others,
                 plan_index, co, self.outcome())

    def lecture(self, unit, day, plan_index=None):
        rng = self.rng
        topic = rng.choice(LECTURE_TOPICS)
        speaker = rng.choice(["县委党校教师", "县委统战部负责同志", "市委党校特邀专家", "党外知识分子代表",
                              "县法院法官", "民营企业家代表"])
        co = [self.members["县社科联"].pk] if "县社科联" in self.members and rng.random() < 0.3 else []
        quarter = (day.month - 1) // 3 + 1
        people = self.participants(unit, 15, 30)
        content = (f"邀请{speaker}以“{topic}”为题作专题讲座，{unit.name}党外代表人士、统战成员和村社统战联络员参加。"
                   f"讲座结合本地实际，深入浅出，现场互动交流热烈。")
        title = f"同心大讲堂（{day.year}年第{'一二三四'[quarter - 1]}期）：{topic}"
        self.add(unit, LECTURE, day, title, content, people, rng.randint(20, 80), plan_index, co, self.outcome(),
                 hours=(1.5, 2.5))

    def last_year(self, town, behind):
        """October to December of last year: the same activities, recorded before there were plans."""
        year = self.year - 1
        for month in range(FIRST_MONTH_LAST_YEAR, 13):
            end = datetime.date(year, month, 28)
            if self.rng.random() < (0.6 if behind else 0.92):
                self.day_activity(town, self.day_between(datetime.date(year, month, 1), end))
        if self.rng.random() < (0.6 if behind else 0.95):
            self.lecture(town, self.day_between(datetime.date(year, 10, 8), datetime.date(year, 12, 20)))

    def unplanned(self, first_village):
        """Activities of other kinds, without plans, from October last year to yesterday."""
        rng = self.rng
        begin = datetime.date(self.year - 1, FIRST_MONTH_LAST_YEAR, 1)
        last = self.today - datetime.timedelta(days=1)
        months = []
        day = begin
        while day <= last:
            months.append(day)
            day = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        members = [self.members[name] for name in MEMBER_ORGANISERS if name in self.members]
        for month in months:
            month_end = min(last, (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
                            - datetime.timedelta(days=1))
            hosts = [self.county] * rng.randint(1, 3)
            hosts += [town for town in self.towns if rng.random() < 0.55]
            hosts += [v for vs in self.villages_by_town.values() for v in vs if rng.random() < 0.03]
            hosts += [m for m in members if rng.random() < 0.3]
            if month.month == rng.choice([3, 6, 9, 11]) and first_village:
                hosts.append(rng.choice(list(first_village.values())))
            for unit in hosts:
                self.other(unit, self.day_between(month, month_end))

    def other(self, unit, day):
        rng = self.rng
        kinds = list(OTHER_KINDS)
        kind = rng.choices(kinds, weights=[OTHER_KINDS[k][0] for k in kinds])[0]
        _, titles, contents, people_range, others_range = OTHER_KINDS[kind]
        topic = rng.choice(VOLUNTEER_TOPICS if kind == VOLUNTEER else OTHER_TOPICS)
        title = rng.choice(titles).format(x=topic, u=unit.name)
        if kind == SOCIAL and day.month in (1, 2):
            title = "新春联谊会"
        people = self.participants(unit, *people_range)
        others = rng.randint(*others_range)
        content = rng.choice(contents).format(x=topic, n=rng.randint(50, 300), k=rng.randint(5, 20))
        if unit.pk != self.county.pk and unit.type != Unit.Type.VILLAGE and not title.startswith(unit.name):
            title = f"{unit.name}{title}" if kind in (TRAINING, SURVEY, THEME) and rng.random() < 0.5 else title
        hours = (2, 5) if kind in (TRAINING, SURVEY) else (1.5, 3)
        self.add(unit, kind, day, title, content, people, others, outcome=self.outcome(), hours=hours)


def _people_by_subtree(county):
    """{unit path: [person pks]} for every unit of the county: the active people of its subtree."""
    found = defaultdict(list)
    rows = Person.objects.filter(owner_unit__path__startswith=county.path, status=Status.ACTIVE).order_by("pk")
    for pk, path in rows.values_list("pk", "owner_unit__path"):
        for end in range(Unit.steplen, len(path) + 1, Unit.steplen):
            found[path[:end]].append(pk)
    return found


def _context(ctx):
    data = ctx.data
    county = data.get("county") or Unit.objects.filter(type=Unit.Type.COUNTY, depth=1).order_by("path").first()
    if county is None:
        raise CommandError("没有县区单位，请先加载组织机构示范数据。")
    towns = data.get("towns") or list(
        Unit.objects.filter(county.subtree_q(), type=Unit.Type.TOWN, depth=2).order_by("path"))
    villages_by_town = data.get("villages_by_town")
    if villages_by_town is None:
        villages_by_town = {town: list(Unit.objects.filter(town.subtree_q(), type=Unit.Type.VILLAGE).order_by("path"))
                            for town in towns}
    members = data.get("members")
    if members is None:
        members = {u.short_name or u.name: u for u in Unit.objects.filter(county.subtree_q(), type=Unit.Type.MEMBER)}
    users = data.get("users")
    if users is None:
        users = {u.username: u for u in get_user_model().objects.filter(username__in=ACCOUNTS)}
    return county, towns, villages_by_town, members, {k: v for k, v in users.items() if k in ACCOUNTS}


def build(ctx, today=None):
    """The plans and activities (nothing written) for the org tree and ledger already in the database."""
    county, towns, villages_by_town, members, users = _context(ctx)
    generator = Generator(random.Random(f"{SEED}:activities"), county, towns, villages_by_town, members, users,
                          _people_by_subtree(county), seed_types(), today or timezone.localdate())
    return generator.plan()


def load(ctx, today=None):
    county, *_ = _context(ctx)
    if Activity.objects.filter(owner_unit__path__startswith=county.path).exists() or \
            Plan.objects.filter(owner_unit__path__startswith=county.path).exists():
        raise CommandError(f"{county.name}已有活动记录，未重复加载示范数据。")
    plan = build(ctx, today)
    Plan.objects.bulk_create(plan.plans, batch_size=BATCH)
    Plan.co_organisers.through.objects.bulk_create(
        [Plan.co_organisers.through(plan_id=plan.plans[i].pk, unit_id=u) for i, u in plan.plan_co], batch_size=BATCH)
    for index, plan_index in plan.plan_of.items():
        plan.activities[index].plan = plan.plans[plan_index]  # now with its primary key
    Activity.objects.bulk_create(plan.activities, batch_size=BATCH)
    through = Activity.participants.through
    through.objects.bulk_create([through(activity_id=plan.activities[i].pk, person_id=p) for i, p in plan.people],
                                batch_size=BATCH)
    co = Activity.co_organisers.through
    co.objects.bulk_create([co(activity_id=plan.activities[i].pk, unit_id=u) for i, u in plan.co], batch_size=BATCH)
    return (f"{len(plan.plans)} 项活动计划，{len(plan.activities)} 次活动，"
            f"{len(plan.people)} 人次台账人员参加")


def report(ctx):
    if ctx.verbosity < 1 or not Plan.objects.exists():
        return
    from core import metrics
    from core.metrics import Period

    county, towns, *_ = _context(ctx)
    period = Period.current_year()
    rows = metrics.by_unit("activities.fulfilment_rate", towns, period)
    behind = [f"{town.name}（{rate:.1f}%）" for town, rate in rows if rate is not None and rate < 80]
    rate = metrics.compute("activities.fulfilment_rate", county, period)
    ctx.write("")
    held = metrics.compute("activities.held", county, period)
    ctx.write(f"活动：{period.label}全县开展活动 {held} 次，活动计划完成率 "
              f"{metrics.get('activities.fulfilment_rate').format(rate)}；"
              f"进度落后的镇街：{'、'.join(behind) or '无'}。")
