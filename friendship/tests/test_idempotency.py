"""A contact sent twice (a draft resent when the network came back) is recorded once (core.idempotency)."""

import datetime
import json
import re
import uuid

from django.test import TestCase
from django.urls import reverse

from accounts.testing import create_user
from core.idempotency import DRAFT_HEADER
from core.models import IdempotencyKey
from friendship.models import Contact
from org.testing import build_county

from .helpers import make_pairing


class ContactIdempotencyTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.official = create_user("i_official", cls.org.county, "pairing_official")
        cls.other = create_user("i_other", cls.org.county, "pairing_official")

    def setUp(self):
        self.own = make_pairing(self.org.village1, self.official, name="张三")
        self.theirs = make_pairing(self.org.village1, self.other, name="李四")

    def url(self, pairing):
        return reverse("friendship:pairing_contact_add", args=[pairing.pk])

    def data(self, key, summary="谈企业用工"):
        return {"date": f"{datetime.date.today():%Y-%m-%d}", "form": "talk", "place": "茶厂", "summary": summary,
                "idempotency_key": str(key)}

    def test_each_render_of_the_form_carries_a_new_key(self):
        self.client.force_login(self.official)
        keys = [re.search(r'name="idempotency_key" value="([0-9a-f-]{36})"',
                          self.client.get(self.url(self.own)).content.decode()).group(1) for _ in range(2)]
        self.assertNotEqual(keys[0], keys[1])
        edit = self.client.get(reverse("friendship:contact_edit",
                                       args=[Contact.objects.create(pairing=self.own, owner_unit=self.org.village1,
                                                                    date=datetime.date.today(), form="talk",
                                                                    summary="旧记录").pk]))
        self.assertNotContains(edit, "idempotency_key")  # an edit resent changes nothing twice: no key needed

    def test_same_key_twice_makes_one_contact_and_leads_to_it(self):
        self.client.force_login(self.official)
        key = uuid.uuid4()
        first = self.client.post(self.url(self.own), self.data(key))
        again = self.client.post(self.url(self.own), self.data(key, summary="第二次发送"))
        contact = Contact.objects.get()
        self.assertEqual(contact.summary, "谈企业用工")
        self.assertRedirects(first, contact.get_absolute_url(), fetch_redirect_response=False)
        self.assertRedirects(again, contact.get_absolute_url(), fetch_redirect_response=False)
        stored = IdempotencyKey.objects.get()
        self.assertEqual((stored.user, stored.key, stored.object_id), (self.official, key, contact.pk))
        self.assertContains(self.client.get(contact.get_absolute_url()), "此前已提交并保存，未重复保存")

    def test_a_draft_sent_by_the_page_gets_the_location_to_open(self):
        self.client.force_login(self.official)
        key = uuid.uuid4()
        for _ in range(2):
            response = self.client.post(self.url(self.own), self.data(key), headers={DRAFT_HEADER: "1"})
            self.assertEqual(json.loads(response.content), {"location": Contact.objects.get().get_absolute_url()})

    def test_a_form_with_errors_keeps_its_key(self):
        self.client.force_login(self.official)
        key = uuid.uuid4()
        response = self.client.post(self.url(self.own), {**self.data(key), "summary": ""})
        self.assertContains(response, f'value="{key}"')
        self.assertFalse(Contact.objects.exists())
        self.assertFalse(IdempotencyKey.objects.exists())

    def test_another_users_key_is_independent_and_reveals_nothing(self):
        key = uuid.uuid4()
        self.client.force_login(self.other)
        self.client.post(self.url(self.theirs), self.data(key, summary="李四的谈话"))
        theirs = Contact.objects.get()
        self.client.force_login(self.official)
        response = self.client.post(self.url(self.own), self.data(key))
        mine = Contact.objects.exclude(pk=theirs.pk).get()
        self.assertRedirects(response, mine.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(mine.pairing, self.own)
        self.assertEqual(IdempotencyKey.objects.filter(key=key).count(), 2)

    def test_a_record_gone_from_scope_is_not_shown_to_a_resent_key(self):
        self.client.force_login(self.official)
        key = uuid.uuid4()
        self.client.post(self.url(self.own), self.data(key))
        contact = Contact.objects.get()
        # The record was moved to another official's pairing: a resend must neither create it again nor show it.
        Contact.objects.filter(pk=contact.pk).update(pairing=self.theirs, created_by=self.other)
        response = self.client.post(self.url(self.own), self.data(key))
        self.assertRedirects(response, reverse("friendship:contact_list"), fetch_redirect_response=False)
        self.assertEqual(Contact.objects.count(), 1)
        page = self.client.get(reverse("friendship:contact_list")).content.decode()
        self.assertIn("此前已提交过，未重复保存", page)
        self.assertNotIn(contact.get_absolute_url(), page)

    def test_a_malformed_key_is_ignored(self):
        self.client.force_login(self.official)
        self.client.post(self.url(self.own), {**self.data("not-a-uuid")})
        self.client.post(self.url(self.own), {**self.data("not-a-uuid")})
        self.assertEqual(Contact.objects.count(), 2)
        self.assertFalse(IdempotencyKey.objects.exists())
