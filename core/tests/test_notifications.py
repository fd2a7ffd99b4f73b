"""In-app notifications: the idempotent `notify`, the page (one's own only), marking read, the bell's count."""

from django.db import IntegrityError, connection, transaction
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.testing import create_user
from core.models import Notification
from core.notifications import mark_read, notify, unread_count
from org.testing import build_county


class NotifyTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        org = build_county()
        cls.alice = create_user("alice", org.town1, "town_officer")
        cls.bob = create_user("bob", org.town2, "town_officer")

    def test_same_key_is_sent_once_per_recipient(self):
        first, created = notify(self.alice, "提醒", body="内容", url="/friendship/", key="k:1")
        self.assertTrue(created)
        again, created = notify(self.alice, "提醒（重复）", key="k:1")
        self.assertFalse(created)
        self.assertEqual(again.pk, first.pk)
        self.assertEqual(again.title, "提醒")
        _, created = notify(self.bob, "提醒", key="k:1")  # another recipient, same key
        self.assertTrue(created)
        _, created = notify(self.alice, "提醒", key="k:2")
        self.assertTrue(created)
        self.assertEqual(Notification.objects.filter(recipient=self.alice).count(), 2)

    def test_without_key_every_call_sends(self):
        notify(self.alice, "通知")
        notify(self.alice, "通知")
        self.assertEqual(Notification.objects.filter(recipient=self.alice).count(), 2)

    def test_database_refuses_a_second_row_with_the_same_key(self):
        Notification.objects.create(recipient=self.alice, title="a", key="k")
        with self.assertRaises(IntegrityError), transaction.atomic():
            Notification.objects.create(recipient=self.alice, title="b", key="k")
        Notification.objects.create(recipient=self.alice, title="c", key="")
        Notification.objects.create(recipient=self.alice, title="d", key="")  # empty keys are not unique

    def test_unread_count_and_mark_read(self):
        one, _ = notify(self.alice, "一")
        notify(self.alice, "二")
        notify(self.bob, "三")
        self.assertEqual(unread_count(self.alice), 2)
        self.assertEqual(mark_read(self.bob, one.pk), 0)  # not Bob's
        self.assertEqual(mark_read(self.alice, one.pk), 1)
        self.assertEqual(unread_count(self.alice), 1)
        self.assertEqual(mark_read(self.alice), 1)
        self.assertEqual(unread_count(self.alice), 0)
        self.assertEqual(unread_count(self.bob), 1)


class NotificationPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        org = build_county()
        cls.alice = create_user("alice", org.town1, "town_officer")
        cls.bob = create_user("bob", org.town2, "town_officer")
        cls.auditor = create_user("auditor1", org.county, "auditor")

    def setUp(self):
        self.mine, _ = notify(self.alice, "爱丽丝的提醒", body="请尽快联系", url="/friendship/pairings/")
        self.theirs, _ = notify(self.bob, "鲍勃的提醒")

    def test_anonymous_is_sent_to_login(self):
        for url in (reverse("notifications:list"), reverse("notifications:read_all")):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302)
            self.assertTrue(response["Location"].startswith(reverse("login")))

    def test_page_shows_only_ones_own(self):
        self.client.force_login(self.alice)
        page = self.client.get(reverse("notifications:list"))
        self.assertContains(page, "爱丽丝的提醒")
        self.assertContains(page, "请尽快联系")
        self.assertNotContains(page, "鲍勃的提醒")
        self.assertEqual(list(page.context["notifications"]), [self.mine])

    def test_mark_one_read_only_ones_own(self):
        self.client.force_login(self.alice)
        response = self.client.post(reverse("notifications:read", args=[self.theirs.pk]))
        self.assertEqual(response.status_code, 404)
        self.theirs.refresh_from_db()
        self.assertIsNone(self.theirs.read_at)
        self.assertEqual(self.client.get(reverse("notifications:read", args=[self.mine.pk])).status_code, 405)
        response = self.client.post(reverse("notifications:read", args=[self.mine.pk]))
        self.assertRedirects(response, reverse("notifications:list"))
        self.mine.refresh_from_db()
        self.assertIsNotNone(self.mine.read_at)
        unread = self.client.get(reverse("notifications:list"), {"unread": "1"})
        self.assertEqual(list(unread.context["notifications"]), [])

    def test_mark_all_read(self):
        notify(self.alice, "第二条")
        self.client.force_login(self.alice)
        response = self.client.post(reverse("notifications:read_all"), follow=True)
        self.assertContains(response, "已将2条通知标为已读")
        self.assertEqual(unread_count(self.alice), 0)
        self.assertEqual(unread_count(self.bob), 1)

    def test_open_marks_read_and_follows_local_links_only(self):
        self.client.force_login(self.alice)
        response = self.client.post(reverse("notifications:open", args=[self.mine.pk]))
        self.assertRedirects(response, "/friendship/pairings/", fetch_redirect_response=False)
        self.mine.refresh_from_db()
        self.assertIsNotNone(self.mine.read_at)
        outside, _ = notify(self.alice, "外链", url="https://example.com/")
        response = self.client.post(reverse("notifications:open", args=[outside.pk]))
        self.assertRedirects(response, reverse("notifications:list"))
        self.assertEqual(self.client.post(reverse("notifications:open", args=[self.theirs.pk])).status_code, 404)

    def test_bell_shows_the_unread_count_with_one_query(self):
        notify(self.alice, "第二条")
        self.client.force_login(self.alice)
        with CaptureQueriesContext(connection) as queries:
            page = self.client.get(reverse("workbench"))
        counted = [q["sql"] for q in queries if "core_notification" in q["sql"]]
        self.assertEqual(len(counted), 1, counted)
        self.assertIn("LIMIT 100", counted[0].upper())  # capped: never a COUNT over everything
        # Both bars (the phone top bar and the desk header) show the bell with its badge.
        self.assertContains(page, "data-notification-bell", count=2)
        self.assertContains(page, "消息通知，2条未读", count=2)
        self.client.post(reverse("notifications:read_all"))
        page = self.client.get(reverse("workbench"))
        self.assertContains(page, "data-notification-bell", count=2)
        self.assertNotContains(page, "条未读")

    def test_badge_caps_at_99_plus(self):
        Notification.objects.bulk_create(Notification(recipient=self.bob, title=f"第{n}条") for n in range(120))
        self.client.force_login(self.bob)
        self.assertContains(self.client.get(reverse("workbench")), ">99+</span>", count=2)
        self.assertEqual(unread_count(self.bob), 121)

    def test_admin_accounts_have_a_bell_too(self):
        notify(self.auditor, "审计提醒")
        self.client.force_login(self.auditor)
        self.assertContains(self.client.get(reverse("workbench")), "消息通知，1条未读", count=2)
        self.assertContains(self.client.get(reverse("notifications:list")), "审计提醒")
