"""Demo pairings (联谊交友, 对口联系) of 示范县 with a year of contact records. All fictional.

County leaders, recorded by name and post (县委书记, 县委常委、统战部部长 …), are paired with 市级 and 县级
representatives; so are three demo accounts — `leader`, `county_staff` and the pairing official
`official01` — whose pairings show on their own pages. In every town the officers (the demo accounts
town01 and town02 in the first two, cadres by name and post elsewhere) are paired with the town's 镇级
representatives. Most pairings ask for 2 contacts a year, some for 4; a few ended last year.

Contacts cover last year and this year up to `today`, in the forms and words a county would record them.
Last year most pairings met their quota; this year about one in five is behind its pro-rata quota
(friendship.services), so the coverage page and the reminders have something to show. Some contacts raised
issues; most of those became follow-ups with an owner and a due date, and the older ones are mostly closed.

Planned in memory from a generator seeded with core.demo.SEED and written with `bulk_create`.
`load(ctx, today=D)` plans as of day D (today by default).
"""

import datetime
import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db.models import Count, Q
from django.utils import timezone

from core.demo import SEED, weighted_pick
from org.models import Unit
from representatives.models import Field, Level, Representative, Stage

from .models import Contact, FollowUp, Pairing
from .services import expected_contacts

ORDER = 50
LABEL = "联谊交友"
BEHIND_SHARE = 0.2  # of this year's pairings that owe a contact
BATCH = 2000

# Post, name (fictional), pairings, contacts a year.
COUNTY_LEADERS = [
    ("县委书记", "郑国强", 4, 2), ("县委副书记、县长", "黄志远", 4, 2), ("县委副书记", "何建平", 4, 2),
    ("县委常委、统战部部长", "周晓梅", 6, 4), ("县委常委、组织部部长", "吴俊杰", 3, 2),
    ("县委常委、宣传部部长", "林海燕", 3, 2), ("县委常委、常务副县长", "徐文斌", 4, 2),
    ("县人大常委会主任", "潘立新", 3, 2), ("县政协主席", "金德明", 4, 2), ("副县长", "方卫东", 3, 2),
    ("县政协副主席", "叶敏", 3, 2), ("县委统战部常务副部长", "俞春华", 5, 4),
    ("县委统战部副部长、县工商联党组书记", "蒋涛", 5, 4),
]
# Demo accounts with pairings: username, pairings, contacts a year.
COUNTY_ACCOUNTS = [("official01", 5, 2), ("leader", 3, 2), ("county_staff", 3, 4)]
TOWN_ACCOUNTS = {0: ("town01", 5), 1: ("town02", 5)}  # by town index
RECORDING = {"official01", "county_staff", "town01", "town02"}  # accounts that record their own contacts
TOWN_POSTS = [("党委书记", 3), ("镇长", 3), ("党委委员、统战委员", 4), ("人大主席", 2), ("党委副书记", 2)]

SURNAMES = "王陈张李周吴徐叶何郑杨蒋方胡潘俞应邵楼金朱林黄"
GIVEN = "建明华国伟军强平斌杰勇峰波涛俊辉刚志文晓飞亮丽芳燕红霞敏静婷萍玲慧洁"

FORMS = [(Contact.Form.VISIT, 35), (Contact.Form.TALK, 30), (Contact.Form.FORUM, 15), (Contact.Form.PHONE, 12),
         (Contact.Form.ONLINE, 8)]
