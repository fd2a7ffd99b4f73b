"""Ledger figures (people/metrics.py) against hand-counted fixtures."""

import datetime

from django.test import TestCase
from django.utils import timezone

from accounts.testing import create_user
from core import metrics
from core.metrics import Period
from org.testing import build_county
from people.choices import Affiliation, Education, Gender, Status, Tier
from people.metrics import REQUIRED_FIELDS, age_on, incomplete_q, missing_fields, missing_q, years_before
from people.models import Category, Person

D = datetime.date
KEYS = ["total", "by_category", "by_tier", "by_affiliation", "by_age_band", "by_status", "representatives",
        "complete", "completeness_rate", "added", "left"]
# The enabled statutory categories in their order (09 香港同胞 and 10 澳门同胞 are disabled in the fixtures).
CATEGORY_NAMES = ["民主党派成员", "无党派人士", "党外知识分子", "少数民族人士", "宗教界人士", "非公有制经济人士",
                  "新的社会阶层人士", "出国和归国留学人员", "台湾同胞及其在大陆的亲属", "华侨、归侨及侨眷"]
AGE_CODES = ["under_35", "35_44", "45_54", "55_64", "65_over", "unknown"]
TIER_CODES = ["county", "town", "village"]
STATUS_CODES = ["active", "transferred", "exited", "deceased"]


def figures(units=None, period=None, user=None):
    return {m.key.removeprefix("people."): m(units, period, user=user) for m in metrics.all("people")}


def categories(**counts):
    """A by_category result: every enabled category at 0 but those given (by statutory code, c01 … c12)."""
    result = dict.fromkeys(CATEGORY_NAMES, 0)
    for code, number in counts.items():
        result[Category.objects.get(code=code.removeprefix("c")).name] = number
    return result


def affiliations(**counts):
    """A by_affiliation result by affiliation code (a05=…), `none` for 未填写."""
    result = {code: counts.get(f"a{code}", 0) for code in Affiliation.values}
    result[""] = counts.get("none", 0)
    return result


