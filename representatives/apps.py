from django.apps import AppConfig


class RepresentativesConfig(AppConfig):
    name = "representatives"
    verbose_name = "党外代表人士"
