"""Demo org tree: 示范县 (330999) with its towns, villages, member units and field units. All fictional.

The tree is planned in memory with treebeard's paths and written with one `bulk_create`, which takes a
fraction of a second where adding ~330 nodes one by one would take several.

For the loaders after it, `load` puts into `ctx.data`: county, towns (in code order), villages,
villages_by_town ({town: [villages]}, the first being the town seat's community), members ({short name:
unit}, e.g. members["县工商联"]), parks, enterprises, schools and hospitals.
"""

from django.core.management.base import CommandError

from core.demo import COUNTY_CODE

from .models import Unit

ORDER = 10
LABEL = "组织机构"

COUNTY_NAME = "示范县"

# name, short name, communities (社区), villages (村). Codes follow the order: 330999001 … 330999012.
# 清河街道 comes last as a street set up later than the towns, and keeps town02 a rural town for the demo.
TOWNS = [
    ("城关街道", "城关", 10, 8),
    ("东溪镇", "东溪", 2, 16),
    ("西岭镇", "西岭", 1, 17),
    ("南湖镇", "南湖", 2, 18),
    ("北山镇", "北山", 1, 15),
    ("青石镇", "青石", 1, 19),
    ("白沙镇", "白沙", 2, 14),
    ("桃源镇", "桃源", 1, 17),
    ("云溪镇", "云溪", 1, 13),
    ("金竹镇", "金竹", 1, 16),
    ("石门镇", "石门", 1, 12),
    ("清河街道", "清河", 9, 5),
]

# town01 holds the places that the tests' generated town ledgers (people/testing/ledgers.py) and the import
# benchmark name in 所在村(社区), so that such a ledger imports as town01 with every row landing in its own village.
SAMPLE_LEDGER_PLACES = {
    "城关": (
        ["新城社区", "桥头社区"],
        ["西溪村", "溪口村", "上庄村", "南塘村", "下洋村", "青石村", "东山村", "北岙村"],
    ),
}

# Syllables for community (社区) and village (村) names. As in the 统计用区划代码, communities are
# numbered from 001 and villages from 201 within their town.
COMMUNITY_NAMES = [
    "城东", "城西", "城南", "城北", "新华", "人民", "和平", "解放", "建设", "朝阳", "滨江", "阳光",
    "锦绣", "翠苑", "文昌", "学府", "花园", "府前", "秀水", "凤凰", "紫荆", "金桥", "丽景", "康乐",
    "幸福", "东门", "西门", "南门", "北门", "望江", "河滨", "新城", "中山", "环城", "桂花", "梧桐",
    "春晖", "振兴", "湖滨", "育才", "迎宾", "长安", "兴园", "锦江", "双桥",
]
VILLAGE_FIRST = "上下前后东西南北大小新高长黄石竹梅桃杨柳枫松金马龙凤白青塘岭湖沙洋田桥岩溪茶樟杏荷芦双三横里外官花麻"
VILLAGE_SECOND = "塘桥岭坑溪山湾田坪洋岙坞口头源林园峰岩浦埠庄畈垄墩湖港宅楼门"
SURNAMES = "王陈张李周吴徐叶何郑杨蒋方胡潘俞应邵楼金"