class LedgerFixtures(TestCase):
    """Units: town1 (village1 below it), town2 (village2 below it), member. Categories: the 12 statutory ones,
    09 香港同胞 and 10 澳门同胞 disabled; a sub-type 归国博士 under 08 出国和归国留学人员.

    People (registered on — local day —, unit, status, categories, tier, affiliation, birth date, gaps):
      P1  甲一 2024-03-01 village1 在册 01 03      村管 民盟   1991-01-01 代表人士  complete
      P2  甲二 2025-02-10 village1 在册 归国博士    镇管 无党派 1990-12-31           no 工作单位
      P3  乙三 2025-05-20 town1    在册 08 归国博士 镇管 —      —          代表人士  no 出生日期 联系电话 政治面貌
      P4  乙四 2023-01-01 town1    退出 2025-04-01, 01, 代表人士, complete
      P5  丙五 2025-07-01 village2 在册 06         县管 群众   1960-12-31 代表人士  complete
      P6  丙六 2024-11-11 town2    去世 2024-12-30, 06, complete
      P7  丙七 2026-01-01 00:30 local (2025-12-31 in UTC) village2 在册 09 (disabled), complete
      P8  丁八 2025-09-09 member   在册 —          村管 民建   1970-12-31           no 类别
      P9  丁九 2025-03-03 town2    调出 2025-08-01, 07, complete
      P10 丙十 2025-10-10 town2    在册 07 04      村管 无党派 1981-01-01           no 性别

    2025 (end 31 December): registered P1–P6 P8–P10 (9); 在册 P1 P2 P3 P5 P8 P10 = 6; representatives P1 P3 P5
    = 3 (P4 has left); tiers 县管 1 (P5) 镇管 2 (P2 P3) 村管 3; affiliations 民盟 1 民建 1 无党派 2 群众 1 未填写 1;
    ages on 31 December: P1 34, P2 35, P10 44, P8 55, P5 65, P3 unknown; categories 01 1 (P4 has left), 03 1,
    04 1, 06 1, 07 1, 08 2 (P3 once, P2 by the sub-type); complete P1 P5 → 2 of 6 = 33.3%; added P2 P3 P5 P8
    P9 P10 = 6; left P4 P9 = 2 (P6 left in 2024).
    """

    @classmethod
    def setUpTestData(cls):
        cls.org = org = build_county()
        Category.objects.filter(code__in=["09", "10"]).update(is_active=False)
        code = {c.code: c for c in Category.objects.all()}
        doctor = Category.objects.create(code="0801", name="归国博士", parent=code["08"], sort_order=100)
        serial = iter(range(1, 100))

        def person(name, unit, registered, cats, *, status=Status.ACTIVE, status_date=None, gaps=(), **fields):
            n = next(serial)
            values = {
                "gender": Gender.MALE, "ethnicity": "01", "birth_date": D(1980, 5, 5),
                "id_number": f"33099819800505{n:03d}X", "phone": f"1381234{n:04d}", "education": Education.BACHELOR,
                "workplace": "某公司", "position": "经理", "affiliation": Affiliation.NON_PARTY, "tier": Tier.VILLAGE,
            } | fields
            for gap in gaps:
                values[gap] = None if gap == "birth_date" else ""
            record = Person.objects.create(name=name, owner_unit=unit, status=status, status_date=status_date,
                                           **values)
            record.categories.set([code.get(c) or c for c in cats])
            when = registered if isinstance(registered, datetime.datetime) else datetime.datetime.combine(
                registered, datetime.time(12))
            Person.objects.filter(pk=record.pk).update(created_at=timezone.make_aware(when))
            return record

        cls.p1 = person("甲一", org.village1, D(2024, 3, 1), ["01", "03"], affiliation=Affiliation.CDL,
                        birth_date=D(1991, 1, 1), is_representative=True)
        cls.p2 = person("甲二", org.village1, D(2025, 2, 10), [doctor], tier=Tier.TOWN, birth_date=D(1990, 12, 31),
                        gaps=["workplace"])
        cls.p3 = person("乙三", org.town1, D(2025, 5, 20), ["08", doctor], tier=Tier.TOWN, is_representative=True,
                        gaps=["birth_date", "phone", "affiliation"])
        cls.p4 = person("乙四", org.town1, D(2023, 1, 1), ["01"], status=Status.EXITED, status_date=D(2025, 4, 1),
                        birth_date=D(1950, 1, 1), is_representative=True)
        cls.p5 = person("丙五", org.village2, D(2025, 7, 1), ["06"], tier=Tier.COUNTY, affiliation=Affiliation.MASSES,
                        birth_date=D(1960, 12, 31), is_representative=True)
        cls.p6 = person("丙六", org.town2, D(2024, 11, 11), ["06"], status=Status.DECEASED, status_date=D(2024, 12, 30))
        cls.p7 = person("丙七", org.village2, datetime.datetime(2026, 1, 1, 0, 30), ["09"])
        cls.p8 = person("丁八", org.member, D(2025, 9, 9), [], affiliation=Affiliation.CNDCA,
                        birth_date=D(1970, 12, 31))
        cls.p9 = person("丁九", org.town2, D(2025, 3, 3), ["07"], status=Status.TRANSFERRED_OUT,
                        status_date=D(2025, 8, 1))
        cls.p10 = person("丙十", org.town2, D(2025, 10, 10), ["07", "04"], birth_date=D(1981, 1, 1), gaps=["gender"])


