from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "公共"

    def ready(self):
        from . import audit_review, cache, signals  # noqa: F401
        from .audit_display import register_configuration_types
        from .navigation import MenuItem, register_menu
        from .workbench import Widget, register_widget

        cache.connect()  # cached figures follow the data (core.cache)
        register_configuration_types("core.AuditEvent", audit_review.REVIEW_OBJECT_TYPE)
        register_menu(
            MenuItem("工作台", "工作台", "workbench", "ti-home", order=0),
            MenuItem("安全审计", "审计日志", "audit:event_list", "ti-file-search", admin_kind="audit"),
            MenuItem("安全审计", "安全事件日审", "audit:daily_review", "ti-calendar-check", admin_kind="audit",
                     order=110),
        )
        register_widget(Widget(
            "core/widgets/stats.html", visible=lambda user: user.is_admin_of("audit"), context=_audit_overview,
        ))


def _audit_overview(request):
    from .audit_views import audit_overview

    return audit_overview(request)
