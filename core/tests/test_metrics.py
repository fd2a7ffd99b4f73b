"""The metrics registry (core.metrics): periods, registration, and figures over unit subtrees in a user's scope."""

import datetime
from unittest import mock

from django.core.exceptions import ImproperlyConfigured
from django.test import SimpleTestCase, TestCase

from accounts.testing import create_user
from core import metrics
from core.metrics import Metric, Period
from core.tests.sample.models import SampleRecord
from org.models import Unit
from org.testing import build_county

D = datetime.date


class PeriodTests(SimpleTestCase):
    def test_year_quarter_month(self):
        year = Period.year(2026)
        self.assertEqual((year.start, year.end, year.label, year.key),
                         (D(2026, 1, 1), D(2026, 12, 31), "2026年", "2026"))
        q3 = Period.quarter(2026, 3)
        self.assertEqual((q3.start, q3.end, q3.label, q3.key),
                         (D(2026, 7, 1), D(2026, 9, 30), "2026年第三季度", "2026-Q3"))
        self.assertEqual(Period.quarter(2026, 1).end, D(2026, 3, 31))
        self.assertEqual(Period.quarter(2026, 4).end, D(2026, 12, 31))
        self.assertEqual(Period.month(2024, 2).end, D(2024, 2, 29))  # leap year
        self.assertEqual(Period.month(2026, 2).end, D(2026, 2, 28))
        self.assertEqual(Period.month(2026, 3).label, "2026年3月")
        self.assertEqual(Period.year(2024).days, 366)
        with self.assertRaises(ValueError):
            Period.quarter(2026, 5)

    def test_between_and_order(self):
        period = Period.between(D(2026, 1, 1), D(2026, 3, 15))
        self.assertEqual(period.label, "2026年1月1日至2026年3月15日")
        self.assertEqual(period.days, 74)
        self.assertIn(D(2026, 3, 15), period)
        self.assertNotIn(D(2026, 3, 16), period)
        self.assertEqual(period, Period(D(2026, 1, 1), D(2026, 3, 15)))
        with self.assertRaisesMessage(ValueError, "不能早于开始日期"):
            Period(D(2026, 3, 1), D(2026, 2, 1))

    def test_parse_reads_every_key_back(self):
        for period in (Period.year(2025), Period.quarter(2026, 2), Period.month(2026, 11),
                       Period.between(D(2026, 1, 5), D(2026, 2, 6))):
            self.assertEqual(Period.parse(period.key), period)
            self.assertEqual(Period.parse(period.key).label, period.label)
        self.assertEqual(Period.parse("2026q4"), Period.quarter(2026, 4))
        for bad in ("", "26", "2026-13", "2026-Q5", "2026-02-30~2026-03-01", "2026-03-01~2026-02-01", "明年"):
            with self.assertRaisesMessage(ValueError, "统计期间"):
                Period.parse(bad)

    def test_as_of_is_the_end_or_today_while_running(self):
        year = Period.year(2026)
        self.assertEqual(year.as_of(D(2027, 3, 1)), D(2026, 12, 31))
        self.assertEqual(year.as_of(D(2026, 5, 20)), D(2026, 5, 20))
        self.assertEqual(year.as_of(D(2025, 5, 20)), D(2026, 1, 1))
        self.assertEqual(Period.year_to_date(D(2026, 5, 20)), Period(D(2026, 1, 1), D(2026, 5, 20)))
        with mock.patch("django.utils.timezone.localdate", return_value=D(2026, 5, 20)):
            self.assertEqual(Period.current_year(), year)
            self.assertEqual(year.as_of(), D(2026, 5, 20))

    def test_q(self):
        q = Period.month(2026, 3).q("date")
        self.assertEqual(dict(q.children), {"date__gte": D(2026, 3, 1), "date__lte": D(2026, 3, 31)})


