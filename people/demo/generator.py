"""The planner of the demo ledger: the county's units people are kept by (Places), what one load writes (Plan)
and the Generator, which draws people one after another from one seeded random generator. Pure: writes nothing.
Its parts (the facts of a person, workplaces, social positions) are mixins in the sibling modules; the order in
which they draw from `rng` is what makes the same seed give the same ledger."""

import random
from dataclasses import dataclass, field

from django.core.management.base import CommandError

from core.demo import COUNTY_CODE
from org.models import Unit

from .. import demo_data as words
from ..choices import HAN, Gender, Status, Tier
from ..models import Person
from .facts import PersonFacts
from .positions import SocialPositions
from .sampling import weighted
from .tables import AS_OF, EDUCATIONS, ETH, INT, PARTIES, PRIMARY_WEIGHTS, PRIV, PROFILES, QIAO
from .workplaces import Workplaces


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


class Generator(PersonFacts, Workplaces, SocialPositions):
    """Plans `count` people from `rng` over the units in `places`; pure, writes nothing."""

    def __init__(self, rng, places):
        self.rng = rng
        self.places = places
        self.county_code = places.county.division_code or "330999"
        self.county_native = f"浙江{places.county.name}"
        self.taken_ids = set()
        self.taken_phones = set()
        self.year = AS_OF.year  # birth year of the person being planned
        self.draw_primary = weighted(list(PRIMARY_WEIGHTS.items()))
        self.draw_surname = weighted(words.SURNAMES)
        self.draw_minority = weighted(words.MINORITIES)
        self.draw_parties = {key: weighted(pairs) for key, pairs in PARTIES.items()}
        self.draw_education = {code: weighted(list(zip(EDUCATIONS, p.education, strict=True)))
                               for code, p in PROFILES.items()}
        self.draw_owner_position = weighted(words.OWNER_POSITIONS)
        self.draw_teacher = weighted(words.TEACHER_POSITIONS)
        self.draw_doctor = weighted(words.DOCTOR_POSITIONS)
        self.draw_religion = weighted([(r, r[1]) for r in words.RELIGIONS])
        self.draw_overseas = weighted(words.OVERSEAS_COUNTRIES)
        rng_sizes = random.Random(rng.random())
        # Towns differ in size: by their number of villages and communities, urban streets twice as dense.
        town_weights = []
        for town in places.towns:
            villages = places.villages_by_town.get(town, [])
            urban = 1.8 if town.name.endswith("街道") else 1.0
            town_weights.append((town, max(1, len(villages)) * urban * rng_sizes.uniform(0.6, 1.5)))
        self.draw_town = weighted(town_weights)
        self.draw_village = {
            town: weighted([(v, rng_sizes.uniform(0.4, 2.0) * (1.4 if v.name.endswith("社区") else 1.0))
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
