"""Granting roles and defining custom roles (安全管理员)."""

from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.models import Grant, Role
from core.models import AuditEvent
from core.tests.sample.models import SampleRecord

from .test_user_admin import SecurityAdminTestCase, create_user


def sample_permission(action):
    return Permission.objects.get(content_type__app_label="sample", codename=f"{action}_samplerecord")


class GrantTests(SecurityAdminTestCase):
    def setUp(self):
        super().setUp()
        self.newbie = create_user("t_newbie", self.org.town1)

    def grant_url(self, user=None):
        return reverse("accounts:grant_add", args=[(user or self.newbie).pk])

    def test_grant_with_anchor_unit_is_saved_and_audited(self):
        role = Role.objects.get(code="town_officer")
        response = self.client.post(self.grant_url(), {"role": role.pk, "unit": self.org.town2.pk})
        self.assertRedirects(response, reverse("accounts:user_detail", args=[self.newbie.pk]))
        grant = Grant.objects.get(user=self.newbie)
        self.assertEqual((grant.role, grant.unit), (role, self.org.town2))
        event = AuditEvent.objects.get(action=AuditEvent.Action.ROLE, object_type="授权")
        self.assertEqual(event.changes["操作"], ["", "授予角色"])
        self.assertEqual(event.changes["角色"], ["", "镇街统战委员"])
        self.assertEqual(event.changes["授权单位"], ["", "西岭镇"])
        self.assertEqual(event.object_label, "t_newbie · 镇街统战委员")
        # The anchor moves the grant's scope: once approved, the user (in town1) works on town2's data.
        SampleRecord.objects.create(name="西岭记录", owner_unit=self.org.village2)
        SampleRecord.objects.create(name="东溪记录", owner_unit=self.org.village1)
        self.assertEqual(grant.status, Grant.Status.PENDING)
        self.newbie.refresh_from_db()
        self.assertFalse(SampleRecord.objects.visible_to(self.newbie).exists())
        approver = self.client_class()
        approver.force_login(create_user("t_dept_leader", self.org.county, "grant_approver"))
        approver.post(reverse("accounts:grant_review", args=[grant.pk]), {"decision": "approve"})
        newbie = type(self.newbie).objects.get(pk=self.newbie.pk)  # a fresh request's user: grants read anew
        self.assertEqual([r.name for r in SampleRecord.objects.visible_to(newbie)], ["西岭记录"])

    def test_anchor_is_dropped_for_scopes_that_do_not_use_it(self):
        self.client.post(self.grant_url(), {"role": Role.objects.get(code="county_staff").pk,
                                            "unit": self.org.town2.pk, "units": [self.org.town1.pk]})
        grant = Grant.objects.get(user=self.newbie)
        self.assertIsNone(grant.unit)
        self.assertFalse(grant.units.exists())

    def test_custom_role_needs_units(self):
        role = Role.objects.create(name="园区联络", code="park", data_scope=Role.DataScope.CUSTOM)
        response = self.client.post(self.grant_url(), {"role": role.pk})
        self.assertEqual(response.status_code, 200)
        self.assertIn("至少选择一个单位", response.context["form"].errors["units"][0])
        self.assertFalse(Grant.objects.filter(user=self.newbie).exists())
        response = self.client.post(self.grant_url(), {"role": role.pk,
                                                       "units": [self.org.town2.pk, self.org.member.pk]})
        self.assertEqual(response.status_code, 302)
        grant = Grant.objects.get(user=self.newbie)
        self.assertEqual(set(grant.units.all()), {self.org.town2, self.org.member})
        event = AuditEvent.objects.get(action=AuditEvent.Action.ROLE, object_type="授权")
        self.assertEqual(event.changes["自定义单位"], ["", "县教育局、西岭镇"])

    def test_unit_needed_when_user_has_none(self):
        homeless = create_user("t_homeless", None)
        response = self.client.post(self.grant_url(homeless), {"role": Role.objects.get(code="leader").pk})
        self.assertIn("请指定授权单位", response.context["form"].errors["unit"][0])
        response = self.client.post(self.grant_url(homeless), {"role": Role.objects.get(code="leader").pk,
                                                               "unit": self.org.county.pk})
        self.assertEqual(response.status_code, 302)

    def test_separation_message_is_shown_in_the_form(self):
        sysadmin = create_user("t_sys", self.org.county, "sysadmin")
        response = self.client.post(self.grant_url(sysadmin), {"role": Role.objects.get(code="auditor").pk})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "三员分立：管理员账号只能持有一个管理员角色，且不能兼任业务角色。")
        response = self.client.post(self.grant_url(sysadmin), {"role": Role.objects.get(code="leader").pk})
        self.assertContains(response, "三员分立：该账号已是管理员，不能再授予业务角色。")
        response = self.client.post(self.grant_url(self.staff), {"role": Role.objects.get(code="secadmin").pk})
        self.assertContains(response, "三员分立：管理员账号只能持有一个管理员角色，且不能兼任业务角色。")
        self.assertEqual(list(sysadmin.grants.values_list("role__code", flat=True)), ["sysadmin"])
        self.assertEqual(list(self.staff.grants.values_list("role__code", flat=True)), ["town_officer"])

    def test_duplicate_grant_is_refused_with_a_message(self):
        response = self.client.post(self.grant_url(self.staff), {"role": Role.objects.get(code="town_officer").pk})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "该账号已持有角色“镇街统战委员”。")

    def test_security_admin_cannot_grant_to_themselves(self):
        response = self.client.post(self.grant_url(self.secadmin), {"role": Role.objects.get(code="leader").pk},
                                    follow=True)
        self.assertContains(response, "不能修改自己的角色授权")
        self.assertEqual(list(self.secadmin.grants.values_list("role__code", flat=True)), ["secadmin"])
        detail = self.client.get(reverse("accounts:user_detail", args=[self.secadmin.pk]))
        self.assertNotContains(detail, reverse("accounts:grant_add", args=[self.secadmin.pk]))

    def test_admin_cannot_change_or_revoke_their_own_grant(self):
        own = self.secadmin.grants.get()
        response = self.client.post(reverse("accounts:grant_delete", args=[own.pk]))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(Grant.objects.filter(pk=own.pk).exists())
        response = self.client.post(reverse("accounts:grant_edit", args=[own.pk]),
                                    {"role": Role.objects.get(code="auditor").pk})
        self.assertEqual(response.status_code, 302)
        own.refresh_from_db()
        self.assertEqual(own.role.code, "secadmin")
        self.assertFalse(AuditEvent.objects.filter(action=AuditEvent.Action.ROLE).exists())

    def test_another_security_admin_may_change_them(self):
        colleague = create_user("t_secadmin2", self.org.county, "secadmin")
        own = self.secadmin.grants.get()
        self.client.force_login(colleague)
        response = self.client.post(reverse("accounts:grant_delete", args=[own.pk]))
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Grant.objects.filter(pk=own.pk).exists())

    def test_edit_and_revoke_are_audited(self):
        grant = self.staff.grants.get()
        response = self.client.post(reverse("accounts:grant_edit", args=[grant.pk]),
                                    {"role": grant.role_id, "unit": self.org.village1.pk})
        self.assertEqual(response.status_code, 302)
        event = AuditEvent.objects.get(action=AuditEvent.Action.ROLE)
        self.assertEqual(event.changes["授权单位"], ["", "东溪村"])
        # A changed business grant waits for approval again (accounts.approval).
        self.assertEqual(event.changes["状态"], ["已生效", "待审批"])
        self.assertEqual(self.client.get(reverse("accounts:grant_delete", args=[grant.pk])).status_code, 405)
        self.client.post(reverse("accounts:grant_delete", args=[grant.pk]))
        self.assertFalse(self.staff.grants.exists())
        event = AuditEvent.objects.filter(action=AuditEvent.Action.ROLE).order_by("-id").first()
        self.assertEqual(event.changes["操作"], ["", "撤回授权申请"])
        self.assertEqual(event.changes["角色"], ["镇街统战委员", ""])
        self.assertEqual(event.object_id, str(grant.pk))


