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
"""

import datetime
import random
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils import timezone

from core.demo import BEHIND_TOWNS, SEED
from org.models import Unit

from .documents import common, letters, notices
from .models import Indicator, Notice, ReminderLetter, Scheme, Submission, SubmissionStep
from .periods import Frequency, occurrences
from .workdays import WorkCalendar, due_date

ORDER = 70
LABEL = "职责清单"
BATCH = 2000
MEMBER_BEHIND_SHARE = 1 / 7
NOTICE_AFTER_DAYS = 25
NOTICE_LAGGING_RATE = 60  # a member unit has three quarterly items: one missed is not yet "lagging"
ACCOUNTS = ("county_staff", "town01", "town02")

M = Indicator.Method
TOWN, MEMBER = Unit.Type.TOWN, Unit.Type.MEMBER
MONTH, QUARTER, HALF, YEAR = Frequency.MONTH, Frequency.QUARTER, Frequency.HALF_YEAR, Frequency.YEAR


@dataclass(frozen=True)
class Item:
    """An item of the demo scheme. `due`: (month, day) of a yearly deadline; `days`: working days after the end
    of each occurrence; `rule`: (metric key, params, comparison, threshold, mapping)."""

    text: str
    method: str
    points: float
    frequency: str = YEAR
    due: tuple | None = None
    days: int | None = None
    types: tuple = ()
    unit_points: float | None = None
    score_min: float = 0
    rule: tuple | None = None
    evidence: str = ""


DAY_TYPE, LECTURE_TYPE = "同心行活动日", "同心大讲堂"
CATEGORIES = [
    ("一、组织领导", [
        Item("党委（党组）每半年至少专题研究一次统战工作，研究解决统战工作重点难点问题", M.DONE, 2, HALF, days=10,
             evidence="会议纪要或会议记录"),
        Item("将统战理论政策纳入党委（党组）理论学习中心组学习内容，全年不少于1次", M.DONE, 1, due=(11, 30),
             evidence="中心组学习记录"),
        Item("明确分管领导和统战工作人员，落实统战工作责任制", M.DONE, 1, due=(3, 31), evidence="分工文件"),
        Item("按时报送年度统战工作要点（计划）", M.DONE, 1, due=(2, 28), evidence="工作要点"),
        Item("按时报送半年和年度统战工作总结", M.DONE, 1, HALF, days=5, evidence="工作总结"),
        Item("统战委员（联络员）参加县委统战部组织的业务培训", M.DONE, 1, due=(10, 31), types=(TOWN,),
             evidence="培训签到表"),
    ]),
    ("二、阵地建设与活动开展", [
        Item("每月开展同心行活动日，活动记录和照片及时录入同心平台", M.DONE, 6, MONTH, days=5, types=(TOWN,),
             rule=("activities.held_of_type", {"activity_type": DAY_TYPE}, "gte", 1, "threshold"),
             evidence="平台活动记录（自动取数）"),
        Item("每季度举办一期同心大讲堂", M.DONE, 4, QUARTER, days=10, types=(TOWN,),
             rule=("activities.held_of_type", {"activity_type": LECTURE_TYPE}, "gte", 1, "threshold"),
             evidence="平台活动记录（自动取数）"),
        Item("同心实践站规范化建设，做到有场所、有制度、有活动、有台账", M.REVIEW, 3, due=(9, 30), types=(TOWN,),
             evidence="实践站照片、制度和活动台账"),
        Item("参与（联办）镇街同心行活动日或同心志愿服务", M.PER_OCCURRENCE, 2, HALF, types=(MEMBER,),
             unit_points=0.5, evidence="活动记录或照片"),
        Item("发挥部门职能，开展“同心”品牌创建活动", M.REVIEW, 3, due=(10, 31), types=(MEMBER,),
             evidence="创建方案和工作总结"),
    ]),
    ("三、联谊交友与代表人士队伍建设", [
        Item("领导干部结对联系党外代表人士，联系进度达标率不低于90%", M.REVIEW, 4, HALF, days=10, types=(TOWN,),
             rule=("friendship.coverage_rate", {}, "gte", 90, "proportional"), evidence="平台联系记录（自动取数）"),
        Item("认定的党外代表人士不少于10名，代表人士档案齐全", M.DONE, 2, due=(11, 30), types=(TOWN,),
             rule=("representatives.certified", {}, "gte", 10, "threshold"), evidence="平台代表人士库（自动取数）"),
        Item("领导干部与党外人士谈心谈话，每季度至少1次", M.DONE, 1, QUARTER, days=10, evidence="谈话记录"),
        Item("做好党外代表人士推荐、培养和使用工作", M.REVIEW, 2, due=(11, 30), types=(MEMBER,),
             evidence="推荐材料"),
        Item("走访联系民营企业和新的社会阶层人士，帮助解决实际困难", M.PER_OCCURRENCE, 2, QUARTER, types=(TOWN,),
             unit_points=0.5, evidence="走访记录"),
    ]),
    ("四、台账管理与信息报送", [
        Item("统战成员台账信息完整率不低于89%", M.DONE, 3, due=(11, 30), types=(TOWN,),
             rule=("people.completeness_rate", {}, "gte", 89, "proportional"), evidence="平台台账（自动取数）"),
        Item("每季度核对更新统战成员台账，及时登记新增和退出人员", M.DONE, 1, QUARTER, days=10,
             evidence="台账核对记录"),
        Item("报送统战工作信息，每季度不少于1篇", M.DONE, 1, QUARTER, days=5, evidence="信息稿件"),
        Item("完成一项统战工作调研课题", M.REVIEW, 3, due=(11, 15), evidence="调研报告"),
    ]),
    ("五、重点领域统战工作", [
        Item("民族宗教工作：宗教活动场所安全检查每季度全覆盖", M.DONE, 1, QUARTER, days=10, types=(TOWN,),
             evidence="检查记录"),
        Item("民营经济统战工作：开展“两个健康”主题教育或政企恳谈活动", M.DONE, 1, HALF, days=10, types=(TOWN,),
             evidence="活动记录"),
        Item("新的社会阶层人士统战工作：建立新阶层人士实践创新基地或联络点", M.REVIEW, 2, due=(10, 31),
             types=(TOWN,), evidence="基地（联络点）建设材料"),
        Item("港澳台海外统战工作：开展侨情调查，联系服务归侨侨眷", M.DONE, 1, due=(9, 30), types=(TOWN,),
             evidence="侨情调查表"),
        Item("在县级以上媒体宣传本单位统战工作", M.PER_OCCURRENCE, 2, unit_points=0.5, evidence="刊发截图"),
        Item("落实县委统一战线工作领导小组（联席会议）议定事项", M.DONE, 2, HALF, days=10, types=(MEMBER,),
             evidence="落实情况报告"),
        Item("配合做好党外人士参政议政、民主监督工作，办理民主党派提案和建议", M.REVIEW, 2, due=(11, 30),
             types=(MEMBER,), evidence="办理情况"),
    ]),
    ("六、加分和扣分", [
        Item("加分：统战工作经验做法被市级以上推广或获领导批示肯定", M.BONUS, 3, unit_points=1,
             evidence="推广文件或批示"),
        Item("加分：获得县级以上统战工作表彰", M.BONUS, 2, unit_points=1, evidence="表彰文件"),
        Item("扣分：未按时报送材料或报送材料不实", M.DEDUCTION, 2, unit_points=0.5),
        Item("扣分：统战领域发生负面舆情或安全事件，处置不力", M.DEDUCTION, 5, unit_points=2),
        Item("扣分：结对联系进度落后，每对扣0.5分", M.DEDUCTION, 2, types=(TOWN,), unit_points=0.5,
             rule=("friendship.pairings_behind", {}, "gte", None, "count"), evidence="平台结对进度（自动取数）"),
    ]),
]
SPECIFIC_CATEGORY = "七、个性事项"

# Two specific items (个性) per town, by the town's short name.
TOWN_SPECIFIC = {
    "城关": ["开展新就业群体（快递员、外卖骑手、网约车司机）统战工作试点", "建设城市社区“同心驿站”"],
    "东溪": ["做好东溪中心学校党外知识分子联谊工作", "推进宗教活动场所“四进”工作"],
    "西岭": ["组织新阶层人士开展茶产业助农直播", "依托红色教育基地开展党外人士教育"],
    "南湖": ["开展移民村民族团结进步创建", "建设镇级“侨胞之家”"],
    "北山": ["培育民营企业“两个健康”示范点", "组织党外人士参与林区护林志愿服务"],
    "青石": ["开展石材企业民营企业家联谊和安全生产宣传", "做好少数民族流动人口服务管理"],
    "白沙": ["在纺织企业建立新阶层人士联络点", "推动镇商会规范化建设"],
    "桃源": ["组建乡贤参事会，引导乡贤参与乡村振兴", "做好民宿业主等新阶层人士服务"],
    "云溪": ["组织文化界党外人士参与古村落保护", "开展“同心护河”志愿服务"],
    "金竹": ["发挥竹产业协会党外人士作用", "开展党外人士助力共同富裕结对帮扶"],
    "石门": ["做好基督教活动场所规范管理", "组织党外人士开展“同心助学”"],
    "清河": ["开展楼宇商圈新阶层人士统战工作", "建立留学归国人员联谊组织"],
}
# One specific item for some member units, by short name: text, method, points, frequency.
MEMBER_SPECIFIC = {
    "县工商联": ("开展民营企业“两个健康”提升行动，组织商会参与乡村振兴", M.REVIEW, 4, YEAR),
    "县民宗局": ("做好宗教活动场所安全管理和民族团结进步创建", M.DONE, 3, HALF),
    "县侨联": ("开展侨情调查，建设“侨胞之家”", M.DONE, 2, YEAR),
    "县教育局": ("做好党外知识分子（教师）联谊和代表人士推荐", M.REVIEW, 3, YEAR),
    "县卫健局": ("组织党外医务工作者开展“同心义诊”", M.PER_OCCURRENCE, 2, QUARTER),
    "县司法局": ("组织党外律师开展法律服务进村社", M.PER_OCCURRENCE, 2, QUARTER),
    "县农业农村局": ("组织新农人（新的社会阶层人士）开展助农服务", M.DONE, 2, HALF),
    "县委党校": ("举办党外代表人士培训班，开设统战理论政策课程", M.DONE, 2, YEAR),
    "县委宣传部": ("做好统战宣传和网络统战工作", M.REVIEW, 3, YEAR),
    "县委组织部": ("做好党外干部选拔配备和教育培养", M.REVIEW, 3, YEAR),
    "县知联会": ("组织会员开展联谊交流和建言献策活动", M.PER_OCCURRENCE, 2, QUARTER),
    "县新联会": ("组织新阶层人士开展“同心”实践活动", M.PER_OCCURRENCE, 2, QUARTER),
    "县委台办": ("做好对台交流和台胞台属联系服务", M.DONE, 2, YEAR),
    "县经信局": ("开展民营企业服务月活动，帮助企业解决困难", M.DONE, 2, HALF),
    "县人社局": ("做好党外人才引进和服务工作", M.REVIEW, 2, YEAR),
    "县科协": ("组织党外科技工作者开展科普志愿服务", M.PER_OCCURRENCE, 2, QUARTER),
}

SUBMIT_TEXTS = [
    "已按要求完成。{x}已整理归档，相关材料已上传。",
    "本期已完成该项工作，{x}见附件，请审核。",
    "已落实，{x}已报县委统战部，平台中已录入相关记录。",
    "按照考核细则要求完成，形成{x}，请审核。",
]
DRAFT_TEXTS = ["正在整理{x}，近期提交。", "已部分完成，{x}待补充。"]
RETURN_COMMENTS = [
    "佐证材料不完整，请补充会议纪要和照片后重新提交。",
    "材料未体现本期工作情况，请补充本期的{x}。",
    "请补充签到表和活动照片。",
    "报送内容与考核要求不符，请对照细则修改后重新提交。",
]
APPROVE_COMMENTS = ["材料齐全，同意通过。", "符合要求。", "", "", "同意。"]


@dataclass
class Plan:
    scheme: Scheme = None
    indicators: list = field(default_factory=list)
    units: list = field(default_factory=list)  # (indicator index, unit pk) of the specific items
    submissions: list = field(default_factory=list)
    steps: list = field(default_factory=list)  # (submission index, SubmissionStep, created_at)


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


def _dec(value):
    return None if value is None else Decimal(str(value))


def _indicator(scheme, item, parent_index, sort_order, year):
    rule = item.rule or ("", {}, "gte", None, "threshold")
    return Indicator(
        scheme=scheme, sort_order=sort_order, text=item.text, method=item.method, points=_dec(item.points),
        unit_points=_dec(item.unit_points), score_min=_dec(item.score_min), evidence_required=item.evidence,
        frequency=item.frequency, deadline=datetime.date(year, *item.due) if item.due else None,
        deadline_days=item.days, deadline_anchor=Indicator.DeadlineAnchor.END,
        applies_to=Indicator.Applicability.COMMON, unit_types=list(item.types),
        metric_key=rule[0], metric_params=dict(rule[1]), rule_comparison=rule[2], rule_threshold=_dec(rule[3]),
        rule_mapping=rule[4],
    ), parent_index


class Generator:
    def __init__(self, rng, county, towns, members, users, today):
        self.rng = rng
        self.county = county
        self.towns = towns
        self.members = members
        self.users = users
        self.today = today
        self.year = today.year
        self.calendar = WorkCalendar()
        self.recorder = {u.unit_id: u for u in users.values() if u.unit_id != county.pk}
        self.reviewer = users.get("county_staff")
        self.plan = Plan()

    def scheme(self):
        reviewer = self.reviewer
        now = timezone.now()
        published = timezone.make_aware(datetime.datetime(self.year, 1, 15, 10, 0)) \
            if datetime.date(self.year, 1, 15) <= self.today else now
        return Scheme(
            year=self.year, title=f"{self.year}年度统战工作考核细则", unit_types=[TOWN, MEMBER],
            periods=["quarter", "half", "year"], status=Scheme.Status.PUBLISHED, published_at=published,
            description=("依据《中国共产党统一战线工作条例》和县委有关要求制定。共性事项适用于各镇（街道）或县级各成员单位，"
                         "个性事项适用于指定单位；标注“自动取数”的事项由同心平台根据已录入的活动、联系、代表人士和台账记录"
                         "自动判定。"),
            owner_unit=self.county, created_by=reviewer, updated_by=reviewer,
        )

    def indicators(self, scheme):
        """Categories and items (parent given by index into the list), then the specific items."""
        rows = []
        for order, (title, items) in enumerate(CATEGORIES, start=1):
            rows.append((Indicator(scheme=scheme, sort_order=order, text=title), None))
            parent = len(rows) - 1
            for item_order, item in enumerate(items, start=1):
                rows.append(_indicator(scheme, item, parent, item_order, self.year))
        rows.append((Indicator(scheme=scheme, sort_order=len(CATEGORIES) + 1, text=SPECIFIC_CATEGORY), None))
        parent = len(rows) - 1
        order = 0
        for town in self.towns:
            for text in TOWN_SPECIFIC.get(town.short_name, []):
                order += 1
                method = M.DONE if order % 2 else M.REVIEW
                item = Item(text, method, 2, YEAR if order % 3 else HALF, due=(10, 31) if order % 3 else None,
                            days=None if order % 3 else 10, evidence="工作方案和落实情况")
                rows.append(_indicator(scheme, item, parent, order, self.year))
                self.plan.units.append((len(rows) - 1, town.pk))
        for short_name, (text, method, points, frequency) in MEMBER_SPECIFIC.items():
            unit = self.members.get(short_name)
            if unit is None:
                continue
            order += 1
            item = Item(text, method, points, frequency, due=(10, 31) if frequency == YEAR else None,
                        days=10 if frequency in (HALF,) else None,
                        unit_points=0.5 if method == M.PER_OCCURRENCE else None, evidence="工作方案和落实情况")
            rows.append(_indicator(scheme, item, parent, order, self.year))
            self.plan.units.append((len(rows) - 1, unit.pk))
        for index, _ in self.plan.units:
            rows[index][0].applies_to = Indicator.Applicability.SPECIFIC
        return rows

    # ---- submissions
    def moment(self, day, hour=None):
        day = min(day, self.today)
        hour = hour if hour is not None else self.rng.randint(8, 17)
        return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour, self.rng.randint(0, 59)))

    def submissions(self, indicators, specific):
        """Submissions for every unit, item and occurrence begun by today (not for items judged by a rule)."""
        behind_towns = {self.towns[i].pk for i in BEHIND_TOWNS if i < len(self.towns)}
        member_list = sorted(self.members.values(), key=lambda u: u.path)
        behind_members = {u.pk for u in member_list if self.rng.random() < MEMBER_BEHIND_SHARE}
        if member_list and not behind_members:
            behind_members.add(member_list[len(member_list) // 2].pk)
        self.behind = behind_towns | behind_members
        items = [i for i in indicators if i.parent_id is not None]
        for unit in [*self.towns, *member_list]:
            behind = unit.pk in self.behind
            for item in items:
                if item.applies_to == Indicator.Applicability.SPECIFIC:
                    if unit.pk not in specific.get(item.pk, ()):
                        continue
                elif item.unit_types and unit.type not in item.unit_types:
                    continue
                if item.method in (M.BONUS, M.DEDUCTION):
                    self.bonus_or_deduction(unit, item, behind)
                    continue
                if item.metric_key:
                    continue  # judged from the records
                for occurrence in occurrences(item.frequency, self.year):
                    if occurrence.start > self.today:
                        break
                    self.occurrence(unit, item, occurrence, behind)

    def draw_status(self, due, behind):
        """The status of an occurrence due on `due`: long past ones are mostly passed, recent ones often still
        awaiting review or returned, running ones often not begun; the units behind do worse throughout."""
        S = Submission.Status
        age = (self.today - due).days
        if age > 30:
            weights = [(S.PASSED, 60), (S.SUBMITTED, 4), (S.RETURNED, 12), (S.IN_PROGRESS, 8), (None, 16)] \
                if behind else [(S.PASSED, 95), (S.SUBMITTED, 1), (S.RETURNED, 1), (S.IN_PROGRESS, 1), (None, 2)]
        elif age > 0:
            weights = [(S.PASSED, 35), (S.SUBMITTED, 20), (S.RETURNED, 15), (S.IN_PROGRESS, 15), (None, 15)] \
                if behind else [(S.PASSED, 70), (S.SUBMITTED, 18), (S.RETURNED, 5), (S.IN_PROGRESS, 3), (None, 4)]
        else:
            weights = [(S.PASSED, 10), (S.SUBMITTED, 10), (S.IN_PROGRESS, 20), (None, 60)] if behind \
                else [(S.PASSED, 30), (S.SUBMITTED, 25), (S.IN_PROGRESS, 20), (None, 25)]
        statuses, chances = zip(*weights, strict=True)
        return self.rng.choices(statuses, weights=chances)[0]

    def occurrence(self, unit, item, occurrence, behind):
        due = due_date(item, occurrence, self.calendar)
        status = self.draw_status(due, behind)
        if status is None:
            return
        rng = self.rng
        evidence = item.evidence_required or "工作材料"
        user = self.recorder.get(unit.pk)
        S = Submission.Status
        submission = Submission(indicator=item, period_key=occurrence.key, status=status, owner_unit=unit,
                                created_by=user, updated_by=user)
        if status == S.IN_PROGRESS:
            submission.text = rng.choice(DRAFT_TEXTS).format(x=evidence)
            self.plan.submissions.append(submission)
            return
        submission.text = rng.choice(SUBMIT_TEXTS).format(x=evidence)
        latest = min(self.today, due + datetime.timedelta(days=rng.randint(0, 20) if behind else 0))
        earliest = max(occurrence.start, latest - datetime.timedelta(days=15))
        submitted = earliest + datetime.timedelta(days=rng.randint(0, max(0, (latest - earliest).days)))
        steps = []
        index = len(self.plan.submissions)
        if status in (S.PASSED, S.RETURNED) or (status == S.SUBMITTED and rng.random() < 0.15):
            first_review = min(self.today, submitted + datetime.timedelta(days=rng.randint(1, 6)))
            if status == S.RETURNED or rng.random() < (0.25 if behind else 0.08):
                steps.append((SubmissionStep.Action.SUBMIT, "", None, S.SUBMITTED, user, submitted))
                steps.append((SubmissionStep.Action.RETURN, rng.choice(RETURN_COMMENTS).format(x=evidence), None,
                              S.RETURNED, self.reviewer, first_review))
                if status != S.RETURNED:  # put right and submitted again
                    submitted = min(self.today, first_review + datetime.timedelta(days=rng.randint(1, 8)))
        submission.submitted_at = self.moment(submitted, 9)
        if status != S.RETURNED:
            steps.append((SubmissionStep.Action.SUBMIT, "", None, S.SUBMITTED, user, submitted))
        if status == S.PASSED:
            reviewed = min(self.today, submitted + datetime.timedelta(days=rng.randint(1, 7)))
            score = None
            if item.method == M.REVIEW:
                share = rng.uniform(0.6, 0.95) if behind else rng.uniform(0.75, 1.0)
                score = max(item.score_min, (item.points * Decimal(str(share)) * 2).quantize(Decimal(1)) / 2)
            elif item.method == M.PER_OCCURRENCE:
                submission.count = rng.randint(1, 2) if behind else rng.randint(1, 3)
            submission.score = score
            submission.reviewed_at = self.moment(reviewed, 15)
            submission.reviewed_by = self.reviewer
            steps.append((SubmissionStep.Action.APPROVE, rng.choice(APPROVE_COMMENTS), score, S.PASSED,
                          self.reviewer, reviewed))
        elif status == S.RETURNED:
            submission.reviewed_at = self.moment(steps[-1][5], 15)
            submission.reviewed_by = self.reviewer
        self.plan.submissions.append(submission)
        previous = None
        for action, comment, score, after, actor, day in steps:
            moment = self.moment(day, 9 if action == SubmissionStep.Action.SUBMIT else 16)
            if previous is not None and moment <= previous:  # several steps on one day keep their order
                moment = previous + datetime.timedelta(minutes=rng.randint(10, 90))
            previous = moment
            self.plan.steps.append((index, SubmissionStep(action=action, comment=comment, score=score,
                                                          status_after=after, user=actor), moment))

    def bonus_or_deduction(self, unit, item, behind):
        """Bonus for a few units doing well, deductions for a few behind (recorded by the county as passed)."""
        if item.metric_key:
            return
        rng = self.rng
        if item.method == M.BONUS:
            chance = 0.02 if behind else (0.12 if unit.type == TOWN else 0.04)
        elif item.unit_points and item.unit_points >= 2:
            chance = 0.05 if behind else 0.0
        else:
            chance = 0.5 if behind else 0.03
        if rng.random() >= chance:
            return
        count = rng.randint(1, 2)
        day = self.today - datetime.timedelta(days=rng.randint(5, 60))
        day = max(datetime.date(self.year, 1, 20), day)
        reason = "经县委统战部核实认定" if item.method == M.DEDUCTION else "经县委统战部审核认定"
        submission = Submission(
            indicator=item, period_key=str(self.year), status=Submission.Status.PASSED, owner_unit=unit,
            count=count, text=f"{reason}，计{count}次。", submitted_at=self.moment(day, 9),
            reviewed_at=self.moment(day, 16), reviewed_by=self.reviewer, created_by=self.reviewer,
            updated_by=self.reviewer,
        )
        index = len(self.plan.submissions)
        self.plan.submissions.append(submission)
        self.plan.steps.append((index, SubmissionStep(action=SubmissionStep.Action.APPROVE, comment=reason,
                                                      status_after=Submission.Status.PASSED, user=self.reviewer),
                                self.moment(day, 16)))


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


def _working_day_before(calendar, day):
    while not calendar.is_working_day(day):
        day -= datetime.timedelta(days=1)
    return day


def issue_documents(scheme, generator, towns, users, today):
    """Two reminder letters (town02's 东溪镇 and the member unit most behind) and a notice for the last quarter
    over, issued by county_staff as the pages would."""
    staff = users.get("county_staff")
    calendar = generator.calendar
    letter_day = _working_day_before(calendar, max(datetime.date(scheme.year, 2, 1),
                                                   today - datetime.timedelta(days=12)))
    behind_towns = [towns[i] for i in BEHIND_TOWNS if i < len(towns)]
    members = [u for u in generator.members.values() if u.pk in generator.behind]
    found = letters.candidates(scheme, letter_day, [*behind_towns[:1], *members])
    chosen = [c for c in found if c.unit.type == TOWN][:1]
    others = sorted((c for c in found if c.unit.type == MEMBER), key=lambda c: (-len(c.overdue), c.unit.path))
    chosen += others[:1]
    for candidate in chosen:
        deadline = calendar.add_working_days(letter_day, letters.DEFAULT_DEADLINE_DAYS)
        letters.issue_letter(scheme, candidate, cutoff=letter_day, deadline=deadline, user=staff, today=letter_day)
    # A notice about a quarter comes once its items are due (most within ten working days of its end).
    after = datetime.timedelta(days=NOTICE_AFTER_DAYS)
    quarters = [o for o in occurrences(QUARTER, scheme.year) if o.end + after < today]
    period = quarters[-1] if quarters else occurrences(YEAR, scheme.year)[0]
    notice_day = _working_day_before(calendar, min(today, period.end + after))
    notices.issue_notice(scheme, period.key, lagging_rate=NOTICE_LAGGING_RATE, user=staff, today=notice_day)
    return f"{len(chosen)} 份提醒函，1 份通报"


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
