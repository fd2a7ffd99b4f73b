from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = "活动"

    def ready(self):
        from core.navigation import MenuItem, register_menu

        register_menu(
            MenuItem("工作开展", "活动记录", "activities:activity_list", "ti-calendar-event",
                     model="activities.Activity", order=10),
            MenuItem("工作开展", "活动计划", "activities:plan_list", "ti-list-check",
                     model="activities.Plan", order=11),
            MenuItem("工作开展", "活动日历", "activities:calendar", "ti-calendar-month",
                     model="activities.Activity", order=12),
            MenuItem("工作开展", "应开展与已开展", "activities:due", "ti-chart-bar", model="activities.Plan", order=13),
        )
        from . import metrics  # noqa: F401
