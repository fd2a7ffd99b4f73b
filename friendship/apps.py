from django.apps import AppConfig


class FriendshipConfig(AppConfig):
    name = "friendship"
    verbose_name = "联谊交友"

    def ready(self):
        from core.navigation import MenuItem, register_menu
        from core.workbench import (
            DueSource,
            QuickAction,
            Widget,
            register_due_source,
            register_quick_action,
            register_widget,
        )

        # metrics and checks register the app's figures (core.metrics) and its health check (core.checks).
        from . import checks, metrics, widgets  # noqa: F401

        register_menu(
            MenuItem("代表人士", "结对联系", "friendship:pairing_list", "ti-heart-handshake",
                     model="friendship.Pairing", order=40),
            MenuItem("代表人士", "联系记录", "friendship:contact_list", "ti-message-2",
                     model="friendship.Contact", order=41),
            MenuItem("代表人士", "跟进事项", "friendship:followup_list", "ti-checklist",
                     model="friendship.FollowUp", order=42),
            MenuItem("代表人士", "联系覆盖率", "friendship:coverage", "ti-chart-pie",
                     model="friendship.Pairing", order=43),
        )
        register_widget(Widget("friendship/widgets/my_pairings.html", visible=widgets.has_own_pairings,
                               context=widgets.my_pairings, order=15))
        register_widget(Widget("core/widgets/stats.html", visible=widgets.oversees_pairings,
                               context=widgets.pairings_overview, order=30))
        register_quick_action(QuickAction("记录联系", "friendship:contact_add", "friendship.Contact",
                                          "ti-message-plus", order=30))
        register_due_source(DueSource("跟进事项", "friendship.FollowUp", widgets.due_follow_ups,
                                      "friendship:followup_list", "ti-checklist", order=30))
