"""Reminders a coordinator sends (issue 20.3): to one person, to a chosen group, or to
everyone overdue or due within DUE_WITHIN_DAYS. First a plan (who gets one, who is skipped
and why, the email's text), then, confirmed, the sending. At most one such reminder per
person, organisation and day; every one sent is in the audit log with the coordinator who
sent it and what it was about (the person page's history reads it back)."""

import datetime
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.mail import Sent, compose, mail_connection
from core.models import SentEmail
from organisations.compliance.computation import MemberCompliance, compliance
from organisations.compliance.reminder_mail import ReminderCounts, active_users, deliver
from organisations.compliance.reminder_rules import ReminderRules
from organisations.compliance.reminders import (
    COORDINATOR_REQUEST,
    ReminderItem,
    Stage,
    learner_context,
    member_items,
    member_stage,
)
from organisations.compliance.rule import DUE_WITHIN_DAYS, Status
from organisations.models import AuditAction, Membership, Organisation
from organisations.services.audit import record_audit_per_subject

# 'Everyone' means: someone is overdue, or has a deadline within this window.
EVERYONE_RULES = ReminderRules(days_before=(DUE_WITHIN_DAYS,))
# A chosen person is reminded of every mandatory requirement that is not plainly met.
_STAGE_OF = {
    Status.OVERDUE: Stage.OVERDUE,
    Status.EXPIRED: Stage.OVERDUE,
    Status.EXPIRING: Stage.EXPIRING,
    Status.DUE: Stage.DUE,
    Status.UPDATE_DUE: Stage.DUE,
    Status.IN_PROGRESS: Stage.DUE,
    Status.NOT_STARTED: Stage.DUE,
}
_URGENCY = list(Stage)


class SkipReason(StrEnum):
    REMINDED_TODAY = "reminded_today"
    NOTHING_OPEN = "nothing_open"
    NO_ACCOUNT = "no_account"

    @property
    def label(self) -> str:
        return str(_SKIP_LABELS[self])


_SKIP_LABELS = {
    SkipReason.REMINDED_TODAY: _("already reminded today (at most one reminder a day)"),
    SkipReason.NOTHING_OPEN: _("meets every mandatory requirement: nothing to remind of"),
    SkipReason.NO_ACCOUNT: _("the account is no longer active"),
}


@dataclass(frozen=True)
class Recipient:
    member: MemberCompliance
    user: User
    items: list[ReminderItem]

    @property
    def name(self) -> str:
        return self.member.full_name or self.member.email


@dataclass(frozen=True)
class Skipped:
    member: MemberCompliance
    reason: SkipReason

    @property
    def name(self) -> str:
        return self.member.full_name or self.member.email


@dataclass
class ReminderPlan:
    organisation: Organisation
    # The membership ids asked for; empty: everyone overdue or due soon.
    chosen: list[int]
    recipients: list[Recipient] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def everyone(self) -> bool:
        return not self.chosen

    def email(self) -> tuple[str, str] | None:
        """The first recipient's email (subject, text) exactly as it will be sent, in their
        language: the preview."""
        if not self.recipients:
            return None
        first = self.recipients[0]
        return render_email(first.user, first.items, organisation=self.organisation)


@dataclass
class ReminderOutcome:
    counts: ReminderCounts
    sent: list[str]  # names, in the plan's order
    # Not taken by the mail server now: queued, they go out once it is back.
    queued: list[str]
    skipped: list[Skipped]


def requested_items(report, member: MemberCompliance, *, today: datetime.date):
    """What a coordinator's reminder to this member lists: every mandatory requirement not
    plainly met (late, due, in progress, not started, expiring, update due), most urgent
    first."""
    by_id = {requirement.pk: requirement for requirement in report.requirements}
    items = []
    for pk in member.mandatory_ids:
        status = member.statuses[pk]
        stage = _STAGE_OF.get(status.status)
        if stage is None or status.deadline is None:
            continue
        items.append(
            ReminderItem(
                organisation_name=report.organisation.name,
                organisation_id=report.organisation.pk,
                requirement_id=pk,
                module_title=by_id[pk].module.title,
                status=status.status,
                deadline=status.deadline,
                stage=stage,
                item=f"organisation:{report.organisation.pk}",
                period=today.isoformat(),
            )
        )
    return sorted(items, key=lambda item: (_URGENCY.index(item.stage), item.deadline))


