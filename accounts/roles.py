"""Built-in roles (内置角色): kept in step with the business models after every migration.

Security administrators grant these to users and may define further roles of their own; the built-in
ones are not edited on screen, so a new business model reaches every county the same way.
"""

from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.db.models import Q

from core.models import BusinessModel

from .models import Role

ALL_ACTIONS = ("view", "add", "change", "delete", "export", "import", "view_sensitive")
# Actions some models define beyond the common ones (a codename "<action>_<model>" that only they have).
CERTIFY_ALL = ("certify_city", "certify_county", "certify_town")
# Duty lists (duties): "manage" schemes, letters, notices and results; "review" submissions — county staff only.
DUTIES_COUNTY = ("manage", "review")

BUILTIN_ROLES = [
    # code, name, description, admin kind, data scope, actions on every business model
    ("county_staff", "统战部干部", "县（区）委统战部工作人员：全县数据的维护与统计", "",
     Role.DataScope.ALL, ALL_ACTIONS + CERTIFY_ALL + DUTIES_COUNTY),
    ("town_officer", "镇街统战委员", "镇（街道）统战委员、统战干事：本镇街及所辖村社", "",
     Role.DataScope.UNIT_AND_BELOW, ("view", "add", "change", "delete", "export", "import", "certify_town")),
    ("village_liaison", "村社统战联络员", "村（社区）统战联络员：本村社", "", Role.DataScope.UNIT,
     ("view", "add", "change")),
    ("member_liaison", "成员单位联络员", "成员单位联络员：本单位", "", Role.DataScope.UNIT,
     ("view", "add", "change", "export")),
    ("leader", "领导", "领导：所辖范围只读", "", Role.DataScope.UNIT_AND_BELOW, ("view",)),
    ("pairing_official", "结对联系干部", "联谊交友、对口联系的干部：本人的结对与联系记录", "", Role.DataScope.SELF,
     ("view", "add", "change")),
    # 本人自助: a person of the ledger signing in to see their own record. No business permission at all: every
    # `visible_to` gives them nothing; the self-service pages (selfservice) show them their own record, the
    # activities open to them and their pairing official deliberately.
    ("member", "统战成员", "台账中的统战成员本人：仅本人信息（本人自助）", "", Role.DataScope.SELF, ()),
    # 三员分立: the second person behind every business grant. A business account (a department leader), no
    # business data of its own; it approves grants for accounts of its unit and below (accounts.approval).
    ("grant_approver", "授权审批（部领导）", "部领导：审批安全管理员提出的业务角色授权（本单位及以下的账号）", "",
     Role.DataScope.UNIT_AND_BELOW, ()),
    ("sysadmin", "系统管理员", "组织机构与系统配置，不接触业务数据", Role.AdminKind.SYSTEM, Role.DataScope.UNIT, ()),
    ("secadmin", "安全管理员", "账号、角色与授权，不接触业务数据", Role.AdminKind.SECURITY, Role.DataScope.UNIT, ()),
    ("auditor", "审计管理员", "查阅与导出审计日志，不接触业务数据", Role.AdminKind.AUDIT, Role.DataScope.UNIT, ()),
]


# Permissions a built-in role carries besides its actions on business models: (role code, app label, codename).
EXTRA_PERMISSIONS = [("grant_approver", "accounts", "approve_grant")]


def business_models():
    return [m for m in apps.get_models() if issubclass(m, BusinessModel)]


def sync_builtin_roles(using="default", **kwargs):
    if Role._meta.db_table not in connections[using].introspection.table_names():
        return
    models = business_models()
    content_types = ContentType.objects.get_for_models(*models) if models else {}
    for code, name, description, admin_kind, scope, actions in BUILTIN_ROLES:
        role, _ = Role.objects.update_or_create(
            code=code,
            defaults={"name": name, "description": description, "admin_kind": admin_kind, "data_scope": scope,
                      "is_builtin": True},
        )
        codenames = [f"{action}_{m._meta.model_name}" for m in models for action in actions]
        permissions = Permission.objects.filter(
            content_type__in=content_types.values(), codename__in=codenames
        ) if codenames else Permission.objects.none()
        extra = Q(pk__in=[])
        for _, app_label, codename in (e for e in EXTRA_PERMISSIONS if e[0] == code):
            extra |= Q(content_type__app_label=app_label, codename=codename)
        role.permissions.set(list(permissions) + list(Permission.objects.filter(extra)))
