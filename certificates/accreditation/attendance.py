"""What is reported to the registers: one attendance record per certificate and register,
made when the certificate is issued (or when the learner later gives their number), read
per register and period by administrators and per certificate by the learner."""

import datetime
from collections import defaultdict

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from courses.models import ModuleAccreditation, Register

from ..models import AttendanceRecord, AttendanceStatus, Certificate, RegistrationNumber


def _accreditations(module_id: int, day: datetime.date) -> list[ModuleAccreditation]:
    """The module's accreditations that count for a completion on `day` and can be
    reported (the register's course ID is known)."""
    return [
        accreditation
        for accreditation in ModuleAccreditation.objects.filter(module_id=module_id)
        .exclude(course_id="")
        .select_related("register")
        if accreditation.valid_until is None or day <= accreditation.valid_until
    ]


def _record(certificate: Certificate, accreditation, number: str) -> None:
    try:
        with transaction.atomic():
            AttendanceRecord.objects.create(
                certificate=certificate,
                register=accreditation.register,
                registration_number=number,
                course_id=accreditation.course_id,
                points=accreditation.points,
                completed_on=timezone.localdate(certificate.issued_at),
            )
    except IntegrityError:
        pass  # recorded already: a completion is reported once


def record_attendance(certificate: Certificate) -> int:
    """On issue: a record for every register in which the module is accredited and the
    holder has given their number. Returns how many were recorded."""
    if certificate.user_id is None or certificate.module_id is None:
        return 0
    day = timezone.localdate(certificate.issued_at)
    numbers = {
        n.register_id: n.number for n in RegistrationNumber.objects.filter(user=certificate.user_id)
    }
    made = 0
    for accreditation in _accreditations(certificate.module_id, day):
        if accreditation.register_id in numbers:
            _record(certificate, accreditation, numbers[accreditation.register_id])
            made += 1
    return made


def record_for_number(number: RegistrationNumber) -> None:
    """When a learner gives a number: their certificates not revoked whose module was
    accredited in that register on the day they completed it."""
    certificates = Certificate.objects.filter(
        user=number.user_id,
        revoked_at__isnull=True,
        module__accreditations__register=number.register,
    ).distinct()
    for certificate in certificates:
        day = timezone.localdate(certificate.issued_at)
        for accreditation in _accreditations(certificate.module_id, day):
            if accreditation.register_id == number.register_id:
                _record(certificate, accreditation, number.number)


def attendance_for_period(
    register: Register, *, start: datetime.date, end: datetime.date
) -> QuerySet[AttendanceRecord]:
    """What a register is told about completions from `start` to `end` (both included),
    revoked certificates left out (a revoked completion earns no points)."""
    return (
        AttendanceRecord.objects.filter(
            register=register,
            completed_on__gte=start,
            completed_on__lte=end,
            certificate__revoked_at__isnull=True,
        )
        .select_related("certificate")
        .order_by("completed_on", "pk")
    )


def pending_attendance(register: Register) -> QuerySet[AttendanceRecord]:
    return AttendanceRecord.objects.filter(
        register=register, status=AttendanceStatus.PENDING, certificate__revoked_at__isnull=True
    ).order_by("pk")


def reported_points(certificates) -> dict[int, list[AttendanceRecord]]:
    """Per certificate id, where its points were (or will be) reported: for the learner's
    'Mijn certificaten'. One query."""
    by_certificate: dict[int, list[AttendanceRecord]] = defaultdict(list)
    for record in AttendanceRecord.objects.filter(certificate__in=certificates).select_related(
        "register"
    ):
        by_certificate[record.certificate_id].append(record)
    return dict(by_certificate)
