"""The common contract of core's view-test base (core.view_testing) for the security administrator's pages:
accounts, roles and grants (三员分立: no business role and no other administrator reaches them). Their own rules
— initial passwords, approval of grants, built-in roles read-only — are tested in the other modules here."""

from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.models import Grant, Role, User
from accounts.testing import AdminViewTestData, create_user
from core.models import AuditEvent
from core.view_testing import ViewTestCases


class UserViewTests(AdminViewTestData, ViewTestCases.GetObject, ViewTestCases.ListObjects,
                    ViewTestCases.CreateObject, ViewTestCases.EditObject, ViewTestCases.ExportObjects):
    """Accounts are deactivated, never deleted (their audit trail stays theirs)."""

    model = User
    url_prefix = "accounts:user"
    admin_kind = "security"
    other_routes = ("password", "unlock", "deactivate", "activate")
    audit_object_type = "账号"
    audit_actions = {"add": AuditEvent.Action.ACCOUNT, "edit": AuditEvent.Action.ACCOUNT}

    @classmethod
    def make_object(cls, unit):
        return create_user("zhou_xin", unit, full_name="周新", phone="13800001111")

    def object_text(self, obj):
        return obj.username

    def form_data(self, unit):
        return {"username": "wu_min", "full_name": "吴敏", "unit": unit.pk, "phone": "0571-88886666"}

    def edit_data(self, obj):
        return {"full_name": "周欣", "unit": obj.unit_id, "phone": "13900002222", "is_active": "on"}


class RoleViewTests(AdminViewTestData, ViewTestCases.GetObject, ViewTestCases.ListObjects,
                    ViewTestCases.CreateObject, ViewTestCases.EditObject, ViewTestCases.DeleteObject):
    """Custom business roles (the built-in ones are read-only, tested in test_grant_role_admin)."""

    model = Role
    url_prefix = "accounts:role"
    admin_kind = "security"
    audit_object_type = "角色"
    audit_actions = {"add": AuditEvent.Action.ROLE, "edit": AuditEvent.Action.ROLE,
                     "delete": AuditEvent.Action.ROLE}
    delete_confirm_page = False  # confirmed in the browser

    @classmethod
    def make_object(cls, unit):
        role = Role.objects.create(name="园区联络员", code="park_liaison", data_scope=Role.DataScope.UNIT)
        role.permissions.set(Permission.objects.filter(codename="view_person"))
        return role

    def form_data(self, unit):
        return {"name": "学校联络员", "code": "school_liaison", "description": "学校统战工作",
                "data_scope": Role.DataScope.UNIT, "permissions": [self.permission("view_activity")]}

    def edit_data(self, obj):
        return {"name": "园区统战联络员", "code": obj.code, "description": "园区", "data_scope": Role.DataScope.UNIT,
                "permissions": [self.permission("view_person"), self.permission("add_person")]}

    def permission(self, codename):
        return Permission.objects.get(codename=codename).pk

    def assert_changes_audited(self, event, changed, data):
        self.assertEqual(set(event.changes), {"角色名称", "说明", "业务权限"})


class GrantViewTests(AdminViewTestData, ViewTestCases.CreateObject, ViewTestCases.EditObject,
                     ViewTestCases.DeleteObject):
    """Grants are made on the account's page; a business one waits for the approver (test_grant_approval)."""

    model = Grant
    url_prefix = "accounts:grant"
    admin_kind = "security"
    other_routes = ("review_list", "review")
    audit_object_type = "授权"
    audit_actions = {"add": AuditEvent.Action.ROLE, "edit": AuditEvent.Action.ROLE,
                     "delete": AuditEvent.Action.ROLE}
    delete_confirm_page = False  # a button on the account's page

    @classmethod
    def make_object(cls, unit):
        return Grant.objects.create(user=create_user("chen_jing", unit), role=Role.objects.get(code="leader"))

    def add_url(self, unit):
        account = create_user("zheng_hao", unit)
        return reverse("accounts:grant_add", kwargs={"pk": account.pk})

    def form_data(self, unit):
        return {"role": Role.objects.get(code="town_officer").pk, "unit": "", "units": []}

    def edit_data(self, obj):
        return {"role": Role.objects.get(code="village_liaison").pk, "unit": "", "units": []}

    def assert_changes_audited(self, event, changed, data):
        self.assertEqual(event.changes["角色"], ["领导", "村社统战联络员"])
