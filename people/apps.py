from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = "统战成员台账"

    def ready(self):
        from core.navigation import MenuItem, register_menu

        register_menu(
            MenuItem("统战成员", "成员台账", "people:person_list", "ti-users", model="people.Person", order=10),
        )
