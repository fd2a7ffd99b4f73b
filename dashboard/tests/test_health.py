"""The ledger health check (台账体检) against a hand-counted fixture, and its scope."""

import datetime

import pytest
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.testing import create_user
from core import checks
from core.models import AuditEvent
from core.testing import export_text
from dashboard import health
from friendship.models import Pairing
from org.testing import build_county
from people.choices import Status, seed_statutory_categories
from people.models import Category, Person
from people.testing import check_digit
from representatives.models import Field as RepField
from representatives.models import Level, Representative, Stage


def valid_id(seq, birth="19800101"):
    first17 = f"330998{birth}{seq:03d}"
    return first17 + check_digit(first17)


def person(name, unit, *, seq, birth=datetime.date(1980, 1, 1), complete=True, **fields):
    values = {
        "name": name, "owner_unit": unit, "birth_date": birth, "id_number": valid_id(seq, f"{birth:%Y%m%d}"),
        "gender": "M", "ethnicity": "01", "phone": f"1380000{seq:04d}", "education": "bachelor",
        "workplace": "某公司", "position": "经理", "affiliation": "05",
    }
    values.update(fields)
    created = Person.objects.create(**values)
    if complete:
        created.categories.add(Category.objects.get(code="01"))
    return created


class HealthFixture(TestCase):
    """Units: town1 (东溪镇) with village1 (东溪村), town2 (西岭镇) with village2 (西岭村).

    People (在册 unless said otherwise):
      A  village1  complete, valid ID
      B  village1  no phone                                  → 信息不完整
      C  village1  王芳 1980-05-05, no ID number              → 信息不完整 + 身份证号缺失 + 疑似重复 (with E)
      D  village1  invalid check digit, modified 2 years ago → 身份证号无效 + 超过一年未更新
      G  town1     李强 1975-03-03                            → 疑似重复 (with H)
      H  village1  李强 1975-03-03                            → 疑似重复 (with G)
      E  village2  王芳 1980-05-05                            → 疑似重复 (with C), seen only by the county
      J  village2  complete
      X  village2  王芳 1980-05-05, 退出: not checked, and no duplicate of anyone
    Representatives: A's (village1, no pairing) → 未结对; E's (village2, pairing running) ; J's (village2, pairing
    ended last year) → 未结对; B's (退出) not checked.

    County view, by town:
      东溪镇: 6 people, 4 complete, ID missing 1, invalid 1, duplicates 3 (C, G, H), stale 1, reps 1, unpaired 1
              score = 40·4/6 + 20·4/6 + 10·3/6 + 15·5/6 + 15·0/1 = 26.667 + 13.333 + 5 + 12.5 + 0 = 57.5
      西岭镇: 2 people, 2 complete, duplicates 1 (E), reps 2, unpaired 1
              score = 40 + 20 + 10·1/2 + 15 + 15·1/2 = 87.5
      total:  8 people, 6 complete, ID 1+1, duplicates 4, stale 1, reps 3, unpaired 2
              score = 40·6/8 + 20·6/8 + 10·4/8 + 15·7/8 + 15·1/3 = 30 + 15 + 5 + 13.125 + 5 = 68.125
    """

    @classmethod
    def setUpTestData(cls):
        cls.org = org = build_county()
        cls.county_user = create_user("h_county", org.county, "county_staff")
        cls.town1_user = create_user("h_town1", org.town1, "town_officer")
        cls.town2_user = create_user("h_town2", org.town2, "town_officer")
        cls.liaison = create_user("h_village1", org.village1, "village_liaison")
        cls.A = person("甲一", org.village1, seq=1)
        cls.B = person("乙二", org.village1, seq=2, phone="")
        cls.C = person("王芳", org.village1, seq=3, birth=datetime.date(1980, 5, 5), id_number="")
        bad = valid_id(4)
        cls.D = person("丁四", org.village1, seq=4, id_number=bad[:17] + ("0" if bad[17] != "0" else "1"))
        Person.objects.filter(pk=cls.D.pk).update(updated_at=timezone.now() - datetime.timedelta(days=730))
        cls.G = person("李强", org.town1, seq=5, birth=datetime.date(1975, 3, 3))
        cls.H = person("李强", org.village1, seq=6, birth=datetime.date(1975, 3, 3))
        cls.E = person("王芳", org.village2, seq=7, birth=datetime.date(1980, 5, 5))
        cls.J = person("吉九", org.village2, seq=8)
        cls.X = person("王芳", org.village2, seq=9, birth=datetime.date(1980, 5, 5), status=Status.EXITED)
        today = timezone.localdate()

        def rep(who, unit, stage=Stage.CERTIFIED):
            return Representative.objects.create(person=who, owner_unit=unit, level=Level.TOWN,
                                                 field=RepField.OTHER, stage=stage)

        cls.rep_a = rep(cls.A, org.village1)
        rep(cls.B, org.village1, Stage.EXITED)
        cls.rep_e = rep(cls.E, org.village2)
        cls.rep_j = rep(cls.J, org.village2)
        Pairing.objects.create(official_name="赵干部", representative=cls.rep_e, owner_unit=org.town2,
                               start_date=today - datetime.timedelta(days=400))
        Pairing.objects.create(official_name="钱干部", representative=cls.rep_j, owner_unit=org.town2,
                               start_date=today - datetime.timedelta(days=800),
                               end_date=today - datetime.timedelta(days=300))

    def row(self, result, label):
        return next(r for r in result.rows if r.label == label)


