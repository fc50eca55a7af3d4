"""A certificate outside Signaal: the public verification document (the JSON API answers
with what the verification page shows, never more) and LinkedIn's 'add certification'
form, pre-filled."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from .models import Certificate, Revocation
from .selectors import Verification

LINKEDIN_ADD_URL = "https://www.linkedin.com/profile/add"


def verification_url(certificate: Certificate, *, base_url: str) -> str:
    return base_url.rstrip("/") + reverse("certificate_verify", args=[certificate.code])


def verification_document(verification: Verification, *, base_url: str) -> dict:
    """The verification as JSON: status, holder's name, module and version, dates and
    issuer. No email address, account or organisation: the page does not show them
    either."""
    certificate = verification.certificate
    if certificate is None:
        return {"status": verification.outcome}
    revocation = (
        Revocation.objects.filter(certificate_id=certificate.pk).first()
        if certificate.revoked_at
        else None
    )
    return {
        "status": verification.outcome,
        "code": certificate.formatted_code,
        "holder": {"name": certificate.holder_name, "removed": certificate.holder_removed},
        "module": {
            "title": certificate.module_title,
            "version": certificate.module_version,
            "newer_version": verification.newer_version,
        },
        "issued_on": certificate.issued_at.date().isoformat(),
        "valid_until": certificate.expires_on.isoformat(),
        "revoked_on": certificate.revoked_at.date().isoformat() if certificate.revoked_at else None,
        "revocation_reason": revocation.category if revocation else None,
        "issuer": certificate.issuer,
        "verification_url": verification_url(certificate, base_url=base_url),
    }


def linkedin_fields(certificate: Certificate, *, base_url: str) -> dict:
    """What LinkedIn's certification form asks, in its own field names."""
    return {
        "name": _("%(title)s (version %(version)s)")
        % {"title": certificate.module_title, "version": certificate.module_version},
        "organizationName": certificate.issuer,
        "issueYear": certificate.issued_at.year,
        "issueMonth": certificate.issued_at.month,
        "expirationYear": certificate.expires_on.year,
        "expirationMonth": certificate.expires_on.month,
        "certUrl": verification_url(certificate, base_url=base_url),
        "certId": certificate.formatted_code,
    }


def linkedin_add_url(fields: dict) -> str:
    """LinkedIn's 'Add to profile' link for a certification, from `linkedin_fields`."""
    return LINKEDIN_ADD_URL + "?" + urlencode({"startTask": "CERTIFICATION_NAME"} | fields)