SUMMARIES = {
    Contact.Form.VISIT: [
        "走访{name}，了解{workplace}近期发展情况和个人工作生活情况，宣传县委县政府有关政策。",
        "上门看望{name}，听取其对本地经济社会发展的意见建议，交流思想认识。",
        "到{workplace}走访，了解生产经营、人才引进等情况，询问需要协调解决的困难。",
    ],
    Contact.Form.TALK: [
        "与{name}谈心谈话，交流近期思想动态和工作情况，鼓励其在本职岗位发挥示范作用。",
        "同{name}开展谈心谈话，通报全县重点工作进展，听取对统一战线工作的意见。",
        "与{name}交流参政议政履职情况，就其拟提交的建议进行沟通。",
    ],
    Contact.Form.FORUM: [
        "邀请{name}参加党外代表人士座谈会，通报全县经济社会发展情况，听取意见建议。",
        "组织{name}等党外人士座谈，围绕优化营商环境、基层治理等主题交流发言。",
        "召开联谊交友座谈会，{name}就本领域发展提出意见建议。",
    ],
    Contact.Form.PHONE: [
        "电话联系{name}，了解近期工作和家庭情况，通报有关政策。",
        "电话询问{name}所反映事项的办理进展，听取其意见。",
    ],
    Contact.Form.ONLINE: [
        "通过视频方式与{name}交流，就县重点课题调研征求意见。",
        "线上联系{name}，了解其近期外出考察情况，交流工作想法。",
    ],
}
FIELD_SUMMARIES = {
    Field.NON_PUBLIC: "重点了解企业订单、用工和融资情况，宣传惠企纾困政策。",
    Field.NEW_STRATUM: "了解新的社会阶层人士在行业中的作用发挥，鼓励其参与基层社会治理。",
    Field.INTELLECTUAL: "听取其对教育、卫生等社会事业发展的意见，鼓励其参与课题调研。",
    Field.DEMOCRATIC_PARTY: "了解党派基层组织建设和参政议政工作开展情况。",
    Field.RELIGIOUS: "了解宗教活动场所管理和安全情况，宣传宗教事务条例。",
    Field.OVERSEAS: "了解侨情和海外联谊情况，听取对招商引资、引才引智的意见。",
    Field.ETHNIC: "了解少数民族群众生产生活情况，宣传民族政策。",
    Field.NON_PARTY: "交流对本地改革发展的看法，鼓励其积极建言献策。",
}
ISSUES = {
    Field.NON_PUBLIC: ["企业用工紧张，希望加强技能人才招引和培训", "希望协调解决厂区周边道路破损问题",
                       "建议加大对小微企业融资担保支持力度", "反映企业用电增容审批周期较长",
                       "希望简化厂房扩建项目竣工验收手续", "企业物流车辆通行不便，希望优化周边交通组织"],
    Field.NEW_STRATUM: ["建议为快递、外卖等新就业形态劳动者增设服务驿站", "希望搭建新的社会阶层人士交流学习平台",
                        "反映小区物业服务纠纷调处渠道不畅", "希望组织网络主播行业规范经营培训"],
    Field.INTELLECTUAL: ["希望多组织党外知识分子参与县重点课题调研", "建议改善乡镇学校教师周转房条件",
                         "反映基层卫生院专业人才流失问题", "建议完善农村学校校车接送安排"],
    Field.RELIGIOUS: ["宗教活动场所消防设施老化，需要更新", "场所周边停车困难，节日期间车辆拥堵"],
    Field.OVERSEAS: ["侨眷反映涉侨证明办理不便", "希望为回乡投资的侨胞提供项目对接服务"],
}
GENERAL_ISSUES = ["村道路灯损坏，群众夜间出行不便", "建议完善村级养老服务设施", "反映农村生活污水管网破损",
                  "希望加强对党外人士的政策宣讲", "建议增设公交班次方便群众出行"]
RESULTS = ["已协调{dept}办理，并向本人反馈办理结果", "经{dept}现场查看，问题已解决，本人表示满意",
           "已转{dept}研究，纳入明年工作计划，已向本人说明", "已会同{dept}召开协调会，问题基本解决"]
DEPARTMENTS = ["县交通运输局", "县人社局", "县经信局", "县住建局", "县教育局", "县卫健局", "县民宗局", "县侨联",
               "县市场监管局", "县发改局", "属地镇政府"]


@dataclass
class Rep:
    pk: int
    level: str
    stage: str
    field: str
    owner_unit_id: int
    path: str
    name: str
    workplace: str


@dataclass
class Plan:
    pairings: list = field(default_factory=list)
    contacts: list = field(default_factory=list)  # (pairing index, Contact)
    follow_ups: list = field(default_factory=list)  # (contact index, FollowUp)


def has_data():
    return Pairing.objects.exists()



