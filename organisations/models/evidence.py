"""Compliance statements: a dated statement of an organisation's figures per requirement,
signed by the platform, which an inspector checks by its code (issue 20.11)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .members import Organisation


class ComplianceStatement(models.Model):
    """What was stated, as signed: `claims` (figures per requirement, no one's name) and
    their compact JWS, which binds them to the PDF's SHA-256. The public verification page
    shows the signed claims by `code`."""

    code = models.CharField(max_length=32, unique=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="compliance_statements"
    )
    day = models.DateField()
    issued_at = models.DateTimeField(default=timezone.now)
    # Who asked for it is in the audit log (with the code), not here: no personal data.
    claims = models.JSONField()
    jws = models.TextField()
    pdf_sha256 = models.CharField(max_length=64)

    wagtail_reference_index_ignore = True

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("compliance statement")
        verbose_name_plural = _("compliance statements")

    def __str__(self) -> str:
        return f"{self.code} ({self.day:%Y-%m-%d})"
