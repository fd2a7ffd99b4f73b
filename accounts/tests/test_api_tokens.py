"""Access tokens of the REST API: made, shown once, stored hashed, checked, limited, revoked."""

from datetime import timedelta
from io import StringIO

from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings
from django.utils import timezone

from accounts.models import ApiToken
from accounts.testing import create_user
from accounts.tokens import issue_token, revoke
from core.crypto import secret_digest
from core.models import AuditEvent
from org.testing import build_county


class TokenTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.user = create_user("town01", cls.org.town1, "town_officer")

    def get(self, secret, path="/api/v1/units/"):
        return self.client.get(path, HTTP_AUTHORIZATION=f"Bearer {secret}")

    def test_the_secret_is_stored_only_as_its_digest(self):
        token, secret = issue_token(self.user, name="市平台对接", days=30)
        token.refresh_from_db()
        self.assertTrue(secret.startswith("tx_"))
        self.assertEqual(token.digest, secret_digest(secret))
        self.assertNotIn(secret, str(ApiToken.objects.filter(pk=token.pk).values().get()))
        self.assertEqual(token.prefix, secret[:11])

    def test_a_valid_token_acts_as_its_user_and_notes_its_last_use(self):
        token, secret = issue_token(self.user, name="巡检")
        response = self.get(secret)
        self.assertEqual(response.status_code, 200)
        self.assertEqual([u["name"] for u in response.json()], ["东溪镇", "东溪村"])
        token.refresh_from_db()
        self.assertIsNotNone(token.last_used_at)
        self.assertEqual(token.last_used_ip, "127.0.0.1")

    def test_missing_wrong_expired_and_revoked_tokens_get_401_in_json(self):
        expired, expired_secret = issue_token(self.user, name="过期")
        ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        revoked, revoked_secret = issue_token(self.user, name="吊销")
        revoke(revoked, by=self.user)
        for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer tx_nonsense"}, {"HTTP_AUTHORIZATION": "Basic abc"},
                        {"HTTP_AUTHORIZATION": f"Bearer {expired_secret}"},
                        {"HTTP_AUTHORIZATION": f"Bearer {revoked_secret}"}):
            with self.subTest(headers=headers):
                response = self.client.get("/api/v1/units/", **headers)
                self.assertEqual(response.status_code, 401)
                self.assertIn("访问令牌", response.json()["detail"])

    def test_a_deactivated_account_s_token_stops_working(self):
        _, secret = issue_token(self.user, name="巡检")
        self.user.is_active = False
        self.user.save()
        self.assertEqual(self.get(secret).status_code, 401)

    def test_a_read_only_token_cannot_write(self):
        _, secret = issue_token(self.user, name="只读")
        response = self.client.post("/api/v1/people/", {"name": "张三"}, content_type="application/json",
                                    HTTP_AUTHORIZATION=f"Bearer {secret}")
        self.assertEqual(response.status_code, 403)
        self.assertIn("只读", response.json()["detail"])

    @override_settings(API_RATE_LIMIT="2/m")
    def test_each_token_has_its_own_rate_limit(self):
        _, first = issue_token(self.user, name="甲")
        _, second = issue_token(self.user, name="乙")
        self.assertEqual([self.get(first).status_code for _ in range(3)], [200, 200, 429])
        limited = self.get(first)
        self.assertEqual(limited.status_code, 429)
        self.assertGreater(int(limited["Retry-After"]), 0)
        self.assertIn("频繁", limited.json()["detail"])
        self.assertEqual(self.get(second).status_code, 200)

    def test_expiry_is_at_most_a_year_and_a_name_is_required(self):
        for kwargs in ({"name": "甲", "days": 366}, {"name": "甲", "days": 0}, {"name": "  "}):
            with self.subTest(**kwargs), self.assertRaises(ValidationError):
                issue_token(self.user, **kwargs)
        self.assertFalse(ApiToken.objects.exists())

    def test_making_and_revoking_are_audited_without_the_secret(self):
        token, secret = issue_token(self.user, name="巡检", created_by=self.user)
        revoke(token, by=self.user)
        events = AuditEvent.objects.filter(object_type="访问令牌").order_by("id")
        self.assertEqual([e.action for e in events], [AuditEvent.Action.ACCOUNT] * 2)
        self.assertFalse(any(secret in str(e.changes) + e.object_label for e in events))


class CreateApiTokenCommandTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.user = create_user("city_platform", cls.org.county, "county_staff")

    def test_prints_the_token_on_its_last_line(self):
        out = StringIO()
        call_command("create_api_token", "city_platform", "--name", "市平台", "--days", "30", "--write", stdout=out)
        secret = out.getvalue().strip().splitlines()[-1]
        token = ApiToken.objects.get(digest=secret_digest(secret))
        self.assertTrue(token.can_write)
        self.assertEqual((token.expires_at - timezone.now()).days, 29)
        event = AuditEvent.objects.get(object_type="访问令牌")
        self.assertEqual(event.username, "manage.py create_api_token")
        self.assertEqual(self.client.get("/api/v1/units/", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code, 200)

    def test_refuses_an_unknown_account_and_a_long_expiry(self):
        with self.assertRaisesMessage(CommandError, "没有用户名"):
            call_command("create_api_token", "nobody", "--name", "x", stdout=StringIO())
        with self.assertRaisesMessage(CommandError, "365"):
            call_command("create_api_token", "city_platform", "--name", "x", "--days", "400", stdout=StringIO())
        self.assertFalse(ApiToken.objects.exists())
