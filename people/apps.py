from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = "统战成员台账"

    def ready(self):
        from core.audit_display import register_configuration_types
        from core.navigation import MenuItem, register_menu
        from core.workbench import QuickAction, Widget, register_quick_action, register_widget

        from .models import Person

        register_menu(
            MenuItem("统战成员", "成员台账", "people:person_list", "ti-users", model="people.Person", order=10),
            MenuItem("系统管理", "统战成员类别", "people:category_list", "ti-category", admin_kind="system", order=20),
        )
        register_quick_action(QuickAction("新增人员", "people:person_add", "people.Person", "ti-user-plus", order=20))
        register_configuration_types("people.Category")  # the auditor reads category changes in full
        register_widget(Widget(
            "core/widgets/stats.html", visible=lambda user: user.has_action(Person, "view"),
            context=_ledger_overview, order=20,
        ))
        from . import (  # noqa: F401 -- they register the ledger's figures and health checks
            checks,
            importers,  # noqa: F401 -- registers the ledger import (core.importing)
            metrics,
        )


def _ledger_overview(request):
    import datetime

    from django.db.models import Count, Q
    from django.urls import reverse
    from django.utils import timezone

    from .choices import Status
    from .filtersets import ALL
    from .models import Person

    year_start = datetime.date(timezone.localdate().year, 1, 1)
    figures = Person.objects.visible_to(request.user).aggregate(
        active=Count("pk", filter=Q(status=Status.ACTIVE)),
        representatives=Count("pk", filter=Q(status=Status.ACTIVE, is_representative=True)),
        added=Count("pk", filter=Q(created_at__date__gte=year_start)),
        left=Count("pk", filter=~Q(status=Status.ACTIVE)),
    )
    url = reverse("people:person_list")
    return {"title": "统战成员台账（本人数据范围）", "stats": [
        {"label": "在册人数", "value": figures["active"], "url": url},
        {"label": "其中代表人士", "value": figures["representatives"], "url": f"{url}?representative=1"},
        {"label": f"{year_start.year}年新登记", "value": figures["added"], "url": f"{url}?status={ALL}"},
        {"label": "已调出、退出或去世", "value": figures["left"], "url": f"{url}?status={ALL}"},
    ]}
