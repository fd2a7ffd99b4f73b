"""Login security: lockout, idle timeout, session rotation and logout, password rules, the forced change
of an initial password, CSRF, and the audit events of each."""

import re
from datetime import timedelta
from unittest import mock

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db.models import F
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from accounts.testing import PASSWORD, create_user
from core.models import AuditEvent
from core.tests.sample.models import SampleRecord
from org.testing import build_county

User = get_user_model()
GOOD_PASSWORD = "Xq7#kd2Lm9"


class LoginTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.user = create_user("zhangsan", cls.org.town1, "town_officer", full_name="张三")

    def login(self, password=PASSWORD, client=None, username="zhangsan"):
        return (client or self.client).post(reverse("login"), {"username": username, "password": password})

    def assertSignedIn(self, client=None):
        self.assertEqual((client or self.client).get(reverse("workbench")).status_code, 200)

    def assertAnonymous(self, client=None):
        response = (client or self.client).get(reverse("workbench"))
        self.assertRedirects(response, f"{reverse('login')}?next=/", fetch_redirect_response=False)


class LockoutTests(LoginTestCase):
    def test_settings(self):
        self.assertEqual(settings.AXES_FAILURE_LIMIT, 5)
        self.assertEqual(settings.AXES_COOLOFF_TIME, timedelta(minutes=15))
        self.assertEqual(settings.AXES_LOCKOUT_PARAMETERS, ["username"])
        self.assertEqual(settings.AXES_HANDLER, "axes.handlers.database.AxesDatabaseHandler")

    def fail_five_times(self):
        responses = [self.login("wrong-password") for _ in range(5)]
        for response in responses[:4]:
            self.assertEqual(response.status_code, 200)
            self.assertContains(response, "用户名或密码错误")
        # The fifth failure reaches the limit and already answers with the lockout page.
        self.assertTemplateUsed(responses[4], "accounts/locked_out.html")
        return responses

    def test_sixth_attempt_is_locked_out_even_with_the_right_password(self):
        self.fail_five_times()
        response = self.login(PASSWORD)
        self.assertEqual(response.status_code, 429)
        self.assertTemplateUsed(response, "accounts/locked_out.html")
        self.assertContains(response, "账号已临时锁定", status_code=429)
        self.assertContains(response, "15分钟", status_code=429)
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertAnonymous()
        lockouts = AuditEvent.objects.filter(action=AuditEvent.Action.LOCKOUT, username="zhangsan")
        self.assertTrue(lockouts.exists())
        self.assertFalse(lockouts.first().success)
        self.assertGreaterEqual(AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).count(), 5)
        self.assertFalse(AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN).exists())

    def test_lockout_is_per_username_not_per_address(self):
        self.fail_five_times()
        create_user("lisi", self.org.town1, "town_officer")
        response = self.login(username="lisi")  # same client address, other account
        self.assertRedirects(response, reverse("workbench"), fetch_redirect_response=False)
        self.assertSignedIn()

    def test_lock_lasts_fifteen_minutes(self):
        self.fail_five_times()
        # Axes counts failures newer than (attempt time - cool-off): age the recorded attempts.
        AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=14))
        self.assertEqual(self.login(PASSWORD).status_code, 429)
        AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=15, seconds=1))
        response = self.login(PASSWORD)
        self.assertRedirects(response, reverse("workbench"))
        self.assertSignedIn()

    def test_success_before_the_limit_resets_the_count(self):
        for _ in range(4):
            self.login("wrong-password")
        self.assertRedirects(self.login(PASSWORD), reverse("workbench"))
        self.client.post(reverse("logout"))
        for _ in range(4):
            self.assertEqual(self.login("wrong-password").status_code, 200)
        self.assertRedirects(self.login(PASSWORD), reverse("workbench"))


