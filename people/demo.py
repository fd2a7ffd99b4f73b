"""Demo ledger of 示范县: about 22,000 fictional people in realistic proportions. All fictional.

Everything is planned in memory from a generator seeded with core.demo.SEED (the same code always builds
the same ledger) and written with `bulk_create`: people, their categories, social positions and a few tags.
`bulk_create` skips Person.save(), so the pinyin keys are filled here; the encrypted fields still encrypt
and hash in their pre_save(), which the insert compiler calls for every row. Each person gets its initial
history row (change reason "演示数据", with the categories it was created with), copied inside the database.
`load(ctx, count=N)` loads N people instead of PEOPLE (the tests use a few hundred).

The mix follows what a county's ledger looks like: 党外知识分子, 新的社会阶层人士, 非公有制经济人士 and
民主党派成员 dominate, 宗教界人士 and 港澳台 are few; about 8% 县管, 30% 镇管, the rest 村管; most
records are kept by villages, some by towns, and 县管 people by the county or the member units.
"""

import bisect
import datetime
import itertools
import random
from collections import Counter
from dataclasses import dataclass, field

from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from core.demo import COUNTY_CODE, SEED
from org.models import Unit

from . import demo_data as words
from .choices import (
    HAN,
    Affiliation,
    Degree,
    Education,
    Gender,
    PositionKind,
    PositionLevel,
    Status,
    Tier,
    seed_statutory_categories,
)
from .identity import check_digit
from .models import Category, Person, SocialPosition, Tag
from .pinyin import name_initials, name_pinyin

ORDER = 30
LABEL = "统战成员台账"
PEOPLE = 22000  # the default size; tests pass a smaller `count`
CHANGE_REASON = "演示数据"
TOWN_TAGS = ("新乡贤",)  # a town keeps these; the other demo tags are the county's
BATCH = 2000  # Django further splits it to stay under SQLite's 999 parameters per statement
AS_OF = datetime.date(2025, 6, 30)  # status changes are dated up to here, whatever the day of loading

# Statutory category codes (people.choices.STATUTORY_CATEGORIES)
DP, NP, INT, ETH, REL, PRIV, NSC, OS, HK, MO, TW, QIAO = (f"{i:02d}" for i in range(1, 13))

# How often each category is a person's main one (percent, roughly).
PRIMARY_WEIGHTS = {DP: 7, NP: 3, INT: 22, ETH: 3.5, REL: 1.2, PRIV: 25.5, NSC: 25, OS: 3.5,
                   HK: 0.5, MO: 0.2, TW: 0.6, QIAO: 8.5}
# Further categories a person of a main category often has as well (probability each).
EXTRA_CATEGORIES = {
    DP: [(INT, 0.40), (PRIV, 0.08), (NSC, 0.05), (OS, 0.05), (QIAO, 0.04)],
    NP: [(INT, 0.50), (OS, 0.05)],
    INT: [(OS, 0.08), (QIAO, 0.04), (NSC, 0.02)],
    ETH: [(PRIV, 0.10), (NSC, 0.10), (INT, 0.08)],
    REL: [],
    PRIV: [(QIAO, 0.10), (HK, 0.015), (TW, 0.01), (NSC, 0.03)],
    NSC: [(OS, 0.06), (INT, 0.05), (QIAO, 0.04)],
    OS: [(INT, 0.40), (NSC, 0.15)],
    HK: [(PRIV, 0.25), (QIAO, 0.05)],
    MO: [(PRIV, 0.25)],
    TW: [(PRIV, 0.15)],
    QIAO: [(PRIV, 0.15), (NSC, 0.05)],
}
# Share of a main category whose members also belong to a democratic party (so also 民主党派成员).
PARTY_MEMBERS = {PRIV: 0.05, INT: 0.12, NSC: 0.03, OS: 0.10}
MINORITY_EXTRA = 0.01  # people of other main categories who are also of an ethnic minority

