from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "账号与权限"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import signals  # noqa: F401
        from .roles import sync_builtin_roles

        # Every app's post_migrate, not only ours: permissions of apps listed after accounts exist only then.
        post_migrate.connect(sync_builtin_roles, dispatch_uid="accounts.sync_builtin_roles")
