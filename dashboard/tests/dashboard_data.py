"""A small county with hand-counted figures for the dashboard tests (2025, seen on 30 June 2026).

Units (org.testing.build_county): 测试县 → 东溪镇 (town1) → 东溪村 (village1); 西岭镇 (town2) → 西岭村 (village2);
县教育局 (member, not an area: summed into "本级及其他单位（1个）" under the county).

People (registered 2025-01-05 unless said otherwise; age on 2025-12-31):
  P1 东溪村 民主党派成员+党外知识分子 村管 民盟 1990-05-01 (35)      P2 东溪村 党外知识分子 镇管 群众 1960-01-01 (65)
  P3 东溪镇 非公有制经济人士 县管 (政治面貌未填) no birth date       P4 西岭村 民主党派成员 村管 民盟 2000-03-03 (25)
  P5 西岭镇 新的社会阶层人士 镇管 无党派 1975-07-07 (50)             P6 县教育局 党外知识分子 县管 中共 1970-12-31 (55)
  P7 西岭村 民主党派成员, 退出 2025-06-01 (not on the ledger)        P8 东溪村, registered 2026-02-01 (not yet in 2025)
  → 2025: 6 on the ledger: 东溪镇 3 (东溪村 2), 西岭镇 2 (西岭村 1), 县教育局 1.

Representatives (stage and level as of 2025-12-31):
  R1 = P1 东溪村: 发现 2024-03-01, 培养 2025-02-01, 认定 2025-09-01 (镇级) → 认定
  R2 = P5 西岭镇: 发现 2025-04-01 (县级) → 发现
  R3 = P6 县教育局: 发现 2023-01-01, 认定 2024-01-01, 退出 2025-10-01 (县级) → 退出
  R4 = P3 东溪镇: 发现 2025-03-01, 培养 2025-11-01 (市级) → 培养
  → total 3 (R1 R2 R4), certified 1; by unit 东溪镇 2, 西岭镇 1.

Pairings (seen on 2025-12-31):
  PA 东溪镇 R1, 2 a year since 2024-01-01: contacts 2025-03-10 走访, 2025-09-15 谈心谈话 → owes 2, made 2: on track
  PB 西岭镇 R2, 4 a year since 2025-07-01: contact 2025-08-01 电话 → owes 4 × 184/365 → 2, made 1: behind
  PC 测试县 R3, 2 a year 2023-01-01 to 2025-03-31: contact 2025-02-01 座谈 → owes 2 × 90/365 → 0: on track
  → 3 pairings, 4 contacts, 2 on track, 1 behind, 66.7 %.

Activities (types 同心行活动日, 同心大讲堂, 志愿服务 in use) and plans of 2025:
  PL1 东溪镇 同心行活动日 monthly, PL2 西岭镇 同心大讲堂 quarterly
  A1 东溪镇 2025-01-10 同心行活动日 PL1 (Jan)     A2 东溪村 2025-02-14 同心行活动日 PL1 (Feb)
  A3 西岭镇 2025-03-20 同心大讲堂 PL2 (Q1)        A4 县教育局 2025-07-01 志愿服务
  A5 东溪镇 2024-12-20 同心行活动日 (2024: not counted)
  → 4 held; plans expect 12 + 4 = 16 occurrences, 2 + 1 = 3 fulfilled: 18.8 %.
"""

import datetime
from types import SimpleNamespace

from django.utils import timezone

from activities.models import Activity, ActivityType, Frequency, Plan
from friendship.models import Contact, Pairing
from org.testing import build_county
from people.choices import Affiliation, Status, Tier, seed_statutory_categories
from people.models import Category, Person
from representatives.models import Field, Level, Representative, Stage, StageChange

D = datetime.date
TODAY = D(2026, 6, 30)
DAY, LECTURE, VOLUNTEER = "同心行活动日", "同心大讲堂", "志愿服务"
DEMOCRATIC, INTELLECTUAL = "民主党派成员", "党外知识分子"
NON_PUBLIC, NEW_STRATUM = "非公有制经济人士", "新的社会阶层人士"
REGISTERED = D(2025, 1, 5)


def at(year, month, day, hour=9):
    return timezone.make_aware(datetime.datetime(year, month, day, hour))


def seed_categories():
    """The statutory categories (a live-server test's flushed database has lost the migration's rows)."""
    seed_statutory_categories(Category)
    return {c.name: c for c in Category.objects.all()}


