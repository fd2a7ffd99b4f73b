"""The access token pages (访问令牌): one's own tokens listed, made (the secret shown once) and revoked; the
security administrator's view of every token and tokens for service accounts."""

import re
from datetime import timedelta

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken
from accounts.testing import create_user
from accounts.tokens import issue_token
from core.models import AuditEvent
from org.testing import build_county

SECRET = re.compile(r"tx_[A-Za-z0-9_-]{43}")


def token_events():
    return AuditEvent.objects.filter(action=AuditEvent.Action.ACCOUNT, object_type="访问令牌").order_by("id")


class TokenPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.user = create_user("town01", cls.org.town1, "town_officer")
        cls.other = create_user("town02", cls.org.town2, "town_officer")
        cls.secadmin = create_user("secadmin", cls.org.county, "secadmin")
        cls.service = create_user("svc_city", cls.org.county, "leader", full_name="市平台服务账号")

    def api(self, secret):
        return self.client.get("/api/v1/units/", HTTP_AUTHORIZATION=f"Bearer {secret}")

    def create(self, user, **data):
        self.client.force_login(user)
        return self.client.post(reverse("accounts:token_add"), {"name": "市平台对接", "days": 90, **data})

    def test_the_list_shows_one_s_own_tokens_and_never_a_secret(self):
        mine, secret = issue_token(self.user, name="我的巡检脚本", can_write=True)
        issue_token(self.other, name="别人的令牌")
        self.api(secret)
        self.client.force_login(self.user)
        response = self.client.get(reverse("accounts:token_list"))
        page = response.content.decode()
        self.assertIn("我的巡检脚本", page)
        self.assertIn(mine.prefix, page)
        self.assertIn("读写", page)
        self.assertIn("127.0.0.1", page)  # the last use's address
        self.assertNotIn("别人的令牌", page)
        self.assertNotIn(secret, page)
        self.assertIsNone(SECRET.search(page))

    def test_the_user_menu_links_to_the_tokens(self):
        self.client.force_login(self.user)
        self.assertContains(self.client.get(reverse("workbench")), f'href="{reverse("accounts:token_list")}"')

    def test_a_new_token_s_secret_shows_once_with_an_example(self):
        response = self.create(self.user, can_write="on")
        token = ApiToken.objects.get(user=self.user)
        self.assertRedirects(response, reverse("accounts:token_created", args=[token.pk]),
                             fetch_redirect_response=False)
        self.assertEqual((token.name, token.can_write, token.created_by), ("市平台对接", True, self.user))
        self.assertAlmostEqual(token.expires_at, timezone.now() + timedelta(days=90), delta=timedelta(minutes=1))
        page = self.client.get(reverse("accounts:token_created", args=[token.pk]))
        self.assertEqual(page["Cache-Control"], "no-store")
        secret = SECRET.search(page.content.decode()).group()
        self.assertContains(page, f'curl -H "Authorization: Bearer {secret}" http://testserver/api/v1/people/')
        self.assertEqual(self.api(secret).status_code, 200)
        again = self.client.get(reverse("accounts:token_created", args=[token.pk]))
        self.assertNotContains(again, secret)
        self.assertContains(again, "只在创建后显示一次")
        self.assertNotContains(self.client.get(reverse("accounts:token_list")), secret)
        event = AuditEvent.objects.get(action=AuditEvent.Action.ACCOUNT, object_type="访问令牌")
        self.assertEqual((event.username, event.changes["允许写入"], event.changes["有效天数"]), ("town01", "是", 90))

    def test_a_token_is_read_only_unless_asked_and_lives_at_most_a_year(self):
        self.create(self.user)
        self.assertFalse(ApiToken.objects.get(user=self.user).can_write)
        response = self.create(self.user, name="太久", days=366)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["form"].errors["days"], ["有效天数须在 1 至 365 天之间"])
        blank = self.create(self.user, name="  ")
        self.assertEqual(blank.context["form"].errors["name"], ["请填写令牌名称"])
        self.assertEqual(ApiToken.objects.filter(user=self.user).count(), 1)

    def test_a_revoked_token_is_refused_by_the_api(self):
        token, secret = issue_token(self.user, name="将吊销")
        self.client.force_login(self.user)
        confirm = self.client.get(reverse("accounts:token_revoke", args=[token.pk]))
        self.assertContains(confirm, "确定吊销访问令牌")
        response = self.client.post(reverse("accounts:token_revoke", args=[token.pk]))
        self.assertRedirects(response, reverse("accounts:token_list"))
        token.refresh_from_db()
        self.assertIsNotNone(token.revoked_at)
        self.assertEqual(self.api(secret).status_code, 401)
        self.assertContains(self.client.get(reverse("accounts:token_list")), "已吊销")
        event = token_events().last()
        self.assertEqual((event.username, event.object_label), ("town01", f"吊销访问令牌 {token}"))

    def test_another_user_s_token_does_not_exist_for_a_user(self):
        token, secret = issue_token(self.other, name="别人的令牌")
        self.client.force_login(self.user)
        for name in ("accounts:token_created", "accounts:token_revoke"):
            with self.subTest(name=name):
                self.assertEqual(self.client.get(reverse(name, args=[token.pk])).status_code, 404)
        self.assertEqual(self.client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code, 404)
        token.refresh_from_db()
        self.assertIsNone(token.revoked_at)
        self.assertEqual(self.api(secret).status_code, 200)

    def test_a_secret_waiting_for_one_s_own_token_is_not_shown_on_another_s(self):
        self.create(self.user)
        mine = ApiToken.objects.get(user=self.user)
        other, _ = issue_token(self.user, name="另一个")
        page = self.client.get(reverse("accounts:token_created", args=[other.pk]))
        self.assertIsNone(SECRET.search(page.content.decode()))
        self.assertIsNotNone(SECRET.search(
            self.client.get(reverse("accounts:token_created", args=[mine.pk])).content.decode()))

    def test_the_security_administrator_makes_a_token_for_a_service_account_and_revokes_any(self):
        _, user_secret = issue_token(self.user, name="镇里的令牌")
        self.client.force_login(self.secadmin)
        self.assertNotContains(self.client.get(reverse("accounts:token_list")), "镇里的令牌")  # his own only
        page = self.client.get(reverse("accounts:token_admin_list")).content.decode()
        self.assertIn("镇里的令牌", page)
        self.assertIn("town01", page)
        self.assertIn(f'href="{reverse("accounts:token_admin_list")}"',
                      self.client.get(reverse("workbench")).content.decode())  # 安全管理 → 访问令牌
        form = self.client.get(reverse("accounts:token_admin_add")).context["form"]
        accounts = set(form.fields["account"].queryset.values_list("username", flat=True))
        self.assertEqual(accounts, {"town01", "town02", "svc_city"})  # never one of the three administrators
        response = self.client.post(reverse("accounts:token_admin_add"),
                                    {"account": self.service.pk, "name": "市平台（只读）", "days": 365})
        token = ApiToken.objects.get(user=self.service)
        self.assertRedirects(response, reverse("accounts:token_created", args=[token.pk]),
                             fetch_redirect_response=False)
        self.assertEqual((token.created_by, token.can_write), (self.secadmin, False))
        event = token_events().last()
        self.assertEqual((event.username, event.changes["账号"]), ("secadmin", "svc_city"))
        created = self.client.get(reverse("accounts:token_created", args=[token.pk]))
        self.assertIsNotNone(SECRET.search(created.content.decode()))
        self.assertContains(created, f'href="{reverse("accounts:token_admin_list")}"')
        mine = ApiToken.objects.get(user=self.user)
        revoked = self.client.post(reverse("accounts:token_revoke", args=[mine.pk]))
        self.assertRedirects(revoked, reverse("accounts:token_admin_list"))
        self.assertEqual(self.api(user_secret).status_code, 401)

    def test_only_the_security_administrator_chooses_the_account(self):
        self.client.force_login(self.user)
        self.assertEqual(self.client.get(reverse("accounts:token_admin_list")).status_code, 403)
        self.assertEqual(self.client.post(reverse("accounts:token_admin_add"),
                                          {"account": self.other.pk, "name": "冒名", "days": 30}).status_code, 403)
        self.assertFalse(ApiToken.objects.exists())

    def test_a_user_chooses_no_account(self):
        response = self.create(self.user, account=self.service.pk)
        self.assertEqual(ApiToken.objects.get().user, self.user)
        self.assertEqual(response.status_code, 302)
