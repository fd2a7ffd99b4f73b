"""QR sign-in: matching against the ledger, idempotence, closing, rate limit, scoping, the SVG."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from accounts.testing import browser_login, create_user
from activities import signin
from activities.demo import seed_types
from activities.models import Activity, ActivityType, SignIn
from activities.signin_views import qr_svg
from core.models import AuditEvent
from org.testing import build_county
from people.choices import Status
from people.models import Person


def make_activity(unit, *, open_=True, start=None, hours=2, title="同心行活动日"):
    start = start or timezone.now() - datetime.timedelta(minutes=30)
    return Activity.objects.create(
        title=title, activity_type=ActivityType.objects.get(name="同心行活动日"), start=start,
        end=start + datetime.timedelta(hours=hours), place="村文化礼堂", content="座谈", owner_unit=unit,
        signin_open=open_,
    )


class SignInTestBase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.town1_user = create_user("s_town1", cls.org.town1, "town_officer")
        cls.town2_user = create_user("s_town2", cls.org.town2, "town_officer")

    def setUp(self):
        cache.clear()
        # Organised by town1: its subtree includes village1, not town2/village2.
        self.activity = make_activity(self.org.town1)

    def url(self, activity=None):
        return reverse("activities:signin", kwargs={"token": (activity or self.activity).signin_token})

    def post(self, name, last4, activity=None, **extra):
        return self.client.post(self.url(activity), {"name": name, "last4": last4}, **extra)


class MatchingTests(SignInTestBase):
    def test_exactly_one_match_is_linked_and_waits_for_the_organiser(self):
        zhang = Person.objects.create(name="张三", phone="13812345678", owner_unit=self.org.village1)
        response = self.post("张三", "5678")
        self.assertContains(response, "签到成功")
        self.assertContains(response, "张三")
        row = SignIn.objects.get(activity=self.activity)
        self.assertEqual(row.person, zhang)
        self.assertEqual(row.phone_last4, "5678")
        self.assertEqual(row.status, SignIn.Status.PENDING)
        self.assertEqual(self.activity.participants.count(), 0)  # only the organiser's confirmation adds them

    def test_the_answer_is_the_same_for_first_repeated_matched_and_guest_sign_ins(self):
        Person.objects.create(name="张三", phone="13812345678", owner_unit=self.org.village1)
        first = self.post("张三", "5678")  # matches 张三
        repeated = self.post("张三", "5678")
        guest = self.post("张三", "1111")  # same name, no match
        later_repeat = self.post("张三", "5678")
        self.assertEqual(SignIn.objects.filter(person__isnull=False).count(), 1)
        self.assertContains(first, "签到成功")
        self.assertNotContains(first, timezone.localtime().strftime("%H:%M"))  # no "signed in at" time

        def shape(response):
            # The CSRF token is masked afresh for every response; everything else must be byte-identical.
            content = re.sub(rb'("X-CSRFToken": ")[^"]+"', rb'\1-"', response.content)
            headers = {k: v for k, v in response.headers.items() if k not in ("X-Request-ID", "Date")}
            return response.status_code, content, headers, sorted(response.cookies)

        self.assertEqual(shape(first), shape(repeated))
        self.assertEqual(shape(first), shape(guest))
        self.assertEqual(shape(first), shape(later_repeat))

    def test_same_name_different_digits_is_a_guest(self):
        Person.objects.create(name="张三", phone="13812345678", owner_unit=self.org.village1)
        response = self.post("张三", "1111")
        self.assertContains(response, "签到成功")
        row = SignIn.objects.get(activity=self.activity)
        self.assertTrue(row.is_guest)
        self.assertEqual(self.activity.participants.count(), 0)

    def test_two_people_with_same_name_and_digits_is_a_guest(self):
        Person.objects.create(name="张三", phone="13812345678", owner_unit=self.org.village1)
        Person.objects.create(name="张三", phone="13900005678", owner_unit=self.org.town1)
        self.post("张三", "5678")
        self.assertTrue(SignIn.objects.get(activity=self.activity).is_guest)
        self.assertEqual(self.activity.participants.count(), 0)

    def test_person_outside_the_subtree_is_a_guest(self):
        Person.objects.create(name="李四", phone="13812344321", owner_unit=self.org.village2)
        response = self.post("李四", "4321")
        self.assertContains(response, "签到成功")  # same message: nothing is revealed
        self.assertTrue(SignIn.objects.get(activity=self.activity).is_guest)

    def test_person_not_active_is_a_guest_unless_participant(self):
        gone = Person.objects.create(name="王五", phone="13812340000", owner_unit=self.org.village1,
                                     status=Status.EXITED)
        self.post("王五", "0000")
        self.assertTrue(SignIn.objects.get(activity=self.activity).is_guest)
        other = make_activity(self.org.town1, title="另一活动")
        other.participants.add(gone)
        self.post("王五", "0000", activity=other)
        self.assertEqual(SignIn.objects.get(activity=other).person, gone)

    def test_participant_outside_the_subtree_is_matched(self):
        guest_star = Person.objects.create(name="赵六", phone="13812349999", owner_unit=self.org.village2)
        self.activity.participants.add(guest_star)
        self.post("赵六", "9999")
        self.assertEqual(SignIn.objects.get(activity=self.activity).person, guest_star)

    def test_full_width_digits_and_spaces_are_accepted(self):
        zhang = Person.objects.create(name="张三", phone="138-1234-5678", owner_unit=self.org.village1)
        self.post(" 张三 ", "５６７８")
        self.assertEqual(SignIn.objects.get(activity=self.activity).person, zhang)

    def test_bad_digits_are_refused_with_a_chinese_message(self):
        response = self.post("张三", "12a")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "请填写手机号的后4位数字")
        self.assertFalse(SignIn.objects.exists())

    def test_duplicate_sign_in_is_idempotent(self):
        Person.objects.create(name="张三", phone="13812345678", owner_unit=self.org.village1)
        self.post("张三", "5678")
        response = self.post("张三", "5678")
        self.assertContains(response, "签到成功")
        self.assertEqual(SignIn.objects.filter(activity=self.activity).count(), 1)
        self.post("陌生人", "1234")
        self.post("陌生人", "1234")
        self.assertEqual(SignIn.objects.filter(activity=self.activity).count(), 2)

    def test_public_page_is_not_audited_and_needs_no_login(self):
        before = AuditEvent.objects.count()
        page = self.client.get(self.url())
        self.assertContains(page, "活动签到")
        self.assertContains(page, "csrfmiddlewaretoken")
        self.post("陌生人", "1234")
        self.assertEqual(AuditEvent.objects.count(), before)

    def test_csrf_is_enforced(self):
        self.client.handler.enforce_csrf_checks = True
        response = self.post("陌生人", "1234")
        self.assertEqual(response.status_code, 403)
        self.assertFalse(SignIn.objects.exists())


class ClosedAndLimitsTests(SignInTestBase):
    def test_not_open_is_refused(self):
        closed = make_activity(self.org.town1, open_=False)
        self.assertContains(self.client.get(self.url(closed)), "签到尚未开放")
        response = self.post("陌生人", "1234", activity=closed)
        self.assertContains(response, "签到尚未开放", status_code=403)
        self.assertFalse(SignIn.objects.exists())

    def test_ended_activity_is_refused_even_if_open(self):
        ended = make_activity(self.org.town1, start=timezone.now() - datetime.timedelta(hours=5), hours=2)
        self.assertTrue(ended.signin_open)
        self.assertContains(self.client.get(self.url(ended)), "签到已结束")
        response = self.post("陌生人", "1234", activity=ended)
        self.assertContains(response, "签到已结束", status_code=403)
        self.assertFalse(SignIn.objects.exists())

    def test_unknown_token_is_404(self):
        response = self.client.get(reverse("activities:signin", kwargs={"token": "no-such-token"}))
        self.assertEqual(response.status_code, 404)

    def test_rate_limit_per_activity(self):
        for i in range(10):
            self.assertEqual(self.post("陌生人", f"{i:04d}").status_code, 200)
        response = self.post("陌生人", "9999")
        self.assertContains(response, "操作过于频繁，请稍后再试", status_code=429)
        self.assertEqual(SignIn.objects.count(), 10)
        # Another client address is not affected.
        self.assertEqual(self.post("陌生人", "9999", REMOTE_ADDR="10.0.0.9").status_code, 200)

    def test_a_spoofed_real_ip_header_does_not_evade_the_limit(self):
        for i in range(10):
            self.post("陌生人", f"{i:04d}", HTTP_X_REAL_IP=f"10.1.0.{i}", REMOTE_ADDR="203.0.113.5")
        response = self.post("陌生人", "9999", HTTP_X_REAL_IP="10.1.0.99", REMOTE_ADDR="203.0.113.5")
        self.assertEqual(response.status_code, 429)
        # Loopback is not a trusted proxy either unless TRUSTED_PROXIES says so.
        for i in range(10):
            self.post("陌生人", f"1{i:03d}", HTTP_X_REAL_IP=f"10.2.0.{i}", REMOTE_ADDR="127.0.0.1")
        self.assertEqual(self.post("陌生人", "8888", HTTP_X_REAL_IP="10.2.0.99").status_code, 429)

    def test_behind_a_trusted_proxy_each_client_has_its_own_limit(self):
        with self.settings(TRUSTED_PROXIES=["unix"]):
            for i in range(10):
                self.post("陌生人", f"{i:04d}", HTTP_X_REAL_IP="10.1.0.1", REMOTE_ADDR="")
            self.assertEqual(self.post("陌生人", "9999", HTTP_X_REAL_IP="10.1.0.1", REMOTE_ADDR="").status_code, 429)
            self.assertEqual(self.post("陌生人", "9999", HTTP_X_REAL_IP="10.1.0.2", REMOTE_ADDR="").status_code, 200)

    def test_rate_limit_per_ip_across_activities(self):
        activities = [make_activity(self.org.town1, title=f"活动{i}") for i in range(4)]
        statuses = [self.post("陌生人", f"{n:04d}", activity=activities[n % 4]).status_code for n in range(31)]
        self.assertEqual(statuses[:30], [200] * 30)
        self.assertEqual(statuses[30], 429)

    def test_rate_limit_windows(self):
        self.assertEqual([limit for limit, _, _ in signin.RATE_LIMITS], [10, 30])
        self.assertEqual([window for _, window, _ in signin.RATE_LIMITS], [600, 3600])


class StaffPagesTests(SignInTestBase):
    def test_qr_page_and_toggle_are_audited(self):
        closed = make_activity(self.org.town1, open_=False)
        self.client.force_login(self.town1_user)
        page = self.client.get(reverse("activities:signin_qr", kwargs={"pk": closed.pk}))
        self.assertContains(page, "开放签到")
        self.assertContains(page, "http://testserver" + self.url(closed))
        before = AuditEvent.objects.count()
        self.client.post(reverse("activities:signin_qr", kwargs={"pk": closed.pk}), {"action": "open"})
        closed.refresh_from_db()
        self.assertTrue(closed.signin_open)
        event = AuditEvent.objects.order_by("-id").first()
        self.assertEqual(AuditEvent.objects.count(), before + 1)
        self.assertEqual(event.action, AuditEvent.Action.UPDATE)
        self.assertEqual(event.object_id, str(closed.pk))
        self.client.post(reverse("activities:signin_qr", kwargs={"pk": closed.pk}), {"action": "close"})
        closed.refresh_from_db()
        self.assertFalse(closed.signin_open)
        self.assertEqual(AuditEvent.objects.count(), before + 2)

    def test_cannot_open_an_ended_activity(self):
        ended = make_activity(self.org.town1, open_=False, start=timezone.now() - datetime.timedelta(days=1))
        self.client.force_login(self.town1_user)
        self.client.post(reverse("activities:signin_qr", kwargs={"pk": ended.pk}), {"action": "open"})
        ended.refresh_from_db()
        self.assertFalse(ended.signin_open)

    def test_svg_is_a_valid_svg_of_the_signin_url(self):
        self.client.force_login(self.town1_user)
        response = self.client.get(reverse("activities:signin_qr_svg", kwargs={"pk": self.activity.pk}))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "image/svg+xml")
        body = response.content
        self.assertTrue(body.startswith((b"<?xml", b"<svg")))
        root = ET.fromstring(body)  # noqa: S314 - our own output
        self.assertEqual(root.tag, "{http://www.w3.org/2000/svg}svg")
        full_url = "http://testserver" + self.url()
        self.assertIn(full_url, body.decode())
        self.assertNotIn(b"<script", body)
        # The drawn modules are exactly those of the QR code of that URL.
        self.assertEqual(body, qr_svg(full_url))

    def test_other_town_cannot_see_qr_svg_or_list(self):
        self.post("来宾甲", "0001")
        self.client.force_login(self.town2_user)
        for name in ("signin_qr", "signin_qr_svg", "signin_list"):
            response = self.client.get(reverse(f"activities:{name}", kwargs={"pk": self.activity.pk}))
            self.assertEqual(response.status_code, 404, name)
        response = self.client.post(reverse("activities:signin_qr", kwargs={"pk": self.activity.pk}),
                                    {"action": "close"})
        self.assertEqual(response.status_code, 404)
        response = self.client.post(reverse("activities:signin_confirm", kwargs={"pk": self.activity.pk}),
                                    {"decision": "confirm"})
        self.assertEqual(response.status_code, 404)
        self.activity.refresh_from_db()
        self.assertTrue(self.activity.signin_open)
        self.assertEqual(SignIn.objects.get().status, SignIn.Status.PENDING)

    def test_anonymous_staff_pages_redirect_to_login(self):
        for name in ("signin_qr", "signin_qr_svg", "signin_list"):
            response = self.client.get(reverse(f"activities:{name}", kwargs={"pk": self.activity.pk}))
            self.assertEqual(response.status_code, 302, name)
            self.assertTrue(response["Location"].startswith(reverse("login")))
        response = self.client.post(reverse("activities:signin_confirm", kwargs={"pk": self.activity.pk}),
                                    {"decision": "confirm"})
        self.assertTrue(response["Location"].startswith(reverse("login")))

    def test_list_marks_guests_and_pending_sign_ins(self):
        Person.objects.create(name="张三", phone="13812345678", owner_unit=self.org.village1)
        self.post("张三", "5678")
        self.post("来宾甲", "0001")
        self.client.force_login(self.town1_user)
        page = self.client.get(reverse("activities:signin_list", kwargs={"pk": self.activity.pk}))
        self.assertContains(page, "来宾甲")
        self.assertContains(page, "台账：张三（东溪村）")
        self.assertContains(page, "待确认 2 人")
        self.assertContains(page, "全部确认（2）")
        self.assertNotContains(page, "已在参加人员中")


    def test_a_matched_person_the_organiser_may_not_see_is_not_named(self):
        # A participant kept by another town (the form keeps them without showing them) signs in: matched, but
        # neither the list nor the activity's page names them or their unit.
        outsider = Person.objects.create(name="王西岭", phone="13812349999", owner_unit=self.org.village2)
        self.activity.participants.add(outsider)
        self.post("王西岭", "9999")
        self.assertEqual(SignIn.objects.get().person, outsider)
        self.client.force_login(self.town1_user)
        for url in (reverse("activities:signin_list", kwargs={"pk": self.activity.pk}),
                    self.activity.get_absolute_url()):
            page = self.client.get(url)
            self.assertContains(page, "台账人员")
            self.assertNotContains(page, "台账：王西岭")
            self.assertNotContains(page, self.org.village2.name)

class ConfirmationTests(SignInTestBase):
    def setUp(self):
        super().setUp()
        self.zhang = Person.objects.create(name="张三", phone="13812345678", owner_unit=self.org.village1)
        self.li = Person.objects.create(name="李四", phone="13812344321", owner_unit=self.org.town1)
        for name, last4 in (("张三", "5678"), ("李四", "4321"), ("来宾甲", "0001")):
            self.post(name, last4)
        self.confirm_url = reverse("activities:signin_confirm", kwargs={"pk": self.activity.pk})
        self.detail_url = self.activity.get_absolute_url()

    def row(self, name):
        return SignIn.objects.get(activity=self.activity, name=name)

    def test_detail_page_lists_pending_sign_ins_for_the_organiser(self):
        self.client.force_login(self.town1_user)
        page = self.client.get(self.detail_url)
        self.assertContains(page, "待确认签到")
        self.assertContains(page, "全部确认")
        self.assertContains(page, "台账：张三（东溪村）")
        self.assertContains(page, "来宾甲")
        self.assertContains(page, f'action="{self.confirm_url}"')

    def test_a_reader_sees_no_pending_list_and_cannot_confirm(self):
        leader = create_user("s_leader", self.org.county, "leader")
        self.client.force_login(leader)
        page = self.client.get(self.detail_url)
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "待确认签到")
        self.assertEqual(self.client.post(self.confirm_url, {"decision": "confirm"}).status_code, 403)
        self.assertFalse(SignIn.objects.exclude(status=SignIn.Status.PENDING).exists())

    def test_confirm_all_adds_matched_people_and_is_audited(self):
        self.client.force_login(self.town1_user)
        before = AuditEvent.objects.count()
        response = self.client.post(self.confirm_url, {"decision": "confirm"}, follow=True)
        self.assertRedirects(response, self.detail_url + "#signins")
        self.assertContains(response, "已确认 3 条签到，2 名台账人员已加入参加人员。")
        self.assertEqual(set(self.activity.participants.all()), {self.zhang, self.li})
        self.assertEqual(set(SignIn.objects.values_list("status", flat=True)), {SignIn.Status.CONFIRMED})
        self.assertEqual(self.row("张三").decided_by, self.town1_user)
        self.assertNotContains(response, "待确认签到")
        self.assertEqual(AuditEvent.objects.count(), before + 1)
        event = AuditEvent.objects.order_by("-id").first()
        self.assertEqual((event.action, event.object_id, event.username),
                         (AuditEvent.Action.UPDATE, str(self.activity.pk), "s_town1"))
        self.assertEqual(event.changes["参加人员（台账）"]["added"], ["张三", "李四"])
        self.assertEqual(len(event.changes["扫码签到"]["确认"]), 3)
        again = self.client.post(self.confirm_url, {"decision": "confirm"}, follow=True)
        self.assertContains(again, "没有待确认的签到。")
        self.assertEqual(AuditEvent.objects.count(), before + 1)

    def test_one_row_can_be_confirmed_or_ignored(self):
        self.client.force_login(self.town1_user)
        self.client.post(self.confirm_url, {"decision": "ignore", "signin": self.row("张三").pk})
        self.client.post(self.confirm_url, {"decision": "confirm", "signin": self.row("李四").pk, "back": "list"})
        self.assertEqual(list(self.activity.participants.all()), [self.li])
        self.assertEqual((self.row("张三").status, self.row("李四").status, self.row("来宾甲").status),
                         (SignIn.Status.IGNORED, SignIn.Status.CONFIRMED, SignIn.Status.PENDING))
        # An ignored sign-in stays ignored: "全部确认" takes only the pending ones.
        self.client.post(self.confirm_url, {"decision": "confirm"})
        self.assertEqual(list(self.activity.participants.all()), [self.li])
        self.assertEqual(self.row("来宾甲").status, SignIn.Status.CONFIRMED)

    def test_back_to_the_list_and_bad_input(self):
        self.client.force_login(self.town1_user)
        response = self.client.post(self.confirm_url, {"decision": "confirm", "back": "list",
                                                       "signin": self.row("来宾甲").pk})
        self.assertRedirects(response, reverse("activities:signin_list", kwargs={"pk": self.activity.pk}),
                             fetch_redirect_response=False)
        for data in ({"decision": "delete"}, {"decision": "confirm", "signin": "x"}):
            response = self.client.post(self.confirm_url, data, follow=True)
            self.assertContains(response, "未知操作。")
        self.assertEqual(self.client.get(self.confirm_url).status_code, 405)
        self.assertEqual(SignIn.objects.filter(status=SignIn.Status.PENDING).count(), 2)

    def test_a_sign_in_of_another_activity_is_not_touched(self):
        other = make_activity(self.org.town1, title="另一活动")
        self.post("张三", "5678", activity=other)
        foreign = SignIn.objects.get(activity=other)
        self.client.force_login(self.town1_user)
        self.client.post(self.confirm_url, {"decision": "confirm", "signin": foreign.pk})
        foreign.refresh_from_db()
        self.assertEqual(foreign.status, SignIn.Status.PENDING)
        self.assertEqual(other.participants.count(), 0)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_phone_signin_and_staff_qr_page(live_server, new_page, output_dir):
    """Staff shows the QR code (the SVG loads under the CSP); a participant signs in on a 390 px phone."""
    org = build_county()
    seed_types()  # a database flushed by an earlier live-server test has lost the migration's rows
    create_user("qr_town1", org.town1, "town_officer")
    zhang = Person.objects.create(name="张三", phone="13812345678", owner_unit=org.village1)
    activity = make_activity(org.town1, open_=False)

    desk = new_page(1366, 800)
    browser_login(desk, live_server.url, "qr_town1")
    desk.goto(live_server.url + reverse("activities:signin_qr", kwargs={"pk": activity.pk}))
    desk.get_by_role("button", name="开放签到").click()
    desk.get_by_role("button", name="关闭签到").wait_for()
    desk.wait_for_function("() => { const img = document.querySelector('img.signin-qr');"
                           " return img && img.complete && img.naturalWidth > 0; }", timeout=5000)
    desk.screenshot(path=output_dir / "activities-signin-qr.png", full_page=True)

    phone = new_page(390, 844)
    phone.goto(live_server.url + reverse("activities:signin", kwargs={"token": activity.signin_token}))
    phone.fill("input[name=name]", "张三")
    phone.fill("input[name=last4]", "5678")
    phone.screenshot(path=output_dir / "activities-signin-phone.png", full_page=True)
    phone.get_by_role("button", name="签到").click()
    phone.get_by_text("签到成功").wait_for()
    phone.screenshot(path=output_dir / "activities-signin-done.png", full_page=True)
    assert SignIn.objects.get(activity=activity).person == zhang
    assert list(activity.participants.all()) == []  # waits for the organiser

    desk.goto(live_server.url + activity.get_absolute_url())
    desk.get_by_text("台账：张三（东溪村）").wait_for()
    desk.screenshot(path=output_dir / "activities-signin-pending.png", full_page=True)
    desk.get_by_role("button", name="全部确认").click()
    desk.get_by_text("已确认 1 条签到，1 名台账人员已加入参加人员。").wait_for()
    assert list(activity.participants.all()) == [zhang]
