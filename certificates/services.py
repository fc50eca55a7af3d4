"""Writes for certificates: issuing (the one place), the PDF, revoking, reminders."""

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import CharField, Exists, OuterRef
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.dates import add_months
from core.mail import Sent, compose, mail_connection, send_once
from core.models import SentEmail
from courses.models import Enrolment

from . import codes, selectors, sharing
from .accreditation.attendance import record_attendance
from .models import (
    REMOVED_HOLDER,
    AttendanceRecord,
    AttendanceStatus,
    Certificate,
    CertificateStatus,
    RegistrationNumber,
    ReminderKind,
    Revocation,
    RevocationReason,
    ledger_kind,
)

ISSUER = "Signaal"
logger = logging.getLogger(__name__)


def certificate_expiry(valid_from: datetime.date, validity_months: int) -> datetime.date:
    """THE last day a certificate is valid when its validity (the module's
    certificate_validity_months) starts on `valid_from`: issuing, the demo and the
    load-test data all ask here."""
    return add_months(valid_from, validity_months)


@transaction.atomic
def issue_for(*, enrolment: Enrolment) -> Certificate:
    """The certificate for a completed enrolment. Idempotent, and safe when requests
    complete the same module at the same moment: exactly one valid certificate per person,
    module and certification cycle.

    A learner who still holds a valid certificate for this module (for this or a later
    version, and not yet up for renewal: selectors.renewal_due) keeps it; otherwise the
    next cycle starts. A renewal while the previous certificate is still valid continues
    from its end date, so renewing early costs no validity; any other new cycle (first
    certificate, after expiry, an update to a newer version) runs from the day of issue."""
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
    current = selectors.current_certificate(user=user, module=module)
    renewing = current is not None and selectors.renewal_due(current, today=today)
    if current and not renewing and current.module_version >= version:
        return current
    valid_from = today
    if renewing and current.status(today=today) == CertificateStatus.VALID:
        valid_from = current.expires_on
    held = Certificate.objects.filter(user=user, module=module).order_by("-cycle")
    last_cycle = held.values_list("cycle", flat=True).first() or 0
    return _create(
        user=user,
        enrolment=enrolment,
        module=module,
        version=version,
        cycle=last_cycle + 1,
        valid_from=valid_from,
    )


def _create(*, user, enrolment, module, version, cycle, valid_from) -> Certificate:
    issued_at = timezone.now()
    for _attempt in range(5):
        try:
            with transaction.atomic():
                certificate = Certificate.objects.create(
                    code=codes.new_code(),
                    user=user,
                    module=module,
                    enrolment=enrolment,
                    cycle=cycle,
                    holder_name=user.full_name or user.email.split("@")[0],
                    module_title=module.title,
                    module_version=version,
                    accreditations=[
                        {"register": item.register.name, "points": str(item.points)}
                        for item in module.accreditations.select_related("register")
                    ],
                    study_minutes=module.estimated_minutes,
                    learning_outcomes=[str(block.value) for block in module.learning_objectives],
                    issuer=ISSUER,
                    issued_at=issued_at,
                    expires_on=certificate_expiry(valid_from, module.certificate_validity_months),
                )
                record_attendance(certificate)
                return certificate
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
    # Kept only if no revocation came in meanwhile (revoke drops the stored file).
    Certificate.objects.filter(pk=certificate.pk, revoked_at=certificate.revoked_at).update(
        pdf=certificate.pdf.name
    )
    return content


@transaction.atomic
def revoke(
    *,
    certificate: Certificate,
    by: User,
    reason: str,
    category: str = RevocationReason.OTHER,
) -> Certificate:
    """Revoke a certificate. Every copy we serve says so from now on: the verification
    page and the status list read revoked_at, and the stored PDF is dropped so that the
    next download is rendered again with the revocation on it."""
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
        category=RevocationReason(category),
    )
    if certificate.pdf:
        stored = certificate.pdf.name
        transaction.on_commit(lambda: certificate.pdf.storage.delete(stored))
        certificate.pdf = ""
        certificate.save(update_fields=["pdf"])
    return certificate


