"""The demo scheme's items (考核细则): the common items by category, the specific items of the towns and member
units, and the words of the demo submissions and reviews."""

from dataclasses import dataclass

from org.models import Unit

from ..models import Indicator
from ..periods import Frequency

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
