from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("Certificates")

    def ready(self) -> None:
        from courses.signals import module_completed

        from . import checks  # noqa: F401 (registers the system checks)
        from .services import on_module_completed

        module_completed.connect(on_module_completed, dispatch_uid="certificates_issue")
