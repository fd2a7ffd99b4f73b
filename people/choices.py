"""Enumerations of the ledger, with the codes of the national standards and the synonyms cadres type."""

from django.db import models

# GB/T 3304 民族代码 (the 56 groups, then 97 其他 and 98 外国血统中国籍人士)
ETHNICITIES = [
    ("01", "汉族"), ("02", "蒙古族"), ("03", "回族"), ("04", "藏族"), ("05", "维吾尔族"), ("06", "苗族"),
    ("07", "彝族"), ("08", "壮族"), ("09", "布依族"), ("10", "朝鲜族"), ("11", "满族"), ("12", "侗族"),
    ("13", "瑶族"), ("14", "白族"), ("15", "土家族"), ("16", "哈尼族"), ("17", "哈萨克族"), ("18", "傣族"),
    ("19", "黎族"), ("20", "傈僳族"), ("21", "佤族"), ("22", "畲族"), ("23", "高山族"), ("24", "拉祜族"),
    ("25", "水族"), ("26", "东乡族"), ("27", "纳西族"), ("28", "景颇族"), ("29", "柯尔克孜族"), ("30", "土族"),
    ("31", "达斡尔族"), ("32", "仫佬族"), ("33", "羌族"), ("34", "布朗族"), ("35", "撒拉族"), ("36", "毛南族"),
    ("37", "仡佬族"), ("38", "锡伯族"), ("39", "阿昌族"), ("40", "普米族"), ("41", "塔吉克族"), ("42", "怒族"),
    ("43", "乌孜别克族"), ("44", "俄罗斯族"), ("45", "鄂温克族"), ("46", "德昂族"), ("47", "保安族"),
    ("48", "裕固族"), ("49", "京族"), ("50", "塔塔尔族"), ("51", "独龙族"), ("52", "鄂伦春族"), ("53", "赫哲族"),
    ("54", "门巴族"), ("55", "珞巴族"), ("56", "基诺族"), ("97", "其他未识别民族"), ("98", "外国血统中国籍人士"),
]
HAN = "01"