PARTIES = {  # by sector: entrepreneurs join 民建 first, doctors 农工党, teachers 民进 …
    "default": [(Affiliation.RCCK, 10), (Affiliation.CDL, 20), (Affiliation.CNDCA, 12), (Affiliation.CAPD, 20),
                (Affiliation.CPWDP, 16), (Affiliation.CZGP, 8), (Affiliation.JIUSAN, 13), (Affiliation.TDSGL, 1)],
    PRIV: [(Affiliation.CNDCA, 60), (Affiliation.CZGP, 12), (Affiliation.RCCK, 8), (Affiliation.CDL, 5),
           (Affiliation.CAPD, 5), (Affiliation.CPWDP, 5), (Affiliation.JIUSAN, 5)],
    OS: [(Affiliation.JIUSAN, 25), (Affiliation.CZGP, 25), (Affiliation.CDL, 20), (Affiliation.CAPD, 10),
         (Affiliation.CPWDP, 10), (Affiliation.RCCK, 10)],
}
PARTY_SECTOR = {  # where members of each party work when 民主党派成员 is their main category
    Affiliation.RCCK: ["biz", "edu", "public"], Affiliation.CDL: ["edu", "edu", "culture", "public"],
    Affiliation.CNDCA: ["biz", "biz", "biz", "mid"], Affiliation.CAPD: ["edu", "edu", "edu", "culture"],
    Affiliation.CPWDP: ["med", "med", "med", "public"], Affiliation.CZGP: ["biz", "biz", "mid", "med"],
    Affiliation.JIUSAN: ["tech", "edu", "med", "public"], Affiliation.TDSGL: ["edu", "biz"],
}
PARTY_ORGS = {  # the party's county organisation (member unit short names in org/demo.py)
    Affiliation.RCCK: "民革县支部", Affiliation.CDL: "民盟县委", Affiliation.CNDCA: "民建县总支",
    Affiliation.CAPD: "民进县委", Affiliation.CPWDP: "农工党县总支", Affiliation.CZGP: "致公党县支部",
    Affiliation.JIUSAN: "九三学社县支社",
}
COUNTY_KEEPERS = {  # member units that keep 县管 people of a main category
    NP: ["县知联会"], INT: ["县教育局", "县卫健局", "县知联会", "县科协"], ETH: ["县民宗局"], REL: ["县民宗局"],
    PRIV: ["县工商联"], NSC: ["县新联会", "县委社会工作部"], OS: ["县欧美同学会"], HK: ["县海联会"],
    MO: ["县海联会"], TW: ["县委台办"], QIAO: ["县侨联", "县外办"],
}

# Profile of each main category: birth-year mean and spread, share of men, education weights
# (postgraduate, bachelor, college, secondary, junior).
@dataclass(frozen=True)
class Profile:
    born: int
    spread: int
    male: float
    education: tuple


PROFILES = {
    DP: Profile(1971, 11, 0.55, (12, 55, 20, 10, 3)), NP: Profile(1968, 10, 0.60, (15, 60, 15, 8, 2)),
    INT: Profile(1976, 10, 0.48, (15, 65, 17, 3, 0)), ETH: Profile(1978, 12, 0.50, (2, 15, 20, 33, 30)),
    REL: Profile(1966, 12, 0.68, (2, 10, 20, 38, 30)), PRIV: Profile(1971, 10, 0.76, (3, 22, 30, 30, 15)),
    NSC: Profile(1983, 9, 0.56, (6, 50, 30, 12, 2)), OS: Profile(1985, 8, 0.52, (60, 38, 2, 0, 0)),
    HK: Profile(1964, 12, 0.58, (5, 30, 25, 25, 15)), MO: Profile(1964, 12, 0.58, (5, 30, 25, 25, 15)),
    TW: Profile(1962, 12, 0.55, (5, 30, 25, 25, 15)), QIAO: Profile(1968, 13, 0.52, (3, 20, 25, 30, 22)),
}
EDUCATIONS = (Education.POSTGRADUATE, Education.BACHELOR, Education.COLLEGE, Education.SECONDARY,
              Education.JUNIOR)
ENTERPRISE_FIELDS = [("农业", "农业"), ("茶业", "农业"), ("纺织", "纺织服装"), ("电子", "电子信息"),
                     ("材料", "新材料")]
MINORITY_NATIVE = {"16": "湖南", "06": "贵州", "09": "贵州", "12": "贵州", "08": "广西", "03": "宁夏",
                   "11": "辽宁", "07": "四川", "10": "吉林", "02": "内蒙古", "13": "广西", "14": "云南"}

# Current county 人大/政协 term and the one before it.
TERMS = [(datetime.date(2021, 12, 28), datetime.date(2026, 12, 31)),
         (datetime.date(2016, 12, 26), datetime.date(2021, 12, 27))]


def _weighted(pairs):
    """A sampler over (value, weight) pairs, drawing from a given random generator."""
    values = [v for v, _ in pairs]
    cumulative = list(itertools.accumulate(w for _, w in pairs))
    total = cumulative[-1]

    def draw(rng):
        return values[min(bisect.bisect_right(cumulative, rng.random() * total), len(values) - 1)]

    return draw


