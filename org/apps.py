from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "org"
    verbose_name = "组织机构"

    def ready(self):
        from core.audit_display import register_configuration_types
        from core.navigation import MenuItem, register_menu
        from core.workbench import Widget, register_widget

        register_menu(
            MenuItem("系统管理", "组织机构", "org:tree", "ti-sitemap", admin_kind="system", order=10),
            MenuItem("系统管理", "导入单位", "org:import", "ti-file-import", admin_kind="system", order=11),
        )
        from . import importers  # noqa: F401 -- registers the unit import (core.importing)

        register_configuration_types("org.Unit")  # the auditor reads unit changes in full
        register_widget(Widget(
            "core/widgets/stats.html", visible=lambda user: user.is_admin_of("system"), context=_units_overview,
        ))


def _units_overview(request):
    from django.db.models import Count
    from django.urls import reverse

    from .models import Unit

    url = reverse("org:tree")
    counts = dict.fromkeys(Unit.Type, 0)
    counts.update(Unit.objects.filter(is_active=True).values_list("type").annotate(n=Count("id")).order_by())
    member_like = sum(counts[t] for t in (Unit.Type.MEMBER, Unit.Type.PARK, Unit.Type.ENTERPRISE,
                                         Unit.Type.SCHOOL, Unit.Type.HOSPITAL, Unit.Type.OTHER))
    return {"title": "组织机构概况（启用单位）", "stats": [
        {"label": "镇街", "value": counts[Unit.Type.TOWN], "url": url},
        {"label": "村社", "value": counts[Unit.Type.VILLAGE], "url": url},
        {"label": "成员单位及其他", "value": member_like, "url": url},
        {"label": "停用单位", "value": Unit.objects.filter(is_active=False).count(), "url": url},
    ]}
