from django.apps import AppConfig


class FriendshipConfig(AppConfig):
    name = "friendship"
    verbose_name = "联谊交友"