MEMBER_UNITS = [
    # party committee offices
    ("中共示范县委办公室", "县委办"),
    ("中共示范县纪委县监委", "县纪委县监委"),
    ("中共示范县委组织部", "县委组织部"),
    ("中共示范县委宣传部", "县委宣传部"),
    ("中共示范县委政法委员会", "县委政法委"),
    ("中共示范县委社会工作部", "县委社会工作部"),
    ("中共示范县委政策研究室", "县委政研室"),
    ("中共示范县委机构编制委员会办公室", "县委编办"),
    ("中共示范县委网络安全和信息化委员会办公室", "县委网信办"),
    ("中共示范县委台湾工作办公室", "县委台办"),
    ("中共示范县委老干部局", "县委老干部局"),
    ("中共示范县委党校", "县委党校"),
    ("中共示范县委党史和地方志研究室", "县委党史研究室"),
    ("中共示范县直属机关工作委员会", "县直机关工委"),
    ("示范县融媒体中心", "县融媒体中心"),
    # people's congress, CPPCC, government office
    ("示范县人大常委会办公室", "县人大办"),
    ("政协示范县委员会办公室", "县政协办"),
    ("示范县人民政府办公室", "县政府办"),
    # government departments
    ("示范县发展和改革局", "县发改局"),
    ("示范县经济和信息化局", "县经信局"),
    ("示范县教育局", "县教育局"),
    ("示范县科学技术局", "县科技局"),
    ("示范县民族宗教事务局", "县民宗局"),
    ("示范县公安局", "县公安局"),
    ("示范县民政局", "县民政局"),
    ("示范县司法局", "县司法局"),
    ("示范县财政局", "县财政局"),
    ("示范县人力资源和社会保障局", "县人社局"),
    ("示范县自然资源和规划局", "县自然资源规划局"),
    ("示范县生态环境分局", "县生态环境分局"),
    ("示范县住房和城乡建设局", "县住建局"),
    ("示范县交通运输局", "县交通运输局"),
    ("示范县水利局", "县水利局"),
    ("示范县农业农村局", "县农业农村局"),
    ("示范县商务局", "县商务局"),
    ("示范县文化广电旅游体育局", "县文广旅体局"),
    ("示范县卫生健康局", "县卫健局"),
    ("示范县退役军人事务局", "县退役军人局"),
    ("示范县应急管理局", "县应急管理局"),
    ("示范县审计局", "县审计局"),
    ("示范县人民政府外事办公室", "县外办"),
    ("示范县市场监督管理局", "县市场监管局"),
    ("示范县统计局", "县统计局"),
    ("示范县医疗保障局", "县医保局"),
    ("示范县信访局", "县信访局"),
    ("示范县综合行政执法局", "县综合执法局"),
    ("示范县数据局", "县数据局"),
    ("示范县林业局", "县林业局"),
    ("示范县人民防空办公室", "县人防办"),
    ("示范县机关事务管理中心", "县机关事务中心"),
    ("示范县投资促进中心", "县投促中心"),
    ("示范县政务服务管理办公室", "县政务服务办"),
    ("示范县金融发展服务中心", "县金融服务中心"),
    ("示范县民营经济发展服务中心", "县民营经济服务中心"),
    ("示范县社会矛盾纠纷调处化解中心", "县矛调中心"),
    ("示范县住房公积金管理中心", "县公积金中心"),
    ("示范县供销合作社联合社", "县供销社"),
    ("示范县档案馆", "县档案馆"),
    # vertically managed units, court, procuratorate, armed forces
    ("国家税务总局示范县税务局", "县税务局"),
    ("示范县气象局", "县气象局"),
    ("示范县烟草专卖局", "县烟草专卖局"),
    ("示范县消防救援大队", "县消防救援大队"),
    ("示范县人民武装部", "县人武部"),
    ("示范县人民法院", "县法院"),
    ("示范县人民检察院", "县检察院"),
    ("国网示范县供电公司", "县供电公司"),
    # people's organisations
    ("示范县总工会", "县总工会"),
    ("共青团示范县委员会", "团县委"),
    ("示范县妇女联合会", "县妇联"),
    ("示范县残疾人联合会", "县残联"),
    ("示范县工商业联合会", "县工商联"),
    ("示范县归国华侨联合会", "县侨联"),
    ("示范县科学技术协会", "县科协"),
    ("示范县文学艺术界联合会", "县文联"),
    ("示范县社会科学界联合会", "县社科联"),
    ("示范县红十字会", "县红十字会"),
    ("示范县计划生育协会", "县计生协"),
    ("示范县关心下一代工作委员会", "县关工委"),
    ("示范县慈善总会", "县慈善总会"),
    # democratic parties and united-front associations
    ("民革示范县支部", "民革县支部"),
    ("民盟示范县委员会", "民盟县委"),
    ("民建示范县总支部", "民建县总支"),
    ("民进示范县委员会", "民进县委"),
    ("农工党示范县总支部", "农工党县总支"),
    ("致公党示范县支部", "致公党县支部"),
    ("九三学社示范县支社", "九三学社县支社"),
    ("示范县知识分子联谊会", "县知联会"),
    ("示范县新的社会阶层人士联合会", "县新联会"),
    ("示范县欧美同学会", "县欧美同学会"),
    ("示范县海外联谊会", "县海联会"),
    ("示范县黄埔军校同学会", "县黄埔同学会"),
    ("示范县中华职业教育社", "县职教社"),
]

