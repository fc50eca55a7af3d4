"""Reads for certificates: a learner's list, public verification, the PDF's contents."""

from dataclasses import dataclass

from django.core.cache import cache

from cms.accounts.models import User

from . import codes
from .models import Certificate, CertificateStatus

VERIFY_LIMIT = 30  # lookups per address per window
VERIFY_WINDOW_SECONDS = 600


def learner_certificates(*, user: User) -> list[Certificate]:
    return list(Certificate.objects.filter(user=user).order_by("-issued_at"))


@dataclass(frozen=True)
class Verification:
    """What the public verification page may show: never an email address."""

    outcome: str  # valid, expired, revoked, unknown, typo
    certificate: Certificate | None = None


def verify(text: str) -> Verification:
    try:
        code = codes.normalise(text)
    except codes.CodeError as error:
        return Verification("typo" if str(error) == "typing error" else "unknown")
    certificate = Certificate.objects.filter(code=code).first()
    if certificate is None:
        return Verification("unknown")
    status = certificate.status()
    return Verification(
        {
            CertificateStatus.VALID: "valid",
            CertificateStatus.EXPIRED: "expired",
            CertificateStatus.REVOKED: "revoked",
        }[status],
        certificate,
    )


def verification_allowed(address: str) -> bool:
    """Counts lookups per address so codes cannot be guessed by brute force (they have 80
    random bits already; this keeps scraping slow too)."""
    key = f"certificates:verify:{address}"
    cache.add(key, 0, VERIFY_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, VERIFY_WINDOW_SECONDS)
        count = 1
    return count <= VERIFY_LIMIT


def revoked_status_indexes(*, list_number: int) -> set[int]:
    """Indexes set in one Bitstring Status List: the revoked certificates it covers."""
    from .open_badges import STATUS_LIST_BITS

    first = (list_number - 1) * STATUS_LIST_BITS
    revoked = Certificate.objects.filter(
        revoked_at__isnull=False, pk__gte=first, pk__lt=first + STATUS_LIST_BITS
    ).values_list("pk", flat=True)
    return {pk - first for pk in revoked}
