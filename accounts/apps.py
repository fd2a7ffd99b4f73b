from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "账号与权限"

    def ready(self):
        from django.db.models.signals import post_migrate

        from core.audit_display import register_configuration_types
        from core.navigation import MenuItem, register_menu
        from core.scope import register_scope_provider
        from core.workbench import Widget, register_widget

        from . import signals  # noqa: F401
        from .models import Grant, provide_scope
        from .roles import sync_builtin_roles

        register_scope_provider(provide_scope)  # core computes no scope itself: roles and grants live here

        # Every app's post_migrate, not only ours: permissions of apps listed after accounts exist only then.
        post_migrate.connect(sync_builtin_roles, dispatch_uid="accounts.sync_builtin_roles")
        # The auditor reads account, role and grant events in full (personal values of accounts masked).
        register_configuration_types("账号", "角色", "授权", "访问令牌")
        _register_review_groups()

        register_menu(
            MenuItem("安全管理", "用户管理", "accounts:user_list", "ti-users", admin_kind="security", order=10),
            MenuItem("安全管理", "角色管理", "accounts:role_list", "ti-shield-lock", admin_kind="security", order=20),
            MenuItem("安全管理", "访问令牌", "accounts:token_admin_list", "ti-api", admin_kind="security", order=30),
        )
        register_widget(Widget(
            "core/widgets/stats.html",
            visible=lambda user: user.is_admin_of("security"),
            context=_security_overview,
            order=10,
        ))
        register_menu(
            MenuItem("工作台", "授权审批", "accounts:grant_review_list", "ti-user-check", model="accounts.Grant",
                     action="approve", order=5),
        )
        register_widget(Widget(
            "core/widgets/stats.html",
            visible=lambda user: user.has_action(Grant, "approve"),
            context=_approval_overview,
            order=5,
        ))


def _register_review_groups():
    """The auditor's daily review (core.audit_review): accounts, grants and roles, before core's own groups."""
    from core.audit_review import ReviewGroup, register_review_group
    from core.models import AuditEvent

    from . import approval

    def operation_in(*operations):
        return lambda event: approval.grant_operation(event) in operations

    role = (AuditEvent.Action.ROLE,)
    register_review_group(
        ReviewGroup("accounts", "账号新建与变更（含重置密码、解锁、停用）",
                    (AuditEvent.Action.ACCOUNT, AuditEvent.Action.PASSWORD_CHANGE), order=10),
        ReviewGroup("grant_requests", "授权申请与修改", role,
                    operation_in(approval.OP_REQUEST, approval.OP_CHANGE, approval.OP_RESUBMIT,
                                 approval.OP_AFTER_RESET), order=20),
        ReviewGroup("grant_bootstrap", "命令行直接生效的授权（初始化三员与授权审批人、补充授权审批人）", role,
                    operation_in(approval.OP_BOOTSTRAP, approval.OP_ADD_APPROVER), order=25),
        ReviewGroup("grant_approvals", "授权批准", role, operation_in(approval.OP_APPROVE), order=30),
        ReviewGroup("grant_rejections", "授权驳回", role, operation_in(approval.OP_REJECT), order=40),
        ReviewGroup("grant_revocations", "授权撤销与撤回申请", role,
                    operation_in(approval.OP_REVOKE, approval.OP_WITHDRAW), order=45),
        ReviewGroup("roles", "角色新建与变更", role, lambda event: event.object_type == "角色", order=50),
    )


def _approval_overview(request):
    from .views import approval_overview

    return approval_overview(request)


def _security_overview(request):
    from .views import security_overview

    return security_overview(request)
