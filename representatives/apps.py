from django.apps import AppConfig


class RepresentativesConfig(AppConfig):
    name = "representatives"
    verbose_name = "党外代表人士"

    def ready(self):
        from core.navigation import MenuItem, register_menu

        register_menu(
            MenuItem("代表人士", "代表人士", "representatives:representative_list", "ti-award",
                     model="representatives.Representative", order=10),
        )
        from . import metrics  # noqa: F401 -- registers the app's figures (core.metrics)