class HealthFiguresTests(HealthFixture):
    def test_county_rows_ranking_and_total(self):
        result = health.run(self.county_user)
        self.assertEqual(result.parent, self.org.county)
        town1, town2 = self.row(result, "东溪镇"), self.row(result, "西岭镇")
        self.assertEqual(
            (town1.people, town1.complete, town1.id_missing, town1.id_invalid, town1.duplicates, town1.stale,
             town1.reps, town1.unpaired), (6, 4, 1, 1, 3, 1, 1, 1))
        self.assertEqual(
            (town2.people, town2.complete, town2.id_missing, town2.id_invalid, town2.duplicates, town2.stale,
             town2.reps, town2.unpaired), (2, 2, 0, 0, 1, 0, 2, 1))
        self.assertAlmostEqual(town1.score, 57.5)
        self.assertAlmostEqual(town2.score, 87.5)
        self.assertEqual(town1.completeness_rate, 66.7)
        self.assertEqual([(r.rank, r.label) for r in result.rows if r.rank], [(1, "西岭镇"), (2, "东溪镇")])
        total = result.total
        self.assertEqual((total.people, total.complete, total.id_problems, total.duplicates, total.stale, total.reps,
                          total.unpaired), (8, 6, 2, 4, 1, 3, 2))
        self.assertEqual(total.score, pytest.approx(68.1, abs=0.05))

    def test_fix_list_items_link_to_records(self):
        result = health.run(self.county_user)
        items = {(i.kind, i.record_id) for i in result.issues}
        person_kinds = {
            (health.Kind.INCOMPLETE, self.B.pk), (health.Kind.INCOMPLETE, self.C.pk),
            (health.Kind.ID_MISSING, self.C.pk), (health.Kind.ID_INVALID, self.D.pk), (health.Kind.STALE, self.D.pk),
            (health.Kind.DUPLICATE, self.C.pk), (health.Kind.DUPLICATE, self.G.pk), (health.Kind.DUPLICATE, self.H.pk),
            (health.Kind.DUPLICATE, self.E.pk),
            (health.Kind.UNPAIRED, self.rep_a.pk), (health.Kind.UNPAIRED, self.rep_j.pk),
        }
        self.assertEqual(items, person_kinds)
        by_key = {(i.kind, i.record_id): i for i in result.issues}
        self.assertEqual(by_key[(health.Kind.INCOMPLETE, self.B.pk)].detail, "缺少：联系电话")
        self.assertEqual(by_key[(health.Kind.INCOMPLETE, self.C.pk)].detail, "缺少：身份证号")
        self.assertIn("校验位", by_key[(health.Kind.ID_INVALID, self.D.pk)].detail)
        self.assertEqual(by_key[(health.Kind.ID_INVALID, self.D.pk)].url, f"/people/{self.D.pk}/")
        self.assertEqual(by_key[(health.Kind.UNPAIRED, self.rep_a.pk)].url, f"/representatives/{self.rep_a.pk}/")
        twin = by_key[(health.Kind.DUPLICATE, self.C.pk)]
        self.assertEqual(twin.others, [("西岭村的“王芳”", f"/people/{self.E.pk}/")])
        self.assertEqual(by_key[(health.Kind.DUPLICATE, self.C.pk)].unit_label, "东溪镇 东溪村")
        self.assertNotIn(self.X.pk, {i.record_id for i in result.issues})

    def test_drill_into_town1(self):
        result = health.run(self.county_user, self.org.town1)
        self.assertEqual({r.label: r.people for r in result.rows}, {"东溪村": 5, "东溪镇（本级）": 1})
        village = self.row(result, "东溪村")
        self.assertEqual((village.duplicates, village.complete, village.stale), (2, 3, 1))  # C (with E), H (with G)
        self.assertEqual(result.total.people, 6)
        self.assertEqual(len(result.issues_of(health.Kind.DUPLICATE)), 3)


