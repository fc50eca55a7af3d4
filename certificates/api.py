"""What other apps may use of certificates (besides its models): renewal and update rules,
the issuer's name and month arithmetic for certificates' dates, new codes, reminders and
the holder's data."""

from .codes import new_code
from .selectors import (
    certificate_standing,
    current_certificate,
    personal_data,
    update_due_on,
    update_requirements,
)
from .services import ISSUER, certificate_expiry, send_certificate_reminders

__all__ = [
    "ISSUER",
    "certificate_expiry",
    "certificate_standing",
    "current_certificate",
    "new_code",
    "personal_data",
    "send_certificate_reminders",
    "update_due_on",
    "update_requirements",
]