class Gender(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


# GB/T 4762 政治面貌代码
class Affiliation(models.TextChoices):
    CPC = "01", "中共党员"
    CPC_PROBATIONARY = "02", "中共预备党员"
    CYL = "03", "共青团员"
    RCCK = "04", "民革党员"
    CDL = "05", "民盟盟员"
    CNDCA = "06", "民建会员"
    CAPD = "07", "民进会员"
    CPWDP = "08", "农工党党员"
    CZGP = "09", "致公党党员"
    JIUSAN = "10", "九三学社社员"
    TDSGL = "11", "台盟盟员"
    NON_PARTY = "12", "无党派人士"
    MASSES = "13", "群众"


DEMOCRATIC_PARTIES = {
    Affiliation.RCCK, Affiliation.CDL, Affiliation.CNDCA, Affiliation.CAPD,
    Affiliation.CPWDP, Affiliation.CZGP, Affiliation.JIUSAN, Affiliation.TDSGL,
}

AFFILIATION_SYNONYMS = {
    "中共": Affiliation.CPC, "党员": Affiliation.CPC, "中国共产党党员": Affiliation.CPC, "共产党员": Affiliation.CPC,
    "预备党员": Affiliation.CPC_PROBATIONARY, "团员": Affiliation.CYL, "共青团员": Affiliation.CYL,
    "民革": Affiliation.RCCK, "民革会员": Affiliation.RCCK, "中国国民党革命委员会": Affiliation.RCCK,
    "民盟": Affiliation.CDL, "民盟成员": Affiliation.CDL, "中国民主同盟": Affiliation.CDL,
    "民建": Affiliation.CNDCA, "民建成员": Affiliation.CNDCA, "中国民主建国会": Affiliation.CNDCA,
    "民进": Affiliation.CAPD, "民进成员": Affiliation.CAPD, "中国民主促进会": Affiliation.CAPD,
    "农工党": Affiliation.CPWDP, "农工": Affiliation.CPWDP, "农工民主党": Affiliation.CPWDP,
    "中国农工民主党": Affiliation.CPWDP, "致公党": Affiliation.CZGP, "致公": Affiliation.CZGP,
    "中国致公党": Affiliation.CZGP, "九三": Affiliation.JIUSAN, "九三学社": Affiliation.JIUSAN,
    "台盟": Affiliation.TDSGL, "台湾民主自治同盟": Affiliation.TDSGL, "无党派": Affiliation.NON_PARTY,
    "无党派人士": Affiliation.NON_PARTY, "群众": Affiliation.MASSES, "无": Affiliation.MASSES,
}


class Education(models.TextChoices):
    POSTGRADUATE = "postgraduate", "研究生"
    BACHELOR = "bachelor", "大学本科"
    COLLEGE = "college", "大学专科"
    SECONDARY = "secondary", "中专/高中"
    JUNIOR = "junior", "初中及以下"


EDUCATION_SYNONYMS = {
    "博士研究生": Education.POSTGRADUATE, "硕士研究生": Education.POSTGRADUATE, "研究生": Education.POSTGRADUATE,
    "博士": Education.POSTGRADUATE, "硕士": Education.POSTGRADUATE, "本科": Education.BACHELOR,
    "大学": Education.BACHELOR, "大学本科": Education.BACHELOR, "大专": Education.COLLEGE,
    "专科": Education.COLLEGE, "大学专科": Education.COLLEGE, "高中": Education.SECONDARY,
    "中专": Education.SECONDARY, "中技": Education.SECONDARY, "职高": Education.SECONDARY,
    "中专/高中": Education.SECONDARY, "初中": Education.JUNIOR, "小学": Education.JUNIOR,
    "初中及以下": Education.JUNIOR,
}


class Degree(models.TextChoices):
    DOCTOR = "doctor", "博士"
    MASTER = "master", "硕士"
    BACHELOR = "bachelor", "学士"
    NONE = "none", "无"


class Tier(models.TextChoices):
    COUNTY = "county", "县管"
    TOWN = "town", "镇管"
    VILLAGE = "village", "村管"


class Status(models.TextChoices):
    ACTIVE = "active", "在册"
    TRANSFERRED_OUT = "transferred", "调出"
    EXITED = "exited", "退出"
    DECEASED = "deceased", "去世"


class PositionKind(models.TextChoices):
    NPC = "npc", "人大代表"
    CPPCC = "cppcc", "政协委员"
    SPECIAL = "special", "特约人员"
    CHAMBER = "chamber", "商会职务"
    ASSOCIATION = "association", "联谊会职务"
    OTHER = "other", "其他"


class PositionLevel(models.TextChoices):
    NATIONAL = "national", "全国"
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"
    TOWN = "town", "镇级"


# The 12 statutory categories (统战工作对象), seeded as data; a county may disable some or add sub-types.
STATUTORY_CATEGORIES = [
    ("01", "民主党派成员", ["民主党派", "党派成员"]),
    ("02", "无党派人士", ["无党派"]),
    ("03", "党外知识分子", ["知识分子"]),
    ("04", "少数民族人士", ["少数民族"]),
    ("05", "宗教界人士", ["宗教界", "宗教人士"]),
    ("06", "非公有制经济人士", ["非公经济人士", "非公有制经济", "非公经济"]),
    ("07", "新的社会阶层人士", ["新社会阶层人士", "新的社会阶层", "新阶层"]),
    ("08", "出国和归国留学人员", ["留学人员", "归国留学人员", "出国留学人员"]),
    ("09", "香港同胞", ["港胞"]),
    ("10", "澳门同胞", ["澳胞"]),
    ("11", "台湾同胞及其在大陆的亲属", ["台湾同胞", "台胞", "台属", "台胞台属"]),
    ("12", "华侨、归侨及侨眷", ["华侨", "归侨", "侨眷", "归侨侨眷"]),
]


def seed_statutory_categories(category_model):
    """Create the statutory categories that are missing (the data migration, and load_demo after a test
    flush); categories already there keep what an administrator made of them (synonyms, enabled or not)."""
    for index, (code, name, synonyms) in enumerate(STATUTORY_CATEGORIES, start=1):
        category_model.objects.get_or_create(
            code=code,
            defaults={"name": name, "synonyms": "、".join(synonyms), "is_statutory": True, "sort_order": index},
        )