class RegisteredChecksTests(HealthFixture):
    """The health check is what the apps register (core.checks): a check registered from anywhere is run, its
    findings listed and counted, its weight scored."""

    def setUp(self):
        def named(query):
            people = query.records(Person).filter(status=Status.ACTIVE).select_related("owner_unit")
            return checks.CheckResult(
                [checks.CheckedRecord(p.pk, p.owner_unit.path) for p in people],
                [checks.Finding("named", p.pk, p.name, f"/people/{p.pk}/", "点到名了", p.owner_unit_id,
                                p.owner_unit.path) for p in people if p.name == "甲一"])

        checks.register_check("tests.named", "未点名率", weight=10, population="people", order=999,
                              kinds=[("named", "被点名")], description="未点名率＝未被点名的人数÷在册人数")(named)
        self.addCleanup(checks.unregister, "tests.named")

    def test_a_registered_check_is_listed_counted_and_scored(self):
        result = health.run(self.county_user)
        self.assertEqual([(i.kind, i.record_id, i.unit_label) for i in result.issues_of("named")],
                         [("named", self.A.pk, "东溪镇 东溪村")])
        self.assertIn(("named", "被点名", 1), result.kind_counts())
        self.assertTrue(health.formula().endswith(" + 10 × 未点名率"))
        town1 = self.row(result, "东溪镇")
        self.assertEqual(town1.score, round(57.5 + 10 * 5 / 6, 1))  # 65.8
        self.assertAlmostEqual(self.row(result, "西岭镇").score, 97.5)


class HealthScopeTests(HealthFixture):
    def test_town2_sees_only_town2_and_no_duplicate_across_towns(self):
        result = health.run(self.town2_user)
        self.assertEqual(result.parent, self.org.town2)
        self.assertEqual(result.total.people, 2)
        self.assertEqual(result.total.duplicates, 0)  # E's twin C is in town1: not visible, not flagged
        names = {i.name for i in result.issues}
        self.assertEqual(names, {"吉九"})  # J's representative without a running pairing
        self.assertEqual([(i.kind, i.record_id) for i in result.issues], [(health.Kind.UNPAIRED, self.rep_j.pk)])

    def test_town1_sees_duplicates_inside_town1_only(self):
        result = health.run(self.town1_user)
        duplicates = {i.record_id for i in result.issues_of(health.Kind.DUPLICATE)}
        self.assertEqual(duplicates, {self.G.pk, self.H.pk})
        self.assertEqual(result.total.duplicates, 2)

    def test_village_liaison_checks_own_village(self):
        result = health.run(self.liaison)
        self.assertEqual(result.parent, self.org.village1)
        self.assertEqual(result.total.people, 5)
        self.assertEqual([r.label for r in result.rows], ["东溪村（本级）"])


