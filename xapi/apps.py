from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class XapiConfig(AppConfig):
    name = "xapi"
    verbose_name = _("Learning records (xAPI)")

    def ready(self) -> None:
        from accounts.api import register_personal_data
        from courses.api import module_completed, module_started
        from organisations.api import register_evidence_section
        from quizzes.api import answer_recorded, attempt_started

        from . import receivers, selectors, services

        # The lower apps send these inside their transactions and never import xapi.
        attempt_started.connect(receivers.on_attempt_started, dispatch_uid="xapi_attempt")
        answer_recorded.connect(receivers.on_answer_recorded, dispatch_uid="xapi_answer")
        module_started.connect(receivers.on_module_started, dispatch_uid="xapi_module_start")
        module_completed.connect(receivers.on_module_completed, dispatch_uid="xapi_module")
        register_personal_data(
            "xapi",
            title=_("Learning records for your organisations"),
            export=selectors.personal_data,
            erase=services.erase_personal_data,
            sharing_notice=selectors.sharing_notice,
        )
        register_evidence_section(
            title=_("Learning records (xAPI)"),
            description=_(
                "The learning records Signaal keeps for your organisation (xAPI statements: "
                "who started, answered and completed what), for a period, as a JSON lines file."
            ),
            url_name="xapi:export",
            shown=selectors.records_kept_for,
        )
