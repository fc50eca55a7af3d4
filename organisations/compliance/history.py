"""What a coordinator sees of a person's recent past (issue 20.3): the reminders they got
from this organisation (when, from whom, about what) and when they last did something in a
module the organisation asks for. Never what they answered or wrote."""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Max, Q
from django.utils import timezone

from accounts.models import User
from core.models import SentEmail
from courses.models import Enrolment
from organisations.compliance.reminders import COORDINATOR_REQUEST, LEARNER_DIGEST, Stage
from organisations.models import (
    AuditAction,
    AuditLogEntry,
    Organisation,
    Requirement,
)

HISTORY_LENGTH = 20


@dataclass(frozen=True)
class SentReminder:
    sent_at: datetime.datetime
    # The coordinator who sent it; None for the automatic reminders.
    sent_by: str | None
    # Module titles it was about (empty for reminders recorded before this was kept).
    about: tuple[str, ...]

    @property
    def automatic(self) -> bool:
        return self.sent_by is None


def _digest_items(requirements: Iterable[Requirement]) -> dict[str, Requirement]:
    return {
        f"requirement:{requirement.pk}:{stage}": requirement
        for requirement in requirements
        for stage in Stage
    }


def reminder_history(
    organisation: Organisation, user: User, *, requirements: list[Requirement]
) -> list[SentReminder]:
    """The reminders the person got about this organisation's requirements, newest first:
    those its coordinators sent (from the audit log, which names the sender) and the
    automatic ones (core's ledger of emails sent; one email per day). Two queries."""
    by_id = {requirement.pk: requirement for requirement in requirements}
    history = []
    entries = (
        AuditLogEntry.objects.filter(
            organisation=organisation, action=AuditAction.SENT_REMINDER, subjects__user=user
        )
        .select_related("actor")
        .order_by("-at")[:HISTORY_LENGTH]
    )
    for entry in entries:
        titles = [
            by_id[pk].module.title for pk in entry.detail.get("requirements", []) if pk in by_id
        ]
        sender = entry.actor.display_name if entry.actor_id else (entry.actor_email or "–")
        history.append(SentReminder(entry.at, sender, tuple(titles)))
    items = _digest_items(requirements)
    per_day: dict[datetime.date, list] = defaultdict(list)
    for item, sent_at in (
        SentEmail.objects.filter(user=user, kind=LEARNER_DIGEST, item__in=list(items))
        .order_by("-sent_at")
        .values_list("item", "sent_at")[: HISTORY_LENGTH * 5]
    ):
        per_day[timezone.localdate(sent_at)].append((sent_at, items[item].module.title))
    for rows in per_day.values():
        titles = tuple(dict.fromkeys(title for _at, title in sorted(rows)))
        history.append(SentReminder(min(at for at, _title in rows), None, titles))
    history.sort(key=lambda reminder: reminder.sent_at, reverse=True)
    return history[:HISTORY_LENGTH]


def last_reminded(
    organisation: Organisation, user_ids: list[int], *, requirements: list[Requirement]
) -> dict[int, datetime.datetime]:
    """When each of these people was last reminded about this organisation's requirements
    (by a coordinator or automatically): one query."""
    if not user_ids:
        return {}
    return dict(
        SentEmail.objects.filter(
            Q(kind=COORDINATOR_REQUEST, item=f"organisation:{organisation.pk}")
            | Q(kind=LEARNER_DIGEST, item__in=list(_digest_items(requirements))),
            user_id__in=user_ids,
        )
        .values("user_id")
        .annotate(last=Max("sent_at"))
        .order_by()
        .values_list("user_id", "last")
    )


@dataclass(frozen=True)
class Activity:
    at: datetime.datetime
    module_title: str


def last_activity(user: User, *, module_ids: Iterable[int]) -> Activity | None:
    """The last time the person did something (started, read a lesson, finished) in one of
    these modules (the ones the organisation asks for): one query."""
    enrolment = (
        Enrolment.objects.filter(user=user, module_id__in=list(module_ids))
        .select_related("module")
        .order_by("-last_activity_at")
        .only("last_activity_at", "module__title")
        .first()
    )
    if enrolment is None:
        return None
    return Activity(enrolment.last_activity_at, enrolment.module.title)