PARKS = [
    ("示范县经济开发区", "经开区"),
    ("示范县高新技术产业园区", "高新园区"),
    ("示范县现代农业园区", "农业园区"),
]
# name, short name, parent (a park's short name or a town's name)
ENTERPRISES = [
    ("示范云峰智能装备股份有限公司", "云峰装备", "经开区"),
    ("示范恒丰新材料科技有限公司", "恒丰新材料", "经开区"),
    ("示范启明电子科技有限公司", "启明电子", "高新园区"),
    ("示范绿源茶业有限公司", "绿源茶业", "农业园区"),
    ("示范白沙纺织有限公司", "白沙纺织", "白沙镇"),
    ("示范桃源生态农业开发有限公司", "桃源农业", "桃源镇"),
]
# Schools and hospitals sit under the department that runs them.
SCHOOLS = [
    ("示范县中学", "县中"),
    ("示范县第二中学", "县二中"),
    ("示范县职业中等专业学校", "县职专"),
    ("示范县实验小学", "实验小学"),
    ("示范县东溪镇中心学校", "东溪中心学校"),
]
HOSPITALS = [
    ("示范县人民医院", "县人民医院"),
    ("示范县中医院", "县中医院"),
    ("示范县妇幼保健院", "县妇保院"),
]


def has_data():
    return Unit.objects.exists()


class _TreePlan:
    """Unsaved units with the paths treebeard would give them (steplen-long base-36 steps)."""

    def __init__(self, root):
        self.units = [root]

    def add(self, parent, **fields):
        parent.numchild += 1
        depth = parent.depth + 1
        unit = Unit(path=Unit._get_path(parent.path, depth, parent.numchild), depth=depth, numchild=0, **fields)
        unit.division_code = unit.division_code or None  # bulk_create skips Unit.save(), which does this
        self.units.append(unit)
        return unit


def _village_names(rng, taken, count, fixed=()):
    names = list(fixed)[:count]
    while len(names) < count:
        if rng.random() < 0.2:
            stem = rng.choice(SURNAMES) + rng.choice("家宅")
        else:
            stem = rng.choice(VILLAGE_FIRST) + rng.choice(VILLAGE_SECOND)
        name = f"{stem}村"
        if stem[0] != stem[1] and name not in taken:
            taken.add(name)
            names.append(name)
    return names


def _community_names(rng, taken, seat, count, fixed=()):
    """The town seat's community first (城关社区, 东溪社区 …), then `fixed` ones, then names from the urban pool."""
    names = ([f"{seat}社区"] + list(fixed))[:count]
    taken.add(f"{seat}社区")
    pool = [n for n in COMMUNITY_NAMES if f"{n}社区" not in taken]
    for stem in rng.sample(pool, count - len(names)):
        names.append(f"{stem}社区")
        taken.add(f"{stem}社区")
    return names


