from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "账号与权限"

    def ready(self):
        from django.db.models.signals import post_migrate

        from core.audit_display import register_configuration_types
        from core.navigation import MenuItem, register_menu
        from core.workbench import Widget, register_widget

        from . import signals  # noqa: F401
        from .models import Grant
        from .roles import sync_builtin_roles

        # Every app's post_migrate, not only ours: permissions of apps listed after accounts exist only then.
        post_migrate.connect(sync_builtin_roles, dispatch_uid="accounts.sync_builtin_roles")
        # The auditor reads account, role and grant events in full (personal values of accounts masked).
        register_configuration_types("账号", "角色", "授权")

        register_menu(
            MenuItem("安全管理", "用户管理", "accounts:user_list", "ti-users", admin_kind="security", order=10),
            MenuItem("安全管理", "角色管理", "accounts:role_list", "ti-shield-lock", admin_kind="security", order=20),
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


def _approval_overview(request):
    from .views import approval_overview

    return approval_overview(request)


def _security_overview(request):
    from .views import security_overview

    return security_overview(request)