class IdleTimeoutTests(LoginTestCase):
    def test_settings(self):
        self.assertEqual(settings.SESSION_COOKIE_AGE, 30 * 60)
        self.assertTrue(settings.SESSION_SAVE_EVERY_REQUEST)

    def session_row(self):
        return Session.objects.get(pk=self.client.cookies[settings.SESSION_COOKIE_NAME].value)

    def test_each_request_extends_the_session_and_idleness_ends_it(self):
        start = timezone.now()
        self.login()
        expiry = self.session_row().expire_date
        self.assertAlmostEqual((expiry - start).total_seconds(), 1800, delta=60)

        later = start + timedelta(minutes=29)
        with mock.patch("django.utils.timezone.now", return_value=later):
            self.assertSignedIn()
        self.assertAlmostEqual((self.session_row().expire_date - later).total_seconds(), 1800, delta=60)

        # 29 minutes after that last request the user is still there...
        with mock.patch("django.utils.timezone.now", return_value=later + timedelta(minutes=29)):
            self.assertSignedIn()
        # ...and 31 idle minutes after the last one, gone.
        with mock.patch("django.utils.timezone.now", return_value=later + timedelta(minutes=29 + 31)):
            self.assertAnonymous()

    def test_what_a_browser_fetches_by_itself_is_not_activity(self):
        start = timezone.now()
        self.login()
        expiry = self.session_row().expire_date
        with mock.patch("django.utils.timezone.now", return_value=start + timedelta(minutes=10)):
            for path in ("/sw.js", "/manifest.webmanifest"):
                self.assertEqual(self.client.get(path).status_code, 200)
        self.assertEqual(self.session_row().expire_date, expiry)

    def test_expired_session_row_is_anonymous(self):
        self.login()
        self.assertSignedIn()
        Session.objects.filter(pk=self.session_row().pk).update(expire_date=timezone.now() - timedelta(seconds=1))
        self.assertAnonymous()


class SessionRotationTests(LoginTestCase):
    def test_login_issues_a_new_session_key(self):
        session = self.client.session
        session["probe"] = "before-login"
        session.save()
        old_key = session.session_key
        self.assertTrue(Session.objects.filter(pk=old_key).exists())
        self.login()
        new_key = self.client.cookies[settings.SESSION_COOKIE_NAME].value
        self.assertNotEqual(new_key, old_key)
        self.assertFalse(Session.objects.filter(pk=old_key).exists())
        self.assertSignedIn()

    def test_logout_deletes_the_server_side_session(self):
        self.login()
        key = self.client.cookies[settings.SESSION_COOKIE_NAME].value
        self.assertTrue(Session.objects.filter(pk=key).exists())
        response = self.client.post(reverse("logout"))
        self.assertRedirects(response, reverse("login"))
        self.assertFalse(Session.objects.filter(pk=key).exists())
        # Replaying the old cookie (e.g. copied before logout) gets nowhere.
        replay = Client()
        replay.cookies[settings.SESSION_COOKIE_NAME] = key
        self.assertAnonymous(replay)
        self.assertTrue(AuditEvent.objects.filter(action=AuditEvent.Action.LOGOUT, username="zhangsan").exists())

    def test_logout_by_get_is_not_allowed(self):
        self.login()
        response = self.client.get(reverse("logout"))
        self.assertEqual(response.status_code, 405)
        self.assertSignedIn()


class PasswordRuleTests(LoginTestCase):
    def messages_for(self, password, user=None):
        try:
            validate_password(password, user)
        except ValidationError as error:
            return error.messages
        return []

    def test_validators_refuse_weak_passwords_in_chinese(self):
        self.assertIn("密码太短，至少需要8个字符。", self.messages_for("Ab1#x"))
        self.assertIn("密码须包含大写字母、小写字母、数字、符号中的至少3类。", self.messages_for("abcdefgh12"))
        self.assertIn("这个密码太常见了。", self.messages_for("Password1"))
        self.assertTrue(self.messages_for("Zhangsan2026", self.user))  # too close to the username
        for password in ("Ab1#x", "abcdefgh12", "Password1", "12345678"):
            for message in self.messages_for(password):
                self.assertRegex(message, r"[\u4e00-\u9fff]", message)

    def test_validators_accept_a_good_password(self):
        self.assertEqual(self.messages_for(GOOD_PASSWORD, self.user), [])
        self.assertEqual(self.messages_for("tongxin-2026-ok"), [])  # three classes: lower, digits, symbols

    def change(self, new1, new2=None, old=PASSWORD):
        return self.client.post(reverse("password_change"), {
            "old_password": old, "new_password1": new1, "new_password2": new2 or new1,
        })

    def test_change_page_refuses_weak_passwords(self):
        self.client.force_login(self.user)
        for weak, expected in (("Ab1#x", "密码太短"), ("abcdefgh12", "至少3类"), ("Password1", "太常见")):
            response = self.change(weak)
            self.assertEqual(response.status_code, 200)
            self.assertContains(response, expected)
        self.user.refresh_from_db()
        self.assertTrue(self.user.check_password(PASSWORD))
        self.assertFalse(AuditEvent.objects.filter(action=AuditEvent.Action.PASSWORD_CHANGE).exists())

    def test_change_page_accepts_a_good_password_and_audits_it(self):
        self.login()
        response = self.change(GOOD_PASSWORD)
        self.assertRedirects(response, reverse("workbench"))
        self.user.refresh_from_db()
        self.assertTrue(self.user.check_password(GOOD_PASSWORD))
        self.assertIsNotNone(self.user.password_changed_at)
        self.assertSignedIn()  # the session survives its own password change
        event = AuditEvent.objects.get(action=AuditEvent.Action.PASSWORD_CHANGE)
        self.assertEqual(event.username, "zhangsan")
        self.assertNotIn(GOOD_PASSWORD, str(event.changes))

    def test_wrong_old_password_is_refused(self):
        self.client.force_login(self.user)
        response = self.change(GOOD_PASSWORD, old="not-my-password")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors["old_password"])


