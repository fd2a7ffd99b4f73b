"""An activity sent twice (an offline draft resent, a second tap) is recorded once (core.idempotency)."""

import uuid
from unittest import mock

from django.test import TestCase
from django.urls import reverse

from accounts.testing import create_user
from activities.models import Activity, ActivityType, Photo
from activities.tests.test_views import jpeg_upload
from core.models import IdempotencyKey
from org.testing import build_county


class ActivityIdempotencyTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.liaison = create_user("i_liaison", cls.org.village1, "village_liaison")
        cls.town = create_user("i_town", cls.org.town1, "town_officer")

    def data(self, key, title="三月同心行"):
        return {"activity_type": ActivityType.objects.get(name="同心行活动日").pk, "title": title,
                "start": "2025-03-08T09:30", "end": "", "place": "村委会", "owner_unit": self.org.village1.pk,
                "other_participants": "3", "content": "政策宣讲", "outcome": "", "plan": "",
                "idempotency_key": str(key)}

    def test_same_key_twice_makes_one_activity(self):
        self.client.force_login(self.liaison)
        form = self.client.get(reverse("activities:activity_add")).content.decode()
        self.assertIn('name="idempotency_key"', form)
        self.assertIn("data-offline-draft", form)
        key = uuid.uuid4()
        for title in ("三月同心行", "重发的同心行"):
            response = self.client.post(reverse("activities:activity_add"), self.data(key, title))
            activity = Activity.objects.get()
            self.assertRedirects(response, activity.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(activity.title, "三月同心行")

    def test_the_same_key_of_two_users_makes_two_activities(self):
        key = uuid.uuid4()
        for user in (self.liaison, self.town):
            self.client.force_login(user)
            self.client.post(reverse("activities:activity_add"), self.data(key))
        self.assertEqual(Activity.objects.count(), 2)
        self.assertEqual(sorted(IdempotencyKey.objects.values_list("user__username", flat=True)),
                         ["i_liaison", "i_town"])

    def test_a_duplicate_sent_at_the_same_time_stores_its_photos_once(self):
        self.client.force_login(self.liaison)
        key = uuid.uuid4()
        self.client.post(reverse("activities:activity_add"), {**self.data(key), "photos": [jpeg_upload()]})
        # The twin submission passed the key check before the first one committed: it finds no key, saves its
        # copy and then collides on the key (the race the key's unique constraint settles).
        not_yet = mock.Mock(**{"first.return_value": None})
        with mock.patch.object(IdempotencyKey.objects, "filter", return_value=not_yet):
            response = self.client.post(reverse("activities:activity_add"),
                                        {**self.data(key, "重发的同心行"), "photos": [jpeg_upload()]})
        activity = Activity.objects.get()
        self.assertRedirects(response, activity.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(activity.title, "三月同心行")
        self.assertEqual(Photo.objects.filter(activity=activity).count(), 1)
        self.assertEqual(Photo.objects.count(), 1)
