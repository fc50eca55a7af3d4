"""A learner's registration numbers: given once per register with consent, withdrawable."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from courses.models import Register

from ..codes import TYPOGRAPHIC_DASHES
from ..models import AttendanceRecord, AttendanceStatus, RegistrationNumber

# Word processors' dashes become the hyphen registers write (codes drops them instead).
_TO_HYPHEN = str.maketrans(dict.fromkeys(TYPOGRAPHIC_DASHES, "-"))


class NumberRefused(ValueError):
    """Why a number was not saved, in words for the learner."""


def normalised(number: str) -> str:
    """As registers write them: no spaces, dots or typographic dashes; letters in capitals."""
    cleaned = "".join(number.split()).replace(".", "")
    return cleaned.translate(_TO_HYPHEN).upper()


@transaction.atomic
def save_registration_number(
    *, user: User, register: Register, number: str, consent: bool
) -> RegistrationNumber:
    """Keep (or change) the learner's number in `register`. Without consent to report
    completions there, nothing is kept. Completions already made whose accreditation was
    valid then are recorded for reporting too (attendance.record_for_number)."""
    from .attendance import record_for_number

    if not consent:
        raise NumberRefused(
            _("Tick that Signaal may report your completions to %(register)s.")
            % {"register": register.name}
        )
    number = normalised(number)
    if not register.number_is_valid(number):
        # (The form shows the register's example beside the field.)
        raise NumberRefused(
            _("This is not a valid %(label)s for %(register)s.")
            % {"label": register.identifier_label, "register": register.name}
        )
    kept, _created = RegistrationNumber.objects.update_or_create(
        user=user,
        register=register,
        defaults={"number": number, "consented_at": timezone.now()},
    )
    # Reports not sent yet go out with the number as it is now.
    AttendanceRecord.objects.filter(
        certificate__user=user, register=register, status=AttendanceStatus.PENDING
    ).update(registration_number=number)
    record_for_number(kept)
    return kept


@transaction.atomic
def withdraw_registration_number(*, user: User, register: Register) -> bool:
    """Forget the number and the consent; reports not sent yet are dropped (those already
    sent stay as the register's and our record of what was reported). True if one was kept."""
    deleted, _details = RegistrationNumber.objects.filter(user=user, register=register).delete()
    AttendanceRecord.objects.filter(
        certificate__user=user, register=register, status=AttendanceStatus.PENDING
    ).delete()
    return bool(deleted)


def registration_numbers(user: User) -> dict[int, RegistrationNumber]:
    """The learner's numbers by register id."""
    return {
        number.register_id: number
        for number in RegistrationNumber.objects.filter(user=user).select_related("register")
    }
