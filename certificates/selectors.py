"""Reads for certificates: renewal and update rules, a learner's list, public
verification, the PDF's contents."""

import datetime
import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import User
from core.models import SentEmail
from courses.models import ModulePage, ModuleVersion

from . import codes
from .models import (
    LEDGER_KINDS,
    STATUS_LIST_BITS,
    AttendanceRecord,
    Certificate,
    CertificateStatus,
    RegistrationNumber,
    ReminderKind,
    ledger_kind,
)

VERIFY_LIMIT = 30  # lookups per address per window
VERIFY_WINDOW_SECONDS = 600


def renewal_window() -> datetime.timedelta:
    return datetime.timedelta(days=settings.CERTIFICATE_RENEWAL_WINDOW_DAYS)


def renewal_due(certificate: Certificate, *, today: datetime.date) -> bool:
    """THE renewal rule: a certificate is up for renewal once its end date is within the
    renewal window (CERTIFICATE_RENEWAL_WINDOW_DAYS), and after it has expired.
    Completing the module then starts the next certification cycle."""
    return certificate.expires_on - renewal_window() <= today


def current_certificate(*, user: User, module: ModulePage) -> Certificate | None:
    """The certificate that counts for a person and module: the newest one not revoked.
    (A revoked certificate opens nothing: re-earning it is an administrator's decision.)"""
    return Certificate.objects.counting().filter(user=user, module=module).first()


@dataclass
class CertificateStanding:
    """A learner's certificate for one module, as courses needs it: may they renew, may
    they take the short update path, is an update due."""

    certificate: Certificate | None
    today: datetime.date

    @property
    def renewal_open(self) -> bool:
        return self.certificate is not None and renewal_due(self.certificate, today=self.today)

    def updatable_from(self, version_number: int) -> int | None:
        """The version a learner updates from when they enrol in version_number: their
        certificate's, when it is valid, not up for renewal and for an earlier version.
        (A renewal is a full new cycle, so it takes the whole module.)"""
        if (
            self.certificate is None
            or self.renewal_open
            or self.certificate.module_version >= version_number
        ):
            return None
        return self.certificate.module_version

    @functools.cached_property
    def update_due_on(self) -> datetime.date | None:
        if self.certificate is None:
            return None
        return certificate_update_due_on(self.certificate, today=self.today)


def certificate_standing(
    *, user: User, module: ModulePage, today: datetime.date | None = None
) -> CertificateStanding:
    today = today or timezone.localdate()
    if not user.is_authenticated:
        return CertificateStanding(certificate=None, today=today)
    return CertificateStanding(
        certificate=current_certificate(user=user, module=module), today=today
    )


def renewal_open(*, user: User, module: ModulePage, today: datetime.date | None = None) -> bool:
    """May the learner complete the module again for a new certificate (the next cycle)?"""
    return certificate_standing(user=user, module=module, today=today).renewal_open


def update_requirements(module_ids: Iterable[int]) -> dict[int, list[tuple[int, datetime.date]]]:
    """Per module id: (version number, update due on) of every version marked as requiring
    an update, ascending by number. One query. Every module id asked for is a key."""
    requirements: dict[int, list[tuple[int, datetime.date]]] = {pk: [] for pk in module_ids}
    rows = (
        ModuleVersion.objects.filter(
            module_id__in=list(requirements),
            update_required=True,
            update_due_on__isnull=False,
        )
        .order_by("module_id", "number")
        .values_list("module_id", "number", "update_due_on")
    )
    for module_id, number, due_on in rows:
        requirements[module_id].append((number, due_on))
    return requirements


def update_due_on(
    *, module_version: int, requirements: list[tuple[int, datetime.date]]
) -> datetime.date | None:
    """When a certificate for module_version must be updated: the earliest due date among
    later versions that require an update; None if none."""
    return min((due for number, due in requirements if number > module_version), default=None)


def certificate_update_due_on(
    certificate: Certificate, *, today: datetime.date | None = None
) -> datetime.date | None:
    """update_due_on for one certificate (for single pages); None unless it is valid."""
    if certificate.module_id is None or certificate.status(today=today) != CertificateStatus.VALID:
        return None
    requirements = update_requirements([certificate.module_id])[certificate.module_id]
    return update_due_before_expiry(
        certificate,
        update_due_on(module_version=certificate.module_version, requirements=requirements),
    )


