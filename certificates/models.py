"""Certificates: what a learner earned, as it was at the moment of issue."""

import secrets

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import codes


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("valid")
    EXPIRED = "expired", _("expired")
    REVOKED = "revoked", _("revoked")


class CertificateQuerySet(models.QuerySet):
    def with_status(self, status: str, *, today) -> "CertificateQuerySet":
        """Certificate.status as a database filter (the same rule, kept next to it)."""
        if status == CertificateStatus.REVOKED:
            return self.filter(revoked_at__isnull=False)
        if status == CertificateStatus.EXPIRED:
            return self.filter(revoked_at__isnull=True, expires_on__lt=today)
        return self.filter(revoked_at__isnull=True, expires_on__gte=today)

    def counting(self, *, at=None) -> "CertificateQuerySet":
        """THE certificate that counts, as a filter: per person and module, the newest cycle
        not revoked; `at` (a moment) asks as it stood then (issued by then, not revoked by
        then). Renewal, reminders, issuing and compliance all read it from here."""
        live = Q(revoked_at__isnull=True)
        if at is not None:
            live = (live | Q(revoked_at__gt=at)) & Q(issued_at__lte=at)
        newer = Certificate.objects.filter(
            live, user=OuterRef("user"), module=OuterRef("module"), cycle__gt=OuterRef("cycle")
        )
        return self.filter(live).exclude(Exists(newer))


# The Bitstring Status List: each list has this many entries (16 KiB, the minimum size the
# W3C specification asks for, so that a list says nothing about one person). A list takes
# at most half that many certificates, so that a free random index is found at once.
STATUS_LIST_BITS = 131_072
STATUS_LIST_CERTIFICATES = STATUS_LIST_BITS // 2


def random_status_position(taken) -> tuple[int, int]:
    """(list number, index) for a new certificate: the list being filled, and a random free
    index in it, as the Bitstring Status List specification recommends (an index in the
    order of issue would tell who was certified when). `taken(list, index)` says whether a
    position is used."""
    placed = Certificate.objects.filter(status_index__isnull=False).count()
    for _attempt in range(64):
        list_number = placed // STATUS_LIST_CERTIFICATES + 1
        index = secrets.randbelow(STATUS_LIST_BITS)
        if not taken(list_number, index):
            return list_number, index
    raise RuntimeError("No free status list index found")


# holder_name of a certificate whose holder deleted their account: shown as 'removed
# account' in the reader's language (Certificate.holder_display); never a real name.
REMOVED_HOLDER = ""


class Certificate(models.Model):
    """A snapshot of what it certifies: name, module title and version, points, dates and
    issuer never change after issue, whatever happens to the module or the account."""

    code = models.CharField(_("code"), max_length=codes.LENGTH, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="certificates",
    )
    module = models.ForeignKey(
        "courses.ModulePage", on_delete=models.SET_NULL, null=True, related_name="certificates"
    )
    enrolment = models.OneToOneField(
        "courses.Enrolment",
        on_delete=models.SET_NULL,
        null=True,
        related_name="certificate",
    )
    cycle = models.PositiveSmallIntegerField(_("certification cycle"))
    holder_name = models.CharField(_("holder"), max_length=200)
    module_title = models.CharField(_("module"), max_length=255)
    module_version = models.PositiveIntegerField(_("module version"))
    accreditations = models.JSONField(_("accreditation points"), default=list)
    # The module's study load and learning objectives as they were at issue, for the PDF
    # (empty on certificates issued before they were recorded).
    study_minutes = models.PositiveSmallIntegerField(_("study load (minutes)"), null=True)
    learning_outcomes = models.JSONField(_("learning outcomes"), default=list)
    issuer = models.CharField(_("issuer"), max_length=200)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    expires_on = models.DateField(_("valid until"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="certificaten/", blank=True)
    # Where the Open Badges credential's revocation is published (certificates.open_badges):
    # set on issue, or when the credential is first made for a row written in bulk.
    status_list = models.PositiveIntegerField(_("status list"), null=True, editable=False)
    status_index = models.PositiveIntegerField(_("status list index"), null=True, editable=False)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "module", "cycle"],
                condition=Q(user__isnull=False, module__isnull=False),
                name="one_certificate_per_cycle",
            ),
            models.UniqueConstraint(
                fields=["status_list", "status_index"], name="one_certificate_per_status_bit"
            ),
        ]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return f"{self.module_title} – {self.holder_display} ({self.formatted_code})"

    def save(self, *args, **kwargs):
        if self._state.adding and self.status_index is None:
            self.status_list, self.status_index = random_status_position(_position_taken)
        super().save(*args, **kwargs)

    def ensure_status_position(self) -> None:
        """A status list position for a certificate that has none yet."""
        for _attempt in range(5):
            if self.status_index is not None:
                return
            list_number, index = random_status_position(_position_taken)
            try:
                with transaction.atomic():
                    Certificate.objects.filter(pk=self.pk, status_index__isnull=True).update(
                        status_list=list_number, status_index=index
                    )
            except IntegrityError:  # taken in the meantime: draw again
                continue
            self.refresh_from_db(fields=["status_list", "status_index"])
        if self.status_index is None:
            raise RuntimeError("Could not place the certificate in a status list")

    @property
    def holder_removed(self) -> bool:
        return self.user_id is None and self.holder_name == REMOVED_HOLDER

    @property
    def holder_display(self) -> str:
        return _("removed account") if self.holder_removed else self.holder_name

    @property
    def formatted_code(self) -> str:
        return codes.formatted(self.code)

    formatted_code.fget.short_description = _("code")  # the admin listing's column label

    def status(self, *, today=None) -> CertificateStatus:
        if self.revoked_at:
            return CertificateStatus.REVOKED
        if (today or timezone.localdate()) > self.expires_on:
            return CertificateStatus.EXPIRED
        return CertificateStatus.VALID