class LedgerFiguresTests(LedgerFixtures):

    def test_registered(self):
        keys = {m.key for m in metrics.all("people")}
        self.assertEqual(keys, {f"people.{key}" for key in KEYS})
        self.assertEqual(dict(metrics.get("people.by_tier").labels), dict(Tier.choices))
        self.assertEqual(list(metrics.get("people.by_age_band").labels.values()),
                         ["35岁以下", "35-44岁", "45-54岁", "55-64岁", "65岁及以上", "未知"])
        self.assertEqual(metrics.get("people.by_affiliation").labels[""], "未填写")
        self.assertTrue(metrics.get("people.by_category").is_breakdown)
        self.assertEqual(metrics.get("people.completeness_rate").unit, "%")

    def test_year(self):
        result = figures(self.org.county, Period.year(2025))
        self.assertEqual(result, {
            "total": 6,
            "by_category": categories(c01=1, c03=1, c04=1, c06=1, c07=1, c08=2),
            "by_tier": {"county": 1, "town": 2, "village": 3},
            "by_affiliation": affiliations(a05=1, a06=1, a12=2, a13=1, none=1),
            "by_age_band": {"under_35": 1, "35_44": 2, "45_54": 0, "55_64": 1, "65_over": 1, "unknown": 1},
            "by_status": {"active": 6, "transferred": 1, "exited": 1, "deceased": 1},
            "representatives": 3,
            "complete": 2,
            "completeness_rate": 33.3,
            "added": 6,
            "left": 2,
        })
        self.assertEqual(list(result["by_category"]), CATEGORY_NAMES)  # in the categories' order
        self.assertEqual(figures(None, Period.year(2025)), result)
        age = metrics.get("people.by_age_band")
        self.assertEqual(age.format(result["by_age_band"]),
                         "35岁以下1名，35-44岁2名，45-54岁0名，55-64岁1名，65岁及以上1名，未知1名")
        self.assertEqual(metrics.get("people.by_affiliation").rows(result["by_affiliation"])[-1], ("未填写", 1))

    def test_other_periods(self):
        q1 = figures(self.org.county, Period.quarter(2025, 1))
        # Registered by 31 March: P1 P2 P4 P6 P9; 在册 P1 P2 (both 34 on 31 March); added P2 P9; nobody left.
        self.assertEqual((q1["total"], q1["added"], q1["left"], q1["representatives"]), (2, 2, 0, 1))
        self.assertEqual(q1["by_status"], {"active": 2, "transferred": 1, "exited": 1, "deceased": 1})
        self.assertEqual(q1["by_age_band"]["under_35"], 2)
        self.assertEqual((q1["complete"], q1["completeness_rate"]), (1, 50.0))
        self.assertEqual(q1["by_category"], categories(c01=1, c03=1, c08=1))
        q2 = figures(self.org.county, Period.quarter(2025, 2))
        self.assertEqual((q2["added"], q2["left"]), (1, 1))  # P3; P4
        earlier = figures(self.org.county, Period.year(2024))
        # Registered by the end of 2024: P1 P4 P6 (P2 P3 … later); P6 died in 2024.
        self.assertEqual((earlier["total"], earlier["added"], earlier["left"]), (1, 2, 1))
        self.assertEqual(earlier["by_age_band"]["under_35"], 1)  # P1, 33
        nothing = figures(self.org.county, Period.year(2022))
        self.assertEqual((nothing["total"], nothing["complete"], nothing["completeness_rate"]), (0, 0, None))
        self.assertEqual(nothing["by_category"], categories())
        self.assertEqual(nothing["by_age_band"], dict.fromkeys(AGE_CODES, 0))

    def test_registration_day_is_local_and_disabled_category_shown_when_used(self):
        # P7 was registered at 00:30 on 1 January 2026, Beijing time (still 2025 in UTC).
        self.assertEqual(figures(None, Period.month(2025, 12))["added"], 0)
        year = figures(None, Period.year(2026))
        self.assertEqual((year["total"], year["added"]), (7, 1))
        self.assertEqual(year["by_category"]["香港同胞"], 1)  # disabled, but someone is in it
        self.assertNotIn("澳门同胞", year["by_category"])
        # Ages move on with the period's end: on 31 December 2026 P1 is 35, P2 36, P10 45, P7 46, P8 56, P5 66.
        self.assertEqual(year["by_age_band"],
                         {"under_35": 0, "35_44": 2, "45_54": 2, "55_64": 1, "65_over": 1, "unknown": 1})

    def test_by_unit(self):
        org = self.org
        year = Period.year(2025)
        self.assertEqual(metrics.by_unit("people.total", [org.town1, org.town2, org.member], year),
                         [(org.town1, 3), (org.town2, 2), (org.member, 1)])
        town1 = figures(org.town1, year)
        self.assertEqual((town1["representatives"], town1["complete"], town1["completeness_rate"]), (2, 1, 33.3))
        self.assertEqual(town1["by_category"], categories(c01=1, c03=1, c08=2))
        self.assertEqual((town1["added"], town1["left"]), (2, 1))
        both = figures([org.village1, org.member], year)
        self.assertEqual((both["total"], both["by_tier"]), (3, {"county": 0, "town": 1, "village": 2}))
        self.assertEqual(figures([], year)["total"], 0)

    def test_user_scope(self):
        org = self.org
        year = Period.year(2025)
        town2_user = create_user("p_town2", org.town2, "town_officer")
        town2 = figures(None, year, town2_user)
        self.assertEqual(town2, {
            "total": 2,
            "by_category": categories(c04=1, c06=1, c07=1),
            "by_tier": {"county": 1, "town": 0, "village": 1},
            "by_affiliation": affiliations(a12=1, a13=1),
            "by_age_band": {"under_35": 0, "35_44": 1, "45_54": 0, "55_64": 0, "65_over": 1, "unknown": 0},
            "by_status": {"active": 2, "transferred": 1, "exited": 0, "deceased": 1},
            "representatives": 1,
            "complete": 1,
            "completeness_rate": 50.0,
            "added": 3,
            "left": 1,
        })
        self.assertEqual(figures(org.county, year, town2_user), town2)
        self.assertEqual(figures(org.town2, year), town2)
        outside = figures(org.town1, year, town2_user)
        self.assertEqual((outside["total"], outside["added"], outside["left"], outside["completeness_rate"]),
                         (0, 0, 0, None))
        self.assertEqual(outside["by_status"], dict.fromkeys(STATUS_CODES, 0))
        county = create_user("p_county", org.county, "county_staff")
        self.assertEqual(figures(None, year, county), figures(None, year))
        nobody = figures(None, year, create_user("p_none", org.county))
        self.assertEqual((nobody["total"], nobody["by_tier"], nobody["completeness_rate"]),
                         (0, dict.fromkeys(TIER_CODES, 0), None))


