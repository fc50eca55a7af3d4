"""Writes for organisations: the audit log, memberships, invitations, imports, exports and
reminders."""

from cms.accounts.models import User

from .models import AuditAction, AuditLogEntry, Organisation


def record_audit(
    *,
    actor: User | None,
    organisation: Organisation | None,
    action: AuditAction,
    detail: dict | None = None,
) -> AuditLogEntry:
    """Who saw or changed what about an organisation's people. Every view of a people list
    and every export goes through here."""
    return AuditLogEntry.objects.create(
        actor=actor if actor and actor.is_authenticated else None,
        actor_email=actor.email if actor and actor.is_authenticated else "",
        organisation=organisation,
        action=action,
        detail=detail or {},
    )
