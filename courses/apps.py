from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Modules and lessons")

    def ready(self) -> None:
        from accounts.api import register_personal_data

        from . import services, signals
        from .selectors.personal_data import personal_data

        signals.connect()
        register_personal_data(
            "courses",
            title=_("Modules, lessons and reflections"),
            export=personal_data,
            erase=services.erase_personal_data,
        )