@dataclass
class Places:
    """The units of the demo county that people are kept by."""

    county: Unit
    towns: list
    villages_by_town: dict
    members: dict
    schools: list = field(default_factory=list)
    hospitals: list = field(default_factory=list)
    enterprises: list = field(default_factory=list)

    @classmethod
    def from_context(cls, ctx):
        data = ctx.data
        if "county" in data:
            return cls(data["county"], data["towns"], data["villages_by_town"], data.get("members", {}),
                       data.get("schools", []), data.get("hospitals", []), data.get("enterprises", []))
        # Run on its own (the org tree already loaded): read the tree back.
        counties = Unit.objects.filter(type=Unit.Type.COUNTY, depth=1)
        county = counties.filter(division_code=COUNTY_CODE).first() or counties.order_by("path").first()
        if county is None:
            raise CommandError("没有县区单位，请先加载组织机构示范数据。")
        below = list(Unit.objects.filter(county.subtree_q(), depth__gt=1).order_by("path"))
        towns = [u for u in below if u.type == Unit.Type.TOWN and u.depth == 2]
        villages = {t.pk: [u for u in below if u.type == Unit.Type.VILLAGE and u.path.startswith(t.path)]
                    for t in towns}
        return cls(
            county, towns, {t: villages[t.pk] for t in towns},
            {u.short_name or u.name: u for u in below if u.type == Unit.Type.MEMBER},
            [u for u in below if u.type == Unit.Type.SCHOOL], [u for u in below if u.type == Unit.Type.HOSPITAL],
            [u for u in below if u.type == Unit.Type.ENTERPRISE],
        )


@dataclass
class Plan:
    """What one load writes: people (unsaved) and, by index into `people`, their related rows."""

    people: list = field(default_factory=list)
    categories: list = field(default_factory=list)  # a list of category codes per person
    positions: list = field(default_factory=list)  # (person index, SocialPosition without person)
    tags: list = field(default_factory=list)  # (person index, tag name)


