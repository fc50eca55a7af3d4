"""The four groups a coordinator acts on (issue 20.8). The rule (rule.py) has eight
statuses; a coordinator does one of four things about them: chase someone who is late,
nudge someone whose date is near, leave someone on track alone, or nothing. Presentation
only: every status belongs to exactly one group, and the detailed status stays visible next
to it. Only mandatory requirements place a person in a group (recommended ones are never
late, issue 20.4)."""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from organisations.compliance.rule import Status


class Group(models.TextChoices):
    # Most urgent first: the people list's urgency order.
    LATE = "late", _("Late or expired")
    SOON = "soon", _("Needed soon")
    ON_TRACK = "on_track", _("On track")
    FINE = "fine", _("Meets")


GROUP_OF: dict[Status, Group] = {
    Status.OVERDUE: Group.LATE,
    Status.EXPIRED: Group.LATE,
    Status.DUE: Group.SOON,
    Status.UPDATE_DUE: Group.SOON,
    Status.EXPIRING: Group.SOON,
    Status.IN_PROGRESS: Group.ON_TRACK,
    Status.NOT_STARTED: Group.ON_TRACK,
    Status.COMPLIANT: Group.FINE,
}

STATUSES_OF: dict[Group, tuple[Status, ...]] = {
    group: tuple(status for status in Status if GROUP_OF[status] == group) for group in Group
}

# The groups that put someone on the dashboard's 'Actie nodig' list.
NEEDS_ACTION = (Group.LATE, Group.SOON)
ACTION_STATUSES = frozenset(STATUSES_OF[Group.LATE] + STATUSES_OF[Group.SOON])

_RANK = {group: index for index, group in enumerate(Group)}
# A member without any mandatory requirement comes after everyone who has one.
NO_REQUIREMENT_RANK = len(Group)


def group_of(status: Status | str | None) -> Group | None:
    return GROUP_OF[Status(status)] if status else None


def urgency_rank(worst_status: Status | str | None) -> int:
    """A member's place in the urgency order, from their most urgent mandatory status."""
    return _RANK[group_of(worst_status)] if worst_status else NO_REQUIREMENT_RANK


def urgency_key(worst_status, next_deadline: datetime.date | None) -> tuple:
    """The people list's urgency order (the SQL in people.py orders the same way): the
    group, then the earliest date (the longest late first, the nearest deadline next);
    the caller's name order breaks ties."""
    return (urgency_rank(worst_status), next_deadline is None, next_deadline or datetime.date.max)


def deadline_key(next_deadline: datetime.date | None) -> tuple:
    return (next_deadline is None, next_deadline or datetime.date.max)