class Generator:
    def __init__(self, rng, county, towns, users, reps, today):
        self.rng = rng
        self.county = county
        self.towns = towns
        self.users = users
        self.reps = reps
        self.today = today
        self.year_start = datetime.date(today.year, 1, 1)
        self.last_year_end = self.year_start - datetime.timedelta(days=1)
        self.taken = set()

    def day(self, low, high):
        span = (high - low).days
        return low + datetime.timedelta(days=self.rng.randint(0, span)) if span > 0 else low

    def name(self):
        rng = self.rng
        return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2, 2])))

    def take(self, candidates, n):
        """Up to n representatives not yet paired, certified ones first."""
        free = [r for r in candidates if r.pk not in self.taken]
        free.sort(key=lambda r: (r.stage != Stage.CERTIFIED, self.rng.random()))
        chosen = free[:n]
        self.taken.update(r.pk for r in chosen)
        return chosen

    def plan(self):
        rng = self.rng
        plan = Plan()
        active = [r for r in self.reps if r.stage != Stage.EXITED]
        senior = [r for r in active if r.level in (Level.CITY, Level.COUNTY)]
        for username, n, per_year in COUNTY_ACCOUNTS:
            user = self.users.get(username)
            if user is not None:
                for rep in self.take(senior, n):
                    self.pair(plan, rep, self.county, per_year, official=user)
        for post, name, n, per_year in COUNTY_LEADERS:
            for rep in self.take(senior, n):
                self.pair(plan, rep, self.county, per_year, name=name, post=post)
        for index, town in enumerate(self.towns):
            local = [r for r in active if r.level == Level.TOWN and r.path.startswith(town.path)]
            account = TOWN_ACCOUNTS.get(index)
            user = self.users.get(account[0]) if account else None
            if user is not None:
                for rep in self.take(local, account[1]):
                    self.pair(plan, rep, town, 2, official=user)
            head = "主任" if town.name.endswith("街道") else "镇长"
            for post, n in TOWN_POSTS[:rng.choice([2, 3, 3])]:
                if user is not None and "统战委员" in post:
                    continue  # the demo account is the town's 统战委员
                post = post.replace("镇长", head)
                for rep in self.take(local, n):
                    self.pair(plan, rep, town, rng.choice([2, 2, 2, 4]), name=self.name(), post=f"{town.name}{post}")
        for index, pairing in enumerate(plan.pairings):
            self.add_contacts(plan, index, pairing)
        return plan

    def pair(self, plan, rep, unit, per_year, official=None, name="", post=""):
        rng = self.rng
        r = rng.random()
        if r < 0.15:  # paired this year
            start = self.day(self.year_start, self.today - datetime.timedelta(days=60))
        else:
            start = self.day(self.year_start.replace(year=self.today.year - 3), self.last_year_end)
        end = None
        if r > 0.96 and start < self.last_year_end.replace(month=6, day=30):  # ended last year (结对调整)
            end = self.day(self.last_year_end.replace(month=7, day=1), self.last_year_end)
        creator = self.recorder(official, unit)
        pairing = Pairing(
            official=official, official_name=name, official_post=post, representative_id=rep.pk,
            contacts_per_year=per_year, start_date=start, end_date=end, owner_unit=unit,
            created_by=creator, updated_by=creator,
        )
        pairing.rep = rep  # for the contacts' wording; not a model field
        plan.pairings.append(pairing)

    def recorder(self, official, unit):
        """Who records the pairing's contacts: the official when they use Tongxin for it, else the unit's staff."""
        if official is not None and official.username in RECORDING:
            return official
        return self.staff_for(unit)

    def staff_for(self, unit):
        if unit.pk == self.county.pk:
            return self.users.get("county_staff")
        return next((u for u in self.users.values() if u.unit_id == unit.pk and u.username.startswith("town")), None)

    def add_contacts(self, plan, index, pairing):
        rng = self.rng
        per_year, start, end = pairing.contacts_per_year, pairing.start_date, pairing.end_date
        # Last year: most met their quota.
        owed = expected_contacts(per_year, start, end, self.last_year_end)
        if owed:
            made = owed + rng.choice([0, 0, 1, 2]) if rng.random() < 0.9 else rng.randint(0, owed - 1)
            begin = max(start, self.last_year_end.replace(month=1, day=1))
            self.spread(plan, index, pairing, made, begin, min(end or self.last_year_end, self.last_year_end))
        # This year, up to today: about one in five of those owing a contact is behind.
        if end is not None and end < self.year_start:
            return
        owed = expected_contacts(per_year, start, end, self.today)
        if owed and rng.random() < BEHIND_SHARE:
            made = rng.randint(max(0, owed - 2), owed - 1)
        else:
            made = owed + rng.choice([0, 1, 1, 2]) if owed or rng.random() < 0.5 else 0
        self.spread(plan, index, pairing, made, max(start, self.year_start), self.today)

    def spread(self, plan, index, pairing, count, begin, end):
        """`count` contacts, one in each of `count` equal slices of [begin, end]."""
        if count <= 0 or end < begin:
            return
        span = (end - begin).days + 1
        for i in range(count):
            low = begin + datetime.timedelta(days=span * i // count)
            high = begin + datetime.timedelta(days=max(0, span * (i + 1) // count - 1))
            self.contact(plan, index, pairing, self.day(low, high))

    def contact(self, plan, index, pairing, date):
        rng = self.rng
        rep = pairing.rep
        form = weighted_pick(rng, FORMS)
        workplace = rep.workplace or "其所在单位"
        summary = rng.choice(SUMMARIES[form]).format(name=rep.name, workplace=workplace)
        if rep.field in FIELD_SUMMARIES and rng.random() < 0.5:
            summary += FIELD_SUMMARIES[rep.field]
        unit = pairing.owner_unit
        place = {
            Contact.Form.VISIT: workplace if rep.workplace and rng.random() < 0.8 else f"{rep.name}家中",
            Contact.Form.TALK: "县委统战部" if unit.pk == self.county.pk else f"{unit.name}政府",
            Contact.Form.FORUM: "县同心实践中心" if unit.pk == self.county.pk else f"{unit.name}同心实践站",
        }.get(form, "")
        issues = ""
        if rng.random() < 0.3:
            issues = rng.choice(ISSUES.get(rep.field, GENERAL_ISSUES) + GENERAL_ISSUES[:1])
        creator = self.recorder(pairing.official, unit)
        plan.contacts.append((index, Contact(date=date, form=form, place=place[:100], summary=summary,
                                             issues=issues, owner_unit=unit, created_by=creator,
                                             updated_by=creator)))
        if issues and rng.random() < 0.7:  # owned by whoever records, or the department's staff
            owner = creator or self.users.get("county_staff")
            self.follow_up(plan, len(plan.contacts) - 1, date, issues, unit, owner)

    def follow_up(self, plan, contact_index, date, issues, unit, assignee):
        rng = self.rng
        due = date + datetime.timedelta(days=rng.choice([15, 30, 30, 60]))
        status, result, closed = FollowUp.Status.OPEN, "", None
        closing = rng.random() < (0.8 if due < self.today else 0.3)
        if closing and date + datetime.timedelta(days=3) <= self.today:
            closed = self.day(date + datetime.timedelta(days=3), min(self.today, due + datetime.timedelta(days=10)))
            status, result = FollowUp.Status.DONE, rng.choice(RESULTS).format(dept=rng.choice(DEPARTMENTS))
        plan.follow_ups.append((contact_index, FollowUp(
            description=issues, assignee=assignee, due_date=due, status=status, result=result, closed_at=closed,
            owner_unit=unit, created_by=assignee, updated_by=assignee,
        )))


def _context(ctx):
    data = ctx.data
    county = data.get("county") or Unit.objects.filter(type=Unit.Type.COUNTY, depth=1).order_by("path").first()
    if county is None:
        raise CommandError("没有县区单位，请先加载组织机构示范数据。")
    towns = data.get("towns") or list(
        Unit.objects.filter(county.subtree_q(), type=Unit.Type.TOWN, depth=2).order_by("path"))
    users = data.get("users")
    if users is None:
        users = {u.username: u for u in get_user_model().objects.filter(
            username__in=[a[0] for a in COUNTY_ACCOUNTS] + [a[0] for a in TOWN_ACCOUNTS.values()])}
    return county, towns, users


def build(ctx, today=None):
    """The plan (nothing written) for the representatives already in the database."""
    county, towns, users = _context(ctx)
    reps = [Rep(*row) for row in Representative.objects.filter(owner_unit__path__startswith=county.path)
            .order_by("pk").values_list("pk", "level", "stage", "field", "owner_unit_id", "owner_unit__path",
                                        "person__name", "person__workplace")]
    return Generator(random.Random(f"{SEED}:friendship"), county, towns, users, reps,
                     today or timezone.localdate()).plan()


def load(ctx, today=None):
    county, _, _ = _context(ctx)
    if Pairing.objects.filter(owner_unit__path__startswith=county.path).exists():
        raise CommandError(f"{county.name}已有结对联系，未重复加载示范数据。")
    plan = build(ctx, today)
    Pairing.objects.bulk_create(plan.pairings, batch_size=BATCH)
    for index, contact in plan.contacts:
        contact.pairing = plan.pairings[index]
    Contact.objects.bulk_create([c for _, c in plan.contacts], batch_size=BATCH)
    for index, follow_up in plan.follow_ups:
        follow_up.contact = plan.contacts[index][1]
    FollowUp.objects.bulk_create([f for _, f in plan.follow_ups], batch_size=BATCH)
    return f"{len(plan.pairings)} 对结对联系，{len(plan.contacts)} 条联系记录，{len(plan.follow_ups)} 项跟进事项"


def report(ctx):
    if ctx.verbosity < 1 or not Pairing.objects.exists():
        return
    from .services import BEHIND, active_in_year, with_progress

    today = timezone.localdate()
    figures = with_progress(active_in_year(Pairing.objects.all(), today), today).aggregate(
        n=Count("pk"), behind=Count("pk", filter=BEHIND), accounts=Count("pk", filter=Q(official__isnull=False)))
    ctx.write("")
    ctx.write(f"联谊交友：{today.year}年结对 {figures['n']} 对（其中示范账号 {figures['accounts']} 对），"
              f"截至今日联系进度落后 {figures['behind']} 对。")