def on_module_completed(sender, enrolment: Enrolment, **kwargs) -> None:
    certificate = issue_for(enrolment=enrolment)
    if certificate.enrolment_id == enrolment.pk:
        # Only a certificate this completion issued is news; after the commit, so a
        # rolled-back completion sends nothing.
        transaction.on_commit(lambda: send_completion_email(certificate=certificate))


def send_completion_email(*, certificate: Certificate) -> bool:
    """The email that the module is completed, with the certificate's links, in the
    learner's language. Once per certificate (core.mail.send_once: recorded in the ledger
    with the certificate's end date as its period, so a repeated call or a parallel request
    sends nothing; a mail server that fails queues it). Returns whether this call sent or
    queued it."""

    user = certificate.user
    if user is None or not user.is_active:
        return False
    outcome = send_once(
        _completion_email(certificate=certificate, user=user),
        user_id=user.pk,
        about=[_ledger_entry(certificate, ReminderKind.ISSUED, certificate.expires_on)],
        kind="certificates/email/completed",
    )
    return outcome is not Sent.ALREADY


def _ledger_entry(
    certificate: Certificate, kind: ReminderKind, due_on: datetime.date
) -> tuple[str, str, str]:
    return (ledger_kind(kind), str(certificate.pk), due_on.isoformat())


def _not_sent(kind: ReminderKind) -> Exists:
    """No email of this kind recorded about the certificate, whatever its period: each
    certificate is reminded once per kind."""
    return ~Exists(
        SentEmail.objects.filter(
            user_id=OuterRef("user_id"),
            kind=ledger_kind(kind),
            item=Cast(OuterRef("pk"), output_field=CharField()),
        )
    )


def _completion_email(*, certificate: Certificate, user: User) -> EmailMultiAlternatives:
    base_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    context = {
        "user": user,
        "certificate": certificate,
        "pdf_url": f"{base_url}{reverse('certificate_pdf', args=[certificate.code])}",
        "verify_url": sharing.verification_url(certificate, base_url=base_url),
        "badge_url": f"{base_url}{reverse('certificate_open_badge', args=[certificate.code])}",
        "my_certificates_url": f"{base_url}{reverse('my_certificates')}",
        "my_learning_url": f"{base_url}{reverse('my_learning')}",
    }
    return compose(
        to=user.email,
        language=user.preferred_language,
        template="certificates/email/completed",
        context=context,
    )


@dataclass(frozen=True)
class Reminder:
    certificate: Certificate
    kind: ReminderKind
    due_on: datetime.date  # end of validity, or the update deadline
    renewal_opens_on: datetime.date | None = None


def due_reminders(*, today: datetime.date) -> dict[int, list[Reminder]]:
    """Per user id, the reminders not sent yet: certificates that expire within
    CERTIFICATE_REMINDER_DAYS (not yet expired), and certificates whose update deadline
    falls within that window (today or later). Only the certificate that counts (the
    newest cycle not revoked) of an active account is reminded about."""
    horizon = today + datetime.timedelta(days=settings.CERTIFICATE_REMINDER_DAYS)
    counting = (
        Certificate.objects.counting()
        .filter(
            expires_on__gte=today,
            user__isnull=False,
            user__is_active=True,
            module__isnull=False,
        )
        .select_related("user", "module")
    )
    due: dict[int, list[Reminder]] = defaultdict(list)
    expiring = counting.filter(expires_on__lte=horizon).filter(_not_sent(ReminderKind.EXPIRING))
    for certificate in expiring:
        due[certificate.user_id].append(
            Reminder(
                certificate,
                ReminderKind.EXPIRING,
                certificate.expires_on,
                renewal_opens_on=certificate.expires_on - selectors.renewal_window(),
            )
        )
    requirements = {
        module_id: versions
        for module_id, versions in selectors.update_requirements(
            counting.order_by().values_list("module_id", flat=True).distinct()
        ).items()
        if any(today <= due_on <= horizon for _number, due_on in versions)
    }
    updating = counting.filter(module_id__in=list(requirements)).filter(
        _not_sent(ReminderKind.UPDATE_DUE)
    )
    for certificate in updating:
        due_on = selectors.update_due_on(
            module_version=certificate.module_version,
            requirements=requirements[certificate.module_id],
        )
        if due_on is not None and today <= due_on <= horizon:
            due[certificate.user_id].append(Reminder(certificate, ReminderKind.UPDATE_DUE, due_on))
    return dict(due)


