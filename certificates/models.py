"""Certificates: what a learner earned, as it was at the moment of issue."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import codes


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("valid")
    EXPIRED = "expired", _("expired")
    REVOKED = "revoked", _("revoked")


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
    issuer = models.CharField(_("issuer"), max_length=200)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    expires_on = models.DateField(_("valid until"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="certificaten/", blank=True)

    class Meta:
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "module", "cycle"],
                condition=Q(user__isnull=False, module__isnull=False),
                name="one_certificate_per_cycle",
            )
        ]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return f"{self.module_title} – {self.holder_name} ({self.formatted_code})"

    @property
    def formatted_code(self) -> str:
        return codes.formatted(self.code)

    def status(self, *, today=None) -> CertificateStatus:
        if self.revoked_at:
            return CertificateStatus.REVOKED
        if (today or timezone.localdate()) > self.expires_on:
            return CertificateStatus.EXPIRED
        return CertificateStatus.VALID


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

    def __str__(self) -> str:
        return f"{self.certificate.code}: {self.reason[:40]}"
