from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = _("Scenario quizzes")

    def ready(self) -> None:
        from accounts.api import register_personal_data
        from courses.api import register_assessment

        from . import selectors

        # Attempts and answers stay with the anonymised account: nothing to erase.
        register_personal_data(
            "quizzes", title=_("Scenario quizzes"), export=selectors.personal_data
        )
        # A module with a live scenario quiz is complete only once the quiz is passed.
        register_assessment(
            passed=selectors.assessment_passed, standing=selectors.module_assessment
        )
