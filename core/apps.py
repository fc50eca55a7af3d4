from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The shared kernel every app may use: mail, middleware, logging, the client's
    address, search helpers, admin audit. It imports no app of the project."""

    name = "core"
    verbose_name = _("Signaal core")
