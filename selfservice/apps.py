from django.apps import AppConfig


class SelfServiceConfig(AppConfig):
    name = "selfservice"
    verbose_name = "本人自助"

    def ready(self):
        from core.navigation import MenuItem, register_menu
        from core.workbench import Widget, register_home, register_widget

        from . import widgets

        register_menu(MenuItem("统战成员", "本人申报审核", "selfservice_review:request_list", "ti-user-check",
                               model="people.Person", action="change", order=15))
        # A person of the ledger starts on their self-service home, not the workbench.
        register_home(lambda user: user.holds_role("member"), "selfservice:home")
        register_widget(Widget("core/widgets/stats.html", visible=widgets.reviews_requests,
                               context=widgets.pending_requests, order=25))
