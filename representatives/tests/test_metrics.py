"""Representatives' figures (representatives/metrics.py) against a small, hand-counted county."""

import datetime

from django.test import TestCase

from accounts.testing import create_user
from core import metrics
from core.metrics import Period
from org.testing import build_county
from people.models import Person
from representatives.models import Field, Level, Representative, Stage, StageChange

D = datetime.date
DIS, CUL, CER, EXI = Stage.DISCOVERED, Stage.CULTIVATING, Stage.CERTIFIED, Stage.EXITED
CITY, COUNTY, TOWN = Level.CITY, Level.COUNTY, Level.TOWN


def representative(name, unit, level, field, steps):
    """A representative with its pipeline: steps = [(stage, date, level at that step)]."""
    person = Person.objects.create(name=name, owner_unit=unit, is_representative=steps[-1][0] != EXI)
    rep = Representative.objects.create(person=person, owner_unit=unit, level=level, field=field,
                                        stage=steps[-1][0], stage_date=steps[-1][1])
    for stage, date, at_level in steps:
        StageChange.objects.create(representative=rep, stage=stage, date=date, level=at_level, reason="测试")
    return rep


def figures(units=None, period=None, user=None):
    return {m.key.removeprefix("representatives."): m(units, period, user=user) for m in metrics.all("representatives")}