class CompletenessTests(LedgerFixtures):
    """The definition of a complete entry, shared by the figures and the ledger health check."""

    def test_required_fields(self):
        self.assertEqual(REQUIRED_FIELDS, ("name", "gender", "ethnicity", "birth_date", "id_number", "phone",
                                           "education", "workplace", "position", "affiliation", "categories"))

    def test_missing_fields(self):
        self.assertEqual(missing_fields(self.p1), [])
        self.assertEqual(missing_fields(self.p2), ["工作单位"])
        self.assertEqual(missing_fields(self.p3), ["出生日期", "联系电话", "政治面貌"])
        self.assertEqual(missing_fields(self.p8), ["类别"])
        self.assertEqual(missing_fields(self.p10), ["性别"])
        blank = Person.objects.create(name="空白", owner_unit=self.org.town1)
        self.assertEqual(missing_fields(blank), ["性别", "民族", "出生日期", "身份证号", "联系电话", "学历", "工作单位",
                                                 "职务/职称", "政治面貌", "类别"])
        self.assertEqual(missing_fields(Person(name=""))[:2], ["姓名", "性别"])  # unsaved: no categories either
        # With categories prefetched, no query per person.
        people = list(Person.objects.prefetch_related("categories").order_by("pk"))
        with self.assertNumQueries(0):
            found = {p.name: missing_fields(p) for p in people}
        self.assertEqual(found["甲一"], [])
        self.assertEqual(found["丁八"], ["类别"])

    def test_queries_agree_with_missing_fields(self):
        incomplete = Person.objects.filter(incomplete_q())
        self.assertEqual(sorted(incomplete.values_list("name", flat=True)), sorted(["甲二", "乙三", "丁八", "丙十"]))
        self.assertEqual(incomplete.count(), 4)  # P1's two categories do not count it twice
        for person in Person.objects.prefetch_related("categories"):
            self.assertEqual(bool(missing_fields(person)), person in incomplete, person.name)
        self.assertEqual(list(Person.objects.filter(missing_q("phone")).values_list("name", flat=True)), ["乙三"])
        self.assertEqual(list(Person.objects.filter(missing_q("categories")).values_list("name", flat=True)),
                         ["丁八"])
        with self.assertRaises(ValueError):
            missing_q("notes")

    def test_age_helpers(self):
        self.assertEqual(years_before(D(2028, 2, 29), 35), D(1993, 2, 28))
        self.assertEqual(years_before(D(2025, 12, 31), 35), D(1990, 12, 31))
        self.assertEqual(age_on(D(1990, 12, 31), D(2025, 12, 31)), 35)
        self.assertEqual(age_on(D(1991, 1, 1), D(2025, 12, 31)), 34)
        self.assertEqual(age_on(D(1992, 2, 29), D(2027, 2, 28)), 34)
