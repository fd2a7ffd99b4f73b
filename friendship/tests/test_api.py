"""Pairings and contacts over the REST API: the pages' scope (an official's "仅本人" included), filters and the
contact form (a contact recorded from a phone), with the same audit."""

import datetime

from django.test import TestCase

from accounts.testing import bearer, create_user
from core.models import AuditEvent
from friendship import services
from friendship.models import Contact, Pairing
from org.testing import build_county

from .helpers import make_contact, make_pairing, make_representative

TODAY = datetime.date.today()
YESTERDAY = TODAY - datetime.timedelta(days=1)


class FriendshipApiTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.town01 = create_user("town01", cls.org.town1, "town_officer")
        cls.town02 = create_user("town02", cls.org.town2, "town_officer")
        cls.leader = create_user("leader", cls.org.town1, "leader")
        cls.official = create_user("official01", cls.org.county, "pairing_official", full_name="钱干部")
        cls.other_official = create_user("official02", cls.org.county, "pairing_official", full_name="孙干部")
        cls.inside = make_pairing(cls.org.village1, name="陈东溪")
        cls.outside = make_pairing(cls.org.village2, name="周西岭")
        cls.own = make_pairing(cls.org.county, cls.official, name="冯本人")
        cls.others = make_pairing(cls.org.county, cls.other_official, name="蒋别人")
        cls.inside_contact = make_contact(cls.inside, YESTERDAY, issues="道路破损")
        cls.outside_contact = make_contact(cls.outside, YESTERDAY)
        cls.own_contact = make_contact(cls.own, YESTERDAY)
        cls.others_contact = make_contact(cls.others, YESTERDAY)

    def call(self, user, method, path, body=None, *, write=True):
        return getattr(self.client, method)(path, body, content_type="application/json",
                                            **bearer(user, write=write))

    def names(self, user, path):
        response = self.call(user, "get", path)
        self.assertEqual(response.status_code, 200, response.content)
        return sorted(item["representative_name"] for item in response.json()["items"])

    def contact_body(self, **overrides):
        return {"date": str(TODAY), "form": Contact.Form.PHONE, "summary": "电话了解近况", **overrides}

    # --- reading --------------------------------------------------------------------------------------------

    def test_lists_are_the_pages_scope(self):
        self.assertEqual(self.names(self.town01, "/api/v1/pairings/"), ["陈东溪"])
        self.assertEqual(self.names(self.town01, "/api/v1/contacts/"), ["陈东溪"])
        self.assertEqual(self.names(self.official, "/api/v1/pairings/"), ["冯本人"])
        self.assertEqual(self.names(self.official, "/api/v1/contacts/"), ["冯本人"])

    def test_filters_are_the_list_pages(self):
        make_contact(self.inside, TODAY - datetime.timedelta(days=40), summary="早先走访")
        self.assertEqual(len(self.call(self.town01, "get", "/api/v1/contacts/").json()["items"]), 2)
        with_issues = self.call(self.town01, "get", "/api/v1/contacts/?has_issues=1").json()["items"]
        self.assertEqual([c["id"] for c in with_issues], [self.inside_contact.pk])
        recent = self.call(self.town01, "get", f"/api/v1/contacts/?date_from={YESTERDAY}").json()["items"]
        self.assertEqual([c["id"] for c in recent], [self.inside_contact.pk])
        self.assertEqual(self.names(self.official, f"/api/v1/pairings/?official={self.official.pk}"), ["冯本人"])
        self.assertEqual(self.names(self.town01, "/api/v1/pairings/?q=cdx"), ["陈东溪"])
        refused = self.call(self.official, "get", f"/api/v1/pairings/?official={self.other_official.pk}")
        self.assertEqual(refused.status_code, 422)  # names nobody outside the scope
        self.assertIn("official", refused.json()["errors"])

    def test_a_pairing_carries_its_progress(self):
        body = self.call(self.town01, "get", f"/api/v1/pairings/{self.inside.pk}/").json()
        made = 1 if YESTERDAY.year == TODAY.year else 0
        self.assertEqual((body["contacts_made"], body["progress_on"]), (made, str(TODAY)))
        self.assertEqual(body["expected"], services.expected_contacts(2, self.inside.start_date, None, TODAY))
        self.assertEqual(body["behind"], made < body["expected"])
        self.assertEqual(body["representative_id"], self.inside.representative_id)
        past = self.call(self.town01, "get", f"/api/v1/pairings/?year={TODAY.year - 1}").json()["items"][0]
        self.assertEqual((past["progress_on"], past["expected"]), (f"{TODAY.year - 1}-12-31", 2))

    def test_an_official_sees_the_representative_only_through_the_pairing(self):
        body = self.call(self.official, "get", f"/api/v1/pairings/{self.own.pk}/").json()
        self.assertEqual((body["representative_name"], body["representative_id"]), ("冯本人", None))
        self.assertEqual(body["official"], {"id": self.official.pk, "name": "钱干部"})

    def test_pages_never_repeat_or_skip_a_row(self):
        for n in range(5):
            make_contact(self.inside, YESTERDAY, summary=f"同日{n}")
        seen = []
        for page in (1, 2, 3):
            seen += [c["id"] for c in self.call(self.town01, "get",
                                                f"/api/v1/contacts/?page={page}&page_size=2").json()["items"]]
        self.assertEqual(len(seen), 6)
        self.assertEqual(len(set(seen)), 6)

    def test_everything_outside_the_scope_is_404(self):
        cases = [
            (self.town02, self.inside, self.inside_contact),
            (self.official, self.others, self.others_contact),  # 仅本人: another official's pairing
            (self.official, self.inside, self.inside_contact),
        ]
        for user, pairing, contact in cases:
            for method, path, body in (
                    ("get", f"/api/v1/pairings/{pairing.pk}/", None),
                    ("patch", f"/api/v1/pairings/{pairing.pk}/", {"contacts_per_year": 9}),
                    ("get", f"/api/v1/pairings/{pairing.pk}/contacts/", None),
                    ("post", f"/api/v1/pairings/{pairing.pk}/contacts/", self.contact_body()),
                    ("get", f"/api/v1/contacts/{contact.pk}/", None),
                    ("patch", f"/api/v1/contacts/{contact.pk}/", {"summary": "越权修改"})):
                with self.subTest(user=user.username, method=method, path=path):
                    response = self.call(user, method, path, body)
                    self.assertEqual(response.status_code, 404)
                    self.assertNotIn(pairing.representative.person.name, response.content.decode())
        self.assertEqual(Contact.objects.count(), 4)
        self.assertFalse(Contact.objects.filter(summary="越权修改").exists())
        self.assertFalse(Pairing.objects.filter(contacts_per_year=9).exists())

    # --- writing --------------------------------------------------------------------------------------------

    def test_an_official_records_a_contact_of_his_pairing_from_a_phone(self):
        response = self.call(self.official, "post", f"/api/v1/pairings/{self.own.pk}/contacts/",
                             self.contact_body(issues="希望协调融资"))
        self.assertEqual(response.status_code, 201, response.content)
        contact = Contact.objects.get(pk=response.json()["id"])
        self.assertEqual((contact.pairing, contact.owner_unit, contact.created_by, contact.issues),
                         (self.own, self.org.county, self.official, "希望协调融资"))
        self.assertEqual(response.json()["form_label"], "电话")
        event = AuditEvent.objects.get(action=AuditEvent.Action.CREATE, object_id=str(contact.pk))
        self.assertEqual((event.username, event.changes["访问令牌"]), ("official01", "测试"))

    def test_a_contact_naming_its_pairing_takes_only_one_the_user_sees(self):
        response = self.call(self.official, "post", "/api/v1/contacts/", self.contact_body(pairing=self.others.pk))
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.json()["errors"]["pairing"], ["请选择您数据范围内的结对"])
        created = self.call(self.official, "post", "/api/v1/contacts/", self.contact_body(pairing=self.own.pk))
        self.assertEqual(created.status_code, 201, created.content)
        self.assertEqual(created.json()["pairing_id"], self.own.pk)
        self.assertEqual(Contact.objects.filter(pairing=self.others).count(), 1)

    def test_invalid_contacts_are_422_in_chinese_and_change_nothing(self):
        path = f"/api/v1/pairings/{self.inside.pk}/contacts/"
        future = self.call(self.town01, "post", path, self.contact_body(date=str(TODAY + datetime.timedelta(days=1))))
        self.assertEqual(future.status_code, 422)
        self.assertEqual(future.json()["errors"]["date"], ["联系日期不能晚于今天"])
        early = self.call(self.town01, "post", path, self.contact_body(date="2023-06-01"))
        self.assertEqual(early.json()["errors"]["date"], ["联系日期早于结对开始日期（2024-01-01）"])
        empty = self.call(self.town01, "post", path, {"date": str(TODAY)})
        self.assertEqual(empty.json()["errors"]["form"], ["请选择联系形式"])
        self.assertEqual(empty.json()["errors"]["summary"], ["请填写主要内容"])
        self.assertEqual(Contact.objects.filter(pairing=self.inside).count(), 1)

    def test_update_changes_only_what_it_sends_and_is_audited_with_the_token(self):
        response = self.call(self.official, "patch", f"/api/v1/contacts/{self.own_contact.pk}/",
                             {"place": "企业办公室"})
        self.assertEqual(response.status_code, 200, response.content)
        self.own_contact.refresh_from_db()
        self.assertEqual((self.own_contact.place, self.own_contact.summary, self.own_contact.pairing),
                         ("企业办公室", "了解企业经营情况", self.own))
        event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, object_id=str(self.own_contact.pk))
        self.assertEqual((event.changes["地点"], event.changes["访问令牌"]), (["", "企业办公室"], "测试"))

    def test_a_pairing_is_made_and_changed_through_the_pairing_form(self):
        rep = make_representative(self.org.village1, "韩新结")
        body = {"representative": rep.pk, "official_name": "王部长", "official_post": "县委常委",
                "contacts_per_year": 4, "start_date": str(YESTERDAY), "owner_unit": self.org.village1.pk}
        response = self.call(self.town01, "post", "/api/v1/pairings/", body)
        self.assertEqual(response.status_code, 201, response.content)
        pairing = Pairing.objects.get(pk=response.json()["id"])
        self.assertEqual((pairing.representative, pairing.official_name, pairing.created_by),
                         (rep, "王部长", self.town01))
        self.assertEqual(response.json()["official"], None)
        changed = self.call(self.town01, "patch", f"/api/v1/pairings/{pairing.pk}/", {"contacts_per_year": 6})
        self.assertEqual(changed.status_code, 200, changed.content)
        pairing.refresh_from_db()
        self.assertEqual((pairing.contacts_per_year, pairing.official_name), (6, "王部长"))
        event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, object_id=str(pairing.pk))
        self.assertEqual((event.changes["每年联系次数"], event.changes["访问令牌"]), (["4", "6"], "测试"))

    def test_an_invalid_pairing_is_422_naming_the_field_and_changes_nothing(self):
        outside_rep = self.outside.representative
        response = self.call(self.town01, "post", "/api/v1/pairings/", {
            "representative": outside_rep.pk, "contacts_per_year": 60, "start_date": str(YESTERDAY),
            "owner_unit": self.org.village1.pk})
        self.assertEqual(response.status_code, 422)
        errors = response.json()["errors"]
        self.assertEqual(errors["representative"], ["请选择您数据范围内的党外代表人士"])
        self.assertEqual(errors["contacts_per_year"], ["每年联系次数须在1至52之间"])
        self.assertEqual(Pairing.objects.count(), 4)
        moved = self.call(self.town01, "patch", f"/api/v1/pairings/{self.inside.pk}/",
                          {"end_date": "2023-01-01"})
        self.assertEqual(moved.json()["errors"]["end_date"], ["结束日期不能早于开始日期。"])
        self.inside.refresh_from_db()
        self.assertIsNone(self.inside.end_date)
        self.assertEqual(self.call(self.town02, "patch", f"/api/v1/pairings/{self.inside.pk}/",
                                   {"contacts_per_year": 3}).status_code, 404)

    def test_a_read_only_token_and_a_read_only_role_write_nothing(self):
        writes = (("patch", f"/api/v1/pairings/{self.inside.pk}/", {"contacts_per_year": 9}),
                  ("post", f"/api/v1/pairings/{self.inside.pk}/contacts/", self.contact_body()),
                  ("post", "/api/v1/contacts/", self.contact_body(pairing=self.inside.pk)),
                  ("patch", f"/api/v1/contacts/{self.inside_contact.pk}/", {"summary": "改"}))
        for method, path, body in writes:
            with self.subTest(method=method, path=path):
                read_only = self.call(self.town01, method, path, body, write=False)
                self.assertEqual(read_only.status_code, 403)
                self.assertIn("只读", read_only.json()["detail"])
                self.assertEqual(self.call(self.leader, method, path, body).status_code, 403)
        self.assertEqual(Contact.objects.count(), 4)
        self.inside_contact.refresh_from_db()
        self.assertEqual(self.inside_contact.summary, "了解企业经营情况")
        self.assertFalse(Pairing.objects.filter(contacts_per_year=9).exists())
        self.assertEqual(self.names(self.leader, "/api/v1/contacts/"), ["陈东溪"])