class RoleTests(SecurityAdminTestCase):
    def matrix_data(self, **fields):
        data = {"name": "园区联络员", "code": "park_liaison", "description": "园区统战联络员",
                "data_scope": Role.DataScope.UNIT,
                "permissions": [sample_permission("view").pk, sample_permission("add").pk]}
        data.update(fields)
        return data

    def test_list_shows_builtin_and_custom_roles(self):
        Role.objects.create(name="园区联络员", code="park_liaison")
        response = self.client.get(reverse("accounts:role_list"))
        for name in ("统战部干部", "系统管理员", "安全管理员", "审计管理员", "园区联络员"):
            self.assertContains(response, name)
        self.assertContains(response, "内置")
        self.assertContains(response, "自定义")

    def test_builtin_role_shows_its_permissions_and_is_read_only(self):
        role = Role.objects.get(code="village_liaison")
        response = self.client.get(reverse("accounts:role_detail", args=[role.pk]))
        self.assertContains(response, "样例记录")
        self.assertContains(response, "查看敏感信息")
        self.assertNotContains(response, reverse("accounts:role_edit", args=[role.pk]))
        matrix = {row["label"]: {c["action"]: c["checked"] for c in row["cells"]} for row in response.context["matrix"]}
        self.assertEqual(matrix["样例记录"], {"view": True, "add": True, "change": True, "delete": False,
                                               "export": False, "import": False, "view_sensitive": False})
        before = set(role.permissions.all())
        response = self.client.post(reverse("accounts:role_edit", args=[role.pk]), self.matrix_data())
        self.assertRedirects(response, reverse("accounts:role_detail", args=[role.pk]), fetch_redirect_response=False)
        role.refresh_from_db()
        self.assertEqual((role.name, set(role.permissions.all())), ("村社统战联络员", before))
        self.client.post(reverse("accounts:role_delete", args=[role.pk]))
        self.assertTrue(Role.objects.filter(pk=role.pk).exists())

    def test_create_custom_role_with_permission_matrix(self):
        page = self.client.get(reverse("accounts:role_add"))
        self.assertContains(page, "查看敏感信息")
        self.assertContains(page, f'value="{sample_permission("export").pk}"')
        response = self.client.post(reverse("accounts:role_add"), self.matrix_data(admin_kind="security"))
        role = Role.objects.get(code="park_liaison")
        self.assertRedirects(response, reverse("accounts:role_detail", args=[role.pk]))
        self.assertEqual(role.admin_kind, "")
        self.assertFalse(role.is_builtin)
        self.assertEqual(set(role.permissions.values_list("codename", flat=True)),
                         {"view_samplerecord", "add_samplerecord"})
        event = AuditEvent.objects.get(action=AuditEvent.Action.ROLE, object_type="角色")
        self.assertEqual(event.changes["角色名称"], ["", "园区联络员"])
        self.assertEqual(event.changes["业务权限"], ["", "样例记录·新增、样例记录·查看"])
        # The new role works: a user holding it sees their own unit's records.
        user = create_user("t_park", self.org.village1)
        Grant.objects.create(user=user, role=role)
        SampleRecord.objects.create(name="村里的", owner_unit=self.org.village1)
        SampleRecord.objects.create(name="镇里的", owner_unit=self.org.town1)
        self.assertEqual([r.name for r in SampleRecord.objects.visible_to(user)], ["村里的"])
        self.assertFalse(SampleRecord.objects.visible_to(user, "change").exists())

    def test_non_business_permission_is_refused(self):
        foreign = Permission.objects.get(content_type__app_label="auth", codename="add_group")
        response = self.client.post(reverse("accounts:role_add"), self.matrix_data(permissions=[foreign.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors["permissions"])
        self.assertFalse(Role.objects.filter(code="park_liaison").exists())

    def test_duplicate_name_or_code_is_refused(self):
        response = self.client.post(reverse("accounts:role_add"), self.matrix_data(name="领导", code="LEADER"))
        errors = response.context["form"].errors
        self.assertIn("已有同名角色。", errors["name"])
        self.assertIn("该代码已被其他角色使用。", errors["code"])

    def test_edit_custom_role_is_audited_with_old_and_new_values(self):
        self.client.post(reverse("accounts:role_add"), self.matrix_data())
        role = Role.objects.get(code="park_liaison")
        response = self.client.post(reverse("accounts:role_edit", args=[role.pk]), self.matrix_data(
            data_scope=Role.DataScope.UNIT_AND_BELOW, permissions=[sample_permission("view").pk],
        ))
        self.assertRedirects(response, reverse("accounts:role_detail", args=[role.pk]))
        event = AuditEvent.objects.filter(action=AuditEvent.Action.ROLE).order_by("-id").first()
        self.assertEqual(event.changes, {
            "数据范围": ["本单位", "本单位及以下"],
            "业务权限": ["样例记录·新增、样例记录·查看", "样例记录·查看"],
        })
        edit_page = self.client.get(reverse("accounts:role_edit", args=[role.pk]))
        row = next(r for r in edit_page.context["form"].matrix() if r["label"] == "样例记录")
        self.assertEqual([c["action"] for c in row["cells"] if c["checked"]], ["view"])
        self.assertContains(edit_page, f'id="perm-{sample_permission("view").pk}" aria-label="样例记录·查看" checked')

    def test_delete_custom_role_only_when_unused(self):
        role = Role.objects.create(name="临时角色", code="temp")
        Grant.objects.create(user=self.staff, role=role)
        response = self.client.post(reverse("accounts:role_delete", args=[role.pk]), follow=True)
        self.assertContains(response, "已授予1个用户")
        self.assertTrue(Role.objects.filter(pk=role.pk).exists())
        Grant.objects.filter(role=role).delete()
        self.client.post(reverse("accounts:role_delete", args=[role.pk]))
        self.assertFalse(Role.objects.filter(pk=role.pk).exists())
        event = AuditEvent.objects.get(action=AuditEvent.Action.ROLE, object_type="角色")
        self.assertEqual(event.changes["操作"], ["", "删除角色"])
        self.assertEqual(event.changes["角色名称"], ["临时角色", ""])