def build():
    org = build_county()
    categories = seed_categories()

    def person(name, unit, cats, tier, affiliation, birth, status=Status.ACTIVE, registered=REGISTERED, **extra):
        record = Person.objects.create(name=name, owner_unit=unit, tier=tier, affiliation=affiliation,
                                       birth_date=birth, status=status, **extra)
        record.categories.set([categories[c] for c in cats])
        Person.objects.filter(pk=record.pk).update(created_at=at(registered.year, registered.month, registered.day))
        return record

    p1 = person("甲一", org.village1, [DEMOCRATIC, INTELLECTUAL], Tier.VILLAGE, Affiliation.CDL, D(1990, 5, 1))
    p2 = person("甲二", org.village1, [INTELLECTUAL], Tier.TOWN, Affiliation.MASSES, D(1960, 1, 1))
    p3 = person("乙三", org.town1, [NON_PUBLIC], Tier.COUNTY, "", None)
    p4 = person("丙四", org.village2, [DEMOCRATIC], Tier.VILLAGE, Affiliation.CDL, D(2000, 3, 3))
    p5 = person("丁五", org.town2, [NEW_STRATUM], Tier.TOWN, Affiliation.NON_PARTY, D(1975, 7, 7))
    p6 = person("戊六", org.member, [INTELLECTUAL], Tier.COUNTY, Affiliation.CPC, D(1970, 12, 31))
    person("己七", org.village2, [DEMOCRATIC], Tier.VILLAGE, Affiliation.CDL, D(1980, 1, 1), status=Status.EXITED,
           status_date=D(2025, 6, 1))
    person("庚八", org.village1, [DEMOCRATIC], Tier.VILLAGE, Affiliation.CDL, D(1985, 1, 1), registered=D(2026, 2, 1))

    def representative(record, unit, level, steps):
        rep = Representative.objects.create(person=record, owner_unit=unit, level=level, field=Field.OTHER,
                                            stage=steps[-1][0], stage_date=steps[-1][1])
        for stage, date in steps:
            StageChange.objects.create(representative=rep, stage=stage, date=date, level=level, reason="测试")
        return rep

    r1 = representative(p1, org.village1, Level.TOWN, [(Stage.DISCOVERED, D(2024, 3, 1)),
                                                       (Stage.CULTIVATING, D(2025, 2, 1)),
                                                       (Stage.CERTIFIED, D(2025, 9, 1))])
    r2 = representative(p5, org.town2, Level.COUNTY, [(Stage.DISCOVERED, D(2025, 4, 1))])
    r3 = representative(p6, org.member, Level.COUNTY, [(Stage.DISCOVERED, D(2023, 1, 1)),
                                                       (Stage.CERTIFIED, D(2024, 1, 1)),
                                                       (Stage.EXITED, D(2025, 10, 1))])
    r4 = representative(p3, org.town1, Level.CITY, [(Stage.DISCOVERED, D(2025, 3, 1)),
                                                    (Stage.CULTIVATING, D(2025, 11, 1))])

    def pairing(unit, rep, per_year, start, end=None):
        return Pairing.objects.create(owner_unit=unit, representative=rep, official_name="测试干部",
                                      official_post="县委常委", contacts_per_year=per_year, start_date=start,
                                      end_date=end)

    def contact(pair, date, form):
        return Contact.objects.create(pairing=pair, owner_unit=pair.owner_unit, date=date, form=form, summary="测试")

    pa = pairing(org.town1, r1, 2, D(2024, 1, 1))
    pb = pairing(org.town2, r2, 4, D(2025, 7, 1))
    pc = pairing(org.county, r3, 2, D(2023, 1, 1), D(2025, 3, 31))
    contact(pa, D(2025, 3, 10), Contact.Form.VISIT)
    contact(pa, D(2025, 9, 15), Contact.Form.TALK)
    contact(pb, D(2025, 8, 1), Contact.Form.PHONE)
    contact(pc, D(2025, 2, 1), Contact.Form.FORUM)

    types = {}
    for order, name in enumerate([DAY, LECTURE, VOLUNTEER], start=1):
        types[name], _ = ActivityType.objects.update_or_create(name=name, defaults={"sort_order": order,
                                                                                    "is_active": True})
    ActivityType.objects.exclude(name__in=types).update(is_active=False)
    pl1 = Plan.objects.create(title="每月同心行活动日", activity_type=types[DAY], frequency=Frequency.MONTH, year=2025,
                              owner_unit=org.town1)
    pl2 = Plan.objects.create(title="每季同心大讲堂", activity_type=types[LECTURE], frequency=Frequency.QUARTER,
                              year=2025, owner_unit=org.town2)

    def activity(unit, start, type_name, plan=None):
        return Activity.objects.create(title=f"{type_name}活动", activity_type=types[type_name], start=start,
                                       end=start + datetime.timedelta(hours=2), place="活动室", plan=plan,
                                       content="测试", owner_unit=unit)

    activity(org.town1, at(2025, 1, 10), DAY, pl1)
    activity(org.village1, at(2025, 2, 14), DAY, pl1)
    activity(org.town2, at(2025, 3, 20), LECTURE, pl2)
    activity(org.member, at(2025, 7, 1), VOLUNTEER)
    activity(org.town1, at(2024, 12, 20), DAY, pl1)
    return SimpleNamespace(org=org, people=[p1, p2, p3, p4, p5, p6], representatives=[r1, r2, r3, r4],
                           pairings=[pa, pb, pc], plans=[pl1, pl2], types=types)