def update_due_before_expiry(
    certificate: Certificate, due: datetime.date | None
) -> datetime.date | None:
    """An update deadline counts only while the certificate is still valid then: when it
    expires first, the expiry is what the holder must act on (renewal covers the update),
    as the compliance rule (organisations.compliance.rule) also decides."""
    return due if due is not None and due <= certificate.expires_on else None


@dataclass(frozen=True)
class CertificateRow:
    """One line of 'Mijn certificaten'."""

    certificate: Certificate
    status: CertificateStatus
    # The newest certificate not revoked for its module: the one that counts.
    is_current: bool
    renewed: bool  # a later cycle (not revoked) exists
    renewal_open: bool
    update_due_on: datetime.date | None
    today: datetime.date

    @property
    def update_overdue(self) -> bool:
        return self.update_due_on is not None and self.update_due_on < self.today


def certificate_for_enrolment(enrolment) -> Certificate | None:
    """The certificate a completed enrolment earned: the one issued for it, or the one the
    learner kept (issue_for keeps a valid certificate for the same or a later version)."""
    issued = Certificate.objects.filter(enrolment=enrolment).first()
    if issued:
        return issued
    return current_certificate(user=enrolment.user, module=enrolment.module)


def completion_email_sent(certificate: Certificate) -> bool:
    return SentEmail.objects.filter(
        kind=ledger_kind(ReminderKind.ISSUED), item=str(certificate.pk)
    ).exists()


def learner_certificates(*, user: User) -> list[Certificate]:
    return list(Certificate.objects.filter(user=user).order_by("-issued_at"))


def certificate_overview(*, user: User, today: datetime.date | None = None) -> list[CertificateRow]:
    """The learner's certificates, newest first, each with what it needs: renewal, an
    update (and by when), or nothing. Two queries."""
    today = today or timezone.localdate()
    certificates = list(
        Certificate.objects.filter(user=user).select_related("module").order_by("-issued_at")
    )
    requirements = update_requirements({c.module_id for c in certificates if c.module_id})
    current_cycle: dict[int, int] = {}
    for certificate in certificates:
        if certificate.module_id is not None and not certificate.revoked_at:
            key = certificate.module_id
            current_cycle[key] = max(current_cycle.get(key, 0), certificate.cycle)
    rows = []
    for certificate in certificates:
        status = certificate.status(today=today)
        is_current = (
            certificate.module_id is not None
            and current_cycle.get(certificate.module_id) == certificate.cycle
            and not certificate.revoked_at
        )
        due = (
            update_due_before_expiry(
                certificate,
                update_due_on(
                    module_version=certificate.module_version,
                    requirements=requirements[certificate.module_id],
                ),
            )
            if is_current and status == CertificateStatus.VALID
            else None
        )
        rows.append(
            CertificateRow(
                certificate=certificate,
                status=status,
                is_current=is_current,
                renewed=current_cycle.get(certificate.module_id, 0) > certificate.cycle,
                renewal_open=is_current and renewal_due(certificate, today=today),
                update_due_on=due,
                today=today,
            )
        )
    return rows


@dataclass(frozen=True)
class Verification:
    """What the public verification page may show: never an email address."""

    outcome: str  # valid, expired, revoked, unknown, typo
    certificate: Certificate | None = None
    # The module's current version when it is newer than the certificate's (a fact about
    # the module, not the holder).
    newer_version: int | None = None


def verify(text: str) -> Verification:
    try:
        code = codes.normalise(text)
    except codes.CodeError as error:
        return Verification("typo" if str(error) == "typing error" else "unknown")
    certificate = Certificate.objects.filter(code=code).first()
    if certificate is None:
        # Not issued. Every code issued now passes Damm's check, so one that fails it is a
        # new code with a typing error (it passed only the old check by chance).
        return Verification("unknown" if codes.has_current_check(code) else "typo")
    status = certificate.status()
    current_version = (
        ModulePage.objects.filter(pk=certificate.module_id)
        .values_list("current_version", flat=True)
        .first()
    )
    return Verification(
        {
            CertificateStatus.VALID: "valid",
            CertificateStatus.EXPIRED: "expired",
            CertificateStatus.REVOKED: "revoked",
        }[status],
        certificate,
        newer_version=(
            current_version
            if current_version and current_version > certificate.module_version
            else None
        ),
    )