def build(rng, root_path="0001"):
    """The whole county as unsaved units, tree fields set, the county first; nothing is written.

    Returns (units, places): `places` names the county, towns, villages per town (a list parallel to
    the towns), member units by short name, parks, enterprises, schools and hospitals.
    """
    county = Unit(name=COUNTY_NAME, type=Unit.Type.COUNTY, division_code=COUNTY_CODE, path=root_path, depth=1,
                  numchild=0)
    plan = _TreePlan(county)

    towns, town_villages = [], []
    taken = {name for fixed in SAMPLE_LEDGER_PLACES.values() for names in fixed for name in names}
    for number, (name, short, communities, villages) in enumerate(TOWNS, start=1):
        code = f"{COUNTY_CODE}{number:03d}"
        town = plan.add(county, name=name, short_name=short, type=Unit.Type.TOWN, division_code=code,
                        sort_order=number)
        towns.append(town)
        fixed_communities, fixed_villages = SAMPLE_LEDGER_PLACES.get(short, ((), ()))
        community_names = _community_names(rng, taken, short, communities, fixed_communities)
        village_names = _village_names(rng, taken, villages, fixed_villages)
        children = [(n, f"{code}{i:03d}") for i, n in enumerate(community_names, 1)]
        children += [(n, f"{code}{200 + i:03d}") for i, n in enumerate(village_names, 1)]
        town_villages.append([
            plan.add(town, name=n, type=Unit.Type.VILLAGE, division_code=c, sort_order=i)
            for i, (n, c) in enumerate(children, start=1)
        ])

    members = {
        short: plan.add(county, name=name, short_name=short, type=Unit.Type.MEMBER, sort_order=100 + i)
        for i, (name, short) in enumerate(MEMBER_UNITS, start=1)
    }
    parks = {
        short: plan.add(county, name=name, short_name=short, type=Unit.Type.PARK, sort_order=200 + i)
        for i, (name, short) in enumerate(PARKS, start=1)
    }
    parents = {**parks, **{town.name: town for town in towns}}
    enterprises = [
        plan.add(parents[parent], name=name, short_name=short, type=Unit.Type.ENTERPRISE,
                 sort_order=parents[parent].numchild + 1)
        for name, short, parent in ENTERPRISES
    ]
    schools = [
        plan.add(members["县教育局"], name=name, short_name=short, type=Unit.Type.SCHOOL, sort_order=i)
        for i, (name, short) in enumerate(SCHOOLS, start=1)
    ]
    hospitals = [
        plan.add(members["县卫健局"], name=name, short_name=short, type=Unit.Type.HOSPITAL, sort_order=i)
        for i, (name, short) in enumerate(HOSPITALS, start=1)
    ]
    places = {
        "county": county, "towns": towns, "town_villages": town_villages, "members": members,
        "parks": list(parks.values()), "enterprises": enterprises, "schools": schools, "hospitals": hospitals,
    }
    return plan.units, places


def load(ctx):
    if Unit.objects.filter(division_code__startswith=COUNTY_CODE).exists():
        raise CommandError(
            f"{COUNTY_NAME}（区划代码 {COUNTY_CODE}）已经存在，未重复加载。"
            "如需重建示范数据，请先清空数据库；只想在空库时加载，请加 --if-empty。"
        )
    # A new root after any county already there, as Unit.objects.add_root() would place it.
    last_root = Unit.objects.get_last_root_node()
    root_path = last_root._inc_path() if last_root else Unit._get_path(None, 1, 1)
    units, places = build(ctx.random, root_path)
    Unit.objects.bulk_create(units)

    # Units hash by primary key, so the mapping by town can only be built once they are saved.
    town_villages = places.pop("town_villages")
    places["villages_by_town"] = dict(zip(places["towns"], town_villages, strict=True))
    places["villages"] = [v for vs in town_villages for v in vs]
    ctx.data.update(places)
    return (
        f"{COUNTY_NAME}，{len(places['towns'])} 个镇街、{len(places['villages'])} 个村社、"
        f"{len(places['members'])} 个成员单位、{len(places['parks'])} 个园区、{len(places['enterprises'])} 家企业、"
        f"{len(places['schools'])} 所学校、{len(places['hospitals'])} 家医院"
    )
