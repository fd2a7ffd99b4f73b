"""The checks registry (core.checks): registration, order, and a check's query over unit subtrees in a user's
scope."""

from django.core.exceptions import ImproperlyConfigured
from django.test import SimpleTestCase, TestCase

from accounts.testing import create_user
from core import checks
from core.checks import CheckedRecord, CheckQuery, CheckResult, Finding, register_check
from core.tests.sample.models import SampleRecord
from org.testing import build_county


def nothing_found(query):
    return CheckResult([], [])


class RegistryTests(SimpleTestCase):
    def tearDown(self):
        for key in ("sample.first", "sample.second", "sample.other"):
            checks.unregister(key)

    def test_checks_and_their_kinds_come_in_order(self):
        register_check("sample.second", "第二", weight=5, population="samples", order=902,
                       kinds=[("sample_c", "丙")])(nothing_found)
        register_check("sample.first", "第一", weight=5, population="samples", order=901,
                       kinds=[("sample_a", "甲"), ("sample_b", "乙")])(nothing_found)
        keys = [check.key for check in checks.all()]
        self.assertLess(keys.index("sample.first"), keys.index("sample.second"))
        codes = [code for code, _ in checks.kinds() if code.startswith("sample_")]
        self.assertEqual(codes, ["sample_a", "sample_b", "sample_c"])
        self.assertEqual(checks.kind_labels()["sample_b"], "乙")
        self.assertEqual(checks.get("sample.first").weight, 5)
        with self.assertRaises(LookupError):
            checks.get("sample.missing")

    def test_a_kind_belongs_to_one_check(self):
        register_check("sample.first", "第一", weight=5, population="samples", kinds=[("sample_a", "甲")])(
            nothing_found)
        with self.assertRaisesMessage(ImproperlyConfigured, "'sample_a' is already a kind of 'sample.first'"):
            register_check("sample.other", "其他", weight=5, population="samples", kinds=[("sample_a", "甲")])(
                lambda query: CheckResult([], []))
        self.assertNotIn("sample.other", [check.key for check in checks.all()])

    def test_a_key_is_taken_by_one_function(self):
        register_check("sample.first", "第一", weight=5, population="samples", kinds=[("sample_a", "甲")])(
            nothing_found)
        with self.assertRaises(ImproperlyConfigured):
            register_check("sample.first", "第一", weight=5, population="samples", kinds=[("sample_a", "甲")])(
                lambda query: CheckResult([], []))
        with self.assertRaises(ImproperlyConfigured):
            register_check("Sample", "坏", weight=5, population="samples", kinds=[])(nothing_found)


class QueryTests(TestCase):
    """`query.records(Model)`: the roots' subtrees in the user's scope; `query.visible(Model)`: the whole scope."""

    @classmethod
    def setUpTestData(cls):
        cls.org = org = build_county()
        for unit in (org.village1, org.town1, org.village2):
            SampleRecord.objects.create(name=unit.name, owner_unit=unit)
        cls.county_staff = create_user("c_county", org.county, "county_staff")
        cls.town1_user = create_user("c_town1", org.town1, "town_officer")

    def names(self, queryset):
        return sorted(queryset.values_list("name", flat=True))

    def test_records_of_the_roots_in_the_users_scope(self):
        query = CheckQuery(self.county_staff, [self.org.town1])
        self.assertEqual(self.names(query.records(SampleRecord)), ["东溪村", "东溪镇"])
        self.assertEqual(self.names(query.visible(SampleRecord)), ["东溪村", "东溪镇", "西岭村"])
        town1 = CheckQuery(self.town1_user, [self.org.county])
        self.assertEqual(self.names(town1.records(SampleRecord)), ["东溪村", "东溪镇"])
        self.assertEqual(self.names(CheckQuery(self.county_staff, []).records(SampleRecord)), [])

    def test_shared_computes_once_per_run(self):
        calls = []
        query = CheckQuery(self.county_staff, [self.org.county])
        for _ in range(3):
            self.assertEqual(query.shared("sample.scan", lambda: calls.append(1) or len(calls)), 1)
        self.assertEqual(len(calls), 1)
        self.assertEqual(CheckQuery(self.county_staff, [self.org.county]).shared("sample.scan", lambda: 2), 2)

    def test_run_gives_each_check_its_result(self):
        def named(query):
            records = [CheckedRecord(r.pk, r.owner_unit.path) for r in query.records(SampleRecord)]
            findings = [Finding("sample_village", r.pk, r.name, "", "村级记录", r.owner_unit_id, r.owner_unit.path)
                        for r in query.records(SampleRecord).filter(owner_unit__type="village")]
            return CheckResult(records, findings)

        register_check("sample.first", "第一", weight=0, population="samples", order=999,
                       kinds=[("sample_village", "村级")])(named)
        self.addCleanup(checks.unregister, "sample.first")
        results = {check.key: result for check, result in checks.run(CheckQuery(self.town1_user, [self.org.town1]))}
        self.assertEqual(len(results["sample.first"].records), 2)
        self.assertEqual([f.name for f in results["sample.first"].findings], ["东溪村"])
