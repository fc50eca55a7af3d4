from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("Certificates")

    def ready(self) -> None:
        from accounts.api import register_personal_data
        from courses.api import module_completed, register_certificate_standing

        from . import (
            checks,  # noqa: F401 (registers the system checks)
            selectors,
            services,
        )
        from .selectors import certificate_standing
        from .services import on_module_completed

        register_personal_data(
            "certificates",
            title=_("Certificates"),
            export=selectors.personal_data,
            erase=services.erase_personal_data,
        )
        module_completed.connect(on_module_completed, dispatch_uid="certificates_issue")
        # Renewal and the short update path: courses.start_module asks these rules.
        register_certificate_standing(certificate_standing)
