from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LtiConfig(AppConfig):
    name = "lti"
    verbose_name = _("LMS integration (LTI 1.3)")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.api import register_personal_data
        from courses.api import module_completed
        from organisations.api import register_enrolment_channel

        from . import personal_data
        from .channels import enrolment_channels
        from .grades import on_module_completed

        register_personal_data(
            "lti", title=personal_data.TITLE, export=personal_data.export, erase=personal_data.erase
        )

        # A module completed by someone who launched it from an LMS sends the grade back.
        module_completed.connect(on_module_completed, dispatch_uid="lti_grade_passback")
        # The coordinator's person page names the LMS a module was taken through.
        register_enrolment_channel(enrolment_channels)