def _position_taken(list_number: int, index: int) -> bool:
    return Certificate.objects.filter(status_list=list_number, status_index=index).exists()


class RevocationReason(models.TextChoices):
    """Why a certificate was revoked, as the PDF and the verification page may say it. The
    free-text reason stays in the revocation log."""

    ISSUED_IN_ERROR = "issued_in_error", _("issued in error")
    NOT_EARNED = "not_earned", _("not earned by the holder")
    HOLDERS_REQUEST = "holders_request", _("at the holder's request")
    OTHER = "other", _("other reason")


class Revocation(models.Model):
    """Who revoked a certificate, when and why (kept even if the admin account goes)."""

    certificate = models.OneToOneField(
        Certificate, on_delete=models.CASCADE, related_name="revocation"
    )
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    revoked_by_name = models.CharField(max_length=200)
    revoked_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(_("reason"))
    category = models.CharField(
        _("reason category"),
        max_length=20,
        choices=RevocationReason.choices,
        default=RevocationReason.OTHER,
    )

    def __str__(self) -> str:
        return f"{self.certificate.code}: {self.reason[:40]}"


class ReminderKind(models.TextChoices):
    EXPIRING = "expiring", _("expires soon")
    UPDATE_DUE = "update_due", _("update due")
    # Not a reminder but the email that a module was completed and the certificate issued;
    # kept here for the same reason: once per certificate and kind (core.mail.send_once).
    ISSUED = "issued", _("certificate issued")


def ledger_kind(kind: ReminderKind) -> str:
    """The kind under which an email about a certificate is in core's ledger
    (`core.models.SentEmail`: item the certificate's id, period the date it was about)."""
    return f"certificate_{ReminderKind(kind).value}"


LEDGER_KINDS = {ledger_kind(kind): kind for kind in ReminderKind}


class RegistrationNumber(models.Model):
    """A learner's number in a professional register, given once with their consent to
    report completions there; withdrawing it deletes it (reports not sent yet go too)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="registration_numbers"
    )
    register = models.ForeignKey(
        "courses.Register", on_delete=models.CASCADE, related_name="registration_numbers"
    )
    number = models.CharField(_("number"), max_length=50)
    consented_at = models.DateTimeField(_("consent given at"), default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "register"], name="one_number_per_register")
        ]
        verbose_name = _("registration number")
        verbose_name_plural = _("registration numbers")

    def __str__(self) -> str:
        return f"{self.register}: {self.number}"


class AttendanceStatus(models.TextChoices):
    PENDING = "pending", _("not reported yet")
    ACCEPTED = "accepted", _("reported")
    REJECTED = "rejected", _("refused by the register")


class AttendanceRecord(models.Model):
    """One completion to report to one register: what the register needs (its course ID,
    the person's number, the day), kept as it was on completion. One per certificate and
    register, so a completion is never reported twice."""

    certificate = models.ForeignKey(
        Certificate, on_delete=models.CASCADE, related_name="attendance_records"
    )
    register = models.ForeignKey(
        "courses.Register", on_delete=models.PROTECT, related_name="attendance_records"
    )
    registration_number = models.CharField(_("registration number"), max_length=50)
    course_id = models.CharField(_("course ID at the register"), max_length=50)
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=1)
    completed_on = models.DateField(_("completed on"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AttendanceStatus.choices,
        default=AttendanceStatus.PENDING,
    )
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    register_message = models.CharField(_("register's answer"), max_length=500, blank=True)

    class Meta:
        ordering = ["completed_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "register"], name="one_report_per_certificate_register"
            )
        ]
        verbose_name = _("attendance record")
        verbose_name_plural = _("attendance records")

    def __str__(self) -> str:
        return f"{self.register} {self.course_id}: {self.registration_number} ({self.completed_on})"