class RegistryTests(SimpleTestCase):
    def setUp(self):
        for key in ("test.answer", "test.split", "test.other"):
            self.addCleanup(metrics.unregister, key)

    def test_register_get_all(self):
        figure = metrics.register("test.answer", "答案", lambda query: 42, unit="个", description="说明")
        self.assertIsInstance(figure, Metric)
        self.assertIs(metrics.get("test.answer"), figure)
        self.assertEqual((figure.app, figure.unit, figure.description), ("test", "个", "说明"))
        self.assertIn(figure, metrics.all())
        self.assertEqual(metrics.all("test"), [figure])
        self.assertEqual(metrics.compute("test.answer", None, Period.year(2026)), 42)
        self.assertEqual(figure(None, Period.year(2026)), 42)
        self.assertFalse(figure.is_breakdown)

    def test_decorator_keeps_the_function_and_takes_the_docstring(self):
        @metrics.metric("test.split", "拆分", unit="名", labels=[("a", "甲"), ("b", "乙")])
        def split(query):
            """Two parts."""
            return {"b": 2, "a": 1}

        self.assertEqual(split(None), {"b": 2, "a": 1})
        figure = metrics.get("test.split")
        self.assertTrue(figure.is_breakdown)
        self.assertEqual(figure.description, "Two parts.")
        value = figure(None, Period.year(2026))
        self.assertEqual(figure.rows(value), [("甲", 1), ("乙", 2)])
        self.assertEqual(figure.format(value), "甲1名，乙2名")

    def test_same_function_may_register_again_another_may_not(self):
        def answer(query):
            return 1

        metrics.register("test.answer", "答案", answer)
        metrics.register("test.answer", "答案（新）", answer)  # a module imported twice
        self.assertEqual(metrics.get("test.answer").label, "答案（新）")
        with self.assertRaises(ImproperlyConfigured):
            metrics.register("test.answer", "答案", lambda query: 2)

    def test_bad_and_unknown_keys(self):
        for key in ("answer", "Test.Answer", "test.", "test answer"):
            with self.assertRaises(ImproperlyConfigured, msg=key):
                metrics.register(key, "答案", lambda query: 1)
        with self.assertRaisesMessage(LookupError, "未登记的统计指标：test.nothing"):
            metrics.get("test.nothing")

    def test_parameters_are_declared_and_passed(self):
        metrics.register("test.answer", "某类记录", lambda query: f"{query.params['kind']}@{query.period.key}",
                         params={"kind": "类型"})
        figure = metrics.get("test.answer")
        self.assertEqual(figure.params, {"kind": "类型"})
        self.assertEqual(metrics.compute("test.answer", None, Period.year(2026), kind="座谈"), "座谈@2026")
        with self.assertRaisesMessage(TypeError, "takes no parameter kinds"):
            metrics.compute("test.answer", None, Period.year(2026), kinds="座谈")
        metrics.register("test.other", "无参数", lambda query: dict(query.params))
        self.assertEqual(metrics.compute("test.other"), {})
        with self.assertRaises(TypeError):
            metrics.compute("test.other", kind="座谈")

    def test_format(self):
        figure = Metric("test.other", "比率", lambda query: None, unit="%")
        self.assertEqual(figure.format(None), "—")
        self.assertEqual(figure.format(87.5), "87.5%")
        self.assertEqual(figure.format(100.0), "100%")
        self.assertEqual(Metric("test.other", "人数", lambda q: 0, unit="名").format(865), "865名")

    def test_period_defaults_to_this_year(self):
        seen = []
        metrics.register("test.answer", "答案", lambda query: seen.append(query.period) or 0)
        with mock.patch("django.utils.timezone.localdate", return_value=D(2026, 5, 20)):
            metrics.compute("test.answer")
        self.assertEqual(seen, [Period.year(2026)])

    def test_units_must_be_units(self):
        metrics.register("test.answer", "答案", lambda query: 0)
        for bad in ("城关", 3, [object()], SampleRecord(name="不是单位")):
            with self.assertRaises(TypeError):
                metrics.compute("test.answer", bad)


def count_records(query):
    return query.records(SampleRecord).count()


class RecordsTests(TestCase):
    """`query.records(Model)`: the units' subtrees, intersected with the user's data scope."""

    @classmethod
    def setUpTestData(cls):
        cls.org = org = build_county()
        for unit, n in ((org.county, 1), (org.town1, 2), (org.village1, 3), (org.town2, 4), (org.village2, 5),
                        (org.member, 6)):
            for i in range(n):
                SampleRecord.objects.create(name=f"{unit.name}{i}", owner_unit=unit)
        cls.county_staff = create_user("m_county", org.county, "county_staff")
        cls.town1_user = create_user("m_town1", org.town1, "town_officer")
        cls.village_user = create_user("m_village1", org.village1, "village_liaison")
        cls.no_role = create_user("m_none", org.town1)
        cls.sysadmin = create_user("m_sys", org.county, "sysadmin")

    def setUp(self):
        self.figure = metrics.register("test.records", "样例记录", count_records, unit="条")
        self.addCleanup(metrics.unregister, "test.records")

    def count(self, units, user=None):
        return self.figure(units, Period.year(2026), user=user)

    def test_subtrees_without_user(self):
        org = self.org
        self.assertEqual(self.count(None), 21)
        self.assertEqual(self.count(org.county), 21)
        self.assertEqual(self.count(org.town1), 5)  # the town and its village
        self.assertEqual(self.count(org.village1), 3)
        self.assertEqual(self.count([org.town1, org.town2]), 14)
        self.assertEqual(self.count([org.town1, org.village1]), 5)  # nested units are not counted twice
        self.assertEqual(self.count(Unit.objects.filter(type=Unit.Type.TOWN)), 14)
        self.assertEqual(self.count([]), 0)

    def test_user_scope_intersects_the_subtrees(self):
        org = self.org
        self.assertEqual(self.count(None, self.county_staff), 21)
        self.assertEqual(self.count(org.town2, self.county_staff), 9)
        self.assertEqual(self.count(None, self.town1_user), 5)
        self.assertEqual(self.count(org.county, self.town1_user), 5)
        self.assertEqual(self.count(org.village1, self.town1_user), 3)
        self.assertEqual(self.count(org.town2, self.town1_user), 0)
        self.assertEqual(self.count(org.county, self.village_user), 3)
        for user in (self.no_role, self.sysadmin):  # no business role, or an admin role: nothing
            self.assertEqual(self.count(None, user), 0)

    def test_by_unit(self):
        org = self.org
        rows = metrics.by_unit("test.records", [org.town1, org.town2, org.member], Period.year(2026),
                               user=self.town1_user)
        self.assertEqual(rows, [(org.town1, 5), (org.town2, 0), (org.member, 0)])

    def test_a_model_without_data_scope_cannot_be_counted_for_a_user(self):
        metrics.register("test.units", "单位", lambda query: query.records(Unit, "self").count())
        self.addCleanup(metrics.unregister, "test.units")
        with self.assertRaises(TypeError):
            metrics.compute("test.units", None, user=self.county_staff)

    def test_records_takes_a_queryset_and_a_unit_path(self):
        def named(query):
            return query.records(SampleRecord.objects.filter(name__endswith="0"), "owner_unit").count()

        metrics.register("test.named", "首条", named)
        self.addCleanup(metrics.unregister, "test.named")
        self.assertEqual(metrics.compute("test.named", self.org.town1), 2)
        self.assertEqual(metrics.compute("test.named", None, user=self.town1_user), 2)
