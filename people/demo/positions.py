"""Social positions of the planned people (人大代表, 政协委员, 商会/联谊会 roles, 特约人员): a mixin of
people.demo.generator.Generator."""

import datetime
from collections import Counter

from .. import demo_data as words
from ..choices import PositionKind, PositionLevel, Status, Tier
from ..models import SocialPosition
from .tables import INT, NSC, OS, PRIV, QIAO, TERMS


class SocialPositions:
    """The positions of a whole plan, handed out once every person is planned (by rank: representatives and
    县管 first)."""

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