def search_certificates(queryset: QuerySet[Certificate], text: str) -> QuerySet[Certificate]:
    """The admin search: a whole code in any spelling finds that certificate; otherwise a
    part of the holder's name, or the start of a code."""
    text = text.strip()[:100]
    try:
        return queryset.filter(code=codes.normalise(text))
    except codes.CodeError:
        pass
    matches = Q(holder_name__icontains=text)
    if len(codes.compact(text)) >= 4:
        matches |= Q(code__startswith=codes.compact(text))
    return queryset.filter(matches)


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


def module_badge_title(module_id: int) -> str | None:
    """The title on a module's badge image: the latest certificate's (so only modules that
    issued certificates have one, and unpublished titles stay private)."""
    return (
        Certificate.objects.filter(module_id=module_id)
        .order_by("-issued_at")
        .values_list("module_title", flat=True)
        .first()
    )


def revoked_status_indexes(*, list_number: int) -> set[int]:
    """Indexes set in one Bitstring Status List: the revoked certificates it covers."""
    return set(
        Certificate.objects.filter(revoked_at__isnull=False, status_list=list_number).values_list(
            "status_index", flat=True
        )
    )


def revoked_legacy_status_indexes(*, list_number: int) -> set[int]:
    """The same for the lists of credentials downloaded before status positions were random
    (migration 0004): there a certificate's position was its database id."""
    first = (list_number - 1) * STATUS_LIST_BITS
    revoked = Certificate.objects.filter(
        revoked_at__isnull=False, pk__gte=first, pk__lt=first + STATUS_LIST_BITS
    ).values_list("pk", flat=True)
    return {pk - first for pk in revoked}


# Personal data (assembled by accounts.selectors.personal_data) ------------------------


def personal_data(user: User) -> dict:
    """The holder's certificates for their data download, with the reminders sent about
    them."""
    today = timezone.localdate()
    certificates = Certificate.objects.filter(user=user).order_by("issued_at", "pk")
    # The emails about them, from core's ledger (item: the certificate's id).
    reminders = defaultdict(list)
    for kind, item, period, sent_at in (
        SentEmail.objects.filter(user=user, kind__in=list(LEDGER_KINDS))
        .order_by("sent_at", "pk")
        .values_list("kind", "item", "period", "sent_at")
    ):
        reminders[item].append(
            {
                "kind": str(LEDGER_KINDS[kind].value),
                "due_on": datetime.date.fromisoformat(period),
                "sent_at": sent_at,
            }
        )
    return {
        "certificates": [
            {
                "code": certificate.formatted_code,
                "holder_name": certificate.holder_name,
                "module": certificate.module_title,
                "module_version": certificate.module_version,
                "cycle": certificate.cycle,
                "issuer": certificate.issuer,
                "issued_at": certificate.issued_at,
                "valid_until": certificate.expires_on,
                "revoked_at": certificate.revoked_at,
                "status": str(certificate.status(today=today).value),
                "reminders_sent": reminders[str(certificate.pk)],
            }
            for certificate in certificates
        ],
        "registration_numbers": [
            {
                "register": number.register.name,
                "number": number.number,
                "consented_at": number.consented_at,
            }
            for number in RegistrationNumber.objects.filter(user=user).select_related("register")
        ],
        "attendance_reported": [
            {
                "certificate": record.certificate.formatted_code,
                "register": record.register.name,
                "registration_number": record.registration_number,
                "course_id": record.course_id,
                "points": str(record.points),
                "completed_on": record.completed_on,
                "status": record.status,
                "reported_at": record.reported_at,
            }
            for record in AttendanceRecord.objects.filter(certificate__user=user).select_related(
                "register", "certificate"
            )
        ],
    }
