from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "org"
    verbose_name = "组织机构"

    def ready(self):
        from core.navigation import MenuItem, register_menu

        register_menu(
            MenuItem("系统管理", "组织机构", "org:tree", "ti-sitemap", admin_kind="system", order=10),
            MenuItem("系统管理", "导入单位", "org:import", "ti-file-import", admin_kind="system", order=11),
        )
