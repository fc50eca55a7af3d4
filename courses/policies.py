"""Rules that apps built on courses contribute to it, registered in their
`AppConfig.ready()`: quizzes says whether an enrolment's assessment is passed and how a
learner stands with a module's quiz; certificates says where a learner's certificate for a
module stands (renewal open, short update path, update due). courses asks here and never
imports those apps. Without a registration a module has no assessment and a learner no
certificate."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone


@dataclass(frozen=True)
class NoCertificate:
    """The standing of a learner without a certificate for the module."""

    today: datetime.date = field(default_factory=timezone.localdate)
    certificate: None = None
    renewal_open: bool = False
    update_due_on: None = None

    def updatable_from(self, version_number: int) -> None:
        return None


_registered: dict[str, Callable] = {
    "assessment_passed": lambda enrolment: True,
    "module_assessment": lambda *, module, enrolment: None,
    "certificate_standing": lambda *, user, module: NoCertificate(),
}


def register_assessment(*, passed: Callable, standing: Callable) -> None:
    """passed(enrolment) -> bool: the module's assessment is passed for this enrolment (True
    when the module has none). standing(module=, enrolment=): the module's assessment and
    the learner's attempts at it for the module page, or None when it has none."""
    _registered["assessment_passed"] = passed
    _registered["module_assessment"] = standing


def register_certificate_standing(standing: Callable) -> None:
    """standing(user=, module=): an object with `certificate`, `renewal_open`,
    `updatable_from(version_number)`, `update_due_on` and `today` (see NoCertificate)."""
    _registered["certificate_standing"] = standing


def assessment_passed(enrolment) -> bool:
    return _registered["assessment_passed"](enrolment)


def module_assessment(*, module, enrolment):
    return _registered["module_assessment"](module=module, enrolment=enrolment)


def certificate_standing(*, user, module):
    return _registered["certificate_standing"](user=user, module=module)