def plan_reminders(
    organisation: Organisation,
    *,
    membership_ids: list[int] | None = None,
    today: datetime.date | None = None,
) -> ReminderPlan:
    """Who a reminder would go to now, and who not and why. `membership_ids` chooses
    members of this organisation (others' ids are ignored); without them, everyone overdue
    or with a deadline within DUE_WITHIN_DAYS. A fixed number of queries."""
    today = today or timezone.localdate()
    chosen = sorted(set(membership_ids or []))
    plan = ReminderPlan(organisation=organisation, chosen=chosen)
    if chosen:
        user_ids = list(
            Membership.objects.active(on=today)
            .filter(organisation=organisation, pk__in=chosen)
            .values_list("user_id", flat=True)
        )
        if not user_ids:
            return plan
        report = compliance(organisation, day=today, user_ids=user_ids)
        members = report.members
    else:
        report = compliance(organisation, day=today)
        members = [
            member
            for member in report.members
            if member_stage(member_items(report, member, today=today, rules=EVERYONE_RULES))
            in (Stage.OVERDUE, Stage.DUE)
        ]
    reminded = set(
        SentEmail.objects.filter(
            kind=COORDINATOR_REQUEST,
            item=f"organisation:{organisation.pk}",
            period=today.isoformat(),
            user_id__in=[member.user_id for member in members],
        ).values_list("user_id", flat=True)
    )
    users = {user.pk: user for user in active_users([member.user_id for member in members])}
    for member in members:
        items = requested_items(report, member, today=today)
        if member.user_id not in users:
            plan.skipped.append(Skipped(member, SkipReason.NO_ACCOUNT))
        elif member.user_id in reminded:
            plan.skipped.append(Skipped(member, SkipReason.REMINDED_TODAY))
        elif not items:
            plan.skipped.append(Skipped(member, SkipReason.NOTHING_OPEN))
        else:
            plan.recipients.append(Recipient(member, users[member.user_id], items))
    return plan


def render_email(user: User, items: list[ReminderItem], *, organisation: Organisation):
    message = compose(
        to=user.email,
        language=user.preferred_language,
        template="organisations/email/learner_digest",
        context=learner_context(user, items, requested_by=organisation.name),
    )
    return message.subject, message.body


def send_planned(plan: ReminderPlan, *, actor: User) -> ReminderOutcome:
    """Send the plan's reminders (made again just before, so what was confirmed is checked
    against now: someone reminded meanwhile is skipped). Each one sent is recorded in the
    audit log with its sender and what it listed."""
    organisation = plan.organisation
    today = timezone.localdate()
    counts = ReminderCounts(skipped=len(plan.skipped))
    sent, queued, skipped, details = [], [], list(plan.skipped), {}
    with mail_connection() as mail:
        for recipient in plan.recipients:
            outcome = deliver(
                user=recipient.user,
                kind=COORDINATOR_REQUEST,
                keys=[(f"organisation:{organisation.pk}", today.isoformat())],
                template="learner_digest",
                context=learner_context(
                    recipient.user, recipient.items, requested_by=organisation.name
                ),
                mail=mail,
            )
            counts.add(outcome)
            if outcome is Sent.ALREADY:  # a parallel request sent it a moment ago
                skipped.append(Skipped(recipient.member, SkipReason.REMINDED_TODAY))
                continue
            # A queued one goes out later: it is recorded as sent like the others.
            (sent if outcome is Sent.SENT else queued).append(recipient.name)
            details[recipient.user.pk] = {
                "requirements": [item.requirement_id for item in recipient.items],
                "selection": "everyone" if plan.everyone else "chosen",
            }
    record_audit_per_subject(
        actor=actor, organisation=organisation, action=AuditAction.SENT_REMINDER, details=details
    )
    return ReminderOutcome(counts=counts, sent=sent, queued=queued, skipped=skipped)