class Generator:
    """Plans `count` people from `rng` over the units in `places`; pure, writes nothing."""

    def __init__(self, rng, places):
        self.rng = rng
        self.places = places
        self.county_code = places.county.division_code or "330999"
        self.county_native = f"浙江{places.county.name}"
        self.taken_ids = set()
        self.taken_phones = set()
        self.year = AS_OF.year  # birth year of the person being planned
        self.draw_primary = _weighted(list(PRIMARY_WEIGHTS.items()))
        self.draw_surname = _weighted(words.SURNAMES)
        self.draw_minority = _weighted(words.MINORITIES)
        self.draw_parties = {key: _weighted(pairs) for key, pairs in PARTIES.items()}
        self.draw_education = {code: _weighted(list(zip(EDUCATIONS, p.education, strict=True)))
                               for code, p in PROFILES.items()}
        self.draw_owner_position = _weighted(words.OWNER_POSITIONS)
        self.draw_teacher = _weighted(words.TEACHER_POSITIONS)
        self.draw_doctor = _weighted(words.DOCTOR_POSITIONS)
        self.draw_religion = _weighted([(r, r[1]) for r in words.RELIGIONS])
        self.draw_overseas = _weighted(words.OVERSEAS_COUNTRIES)
        rng_sizes = random.Random(rng.random())
        # Towns differ in size: by their number of villages and communities, urban streets twice as dense.
        town_weights = []
        for town in places.towns:
            villages = places.villages_by_town.get(town, [])
            urban = 1.8 if town.name.endswith("街道") else 1.0
            town_weights.append((town, max(1, len(villages)) * urban * rng_sizes.uniform(0.6, 1.5)))
        self.draw_town = _weighted(town_weights)
        self.draw_village = {
            town: _weighted([(v, rng_sizes.uniform(0.4, 2.0) * (1.4 if v.name.endswith("社区") else 1.0))
                             for v in villages])
            for town, villages in places.villages_by_town.items() if villages
        }

    # ---- the plan --------------------------------------------------------------------------------

    def plan(self, count):
        plan = Plan()
        for _ in range(count):
            person, codes, extra = self.person()
            plan.people.append(person)
            plan.categories.append(codes)
            index = len(plan.people) - 1
            plan.tags.extend((index, tag) for tag in extra)
        self.add_positions(plan)
        return plan

    def person(self):
        rng = self.rng
        primary = self.draw_primary(rng)
        codes = self.categories(primary)
        profile = PROFILES[primary]
        affiliation = self.affiliation(primary, codes)
        gender = Gender.MALE if rng.random() < profile.male else Gender.FEMALE
        birth = self.birth(profile)
        ethnicity = self.draw_minority(rng) if ETH in codes else HAN
        area, native = self.area(codes, ethnicity)
        id_number = self.id_number(area, birth, gender)
        education = self.education(primary, codes, birth)

        tier = self.tier(primary)
        town = self.draw_town(rng)
        village = self.draw_village[town](rng) if town in self.draw_village else None
        self.year = birth.year  # for the workplace: nobody retires at 30
        workplace, position, field_, unit = self.work(primary, affiliation, town, village, tier)
        owner = self.owner(tier, primary, affiliation, town, village, unit)
        status, status_date, status_reason, affiliation, affiliation_date = self.status(
            primary, affiliation, birth)
        representative = status == Status.ACTIVE and rng.random() < {
            Tier.COUNTY: 0.37, Tier.TOWN: 0.042, Tier.VILLAGE: 0.004}[tier]
        name = self.name(gender, birth.year, ethnicity)
        person = Person(
            name=name, gender=gender, ethnicity=ethnicity, birth_date=birth, id_number=id_number,
            phone=self.phone() if rng.random() < 0.96 else "", native_place=native,
            address=self.address(town, village) if rng.random() < 0.65 else "",
            education=education, degree=self.degree(education, birth), workplace=workplace, position=position,
            field=field_, affiliation=affiliation, affiliation_date=affiliation_date or self.joined(affiliation, birth),
            tier=tier, is_representative=representative, notes=self.notes(codes),
            status=status, status_date=status_date, status_reason=status_reason, owner_unit=owner,
        )
        tags = []
        if representative and tier == Tier.COUNTY:
            tags.append("重点联系对象")
        if status == Status.ACTIVE and tier == Tier.VILLAGE and primary in (PRIV, QIAO) and birth.year < 1975 \
                and rng.random() < 0.06:
            tags.append("新乡贤")
        if representative and INT in codes and rng.random() < 0.3:
            tags.append("同心讲师团")
        return person, codes, tags

    def categories(self, primary):
        rng = self.rng
        codes = [primary]
        if primary in PARTY_MEMBERS and rng.random() < PARTY_MEMBERS[primary]:
            codes.append(DP)
        for code, chance in EXTRA_CATEGORIES[primary]:
            if len(codes) < 3 and code not in codes and rng.random() < chance:
                codes.append(code)
        if len(codes) < 3 and ETH not in codes and rng.random() < MINORITY_EXTRA:
            codes.append(ETH)
        return codes

    def affiliation(self, primary, codes):
        rng = self.rng
        if DP in codes:
            return self.draw_parties.get(primary, self.draw_parties["default"])(rng)
        if NP in codes:
            return Affiliation.NON_PARTY
        if REL in codes or INT in codes or OS in codes:  # 党外 by definition
            return Affiliation.MASSES
        chance = {PRIV: 0.25, NSC: 0.15, ETH: 0.20}.get(primary, 0.08)
        return Affiliation.CPC if rng.random() < chance else Affiliation.MASSES

    def birth(self, profile):
        rng = self.rng
        year = min(2000, max(1940, round(rng.gauss(profile.born, profile.spread))))
        start = datetime.date(year, 1, 1).toordinal()
        return datetime.date.fromordinal(start + rng.randrange(366 if year % 4 == 0 else 365))

    def area(self, codes, ethnicity):
        rng = self.rng
        r = rng.random()
        if ethnicity == "22" and r < 0.35:
            return words.JINGNING
        if QIAO in codes and r < 0.45:
            return words.QINGTIAN if r < 0.3 else ("330302", "浙江温州")
        if r < 0.82:
            native = self.county_native
        else:
            return rng.choice(words.ZHEJIANG_AREAS)
        if ethnicity in MINORITY_NATIVE and rng.random() < 0.7:
            native = MINORITY_NATIVE[ethnicity]
        return self.county_code, native

    def id_number(self, area, birth, gender):
        """A fictional 18-digit number with a valid GB 11643 check digit, unique in the plan."""
        rng = self.rng
        digits = "13579" if gender == Gender.MALE else "02468"
        while True:
            first17 = f"{area}{birth:%Y%m%d}{rng.randrange(100):02d}{rng.choice(digits)}"
            number = first17 + check_digit(first17)
            if number not in self.taken_ids:
                self.taken_ids.add(number)
                return number

    def phone(self):
        rng = self.rng
        while True:
            number = rng.choice(words.MOBILE_PREFIXES) + f"{rng.randrange(10 ** 8):08d}"
            if number not in self.taken_phones:
                self.taken_phones.add(number)
                return number

    def name(self, gender, year, ethnicity):
        rng = self.rng
        surname = rng.choice(words.SHE_SURNAMES) if ethnicity == "22" and rng.random() < 0.8 \
            else self.draw_surname(rng)
        era = 0 if year < 1960 else 1 if year < 1980 else 2
        if rng.random() < 0.25:  # names of the neighbouring generation
            era = max(0, min(2, era + rng.choice((-1, 1))))
        pool = words.GIVEN[(gender, era)]
        if rng.random() < (0.72 if era < 2 else 0.88):
            first = rng.choice(pool)
            second = first if era == 2 and gender == Gender.FEMALE and rng.random() < 0.05 else rng.choice(pool)
            return surname + first + second
        return surname + rng.choice(pool)

    def education(self, primary, codes, birth):
        education = self.draw_education[primary](self.rng)
        if (INT in codes or OS in codes) and education in (Education.SECONDARY, Education.JUNIOR):
            education = Education.COLLEGE if INT in codes else Education.BACHELOR
        if education == Education.POSTGRADUATE and birth.year > AS_OF.year - 24:
            education = Education.BACHELOR
        return education

    def degree(self, education, birth):
        rng = self.rng
        if education == Education.POSTGRADUATE:
            doctor = birth.year <= AS_OF.year - 28 and rng.random() < 0.15
            return Degree.DOCTOR if doctor else Degree.MASTER
        if education == Education.BACHELOR:
            return Degree.BACHELOR if rng.random() < 0.9 else Degree.NONE
        return ""

    def joined(self, affiliation, birth):
        """The date of joining a party: at 22–45 for the CPC and democratic parties, 14–18 for the CYL."""
        if affiliation in (Affiliation.MASSES, Affiliation.NON_PARTY, ""):
            return None
        rng = self.rng
        low, high = (14, 18) if affiliation == Affiliation.CYL else (22, 45)
        year = birth.year + rng.randint(low, high)
        if year > AS_OF.year:
            year = AS_OF.year - rng.randint(0, 2)
        return datetime.date(max(year, birth.year + low), rng.randint(1, 12), rng.randint(1, 28))

    def tier(self, primary):
        county = {DP: 0.18, NP: 0.25, REL: 0.12, PRIV: 0.09}.get(primary, 0.045)
        r = self.rng.random()
        return Tier.COUNTY if r < county else Tier.TOWN if r < county + 0.30 else Tier.VILLAGE

    def owner(self, tier, primary, affiliation, town, village, unit):
        rng = self.rng
        members = self.places.members
        if tier == Tier.VILLAGE:
            return village or town
        if tier == Tier.TOWN:
            return town if village is None or rng.random() < 0.65 else village
        if unit is not None and rng.random() < 0.6:
            return unit
        if rng.random() < 0.35:
            return self.places.county
        keepers = [PARTY_ORGS[affiliation]] if primary == DP and affiliation in PARTY_ORGS \
            else COUNTY_KEEPERS.get(primary, [])
        keepers = [members[k] for k in keepers if k in members]
        return rng.choice(keepers) if keepers else self.places.county

    def status(self, primary, affiliation, birth):
        """(status, date, reason, affiliation, affiliation date): most are 在册; the rest left with a reason."""
        rng = self.rng
        age = AS_OF.year - birth.year
        dead = 0.004 + (0.10 if age >= 80 else 0.04 if age >= 70 else 0.01 if age >= 60 else 0)
        r = rng.random()
        if r < dead:
            status = Status.DECEASED
        elif r < dead + 0.03:
            status = Status.TRANSFERRED_OUT
        elif r < dead + 0.055:
            status = Status.EXITED
        else:
            return Status.ACTIVE, None, "", affiliation, None
        start = datetime.date(2018, 1, 1).toordinal()
        date = datetime.date.fromordinal(rng.randint(start, AS_OF.toordinal()))
        if status == Status.EXITED and primary == INT and affiliation == Affiliation.MASSES and rng.random() < 0.3:
            # A 党外知识分子 who joined the CPC is no longer 党外: the record leaves the ledger.
            return status, date, words.STATUS_REASONS["exited_masses"][0], Affiliation.CPC_PROBATIONARY, date
        return status, date, rng.choice(words.STATUS_REASONS[status]), affiliation, None

    def address(self, town, village):
        place = village.name if village is not None else ""
        return f"{self.places.county.name}{town.name}{place}{self.rng.randint(1, 260)}号"

    def notes(self, codes):
        rng = self.rng
        if QIAO in codes:
            kind = _pick(rng, [("侨眷", 75), ("归侨", 15), ("华侨", 10)])
            country = self.draw_overseas(rng)
            return {"侨眷": f"侨眷，亲属侨居{country}", "归侨": f"归侨，曾侨居{country}",
                    "华侨": f"华侨，侨居{country}"}[kind]
        if OS in codes:
            return f"曾留学{rng.choice(words.STUDY_COUNTRIES)}"
        if TW in codes:
            return "台属" if rng.random() < 0.85 else "台胞"
        if HK in codes:
            return "香港居民" if rng.random() < 0.5 else ""
        if MO in codes:
            return "澳门居民" if rng.random() < 0.5 else ""
        return ""

    # ---- workplaces ------------------------------------------------------------------------------

    def work(self, primary, affiliation, town, village, tier):
        """(workplace, position, field, unit or None) plausible for the main category."""
        rng = self.rng
        if primary == DP:
            sector = rng.choice(PARTY_SECTOR.get(affiliation, ["edu", "biz"]))
        elif primary == NP:
            sector = _pick(rng, [("edu", 35), ("med", 25), ("cadre", 15), ("tech", 15), ("culture", 10)])
        elif primary == INT:
            sector = _pick(rng, [("edu", 42), ("med", 30), ("public", 18), ("tech", 10)])
        elif primary == PRIV:
            sector = "rural" if tier == Tier.VILLAGE and rng.random() < 0.35 else "biz"
        elif primary == NSC:
            sector = _pick(rng, [("mid", 45), ("agency", 15), ("social", 10), ("free", 15), ("media", 15)])
        elif primary == OS:
            sector = _pick(rng, [("tech", 35), ("med", 15), ("edu", 20), ("biz", 15), ("mid", 15)])
        elif primary == REL:
            sector = "religion"
        elif primary in (HK, MO, TW):
            sector = _pick(rng, [("compatriot", 40), ("biz", 20), ("plain", 40)])
        else:  # ETH, QIAO
            sector = _pick(rng, [("plain", 45), ("biz", 15), ("mid", 15), ("rural", 15), ("edu", 5), ("med", 5)])
        return getattr(self, f"work_{sector}")(primary, town, village)

    def company(self):
        rng = self.rng
        industry, field_ = rng.choice(words.INDUSTRIES)
        prefix = _pick(rng, [("浙江", 30), ("示范县", 50), ("示范", 20)])
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
        choice = _pick(rng, [("farm", 25), ("self", 25), ("staff", 25 if age < 60 else 0),
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

    # ---- social positions ------------------------------------------------------------------------

    def add_positions(self, plan):
        """人大代表, 政协委员, 商会/联谊会 roles and 特约人员, held by active people, mostly representatives."""
        rng = self.rng
        count = len(plan.people)
        active = [i for i, p in enumerate(plan.people) if p.status == Status.ACTIVE]
        by_rank = sorted(active, key=lambda i: (not plan.people[i].is_representative,
                                                plan.people[i].tier != Tier.COUNTY, rng.random()))
        used = set()

        def take(candidates, n):
            chosen = [i for i in candidates if i not in used][:n]
            used.update(chosen)
            return chosen

        def add(index, kind, level, title, term):
            plan.positions.append((index, SocialPosition(kind=kind, level=level, title=title,
                                                         term_start=term[0], term_end=term[1])))

        council_pool = [i for i in by_rank if plan.people[i].tier != Tier.VILLAGE]
        for index in take(council_pool, max(1, round(count * 0.0001))):  # 省级
            kind = rng.choice([PositionKind.CPPCC, PositionKind.NPC])
            add(index, kind, PositionLevel.PROVINCE, "政协委员" if kind == PositionKind.CPPCC else "人大代表",
                (datetime.date(2023, 1, 13), datetime.date(2027, 12, 31)))
        for n, index in enumerate(take(council_pool, round(count * 0.0008))):  # 市级
            kind = PositionKind.CPPCC if n % 3 else PositionKind.NPC
            add(index, kind, PositionLevel.CITY, "政协委员" if kind == PositionKind.CPPCC else "人大代表",
                (datetime.date(2022, 1, 10), datetime.date(2026, 12, 31)))
        for n, index in enumerate(take(council_pool, round(count * 0.008))):  # 县政协
            title = "政协副主席" if n == 0 else "政协常委" if n < max(2, count * 0.001) else "政协委员"
            add(index, PositionKind.CPPCC, PositionLevel.COUNTY, title, TERMS[0])
            if rng.random() < 0.4:
                add(index, PositionKind.CPPCC, PositionLevel.COUNTY, "政协委员", TERMS[1])
        for n, index in enumerate(take(council_pool, round(count * 0.003))):  # 县人大
            title = "人大常委会副主任" if n == 0 else "人大常委会委员" if n < max(2, count * 0.0003) else "人大代表"
            add(index, PositionKind.NPC, PositionLevel.COUNTY, title, TERMS[0])
            if rng.random() < 0.3:
                add(index, PositionKind.NPC, PositionLevel.COUNTY, "人大代表", TERMS[1])

        def pool(code, tiers=(Tier.COUNTY, Tier.TOWN)):
            return [i for i in by_rank if code in plan.categories[i] and plan.people[i].tier in tiers]

        chamber = (datetime.date(2023, 3, 18), datetime.date(2028, 3, 17))
        for n, index in enumerate(pool(PRIV)[:round(count * 0.012)]):
            title = "会长" if n == 0 else "副会长" if n < count * 0.001 else "常务理事" if n < count * 0.004 else "理事"
            add(index, PositionKind.CHAMBER, PositionLevel.COUNTY, f"工商联（总商会）{title}", chamber)
        town_chambers = Counter()
        for index in pool(PRIV, (Tier.TOWN,))[:round(count * 0.002)]:
            owner = plan.people[index].owner_unit
            town = next(t for t in self.places.towns if owner.path.startswith(t.path))
            title = "会长" if not town_chambers[town.pk] else "副会长"
            town_chambers[town.pk] += 1
            add(index, PositionKind.CHAMBER, PositionLevel.TOWN, f"{town.name}商会{title}", chamber)

        associations = [(NSC, "新联会", 0.003), (INT, "知联会", 0.002), (OS, "欧美同学会", 0.0008),
                        (QIAO, "海外联谊会", 0.0008)]
        term = (datetime.date(2022, 6, 1), datetime.date(2027, 5, 31))
        for code, body, share in associations:
            for n, index in enumerate(pool(code)[:max(1, round(count * share))]):
                title = "会长" if n == 0 else "副会长" if n < 4 else "秘书长" if n == 4 else "理事"
                add(index, PositionKind.ASSOCIATION, PositionLevel.COUNTY, f"{body}{title}", term)

        special = [i for i in by_rank if plan.people[i].tier == Tier.COUNTY]
        for index in take(special, round(count * 0.0015)):
            add(index, PositionKind.SPECIAL, PositionLevel.COUNTY, rng.choice(words.SPECIAL_TITLES),
                (datetime.date(2023, 7, 1), datetime.date(2026, 6, 30)))


def _pick(rng, pairs):
    total = sum(w for _, w in pairs)
    r = rng.random() * total
    for value, weight in pairs:
        r -= weight
        if r < 0:
            return value
    return pairs[-1][0]


# ---- loading --------------------------------------------------------------------------------------


def has_data():
    return Person.objects.exists()


def build(ctx, count=None):
    """The plan for `count` people (PEOPLE by default), from the seeded generator: nothing is written."""
    count = PEOPLE if count is None else count
    return Generator(random.Random(f"{SEED}:people"), Places.from_context(ctx)).plan(count)


def load(ctx, count=None):
    places = Places.from_context(ctx)
    if Person.objects.filter(owner_unit__path__startswith=places.county.path).exists():
        raise CommandError(f"{places.county.name}已有统战成员，未重复加载示范数据。")
    plan = build(ctx, count)
    write(plan)
    active = sum(1 for p in plan.people if p.status == Status.ACTIVE)
    return f"{len(plan.people)} 名统战成员（在册 {active} 名），{len(plan.positions)} 项社会职务"


def write(plan):
    """Write a plan with bulk inserts: people, their initial history, categories, positions, tags."""
    pinyin = {}
    for person in plan.people:
        if person.name not in pinyin:
            pinyin[person.name] = (name_pinyin(person.name), name_initials(person.name))
        person.name_pinyin, person.name_initials = pinyin[person.name]
    Person.objects.bulk_create(plan.people, batch_size=BATCH)

    # A test database flushed by an earlier transactional test has lost the migration's seed rows.
    seed_statutory_categories(Category)
    category_ids = dict(Category.objects.values_list("code", "pk"))
    through = Person.categories.through
    through.objects.bulk_create([
        through(person_id=person.pk, category_id=category_ids[code])
        for person, codes in zip(plan.people, plan.categories, strict=True) for code in codes
    ], batch_size=BATCH)
    copy_initial_history([person.pk for person in plan.people], timezone.now(), CHANGE_REASON)

    for index, position in plan.positions:
        position.person = plan.people[index]
    SocialPosition.objects.bulk_create([position for _, position in plan.positions], batch_size=BATCH)

    # Tags belong to units: the county's for county work (重点联系对象, 同心讲师团), each town's own 新乡贤.
    units_by_path = {unit.path: unit for unit in Unit.objects.all()}
    tags = {}
    links = []
    for index, name in plan.tags:
        path = plan.people[index].owner_unit.path
        owner = units_by_path[path[: Unit.steplen * (2 if name in TOWN_TAGS else 1)]]
        if (owner.pk, name) not in tags:
            tags[owner.pk, name] = Tag.objects.get_or_create(name=name, owner_unit=owner)[0]
        links.append((plan.people[index].pk, tags[owner.pk, name].pk))
    tagged = Person.tags.through
    tagged.objects.bulk_create([tagged(person_id=person_id, tag_id=tag_id) for person_id, tag_id in links],
                               batch_size=BATCH)


def copy_initial_history(pks, when, reason, chunk=900):
    """The initial history row ("+") of each new person, with the categories it was created with.

    It is what simple_history records when a person is saved and its categories set, in one row; copied
    inside the database (INSERT … SELECT: the encrypted columns are copied as they are) because building
    22,000 historical instances in Python (`bulk_history_create`) takes as long as the people themselves.
    """
    history = Person.history.model
    links = history.categories.model
    through = Person.categories.through
    quote = connection.ops.quote_name
    tracked = [(quote(history._meta.get_field(f.name).column), quote(f.column)) for f in history.tracked_fields]
    columns = ", ".join(target for target, _ in tracked)
    sources = ", ".join(f"p.{source}" for _, source in tracked)
    date = connection.ops.adapt_datetimefield_value(when)
    # Table and column names come from the models' metadata, values are parameters.
    copy_people = (
        f"INSERT INTO {quote(history._meta.db_table)} ({columns}, history_date, history_change_reason, "  # noqa: S608
        f"history_type, history_user_id) SELECT {sources}, %s, %s, '+', NULL "
        f"FROM {quote(Person._meta.db_table)} p WHERE p.id IN ({{}})"
    )
    copy_links = (
        f"INSERT INTO {quote(links._meta.db_table)} (id, person_id, category_id, history_id) "  # noqa: S608
        f"SELECT t.id, t.person_id, t.category_id, h.history_id FROM {quote(through._meta.db_table)} t "
        f"JOIN {quote(history._meta.db_table)} h ON h.id = t.person_id WHERE t.person_id IN ({{}})"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(pks), chunk):
            ids = pks[start:start + chunk]
            marks = ", ".join(["%s"] * len(ids))
            cursor.execute(copy_people.format(marks), [date, reason, *ids])
            cursor.execute(copy_links.format(marks), ids)


def report(ctx):
    """One line per category: people in the ledger (在册) and how they are managed."""
    if ctx.verbosity < 1 or not Person.objects.exists():
        return
    active = Q(people__status=Status.ACTIVE)
    rows = []
    for category in Category.objects.filter(parent=None).annotate(
        total=Count("people", filter=active),
        county=Count("people", filter=active & Q(people__tier=Tier.COUNTY)),
        town=Count("people", filter=active & Q(people__tier=Tier.TOWN)),
        village=Count("people", filter=active & Q(people__tier=Tier.VILLAGE)),
        representatives=Count("people", filter=active & Q(people__is_representative=True)),
    ):
        rows.append((category.name, category.total, category.county, category.town, category.village,
                     category.representatives))
    people = Person.objects.aggregate(
        total=Count("id"), active=Count("id", filter=Q(status=Status.ACTIVE)),
        representatives=Count("id", filter=Q(status=Status.ACTIVE, is_representative=True)),
    )
    used = sum(1 for row in rows if row[1])
    ctx.write("")
    ctx.write(f"统战成员台账：{used} 类 {people['active']} 名在册（共 {people['total']} 条记录，"
              f"代表人士 {people['representatives']} 名；一人可属多类）：")
    ctx.write(ctx.table(["类别", "在册", "县管", "镇管", "村管", "代表人士"], rows))