class ForcedPasswordChangeTests(LoginTestCase):
    def create_by_security_admin(self):
        """The new account and the initial password the system generated for it (read off the issued page)."""
        secadmin = create_user("t_secadmin", self.org.county, "secadmin")
        admin_client = Client()
        admin_client.force_login(secadmin)
        response = admin_client.post(reverse("accounts:user_add"), {
            "username": "newcomer", "full_name": "新同事", "unit": self.org.town1.pk,
        }, follow=True)
        self.assertEqual(response.status_code, 200)
        return User.objects.get(username="newcomer"), response.context["password"]

    def test_new_account_must_change_its_password_first(self):
        newcomer, initial = self.create_by_security_admin()
        self.assertTrue(newcomer.must_change_password)
        response = self.login(initial, username="newcomer")
        self.assertRedirects(response, reverse("workbench"), target_status_code=302)
        for path in (reverse("workbench"), reverse("sample:samplerecord_list"), reverse("accounts:user_list"),
                     "/org/", "/no-such-page/"):
            self.assertRedirects(self.client.get(path), reverse("password_change"), msg_prefix=path)
        page = self.client.get(reverse("password_change"))
        self.assertContains(page, "这是管理员为您设置的初始密码")
        response = self.client.post(reverse("password_change"), {
            "old_password": initial, "new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD,
        })
        self.assertRedirects(response, reverse("workbench"))
        newcomer.refresh_from_db()
        self.assertFalse(newcomer.must_change_password)
        self.assertEqual(self.client.get(reverse("workbench")).status_code, 200)

    def test_logout_remains_possible_before_the_change(self):
        _, initial = self.create_by_security_admin()
        self.login(initial, username="newcomer")
        response = self.client.post(reverse("logout"))
        self.assertRedirects(response, reverse("login"))

    def test_demo_style_accounts_are_not_redirected(self):
        self.assertFalse(self.user.must_change_password)
        self.login()
        self.assertEqual(self.client.get(reverse("workbench")).status_code, 200)
        self.assertEqual(self.client.get(reverse("sample:samplerecord_list")).status_code, 200)


class CsrfTests(LoginTestCase):
    def test_login_without_token_is_refused(self):
        client = Client(enforce_csrf_checks=True)
        response = self.login(client=client)
        self.assertEqual(response.status_code, 403)
        self.assertAnonymous(client)

    def test_login_with_token_works(self):
        client = Client(enforce_csrf_checks=True)
        page = client.get(reverse("login"))
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
        response = client.post(reverse("login"), {"username": "zhangsan", "password": PASSWORD,
                                                  "csrfmiddlewaretoken": token})
        self.assertRedirects(response, reverse("workbench"))

    def test_business_form_without_token_is_refused(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.user)
        response = client.post(reverse("sample:samplerecord_add"),
                               {"name": "伪造", "phone": "", "owner_unit": self.org.town1.pk})
        self.assertEqual(response.status_code, 403)
        self.assertFalse(SampleRecord.objects.filter(name="伪造").exists())

    def test_refusal_page_is_in_chinese(self):
        response = self.login(client=Client(enforce_csrf_checks=True))
        self.assertContains(response, "请求已失效", status_code=403)


class LoginAuditTests(LoginTestCase):
    def test_login_success_failure_and_logout_are_audited(self):
        self.login("wrong-password")
        failed = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED)
        self.assertEqual((failed.username, failed.success, failed.user), ("zhangsan", False, self.user))
        self.assertNotIn("wrong-password", str(failed.changes) + failed.object_label)
        self.login()
        login = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN)
        self.assertEqual((login.user, login.success, login.unit), (self.user, True, self.org.town1))
        self.assertEqual(login.ip, "127.0.0.1")
        self.client.post(reverse("logout"))
        self.assertTrue(AuditEvent.objects.filter(action=AuditEvent.Action.LOGOUT, user=self.user).exists())

    def test_unknown_username_failure_is_audited(self):
        self.login(username="nobody")
        event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED)
        self.assertEqual((event.object_label, event.user), ("nobody", None))
