from django.apps import AppConfig


class SelfServiceConfig(AppConfig):
    name = "selfservice"
    verbose_name = "本人自助"

    def ready(self):
        from core.navigation import MenuItem, register_menu
        from core.workbench import Widget, register_widget

        from . import widgets

        register_menu(MenuItem("统战成员", "本人申报审核", "selfservice_review:request_list", "ti-user-check",
                               model="people.Person", action="change", order=15))
        register_widget(Widget("core/widgets/stats.html", visible=widgets.reviews_requests,
                               context=widgets.pending_requests, order=25))
