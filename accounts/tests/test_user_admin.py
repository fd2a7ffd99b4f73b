"""The security administrator's account pages: list, create, edit, reset password, unlock, deactivate."""

from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.test import Client, TestCase
from django.urls import reverse

from accounts.testing import PASSWORD, create_user
from core.models import AuditEvent
from org.testing import build_county

User = get_user_model()


class SecurityAdminTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.secadmin = create_user("t_secadmin", cls.org.county, "secadmin", full_name="周安全")
        cls.staff = create_user("t_staff", cls.org.town1, "town_officer", full_name="李红梅")

    def setUp(self):
        self.client.force_login(self.secadmin)

    def events(self, action, **filters):
        return AuditEvent.objects.filter(action=action, **filters)


class UserListTests(SecurityAdminTestCase):
    def test_list_shows_users_and_searches_by_username_and_name(self):
        response = self.client.get(reverse("accounts:user_list"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "t_staff")
        self.assertContains(response, "镇街统战委员")
        found = self.client.get(reverse("accounts:user_list"), {"q": "红梅"})
        self.assertEqual([u.username for u in found.context["table"].data], ["t_staff"])
        found = self.client.get(reverse("accounts:user_list"), {"q": "SECADMIN"})
        self.assertEqual([u.username for u in found.context["table"].data], ["t_secadmin"])

    def test_filter_by_unit_covers_the_subtree_and_by_role(self):
        create_user("t_village", self.org.village1, "village_liaison")
        create_user("t_west", self.org.town2, "town_officer")
        listed = self.client.get(reverse("accounts:user_list"), {"unit": self.org.town1.pk})
        self.assertEqual(sorted(u.username for u in listed.context["table"].data), ["t_staff", "t_village"])
        role_pk = self.staff.grants.get().role_id
        listed = self.client.get(reverse("accounts:user_list"), {"role": role_pk})
        self.assertEqual(sorted(u.username for u in listed.context["table"].data), ["t_staff", "t_west"])

    def test_list_is_paginated(self):
        User.objects.bulk_create([User(username=f"bulk{i:02d}", unit=self.org.county) for i in range(30)])
        first = self.client.get(reverse("accounts:user_list"))
        self.assertEqual(len(first.context["table"].page.object_list), 25)
        second = self.client.get(reverse("accounts:user_list"), {"page": 2})
        self.assertEqual(len(second.context["table"].page.object_list), 7)

    def test_htmx_request_gets_only_the_results(self):
        response = self.client.get(reverse("accounts:user_list"), {"q": "t_"}, headers={"HX-Request": "true"})
        self.assertTemplateUsed(response, "core/object_list_results.html")
        self.assertNotContains(response, "<html")

    def test_export_masks_phones_and_is_audited(self):
        from core.testing import export_text

        self.staff.phone = "13812345678"
        self.staff.save()
        text = export_text(self.client.get(reverse("accounts:user_export"), {"q": "t_staff"}))
        self.assertIn("t_staff", text)
        self.assertIn("138****5678", text)
        self.assertNotIn("13812345678", text)
        self.assertNotIn("t_secadmin", text)
        event = self.events(AuditEvent.Action.EXPORT).get()
        self.assertEqual(event.changes["行数"], 1)


class UserCreateTests(SecurityAdminTestCase):
    def post(self, **data):
        payload = {"username": "wang", "full_name": "王五", "unit": self.org.village1.pk, "phone": "0571-88886666"}
        payload.update(data)
        return self.client.post(reverse("accounts:user_add"), payload)

    def test_create_generates_a_valid_password_shown_once(self):
        response = self.post()
        user = User.objects.get(username="wang")
        issued = reverse("accounts:password_issued", args=[user.pk])
        self.assertRedirects(response, issued, fetch_redirect_response=False)
        page = self.client.get(issued)
        self.assertTemplateUsed(page, "accounts/password_issued.html")
        self.assertEqual(page["Cache-Control"], "no-store")
        password = page.context["password"]
        self.assertContains(page, password)
        self.assertContains(page, "初始密码通知单")
        self.assertContains(page, "首次登录须修改密码")
        self.assertContains(page, "王五")
        self.assertContains(page, "东溪村")
        self.assertTrue(user.check_password(password))
        validate_password(password, user)
        self.assertTrue(user.must_change_password)
        self.assertEqual((user.full_name, user.unit), ("王五", self.org.village1))
        # Never again: a second visit shows that it was issued, not the password.
        again = self.client.get(issued)
        self.assertIsNone(again.context["password"])
        self.assertNotContains(again, password)
        self.assertContains(again, "现已不再显示")
        # Nowhere stored in clear: not in the audit log, not in the session.
        self.assertNotIn(password, str(AuditEvent.objects.values_list("changes", flat=True)))
        self.assertNotIn(password, str(dict(self.client.session)))
        event = self.events(AuditEvent.Action.ACCOUNT, object_id=str(user.pk)).get()
        self.assertEqual(event.changes["用户名"], ["", "wang"])
        self.assertEqual(event.changes["所属单位"], ["", "东溪村"])
        self.assertNotIn(user.password, str(event.changes))
        self.assertEqual(event.user, self.secadmin)

    def test_the_security_administrator_types_no_password(self):
        page = self.client.get(reverse("accounts:user_add"))
        self.assertNotContains(page, 'type="password"')
        self.post(password1="Xq7#kd2Lm", password2="Xq7#kd2Lm")
        self.assertFalse(User.objects.get(username="wang").check_password("Xq7#kd2Lm"))

    def test_the_issued_page_of_another_account_shows_no_password(self):
        self.post()
        wang = User.objects.get(username="wang")
        page = self.client.get(reverse("accounts:password_issued", args=[self.staff.pk]))
        self.assertIsNone(page.context["password"])
        # The pending password of "wang" is still there for its own page.
        self.assertIsNotNone(self.client.get(reverse("accounts:password_issued", args=[wang.pk])).context["password"])

    def test_username_taken_in_any_case_is_refused(self):
        response = self.post(username="T_STAFF")
        self.assertIn("该用户名已被使用。", response.context["form"].errors["username"])

    def test_required_fields_and_phone_format(self):
        response = self.post(full_name="", unit="", phone="abc")
        errors = response.context["form"].errors
        self.assertIn("full_name", errors)
        self.assertIn("unit", errors)
        self.assertIn("联系电话格式不正确", errors["phone"][0])
        self.assertFalse(User.objects.filter(username="wang").exists())


class UserEditTests(SecurityAdminTestCase):
    def test_edit_is_audited_with_old_and_new_values(self):
        response = self.client.post(reverse("accounts:user_edit", args=[self.staff.pk]), {
            "full_name": "李红", "unit": self.org.town2.pk, "phone": "", "is_active": "on",
        })
        self.assertRedirects(response, reverse("accounts:user_detail", args=[self.staff.pk]))
        self.staff.refresh_from_db()
        self.assertEqual((self.staff.full_name, self.staff.unit), ("李红", self.org.town2))
        event = self.events(AuditEvent.Action.ACCOUNT, object_id=str(self.staff.pk)).get()
        self.assertEqual(event.changes, {"姓名": ["李红梅", "李红"], "所属单位": ["东溪镇", "西岭镇"]})
        self.assertEqual(event.object_type, "账号")

    def test_deactivating_ends_the_users_sessions(self):
        other = Client()
        other.force_login(self.staff)
        self.assertEqual(other.get(reverse("workbench")).status_code, 200)
        response = self.client.post(reverse("accounts:user_deactivate", args=[self.staff.pk]))
        self.assertEqual(response.status_code, 302)
        self.staff.refresh_from_db()
        self.assertFalse(self.staff.is_active)
        self.assertRedirects(other.get(reverse("workbench")), f"{reverse('login')}?next=/",
                             fetch_redirect_response=False)
        event = self.events(AuditEvent.Action.ACCOUNT, object_id=str(self.staff.pk)).get()
        self.assertEqual(event.changes, {"账号启用": ["是", "否"]})
        self.client.post(reverse("accounts:user_activate", args=[self.staff.pk]))
        self.staff.refresh_from_db()
        self.assertTrue(self.staff.is_active)

    def test_deactivate_is_post_only(self):
        self.assertEqual(self.client.get(reverse("accounts:user_deactivate", args=[self.staff.pk])).status_code, 405)

    def test_cannot_deactivate_oneself(self):
        response = self.client.post(reverse("accounts:user_deactivate", args=[self.secadmin.pk]), follow=True)
        self.assertContains(response, "不能停用自己的账号。")
        self.secadmin.refresh_from_db()
        self.assertTrue(self.secadmin.is_active)
        response = self.client.post(reverse("accounts:user_edit", args=[self.secadmin.pk]), {
            "full_name": "周安全", "unit": self.org.county.pk, "phone": "",
        })
        self.assertEqual(response.status_code, 200)
        self.assertIn("不能停用自己的账号。", response.context["form"].errors["is_active"])
        self.secadmin.refresh_from_db()
        self.assertTrue(self.secadmin.is_active)

    def test_detail_page(self):
        response = self.client.get(reverse("accounts:user_detail", args=[self.staff.pk]))
        self.assertContains(response, "李红梅")
        self.assertContains(response, "本单位及以下（东溪镇）")
        self.assertContains(response, reverse("accounts:grant_add", args=[self.staff.pk]))
        self.assertEqual(self.client.get(reverse("accounts:user_detail", args=[99999])).status_code, 404)


class PasswordResetTests(SecurityAdminTestCase):
    def test_reset_forces_a_change_and_ends_old_sessions(self):
        other = Client()
        other.force_login(self.staff)
        response = self.client.post(reverse("accounts:user_password", args=[self.staff.pk]), follow=True)
        self.assertTemplateUsed(response, "accounts/password_issued.html")
        self.assertContains(response, "初始密码通知单")
        password = response.context["password"]
        self.staff.refresh_from_db()
        self.assertTrue(self.staff.check_password(password))
        self.assertTrue(self.staff.must_change_password)
        self.assertEqual(other.get(reverse("workbench")).status_code, 302)  # the old session is no longer valid
        event = self.events(AuditEvent.Action.ACCOUNT, object_id=str(self.staff.pk)).get()
        self.assertEqual(event.changes["密码"], ["", "已重置"])
        self.assertEqual(event.changes["须修改初始密码"], ["否", "是"])
        self.assertNotIn(password, str(event.changes))
        fresh = Client()
        fresh.post(reverse("login"), {"username": "t_staff", "password": password})
        self.assertRedirects(fresh.get(reverse("workbench")), reverse("password_change"))

    def test_a_typed_password_is_ignored(self):
        self.assertNotContains(self.client.get(reverse("accounts:user_password", args=[self.staff.pk])),
                               'type="password"')
        self.client.post(reverse("accounts:user_password", args=[self.staff.pk]),
                         {"password1": "12345678", "password2": "12345678"})
        self.staff.refresh_from_db()
        self.assertFalse(self.staff.check_password("12345678"))
        self.assertFalse(self.staff.check_password(PASSWORD))

    def test_cannot_reset_own_password_here(self):
        response = self.client.post(reverse("accounts:user_password", args=[self.secadmin.pk]),
                                    {"password1": "Xq7#kd2Lm", "password2": "Xq7#kd2Lm"})
        self.assertEqual(response.status_code, 302)
        self.secadmin.refresh_from_db()
        self.assertTrue(self.secadmin.check_password(PASSWORD))


class UnlockTests(SecurityAdminTestCase):
    def test_unlock_a_locked_out_account(self):
        attacker = Client()
        for _ in range(5):
            attacker.post(reverse("login"), {"username": "t_staff", "password": "wrong"})
        self.assertTrue(AccessAttempt.objects.filter(username="t_staff").exists())
        detail = self.client.get(reverse("accounts:user_detail", args=[self.staff.pk]))
        self.assertContains(detail, "已锁定")
        self.assertTrue(detail.context["locked"])
        listing = self.client.get(reverse("accounts:user_list"), {"status": "locked"})
        self.assertEqual([u.username for u in listing.context["table"].data], ["t_staff"])

        response = self.client.post(reverse("accounts:user_unlock", args=[self.staff.pk]), follow=True)
        self.assertContains(response, "已解除账号“t_staff”的登录锁定。")
        self.assertFalse(AccessAttempt.objects.filter(username="t_staff").exists())
        event = self.events(AuditEvent.Action.ACCOUNT, object_id=str(self.staff.pk)).get()
        self.assertEqual(event.changes["锁定状态"], ["已锁定", "已解除"])
        login = Client().post(reverse("login"), {"username": "t_staff", "password": PASSWORD})
        self.assertRedirects(login, reverse("workbench"))

    def test_unlock_without_failures_changes_nothing(self):
        response = self.client.post(reverse("accounts:user_unlock", args=[self.staff.pk]), follow=True)
        self.assertContains(response, "无需解锁")
        self.assertFalse(self.events(AuditEvent.Action.ACCOUNT).exists())


class WorkbenchWidgetTests(SecurityAdminTestCase):
    def test_security_admin_sees_the_overview(self):
        response = self.client.get(reverse("workbench"))
        self.assertContains(response, "账号安全概况")
        self.assertContains(response, reverse("accounts:user_list"))

    def test_business_user_does_not(self):
        self.client.force_login(self.staff)
        response = self.client.get(reverse("workbench"))
        self.assertNotContains(response, "账号安全概况")
        self.assertNotContains(response, reverse("accounts:user_list"))
