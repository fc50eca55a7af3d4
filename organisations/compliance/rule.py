"""The rule for one person against one requirement, as a pure function.

organisations.compliance.computation.compliance applies it to every member of an
organisation at once; keeping the rule free of the database lets it be tested exhaustively."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils.functional import lazy
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from core.dates import add_months

# Not started, with the deadline this close: "due" rather than "not started".
DUE_WITHIN_DAYS = 30

ONE_DAY = datetime.timedelta(days=1)
DUE_WINDOW = datetime.timedelta(days=DUE_WITHIN_DAYS)


def expiring_within_days() -> int:
    """A counting certificate is "expiring" in its last N days: the certificates app's
    renewal window (CERTIFICATE_RENEWAL_WINDOW_DAYS), so "expiring" is exactly when the
    holder can renew. One setting; the reminders and the status label read it too."""
    return settings.CERTIFICATE_RENEWAL_WINDOW_DAYS


def _expiring_label() -> str:
    return gettext("expiring within %(days)s days") % {"days": expiring_within_days()}


class Status(models.TextChoices):
    # In the order a coordinator acts on them: most urgent first.
    # With a context: the plain msgid "overdue" is 'verlopen' (a review date) elsewhere.
    OVERDUE = "overdue", pgettext_lazy("compliance status", "overdue")
    EXPIRED = "expired", _("expired")
    DUE = "due", _("due")
    UPDATE_DUE = "update_due", _("update due")
    EXPIRING = "expiring", lazy(_expiring_label, str)()
    IN_PROGRESS = "in_progress", _("in progress")
    NOT_STARTED = "not_started", _("not started")
    COMPLIANT = "compliant", _("compliant")


# The statuses that meet a requirement today.
MEETS = frozenset({Status.COMPLIANT, Status.EXPIRING, Status.UPDATE_DUE})


@dataclass(frozen=True)
class HeldCertificate:
    """What the rule needs of a person's latest unrevoked certificate for the module."""

    issued_on: datetime.date
    expires_on: datetime.date
    update_due_on: datetime.date | None = None


@dataclass(frozen=True)
class RequirementStatus:
    status: Status
    # The date that matters for this status: valid until, update or completion deadline,
    # or when it expired.
    deadline: datetime.date | None
    # The first later day on which the same inputs give another status (None: never). Kept
    # with the rule, so stored statuses (organisations.compliance.statuses.refresh_standings) know
    # when the calendar alone makes them stale.
    changes_on: datetime.date | None = None

    @property
    def meets(self) -> bool:
        return self.status in MEETS


def counts_until(
    certificate: HeldCertificate, *, recertify_every_months: int | None
) -> datetime.date:
    """The last day a certificate counts for a requirement: its own expiry, or sooner when
    the requirement asks to recertify more often."""
    if recertify_every_months is None:
        return certificate.expires_on
    return min(certificate.expires_on, add_months(certificate.issued_on, recertify_every_months))


def requirement_status(
    *,
    today: datetime.date,
    member_since: datetime.date,
    due_within_days: int,
    recertify_every_months: int | None,
    certificate: HeldCertificate | None,
    in_progress: bool,
) -> RequirementStatus:
    """The one rule: where a person stands on one requirement today."""
    if certificate is not None:
        return certificate_status(
            today=today, certificate=certificate, recertify_every_months=recertify_every_months
        )
    return deadline_status(
        today=today,
        member_since=member_since,
        due_within_days=due_within_days,
        in_progress=in_progress,
    )


# The rule's two halves, separately, so organisations.compliance.computation.compliance can
# evaluate each distinct input once (many members share a start date, or a certificate's dates).


def certificate_status(
    *, today: datetime.date, certificate: HeldCertificate, recertify_every_months: int | None
) -> RequirementStatus:
    """With a certificate: how it counts for the requirement today. With an update due
    (`update_due_on`) the earlier of the update deadline and the last day it counts
    applies, and the status says which: 'update due' (then 'overdue') for the update,
    'compliant', 'expiring' or 'expired' with the date it ends."""
    until = counts_until(certificate, recertify_every_months=recertify_every_months)
    expires = until + ONE_DAY
    if until < today:
        return RequirementStatus(Status.EXPIRED, until)
    update_due_on = certificate.update_due_on
    # The earlier of the two dates applies: an update deadline after the certificate ends
    # never shows (the certificate runs out first, and is 'expiring' as any other).
    if update_due_on is not None and update_due_on <= until:
        if update_due_on < today:
            return RequirementStatus(Status.OVERDUE, update_due_on, expires)
        return RequirementStatus(
            Status.UPDATE_DUE, update_due_on, min(update_due_on + ONE_DAY, expires)
        )
    expiring_within = expiring_within_days()
    if (until - today).days <= expiring_within:
        return RequirementStatus(Status.EXPIRING, until, expires)
    return RequirementStatus(
        Status.COMPLIANT, until, until - datetime.timedelta(days=expiring_within)
    )


def deadline_status(
    *, today: datetime.date, member_since: datetime.date, due_within_days: int, in_progress: bool
) -> RequirementStatus:
    """Without a certificate: the deadline is the membership start + N days."""
    deadline = member_since + datetime.timedelta(days=due_within_days)
    if deadline < today:
        return RequirementStatus(Status.OVERDUE, deadline)
    if in_progress:
        return RequirementStatus(Status.IN_PROGRESS, deadline, deadline + ONE_DAY)
    if (deadline - today).days <= DUE_WITHIN_DAYS:
        return RequirementStatus(Status.DUE, deadline, deadline + ONE_DAY)
    return RequirementStatus(Status.NOT_STARTED, deadline, deadline - DUE_WINDOW)
