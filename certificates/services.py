"""Writes for certificates: issuing (the one place), the PDF, revoking."""

import calendar
import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from cms.accounts.models import User
from courses.models import Enrolment

from . import codes
from .models import Certificate, CertificateStatus, Revocation

ISSUER = "Signaal"


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def renewal_window() -> datetime.timedelta:
    return datetime.timedelta(days=getattr(settings, "CERTIFICATE_RENEWAL_WINDOW_DAYS", 60))


@transaction.atomic
def issue_for(*, enrolment: Enrolment) -> Certificate:
    """The certificate for a completed enrolment. Idempotent, and safe when requests
    complete the same module at the same moment: exactly one valid certificate per person,
    module and certification cycle.

    A learner who still holds a valid certificate for this module (for this or a later
    version, and not yet in the renewal window) keeps it; otherwise the next cycle starts."""
    if enrolment.completed_at is None:
        raise ValueError("Only a completed enrolment earns a certificate.")
    # One issuer at a time per person: the second request waits here, then finds the first
    # one's certificate.
    user = User.objects.select_for_update().get(pk=enrolment.user_id)
    existing = Certificate.objects.filter(enrolment=enrolment).first()
    if existing:
        return existing
    module = enrolment.module
    version = enrolment.module_version.number
    today = timezone.localdate()
    held = Certificate.objects.filter(user=user, module=module).order_by("-cycle")
    current = held.filter(revoked_at__isnull=True).first()
    if (
        current
        and current.status(today=today) == CertificateStatus.VALID
        and current.module_version >= version
        and current.expires_on - renewal_window() > today
    ):
        return current
    last_cycle = held.values_list("cycle", flat=True).first() or 0
    return _create(
        user=user, enrolment=enrolment, module=module, version=version, cycle=last_cycle + 1
    )


def _create(*, user, enrolment, module, version, cycle) -> Certificate:
    issued_at = timezone.now()
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Certificate.objects.create(
                    code=codes.new_code(),
                    user=user,
                    module=module,
                    enrolment=enrolment,
                    cycle=cycle,
                    holder_name=user.full_name or user.email.split("@")[0],
                    module_title=module.title,
                    module_version=version,
                    accreditations=[
                        {"register": item.register, "points": str(item.points)}
                        for item in module.accreditations.all()
                    ],
                    issuer=ISSUER,
                    issued_at=issued_at,
                    expires_on=add_months(
                        timezone.localdate(issued_at), module.certificate_validity_months
                    ),
                )
        except IntegrityError:
            # A code collision (80 random bits: practically never) or a parallel issue.
            found = Certificate.objects.filter(enrolment=enrolment).first()
            if found:
                return found
    raise RuntimeError("Could not issue a certificate")


def certificate_pdf(certificate: Certificate, *, base_url: str) -> bytes:
    """The PDF, rendered once and kept under MEDIA_ROOT; rendered again when the file is
    missing (e.g. after a media restore)."""
    if certificate.pdf and certificate.pdf.storage.exists(certificate.pdf.name):
        with certificate.pdf.open("rb") as stored:
            return stored.read()
    from .pdf import render_certificate_pdf

    content = render_certificate_pdf(certificate, base_url=base_url)
    certificate.pdf.save(f"{certificate.code}.pdf", ContentFile(content), save=False)
    Certificate.objects.filter(pk=certificate.pk).update(pdf=certificate.pdf.name)
    return content


@transaction.atomic
def revoke(*, certificate: Certificate, by: User, reason: str) -> Certificate:
    reason = reason.strip()
    if not reason:
        raise ValueError("A revocation needs a reason.")
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.revoked_at:
        raise ValueError("This certificate has already been revoked.")
    certificate.revoked_at = timezone.now()
    certificate.save(update_fields=["revoked_at"])
    Revocation.objects.create(
        certificate=certificate,
        revoked_by=by,
        revoked_by_name=by.full_name or by.email,
        revoked_at=certificate.revoked_at,
        reason=reason,
    )
    return certificate


def on_module_completed(sender, enrolment: Enrolment, **kwargs) -> None:
    issue_for(enrolment=enrolment)