class RepresentativeFiguresTests(TestCase):
    """Two towns; five representatives:

    R1 village1 (town1) 镇级 非公经济: 发现 2023-03-01, 培养 2024-02-01, 认定 2025-05-10
    R2 town1          县级 民主党派: 发现 2022-01-10, 培养 2022-06-01, 认定 2023-09-01, 退出 2025-11-20
    R3 village2 (town2) 镇级 党外知识分子: 发现 2025-02-01, 培养 2025-08-01
    R4 town2          县级 新阶层: 发现 2021-05-01 (镇级), 培养 2022-03-01 (镇级), 认定 2023-04-01 (县级)
    R5 member unit    市级 无党派: 发现 2026-01-15
    """

    @classmethod
    def setUpTestData(cls):
        cls.org = org = build_county()
        cls.r1 = representative("甲一", org.village1, TOWN, Field.NON_PUBLIC,
                                [(DIS, D(2023, 3, 1), TOWN), (CUL, D(2024, 2, 1), TOWN), (CER, D(2025, 5, 10), TOWN)])
        cls.r2 = representative("乙二", org.town1, COUNTY, Field.DEMOCRATIC_PARTY,
                                [(DIS, D(2022, 1, 10), COUNTY), (CUL, D(2022, 6, 1), COUNTY),
                                 (CER, D(2023, 9, 1), COUNTY), (EXI, D(2025, 11, 20), COUNTY)])
        cls.r3 = representative("丙三", org.village2, TOWN, Field.INTELLECTUAL,
                                [(DIS, D(2025, 2, 1), TOWN), (CUL, D(2025, 8, 1), TOWN)])
        cls.r4 = representative("丁四", org.town2, COUNTY, Field.NEW_STRATUM,
                                [(DIS, D(2021, 5, 1), TOWN), (CUL, D(2022, 3, 1), TOWN), (CER, D(2023, 4, 1), COUNTY)])
        cls.r5 = representative("戊五", org.member, CITY, Field.NON_PARTY, [(DIS, D(2026, 1, 15), CITY)])

    def test_registered(self):
        keys = {m.key for m in metrics.all("representatives")}
        self.assertLessEqual({"representatives.total", "representatives.by_stage", "representatives.by_level",
                              "representatives.by_field", "representatives.certified",
                              "representatives.newly_discovered", "representatives.newly_certified"}, keys)
        self.assertEqual(metrics.get("representatives.by_level").labels,
                         {"city": "市级", "county": "县级", "town": "镇级"})

    def test_year_2025_whole_county(self):
        # As of 2025-12-31: R1 认定, R2 退出, R3 培养, R4 认定; R5 not yet discovered.
        self.assertEqual(figures(self.org.county, Period.year(2025)), {
            "total": 3,
            "by_stage": {DIS: 0, CUL: 1, CER: 2, EXI: 1},
            "by_level": {CITY: 0, COUNTY: 1, TOWN: 2},
            "by_field": {Field.DEMOCRATIC_PARTY: 0, Field.NON_PARTY: 0, Field.INTELLECTUAL: 1, Field.NON_PUBLIC: 1,
                         Field.NEW_STRATUM: 1, Field.ETHNIC: 0, Field.RELIGIOUS: 0, Field.OVERSEAS: 0, Field.OTHER: 0},
            "certified": 2,
            "newly_discovered": 1,  # R3
            "newly_cultivated": 1,  # R3
            "newly_certified": 1,  # R1
            "exited": 1,  # R2
        })
        self.assertEqual(figures(None, Period.year(2025)), figures(self.org.county, Period.year(2025)))

    def test_year_2025_by_town(self):
        town1 = figures(self.org.town1, Period.year(2025))  # R1, R2
        self.assertEqual((town1["total"], town1["certified"], town1["newly_certified"], town1["exited"]), (1, 1, 1, 1))
        self.assertEqual(town1["by_stage"], {DIS: 0, CUL: 0, CER: 1, EXI: 1})
        town2 = figures(self.org.town2, Period.year(2025))  # R3, R4
        self.assertEqual((town2["total"], town2["certified"], town2["newly_discovered"], town2["exited"]), (2, 1, 1, 0))
        self.assertEqual(town2["by_level"], {CITY: 0, COUNTY: 1, TOWN: 1})
        both = figures([self.org.town1, self.org.town2], Period.year(2025))
        self.assertEqual(both["total"], 3)
        self.assertEqual(figures(self.org.member, Period.year(2025))["total"], 0)
        self.assertEqual(figures(self.org.village2, Period.year(2025))["by_stage"], {DIS: 0, CUL: 1, CER: 0, EXI: 0})

    def test_year_2024(self):
        # As of 2024-12-31: R1 培养, R2 认定 (县级), R4 认定 (县级); R3, R5 not yet.
        result = figures(self.org.county, Period.year(2024))
        self.assertEqual(result["by_stage"], {DIS: 0, CUL: 1, CER: 2, EXI: 0})
        self.assertEqual(result["by_level"], {CITY: 0, COUNTY: 2, TOWN: 1})
        self.assertEqual((result["total"], result["certified"]), (3, 2))
        self.assertEqual((result["newly_discovered"], result["newly_cultivated"], result["newly_certified"]), (0, 1, 0))

    def test_level_is_the_one_of_the_time(self):
        # In 2022 R4 was a 镇级 person being cultivated; it became 县级 when certified in 2023.
        result = figures(self.org.county, Period.year(2022))
        self.assertEqual(result["by_stage"], {DIS: 0, CUL: 2, CER: 0, EXI: 0})  # R2, R4
        self.assertEqual(result["by_level"], {CITY: 0, COUNTY: 1, TOWN: 1})
        self.assertEqual(result["newly_discovered"], 1)  # R2 (R4 in 2021)
        self.assertEqual(figures(self.org.county, Period.year(2020))["total"], 0)

    def test_quarter(self):
        # 2025 Q2: R1 certified on 10 May; as of 30 June R2 was still certified and R3 only discovered.
        result = figures(self.org.county, Period.quarter(2025, 2))
        self.assertEqual(result["by_stage"], {DIS: 1, CUL: 0, CER: 3, EXI: 0})
        self.assertEqual((result["total"], result["newly_certified"], result["newly_discovered"]), (4, 1, 0))
        self.assertEqual(figures(self.org.county, Period.quarter(2025, 1))["newly_discovered"], 1)

    def test_year_2026_counts_the_new_discovery(self):
        result = figures(self.org.county, Period.year(2026))
        self.assertEqual(result["by_stage"], {DIS: 1, CUL: 1, CER: 2, EXI: 1})
        self.assertEqual(result["by_level"], {CITY: 1, COUNTY: 1, TOWN: 2})
        self.assertEqual(result["newly_discovered"], 1)

    def test_same_day_steps_take_the_later_one(self):
        rep = representative("己六", self.org.village1, TOWN, Field.OTHER,
                             [(DIS, D(2025, 3, 1), TOWN), (CUL, D(2025, 3, 1), TOWN)])
        self.assertEqual(figures(self.org.village1, Period.year(2025))["by_stage"][CUL], 1)
        self.assertEqual(rep.stage, CUL)

    def test_user_scope(self):
        org = self.org
        period = Period.year(2025)
        town1_user = create_user("r_town1", org.town1, "town_officer")
        county_staff = create_user("r_county", org.county, "county_staff")
        no_role = create_user("r_none", org.county)
        self.assertEqual(figures(None, period, town1_user)["by_stage"], {DIS: 0, CUL: 0, CER: 1, EXI: 1})
        self.assertEqual(figures(org.town2, period, town1_user)["total"], 0)
        self.assertEqual(figures(org.town2, period, county_staff)["total"], 2)
        self.assertEqual(figures(None, period, county_staff), figures(None, period))
        self.assertEqual(figures(None, period, no_role)["total"], 0)
        self.assertEqual(metrics.get("representatives.by_stage").format(figures(None, period)["by_stage"]),
                         "发现0名，培养1名，认定2名，退出1名")
