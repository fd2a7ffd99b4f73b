from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = "数据看板与报告"

    def ready(self):
        from core.navigation import MenuItem, register_menu

        register_menu(
            MenuItem("统计分析", "数据看板", "dashboard:index", "ti-chart-bar", model="people.Person", order=10),
        )
        # Ledger health check and Word work report (health_views.py, report_views.py).
        register_menu(
            MenuItem("统计分析", "台账体检", "dashboard:health", "ti-stethoscope", model="people.Person", order=30),
            MenuItem("统计分析", "工作汇报", "dashboard:report", "ti-file-text", model="people.Person", action="export",
                     order=40),
        )
