"""The ledger over the REST API: scoped like the list page, validated like the form, masked like the page."""

import datetime

from django.test import TestCase

from accounts.testing import bearer, create_user
from core.models import AuditEvent
from org.testing import build_county
from people.choices import Tier
from people.models import Category, Person
from people.tests.test_views import make_id

ID_NUMBER = make_id(birth="19750314", seq="123")


class PeopleApiTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.town01 = create_user("town01", cls.org.town1, "town_officer")
        cls.town02 = create_user("town02", cls.org.town2, "town_officer")
        cls.county = create_user("county_staff", cls.org.county, "county_staff")
        cls.party = Category.objects.filter(is_active=True).order_by("sort_order").first()
        cls.inside = Person.objects.create(name="李东明", owner_unit=cls.org.village1, id_number=ID_NUMBER,
                                           phone="13712345678", birth_date=datetime.date(1975, 3, 14))
        cls.inside.categories.add(cls.party)
        cls.outside = Person.objects.create(name="王西岭", owner_unit=cls.org.village2)
        cls.left = Person.objects.create(name="赵离开", owner_unit=cls.org.village1, status="left")

    def call(self, user, method, path, body=None, *, write=True):
        return getattr(self.client, method)(path, body, content_type="application/json",
                                            **bearer(user, write=write))

    def test_the_list_is_the_list_page_s_scope_filters_and_order(self):
        body = self.call(self.town01, "get", "/api/v1/people/").json()
        self.assertEqual([p["name"] for p in body["items"]], ["李东明"])  # 在册 by default, like the page
        self.assertEqual(body["count"], 1)
        everyone = self.call(self.town01, "get", "/api/v1/people/?status=all").json()
        self.assertEqual({p["name"] for p in everyone["items"]}, {"李东明", "赵离开"})
        by_category = self.call(self.county, "get", f"/api/v1/people/?category={self.party.pk}").json()
        self.assertEqual([p["name"] for p in by_category["items"]], ["李东明"])
        searched = self.call(self.county, "get", "/api/v1/people/?q=wxl").json()
        self.assertEqual([p["name"] for p in searched["items"]], ["王西岭"])

    def test_pages_never_repeat_or_skip_a_row(self):
        for n in range(5):
            Person.objects.create(name=f"同名{n}", owner_unit=self.org.village1)
        seen = []
        for page in (1, 2, 3):
            seen += [p["id"] for p in self.call(self.town01, "get",
                                                f"/api/v1/people/?page={page}&page_size=2").json()["items"]]
        self.assertEqual(sorted(seen), sorted(set(seen)))
        self.assertEqual(len(seen), 6)

    def test_a_bad_filter_is_422_naming_it(self):
        response = self.call(self.town01, "get", "/api/v1/people/?age_min=500")
        self.assertEqual(response.status_code, 422)
        self.assertIn("age_min", response.json()["errors"])

    def test_another_town_s_person_is_404_everywhere(self):
        for method, path in (("get", f"/api/v1/people/{self.inside.pk}/"),
                             ("patch", f"/api/v1/people/{self.inside.pk}/")):
            with self.subTest(method=method, path=path):
                response = self.call(self.town02, method, path, {"workplace": "x"} if method == "patch" else None)
                self.assertEqual(response.status_code, 404)
                self.assertNotIn("李东明", response.content.decode())

    def test_the_detail_masks_the_id_number_and_phone(self):
        body = self.call(self.town01, "get", f"/api/v1/people/{self.inside.pk}/").json()
        self.assertEqual(body["id_number"][:6], ID_NUMBER[:6])
        self.assertNotIn(ID_NUMBER[6:14], body["id_number"])
        self.assertNotIn("12345678", body["phone"])
        self.assertEqual(body["categories"], [{"id": self.party.pk, "name": self.party.name}])
        self.assertEqual(body["owner_unit"], {"id": self.org.village1.pk, "name": "东溪村"})

    def test_the_birth_day_shows_only_inside_the_view_sensitive_scope(self):
        self.assertEqual(self.call(self.town01, "get", f"/api/v1/people/{self.inside.pk}/").json()["birth_date"],
                         "1975-03")
        self.assertEqual(self.call(self.county, "get", f"/api/v1/people/{self.inside.pk}/").json()["birth_date"],
                         "1975-03-14")

    def test_sensitive_fields_in_clear_only_when_asked_and_audited(self):
        body = self.call(self.county, "get", f"/api/v1/people/{self.inside.pk}/").json()
        self.assertNotEqual(body["id_number"], ID_NUMBER)
        response = self.call(self.county, "get", f"/api/v1/people/{self.inside.pk}/sensitive/")
        self.assertEqual((response.json()["id_number"], response.json()["phone"]), (ID_NUMBER, "13712345678"))
        event = AuditEvent.objects.get(action=AuditEvent.Action.REVEAL)
        self.assertEqual((event.username, event.changes["访问令牌"]), ("county_staff", "测试"))
        # Without view_sensitive: refused (403) for a person of the scope; another town's person does not exist.
        self.assertEqual(self.call(self.town01, "get", f"/api/v1/people/{self.inside.pk}/sensitive/").status_code,
                         403)
        self.assertEqual(self.call(self.town01, "get", f"/api/v1/people/{self.outside.pk}/sensitive/").status_code,
                         404)

    def test_create_validates_like_the_form_and_changes_nothing_when_invalid(self):
        response = self.call(self.town01, "post", "/api/v1/people/",
                             {"name": "周新建", "owner_unit": self.org.village1.pk, "id_number": "330998197503141234"})
        self.assertEqual(response.status_code, 422)
        self.assertIn("id_number", response.json()["errors"])
        self.assertFalse(Person.objects.filter(name="周新建").exists())

    def test_create_saves_with_history_and_an_audit_event_naming_the_token(self):
        response = self.call(self.town01, "post", "/api/v1/people/", {
            "name": "周新建", "owner_unit": self.org.village1.pk, "tier": Tier.VILLAGE,
            "categories": [self.party.pk], "ethnicity": "01"})
        self.assertEqual(response.status_code, 201, response.content)
        person = Person.objects.get(pk=response.json()["id"])
        self.assertEqual(person.created_by, self.town01)
        self.assertEqual(list(person.categories.all()), [self.party])
        created = person.history.earliest("history_id")
        self.assertEqual((created.history_user, created.history_change_reason), (self.town01, "新增（接口）"))
        event = AuditEvent.objects.get(action=AuditEvent.Action.CREATE, object_id=str(person.pk))
        self.assertEqual((event.username, event.changes["访问令牌"]), ("town01", "测试"))

    def test_create_outside_the_scope_is_refused_and_rolled_back(self):
        response = self.call(self.town01, "post", "/api/v1/people/",
                             {"name": "周新建", "owner_unit": self.org.village2.pk, "tier": Tier.VILLAGE})
        self.assertEqual(response.status_code, 422)
        self.assertFalse(Person.objects.filter(name="周新建").exists())

    def test_update_changes_only_what_it_sends(self):
        response = self.call(self.town01, "patch", f"/api/v1/people/{self.inside.pk}/", {"workplace": "东溪小学"})
        self.assertEqual(response.status_code, 200, response.content)
        self.inside.refresh_from_db()
        self.assertEqual((self.inside.workplace, self.inside.id_number, self.inside.phone),
                         ("东溪小学", ID_NUMBER, "13712345678"))
        self.assertEqual(list(self.inside.categories.all()), [self.party])
        event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE)
        self.assertEqual(event.changes["工作单位"], ["", "东溪小学"])

    def test_null_clears_a_field_and_a_missing_field_keeps_it(self):
        path = f"/api/v1/people/{self.inside.pk}/"
        self.call(self.county, "patch", path, {"native_place": "浙江永康", "workplace": "东溪小学"})
        response = self.call(self.county, "patch", path, {"native_place": None})
        self.assertEqual(response.status_code, 200, response.content)
        self.inside.refresh_from_db()
        self.assertEqual((self.inside.native_place, self.inside.workplace, self.inside.phone),
                         ("", "东溪小学", "13712345678"))
        refused = self.call(self.county, "patch", f"/api/v1/people/{self.inside.pk}/", {"name": None})
        self.assertEqual(refused.status_code, 422)
        self.assertIn("name", refused.json()["errors"])

    def test_a_role_without_the_action_gets_403(self):
        leader = create_user("leader", self.org.county, "leader")
        response = self.call(leader, "patch", f"/api/v1/people/{self.inside.pk}/", {"workplace": "x"})
        self.assertEqual(response.status_code, 403)
