"""An organisation's audit trail for a period, for an inspection (issue 20.11): who viewed
or exported whose records, who was invited, reminded, changed or removed, and when.

Personal data kept to what the question needs: the actor (name and address), whom an entry
is about (names; the count alone beyond SUBJECTS_NAMED), the invited address of an
invitation, and a few facts of the action. Never a people list's filters or search terms,
which may name others (as in the person's own data download)."""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone

from organisations.models import AuditLogEntry, AuditSubject, Organisation

# A people-list page names up to 50 people; an export may name thousands, which an
# inspector reads better as a count (the export's own entry).
SUBJECTS_NAMED = 50
# What an entry's detail may show in the trail; the rest (filters, search terms, ids that
# mean nothing outside Signaal) stays out.
DETAIL_SHOWN = (
    "format",
    "report",
    "rows",
    "results",
    "page",
    "downloaded",
    "sent",
    "skipped",
    "failed",
    "email",
    "changes",
    "account_removed",
    "statement",
    "period",
    "invited",
    "created",
    "updated",
)


@dataclass(frozen=True)
class AuditTrailRow:
    at: datetime.datetime  # local time
    actor_name: str
    actor_email: str
    action: str
    about: str  # names, or a count
    about_count: int
    details: str
    named: tuple[int, ...]  # the ids of the people `about` names


def _details(detail: dict) -> str:
    parts = []
    for key in DETAIL_SHOWN:
        if key in detail and detail[key] not in (None, "", {}, []):
            value = detail[key]
            if isinstance(value, dict):
                value = ", ".join(f"{name}={value[name]}" for name in sorted(value))
            parts.append(f"{key}: {value}")
    return "; ".join(parts)


def audit_trail(
    organisation: Organisation, start: datetime.date, end: datetime.date
) -> Iterator[AuditTrailRow]:
    """The organisation's audit log entries from `start` to `end` (both included, local
    days), oldest first."""
    subjects = AuditSubject.objects.select_related("user").order_by("user__full_name", "pk")
    entries = (
        AuditLogEntry.objects.filter(
            organisation=organisation, at__date__gte=start, at__date__lte=end
        )
        .select_related("actor")
        .prefetch_related(Prefetch("subjects", queryset=subjects))
        .order_by("at", "pk")
    )
    for entry in entries.iterator(chunk_size=1000):
        people = [subject.user for subject in entry.subjects.all()]
        named = people if len(people) <= SUBJECTS_NAMED else []
        about = "; ".join(person.display_name for person in named)
        actor = entry.actor
        yield AuditTrailRow(
            at=timezone.localtime(entry.at),
            actor_name=actor.display_name if actor else "",
            actor_email=entry.actor_email,
            action=str(entry.get_action_display()),
            about=about,
            about_count=len(people),
            details=_details(entry.detail),
            named=tuple(person.pk for person in named),
        )
