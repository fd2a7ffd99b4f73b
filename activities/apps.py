from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = "活动"

    def ready(self):
        from core.navigation import MenuItem, register_menu
        from core.workbench import DueSource, QuickAction, register_due_source, register_quick_action

        register_menu(
            MenuItem("工作开展", "活动记录", "activities:activity_list", "ti-calendar-event",
                     model="activities.Activity", order=10),
            MenuItem("工作开展", "活动计划", "activities:plan_list", "ti-list-check",
                     model="activities.Plan", order=11),
            MenuItem("工作开展", "活动日历", "activities:calendar", "ti-calendar-month",
                     model="activities.Activity", order=12),
            MenuItem("工作开展", "应开展与已开展", "activities:due", "ti-chart-bar", model="activities.Plan", order=13),
        )
        register_quick_action(QuickAction("记录活动", "activities:activity_add", "activities.Activity",
                                          "ti-calendar-plus", order=10))
        register_due_source(DueSource("活动计划", "activities.Plan", _due_occurrences, "activities:due",
                                      "ti-calendar-event", order=10))
        from . import metrics  # noqa: F401


def _due_occurrences(user, month):
    from .workbench import due_items

    return due_items(user, month)
