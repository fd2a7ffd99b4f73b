"""三员分立: the system, security and audit administrators each do one job, none reads business data,
and no account holds two of the roles."""

from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import NoReverseMatch, reverse

from accounts.models import Grant, Role
from accounts.testing import create_user
from core import navigation
from core.models import AuditEvent
from core.tests.sample.models import SampleRecord
from core.views import url_name
from org.testing import build_county

from .test_grant_role_admin import sample_permission

ADMIN_ROLES = {"system": "sysadmin", "security": "secadmin", "audit": "auditor"}
SECURITY_PAGES = ["accounts:user_list", "accounts:user_add", "accounts:user_export", "accounts:role_list",
                  "accounts:role_add"]


def admin_menu_items():
    """Every registered admin page: ours and the other administrators' (org tree, audit log...)."""
    items = []
    for item in navigation._items:
        if not item.admin_kind:
            continue
        try:
            items.append((item.admin_kind, reverse(item.url_name)))
        except NoReverseMatch:  # a page another part of the project has not routed yet
            continue
    return items


class AdminSeparationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.admins = {kind: create_user(f"t_{code}", cls.org.county, code) for kind, code in ADMIN_ROLES.items()}
        cls.staff = create_user("t_staff", cls.org.county, "county_staff")
        cls.record = SampleRecord.objects.create(name="县里的记录", owner_unit=cls.org.county)

    def test_admins_read_no_business_data(self):
        for kind, admin in self.admins.items():
            for action in ("view", "add", "change", "delete", "export", "import", "view_sensitive"):
                self.assertFalse(admin.has_action(SampleRecord, action), (kind, action))
            self.assertFalse(SampleRecord.objects.visible_to(admin).exists(), kind)
            self.client.force_login(admin)
            for view in ("list", "add", "export"):
                self.assertEqual(self.client.get(reverse(url_name(SampleRecord, view))).status_code, 403,
                                 (kind, view))
            for view in ("detail", "edit", "delete"):
                response = self.client.get(reverse(url_name(SampleRecord, view), args=[self.record.pk]))
                self.assertEqual(response.status_code, 403, (kind, view))
                self.assertNotContains(response, "县里的记录", status_code=403)
        self.assertTrue(SampleRecord.objects.visible_to(self.staff).exists())

    def test_business_permissions_on_an_admin_role_are_ignored(self):
        secadmin_role = Role.objects.get(code="secadmin")
        secadmin_role.permissions.add(sample_permission("view"))
        admin = type(self.admins["security"]).objects.get(pk=self.admins["security"].pk)
        self.assertFalse(admin.has_action(SampleRecord, "view"))
        self.assertFalse(SampleRecord.objects.visible_to(admin).exists())
        with self.assertRaises(ValidationError):
            secadmin_role.clean_permissions([sample_permission("view")])

    def test_security_pages_belong_to_the_security_admin_only(self):
        for name in SECURITY_PAGES:
            self.client.logout()
            response = self.client.get(reverse(name))
            self.assertRedirects(response, f"{reverse('login')}?next={reverse(name)}", fetch_redirect_response=False)
            for kind, admin in self.admins.items():
                self.client.force_login(admin)
                expected = 200 if kind == "security" else 403
                response = self.client.get(reverse(name))
                response.getvalue()  # read to the end: the client then closes a download as a WSGI server would
                self.assertEqual(response.status_code, expected, (name, kind))
            self.client.force_login(self.staff)
            self.assertEqual(self.client.get(reverse(name)).status_code, 403, name)

    def test_other_admins_cannot_change_accounts_or_grants(self):
        target = create_user("t_target", self.org.town1)
        for kind in ("system", "audit"):
            self.client.force_login(self.admins[kind])
            leader = {"role": Role.objects.get(code="leader").pk}
            posts = [
                (reverse("accounts:grant_add", args=[target.pk]), leader),
                (reverse("accounts:grant_add", args=[self.admins[kind].pk]), leader),
                (reverse("accounts:user_deactivate", args=[target.pk]), {}),
                (reverse("accounts:user_password", args=[target.pk]), {}),
                (reverse("accounts:role_add"), {"name": "x", "code": "x", "data_scope": "all"}),
            ]
            for url, data in posts:
                self.assertEqual(self.client.post(url, data).status_code, 403, (kind, url))
        self.assertFalse(Grant.objects.filter(user=target).exists())
        self.assertFalse(Role.objects.filter(code="x").exists())
        target.refresh_from_db()
        self.assertTrue(target.is_active)
        self.assertFalse(AuditEvent.objects.filter(action__in=["account", "role"]).exists())

    def test_each_admin_reaches_only_their_own_menu_pages(self):
        items = admin_menu_items()
        self.assertIn(("security", reverse("accounts:user_list")), items)
        for owner_kind, url in items:
            for kind, admin in self.admins.items():
                self.client.force_login(admin)
                status = self.client.get(url).status_code
                if kind == owner_kind:
                    self.assertEqual(status, 200, (kind, url))
                else:
                    self.assertEqual(status, 403, (kind, url))
            self.client.force_login(self.staff)
            self.assertEqual(self.client.get(url).status_code, 403, ("county_staff", url))

    def test_menus_show_each_admin_only_their_own_group(self):
        groups = {kind: {group for group, _ in navigation.menu_for(admin)} for kind, admin in self.admins.items()}
        self.assertIn("安全管理", groups["security"])
        self.assertNotIn("安全管理", groups["system"] | groups["audit"])
        business = {"统战成员", "代表人士", "工作开展", "考核督查", "统计报表"}
        for kind, names in groups.items():
            self.assertFalse(names & business, kind)
        self.assertNotIn("安全管理", {group for group, _ in navigation.menu_for(self.staff)})

    def test_no_account_holds_two_admin_roles_or_mixes_them(self):
        sysadmin = self.admins["system"]
        for code in ("secadmin", "auditor", "county_staff"):
            with self.assertRaises(ValidationError, msg=code):
                Grant(user=sysadmin, role=Role.objects.get(code=code)).full_clean()
        with self.assertRaises(ValidationError):
            Grant(user=self.staff, role=Role.objects.get(code="auditor")).full_clean()
        newcomer = create_user("t_new", self.org.county)
        Grant(user=newcomer, role=Role.objects.get(code="auditor")).full_clean()  # a first admin role is fine

    def test_an_inactive_admin_is_no_admin(self):
        admin = self.admins["security"]
        admin.is_active = False
        admin.save()
        self.assertFalse(admin.is_admin_of("security"))