def send_certificate_reminders(*, today: datetime.date | None = None) -> int:
    """Email each learner once about their certificates that expire soon and those whose
    update is due (CERTIFICATE_REMINDER_DAYS ahead), in their preferred language. Returns
    the number of emails sent now. Safe to run every hour and in parallel.

    Never twice: each reminder is recorded in core's ledger (per certificate, kind and
    date) as its email is queued, and sent at once (core.mail.send_once). A parallel run
    records nothing and sends nothing; when the mail server fails the email stays queued
    and `send_queued_emails` sends it."""
    today = today or timezone.localdate()
    sent = 0
    with mail_connection() as mail:
        for user_id, reminders in due_reminders(today=today).items():
            user = reminders[0].certificate.user
            outcome = send_once(
                _reminder_email(user=user, reminders=reminders, today=today),
                user_id=user_id,
                about=[_ledger_entry(r.certificate, r.kind, r.due_on) for r in reminders],
                kind="certificates/email/reminder",
                mail=mail,
            )
            sent += outcome is Sent.SENT
    return sent


def _reminder_email(
    *, user: User, reminders: list[Reminder], today: datetime.date
) -> EmailMultiAlternatives:
    base_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/")

    def item(reminder: Reminder) -> dict:
        module_path = reminder.certificate.module.get_url_parts()
        return {
            "reminder": reminder,
            "certificate": reminder.certificate,
            "module_url": f"{base_url}{module_path[2]}" if module_path else "",
        }

    context = {
        "user": user,
        "expiring": [item(r) for r in reminders if r.kind == ReminderKind.EXPIRING],
        "update_due": [item(r) for r in reminders if r.kind == ReminderKind.UPDATE_DUE],
        "my_certificates_url": f"{base_url}{reverse('my_certificates')}",
        "today": today,
    }
    return compose(
        to=user.email,
        language=user.preferred_language,
        template="certificates/email/reminder",
        context=context,
    )


def erase_personal_data(user: User) -> None:
    """A deleted account's certificates (accounts.personal_data): they stay verifiable with
    user NULL and holder_name REMOVED_HOLDER (the record of emails about them goes with the
    account: accounts.services.delete_account), and the stored PDF (which carries the name)
    is deleted after commit, so a rollback keeps it. A revocation the
    person made keeps no name."""
    certificates = Certificate.objects.filter(user=user)
    # Registration numbers go; what was reported keeps no number (the register has its own
    # record), what was not reported yet is not reported.
    RegistrationNumber.objects.filter(user=user).delete()
    AttendanceRecord.objects.filter(
        certificate__in=certificates, status=AttendanceStatus.PENDING
    ).delete()
    AttendanceRecord.objects.filter(certificate__in=certificates).update(registration_number="")
    for certificate in certificates.exclude(pdf=""):
        name, storage = certificate.pdf.name, certificate.pdf.storage
        transaction.on_commit(lambda n=name, s=storage: s.delete(n))
    certificates.update(user=None, holder_name=REMOVED_HOLDER, pdf="")
    Revocation.objects.filter(revoked_by=user).update(
        revoked_by=None, revoked_by_name=REMOVED_HOLDER
    )
