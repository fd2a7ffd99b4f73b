"""Workplaces of planned people (workplace, position, field and the unit when it is one of the county's): a mixin
of people.demo.generator.Generator, one method per sector."""

from core.demo import weighted_pick

from .. import demo_data as words
from ..choices import Tier
from .tables import AS_OF, DP, ENTERPRISE_FIELDS, HK, INT, MO, NP, NSC, OS, PARTY_SECTOR, PRIV, REL, TW


class Workplaces:
    """Where a person works, plausible for the main category (`work`), one `work_<sector>` per sector."""

    def work(self, primary, affiliation, town, village, tier):
        """(workplace, position, field, unit or None) plausible for the main category."""
        rng = self.rng
        if primary == DP:
            sector = rng.choice(PARTY_SECTOR.get(affiliation, ["edu", "biz"]))
        elif primary == NP:
            sector = weighted_pick(rng, [("edu", 35), ("med", 25), ("cadre", 15), ("tech", 15), ("culture", 10)])
        elif primary == INT:
            sector = weighted_pick(rng, [("edu", 42), ("med", 30), ("public", 18), ("tech", 10)])
        elif primary == PRIV:
            sector = "rural" if tier == Tier.VILLAGE and rng.random() < 0.35 else "biz"
        elif primary == NSC:
            sector = weighted_pick(rng, [("mid", 45), ("agency", 15), ("social", 10), ("free", 15), ("media", 15)])
        elif primary == OS:
            sector = weighted_pick(rng, [("tech", 35), ("med", 15), ("edu", 20), ("biz", 15), ("mid", 15)])
        elif primary == REL:
            sector = "religion"
        elif primary in (HK, MO, TW):
            sector = weighted_pick(rng, [("compatriot", 40), ("biz", 20), ("plain", 40)])
        else:  # ETH, QIAO
            sector = weighted_pick(rng, [("plain", 45), ("biz", 15), ("mid", 15), ("rural", 15), ("edu", 5),
                                         ("med", 5)])
        return getattr(self, f"work_{sector}")(primary, town, village)

    def company(self):
        rng = self.rng
        industry, field_ = rng.choice(words.INDUSTRIES)
        prefix = weighted_pick(rng, [("浙江", 30), ("示范县", 50), ("示范", 20)])
        suffix = "股份有限公司" if rng.random() < 0.08 else "有限公司"
        return f"{prefix}{rng.choice(words.BRANDS)}{industry}{suffix}", field_

    def work_biz(self, primary, town, village):
        rng = self.rng
        if self.places.enterprises and rng.random() < 0.04:
            unit = rng.choice(self.places.enterprises)
            field_ = next((f for key, f in ENTERPRISE_FIELDS if key in unit.name), "制造业")
            return unit.name, self.draw_owner_position(rng), field_, unit
        name, field_ = self.company()
        if primary == HK:
            name = f"香港{rng.choice(words.BRANDS)}贸易有限公司"
        elif primary == MO:
            name = f"澳门{rng.choice(words.BRANDS)}实业有限公司"
        return name, self.draw_owner_position(rng), field_, None

    def work_rural(self, primary, town, village):
        rng = self.rng
        pattern, position, field_ = rng.choice(words.RURAL_BUSINESSES)
        place = (village.name if village is not None else town.short_name or town.name).removesuffix("村")
        return pattern.format(brand=rng.choice(words.BRANDS), village=place), position, field_, None

    def work_mid(self, primary, town, village):
        name, _ = self.company()
        return name, self.rng.choice(words.MANAGER_POSITIONS), "民营企业和外资企业管理技术人员", None

    def work_agency(self, primary, town, village):
        rng = self.rng
        pattern, positions, _ = rng.choice(words.INTERMEDIARIES)
        return pattern.format(brand=rng.choice(words.BRANDS)), rng.choice(positions), "中介组织从业人员", None

    def work_social(self, primary, town, village):
        rng = self.rng
        pattern, positions = rng.choice(words.SOCIAL_ORGS)
        name = pattern.format(brand=rng.choice(words.BRANDS), trade=rng.choice(words.TRADES))
        return name, rng.choice(positions), "社会组织从业人员", None

    def work_free(self, primary, town, village):
        return "自由职业", self.rng.choice(words.FREELANCE), "自由职业人员", None

    def work_media(self, primary, town, village):
        rng = self.rng
        pattern, position = rng.choice(words.NEW_MEDIA)
        return pattern.format(brand=rng.choice(words.BRANDS)), position, "新媒体从业人员", None

    def work_edu(self, primary, town, village):
        rng = self.rng
        position = self.draw_teacher(rng)
        if self.places.schools and rng.random() < 0.45:
            unit = rng.choice(self.places.schools)
            return unit.name, position, "教育", unit
        seat = town.short_name or town.name
        school = rng.choice([f"{town.name}中心小学", f"{town.name}中学", f"{town.name}中心幼儿园",
                             f"示范县{seat}小学"])
        return school, position, "教育", None

    def work_med(self, primary, town, village):
        rng = self.rng
        position = self.draw_doctor(rng)
        if self.places.hospitals and rng.random() < 0.55:
            unit = rng.choice(self.places.hospitals)
            return unit.name, position, "医疗卫生", unit
        clinic = f"{town.name}卫生院" if town.name.endswith("镇") else f"{town.name}社区卫生服务中心"
        return clinic, position, "医疗卫生", None

    def work_public(self, primary, town, village):
        name, positions, field_ = self.rng.choice(words.COUNTY_INSTITUTIONS)
        return name, self.rng.choice(positions), field_, None

    def work_tech(self, primary, town, village):
        rng = self.rng
        name, _ = self.company()
        return name, rng.choice(["工程师", "高级工程师", "研发工程师", "技术负责人"]), "科技", None

    def work_culture(self, primary, town, village):
        rng = self.rng
        return (rng.choice(["示范县文化馆", "示范县图书馆", "示范县融媒体中心", "示范县博物馆", "示范县文联"]),
                rng.choice(["馆员", "副研究馆员", "编辑", "记者"]), "文化", None)

    def work_cadre(self, primary, town, village):
        rng = self.rng
        return rng.choice(words.BUREAUS), rng.choice(["副局长", "总工程师", "科长"]), "党外干部", None

    def work_religion(self, primary, town, village):
        rng = self.rng
        religion, _, venues, positions = self.draw_religion(rng)
        place = village.name if village is not None else town.name
        venue = rng.choice(venues).format(name=rng.choice(words.VENUE_NAMES), town=town.name, village=place)
        return venue, rng.choice(positions), religion, None

    def work_compatriot(self, primary, town, village):
        rng = self.rng
        where = {HK: "（香港）", MO: "（澳门）", TW: "（台湾）"}[primary]
        return f"{rng.choice(words.BRANDS)}{where}投资有限公司", rng.choice(["董事", "总经理", "经理"]), "商贸", None

    def work_plain(self, primary, town, village):
        rng = self.rng
        age = AS_OF.year - self.year
        choice = weighted_pick(rng, [("farm", 25), ("self", 25), ("staff", 25 if age < 60 else 0),
                             ("retired", 15 if age >= 55 else 0), ("committee", 10 if 25 <= age < 65 else 0)])
        if choice == "farm":
            return "务农", "", "农业", None
        if choice == "self":
            return "个体工商户", "", "商贸", None
        if choice == "retired":
            return "退休", "", "", None
        if choice == "committee" and village is not None:
            kind = "居民委员会" if village.name.endswith("社区") else "村民委员会"
            return f"{town.name}{village.name}{kind}", "委员", "基层组织", None
        name, field_ = self.company()
        return name, rng.choice(["职员", "员工", "技术员"]), field_, None