class HealthPageTests(HealthFixture):
    def test_page_shows_ranking_formula_and_links(self):
        self.client.force_login(self.county_user)
        response = self.client.get(reverse("dashboard:health"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, health.formula())
        self.assertContains(response, f'href="/people/{self.B.pk}/"')
        self.assertContains(response, f'href="/representatives/{self.rep_a.pk}/"')
        self.assertContains(response, f'href="?unit={self.org.town1.pk}"')
        self.assertContains(response, "57.5")

    def test_kind_filter_and_drill(self):
        self.client.force_login(self.county_user)
        response = self.client.get(reverse("dashboard:health"), {"unit": self.org.town1.pk, "kind": "stale"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual([i.record_id for i in response.context["issues"]], [self.D.pk])
        self.assertContains(response, "东溪村")

    def test_town2_cannot_drill_into_town1(self):
        self.client.force_login(self.town2_user)
        self.assertEqual(self.client.get(reverse("dashboard:health"), {"unit": self.org.town1.pk}).status_code, 404)
        self.assertEqual(self.client.get(reverse("dashboard:health"), {"unit": "x"}).status_code, 404)
        response = self.client.get(reverse("dashboard:health"))
        self.assertNotContains(response, "王芳")
        self.assertNotContains(response, "东溪镇")

    def test_permissions(self):
        response = self.client.get(reverse("dashboard:health"))
        self.assertEqual(response.status_code, 302)
        sysadmin = create_user("h_sys", self.org.county, "sysadmin")
        self.client.force_login(sysadmin)
        self.assertEqual(self.client.get(reverse("dashboard:health")).status_code, 403)
        self.client.force_login(self.liaison)  # may view, may not export
        self.assertEqual(self.client.get(reverse("dashboard:health_export")).status_code, 403)
        denied = AuditEvent.objects.get(action=AuditEvent.Action.DENIED)
        self.assertEqual((denied.username, denied.object_type, denied.success),
                         (self.liaison.username, "people.Person", False))
        self.assertNotContains(self.client.get(reverse("dashboard:health")), reverse("dashboard:health_export"))

    def test_export_lists_fix_items_in_scope_and_is_audited(self):
        self.client.force_login(self.town2_user)
        text = export_text(self.client.get(reverse("dashboard:health_export")))
        self.assertIn("吉九", text)
        self.assertIn("代表人士未结对", text)
        self.assertNotIn("王芳", text)
        self.client.force_login(self.county_user)
        text = export_text(self.client.get(reverse("dashboard:health_export"), {"kind": "duplicate"}))
        for name in ("王芳", "李强"):
            self.assertIn(name, text)
        self.assertNotIn("丁四", text)
        self.assertIn("57.5", text)  # the ranking below the list
        self.assertTrue(AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, object_type="people.Person",
                                                  object_label__startswith="台账体检").exists())

    def test_queries_do_not_grow_with_people(self):
        def queries():
            user = type(self.county_user).objects.get(pk=self.county_user.pk)
            with CaptureQueriesContext(connection) as captured:
                health.run(user)
            return len(captured.captured_queries)

        before = queries()
        for seq in range(20, 40):
            person(f"新增{seq}", self.org.village1, seq=seq, phone="", birth=datetime.date(1990, 1, 1))
        self.assertEqual(queries(), before)
        self.assertLessEqual(before, 12)


@pytest.mark.django_db(transaction=True)
def test_cached_until_the_data_changes(client, org):
    """The check is cached (core.cache) and recomputed once a change commits."""
    seed_statutory_categories(Category)  # a flush by an earlier transactional test removes the seeded ones
    user = create_user("h_cache", org.county, "county_staff")
    b = person("乙二", org.village1, seq=2, phone="")
    client.force_login(user)
    url = reverse("dashboard:health")
    assert client.get(url).context["total"].complete == 0
    Person.objects.filter(pk=b.pk).update(name="乙贰")  # bypasses the signals: the cached check stays
    assert "乙二" in client.get(url).content.decode()
    b.refresh_from_db()
    b.phone = "13912345678"
    b.save()
    response = client.get(url)
    assert response.context["total"].complete == 1
    assert f'href="/people/{b.pk}/"' not in response.content.decode()
