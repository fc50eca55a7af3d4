"""What other apps may use of certificates (besides its models): renewal and update rules,
the issuer's name and month arithmetic for certificates' dates, new codes, reminders and
the holder's data, and signing other documents with the platform's key (organisations'
compliance statements)."""

from .codes import compact as compact_code
from .codes import formatted as formatted_code
from .codes import new_code
from .selectors import (
    certificate_standing,
    current_certificate,
    personal_data,
    update_due_on,
    update_requirements,
)
from .services import ISSUER, certificate_expiry, send_certificate_reminders
from .signing import sign_document, verify_document

__all__ = [
    "ISSUER",
    "certificate_expiry",
    "certificate_standing",
    "compact_code",
    "formatted_code",
    "current_certificate",
    "new_code",
    "personal_data",
    "send_certificate_reminders",
    "sign_document",
    "update_due_on",
    "update_requirements",
    "verify_document",
]
