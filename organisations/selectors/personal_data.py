"""The person's part of organisations for their data download and deletion
(registered with accounts.personal_data in OrganisationsConfig.ready())."""

from collections.abc import Collection, Iterable

from accounts.models import User
from organisations.models import Membership
from organisations.selectors.invitations import invitations_to


def person_terms(user: User, addresses: Iterable[str]) -> set[str]:
    """What a typed search for this person would hold: their name and addresses, folded."""
    terms = {" ".join(user.full_name.casefold().split())} | {a.casefold() for a in addresses}
    return {term for term in terms if term}


def names_person(text: str, terms: Collection[str]) -> bool:
    """Whether a typed search term names the person: it is, or holds, their full name or
    one of their addresses, is a part of one (three characters or more: 'vries',
    'sanne@werk'), or each of its words is ('vries sanne'). Case and spacing do not
    count. A name shorter than three characters only counts when typed as it is."""
    text = " ".join(str(text or "").casefold().split())
    if not text or not terms:
        return False
    if any(
        term == text or (len(term) >= 3 and term in text) or (len(text) >= 3 and text in term)
        for term in terms
    ):
        return True
    words = [word for word in text.replace(",", " ").replace(";", " ").split() if word]
    return len(words) > 1 and all(
        len(word) >= 2 and any(word in term for term in terms) for word in words
    )


# What an entry about someone says in their download: never the coordinator's filters or
# search terms (they may name other people), only what was done with the person's data.
_ABOUT_DETAIL = {
    "exported": ("format", "downloaded"),
    "viewed_people": ("page",),
    "changed_membership": ("changes",),
    "viewed_in_admin": ("model", "view"),
}


def people_in_audit_entries(entries: Iterable) -> set[int]:
    """Everyone these audit log entries name: who acted and whom they were about."""
    from organisations.models import AuditSubject

    entries = list(entries)
    people = {entry.actor_id for entry in entries if entry.actor_id}
    people.update(
        AuditSubject.objects.filter(entry__in=[entry.pk for entry in entries]).values_list(
            "user_id", flat=True
        )
    )
    return people


def audit_log_about(user: User) -> list:
    """Audit log entries about the person (AuditSubject): who saw or changed their data,
    in which organisation, when and what, oldest first. A background export names its
    people once, when the file is built; its downloads (same job) are about them too."""
    from organisations.models import AuditAction, AuditLogEntry

    about = list(
        AuditLogEntry.objects.filter(subjects__user=user).select_related("actor", "organisation")
    )
    jobs = [
        entry.detail["job"]
        for entry in about
        if entry.action == AuditAction.EXPORTED and "job" in entry.detail
    ]
    if jobs:
        about += (
            AuditLogEntry.objects.filter(
                action=AuditAction.EXPORTED, detail__downloaded=True, detail__job__in=jobs
            )
            .exclude(pk__in=[entry.pk for entry in about])
            .select_related("actor", "organisation")
        )
    return sorted(about, key=lambda entry: (entry.at, entry.pk))


def personal_data(user: User) -> dict:
    """The person's part of organisations for their data download: memberships,
    invitations to their addresses, reminders sent to them, what they did as a
    coordinator (audit log entries with them as the actor) and who saw or changed their
    data (entries about them: coordinators' views and exports, administrators' views)."""
    from core.models import SentEmail
    from organisations.models import AuditLogEntry
    from organisations.models.compliance import REMINDER_KINDS

    return {
        "memberships": [
            {
                "organisation": membership.organisation.name,
                "team": membership.team.name if membership.team_id else None,
                "role": membership.role.name,
                "coordinator": membership.is_coordinator,
                "started_on": membership.started_on,
                "ended_on": membership.ended_on,
            }
            for membership in Membership.objects.filter(user=user)
            .select_related("organisation", "team", "role")
            .order_by("started_on", "pk")
        ],
        "invitations": [
            {
                "organisation": invitation.organisation.name,
                "email": invitation.email,
                "full_name": invitation.full_name,
                "team": invitation.team.name if invitation.team_id else None,
                "role": invitation.role.name,
                "coordinator": invitation.is_coordinator,
                "started_on": invitation.started_on,
                "created_at": invitation.created_at,
                "expires_at": invitation.expires_at,
                "accepted_at": invitation.accepted_at,
            }
            for invitation in invitations_to(user)
            .select_related("organisation", "team", "role")
            .order_by("created_at", "pk")
        ],
        "reminders": [
            {"kind": log.kind, "about": log.item, "period": log.period, "sent_at": log.sent_at}
            for log in SentEmail.objects.filter(user=user, kind__in=REMINDER_KINDS).order_by(
                "sent_at", "pk"
            )
        ],
        "audit_log": [
            {
                "at": entry.at,
                "organisation": entry.organisation.name if entry.organisation_id else None,
                "action": entry.action,
                "detail": entry.detail,
            }
            for entry in AuditLogEntry.objects.filter(actor=user)
            .select_related("organisation")
            .order_by("at", "pk")
        ],
        "audit_log_about_you": [
            {
                "at": entry.at,
                "action": entry.action,
                "by": entry.actor.display_name if entry.actor_id else None,
                "organisation": entry.organisation.name if entry.organisation_id else None,
                "what": {
                    key: entry.detail[key]
                    for key in _ABOUT_DETAIL.get(entry.action, ())
                    if key in entry.detail
                },
            }
            for entry in audit_log_about(user)
        ],
    }
