from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Modules and lessons")

    def ready(self) -> None:
        from . import signals

        signals.connect()
