"""The audit log: recording who saw or changed what, and its retention."""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from organisations.models import (
    AuditAction,
    AuditLogEntry,
    AuditSubject,
    Organisation,
)


def record_audit(
    *,
    actor: User | None,
    organisation: Organisation | None,
    action: AuditAction,
    detail: dict | None = None,
    subjects: Iterable[int | None] = (),
) -> AuditLogEntry:
    """Who saw or changed what about an organisation's people. Every view of a people list
    or person, every export and every administrator's look at people's data goes through
    here; `subjects` are the ids of the people it was about (their data download lists
    it)."""
    entry = AuditLogEntry.objects.create(
        actor=actor if actor and actor.is_authenticated else None,
        actor_email=actor.email if actor and actor.is_authenticated else "",
        organisation=organisation,
        action=action,
        detail=detail or {},
    )
    AuditSubject.objects.bulk_create(
        (AuditSubject(entry=entry, user_id=pk) for pk in sorted({pk for pk in subjects if pk})),
        batch_size=2000,
    )
    return entry


def purge_audit_log(*, now: datetime.datetime | None = None, days: int | None = None) -> int:
    """Delete audit log entries older than AUDIT_LOG_RETENTION_DAYS (or `days`); returns
    how many. Safe to run at any time and more than once (manage.py purge_audit_log)."""

    from organisations.models import AuditLogEntry

    keep_days = settings.AUDIT_LOG_RETENTION_DAYS if days is None else days
    if keep_days < 1:
        raise ValueError("The audit log retention period must be at least one day.")
    cutoff = (now or timezone.now()) - datetime.timedelta(days=keep_days)
    deleted, _by_model = AuditLogEntry.objects.filter(at__lt=cutoff).delete()
    return deleted


def record_audit_per_subject(
    *,
    actor: User | None,
    organisation: Organisation | None,
    action: AuditAction,
    details: dict[int, dict],
) -> list[AuditLogEntry]:
    """One entry per person (`details`: person id -> what was done about them), written in
    two queries however many: a reminder sent to hundreds at once, each with what it said
    to that person (their history on the person page reads it)."""
    if not details:
        return []
    now = timezone.now()
    authenticated = actor is not None and actor.is_authenticated
    entries = AuditLogEntry.objects.bulk_create(
        AuditLogEntry(
            actor=actor if authenticated else None,
            actor_email=actor.email if authenticated else "",
            organisation=organisation,
            action=action,
            detail=detail,
            at=now,
        )
        for detail in details.values()
    )
    AuditSubject.objects.bulk_create(
        (AuditSubject(entry=entry, user_id=pk) for entry, pk in zip(entries, details, strict=True)),
        batch_size=2000,
    )
    return entries
