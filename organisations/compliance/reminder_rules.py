"""When an organisation's automatic reminders go out (issue 20.10): the days before a
deadline on which learners are reminded, how often after it, and when late people are
escalated to the coordinators. Coordinators set them (reminder_rules view); the hourly run
reads them (reminders.reminder_input). Without a stored row the defaults apply."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from organisations.models import AuditAction, Organisation, ReminderSchedule
from organisations.services.audit import record_audit

# The limits the form enforces (and the service checks again).
MAX_DAYS_BEFORE = 365
MAX_POINTS = 5
MAX_REPEAT_DAYS = 90
MAX_ESCALATE_DAYS = 365


def rule_problems(days_before: Iterable[int], repeat: int, escalate: int) -> list[str]:
    """What is wrong with these numbers (for developers: the form gives the coordinator
    its own messages first)."""
    days_before = list(days_before)
    problems = []
    if len(days_before) > MAX_POINTS:
        problems.append(f"at most {MAX_POINTS} days before a deadline")
    if any(not 1 <= days <= MAX_DAYS_BEFORE for days in days_before):
        problems.append(f"days before a deadline must be 1-{MAX_DAYS_BEFORE}")
    if not 0 <= repeat <= MAX_REPEAT_DAYS:
        problems.append(f"repeat must be 0-{MAX_REPEAT_DAYS}")
    if not 0 <= escalate <= MAX_ESCALATE_DAYS:
        problems.append(f"escalation must be 0-{MAX_ESCALATE_DAYS}")
    return problems


@dataclass(frozen=True)
class ReminderRules:
    # Days before a deadline (or the end of a certificate) on which learners are reminded,
    # largest first; empty: no reminder before the deadline.
    days_before: tuple[int, ...] = (30, 7)
    # After the deadline: again every N days while it stays late (0: once, the first day).
    repeat_after_days: int = 7
    # A late person is in the coordinators' weekly overview once this many days late.
    escalate_after_days: int = 0

    def __post_init__(self):
        problems = rule_problems(self.days_before, self.repeat_after_days, self.escalate_after_days)
        if problems:
            raise ValueError("; ".join(problems))
        object.__setattr__(self, "days_before", tuple(sorted(set(self.days_before), reverse=True)))

    def point(self, days_left: int) -> int | None:
        """The reminder point a deadline `days_left` away has reached (the nearest of
        `days_before` at or above it), or None when it is further away than all of them."""
        reached = [days for days in self.days_before if days_left <= days]
        return min(reached) if reached else None

    def as_dict(self) -> dict:
        return {
            "days_before": list(self.days_before),
            "repeat_after_days": self.repeat_after_days,
            "escalate_after_days": self.escalate_after_days,
        }


DEFAULT_RULES = ReminderRules()


def _rules_of(schedule: ReminderSchedule) -> ReminderRules:
    return ReminderRules(
        days_before=tuple(schedule.days_before),
        repeat_after_days=schedule.repeat_after_days,
        escalate_after_days=schedule.escalate_after_days,
    )


def rules_for(organisation: Organisation) -> ReminderRules:
    schedule = ReminderSchedule.objects.filter(organisation=organisation).first()
    return _rules_of(schedule) if schedule else DEFAULT_RULES


def rules_by_organisation(organisation_ids: Iterable[int]) -> dict[int, ReminderRules]:
    """The stored rules of these organisations in one query; look up with
    `.get(pk, DEFAULT_RULES)`."""
    return {
        schedule.organisation_id: _rules_of(schedule)
        for schedule in ReminderSchedule.objects.filter(organisation_id__in=list(organisation_ids))
    }


def set_reminder_rules(
    organisation: Organisation, rules: ReminderRules, *, actor: User
) -> ReminderRules:
    """Store the organisation's rules (the next hourly run uses them) and record who changed
    what in the audit log."""
    with transaction.atomic():
        before = rules_for(organisation)
        ReminderSchedule.objects.update_or_create(
            organisation=organisation,
            defaults={
                "days_before": list(rules.days_before),
                "repeat_after_days": rules.repeat_after_days,
                "escalate_after_days": rules.escalate_after_days,
                "updated_at": timezone.now(),
            },
        )
        record_audit(
            actor=actor,
            organisation=organisation,
            action=AuditAction.CHANGED_REMINDER_RULES,
            detail={"before": before.as_dict(), "after": rules.as_dict()},
        )
    return rules
