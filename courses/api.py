"""What other apps may use of courses (besides its models, which they reference in their
own foreign keys and queries): the start and completion signals, the rules they register
with courses (courses.policies), a module's current version, the learner's overview,
citations and the completion panels shown after a module's last requirement."""

from .policies import register_assessment, register_certificate_standing
from .selectors.learning import (
    Citation,
    citations,
    modules_due_for_review,
    my_learning,
    suggested_module,
)
from .selectors.personal_data import personal_data
from .services import current_version, ensure_review_workflow
from .signals import module_completed, module_started
from .views import completion_panels

__all__ = [
    "Citation",
    "citations",
    "completion_panels",
    "current_version",
    "ensure_review_workflow",
    "module_completed",
    "modules_due_for_review",
    "module_started",
    "my_learning",
    "personal_data",
    "register_assessment",
    "register_certificate_standing",
    "suggested_module",
]
