"""Sending the reminders (which statuses call for one and when: reminders.py), once each
through core.mail.send_once, which records them in core's ledger (SentEmail)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from core.mail import MailConnection, Sent, compose, mail_connection, send_once
from core.models import SentEmail
from organisations.compliance.reminders import (
    COORDINATOR_SUMMARY,
    LEARNER_DIGEST,
    ReminderInput,
    Stage,
    coordinator_context,
    iso_week,
    learner_context,
    reminder_input,
    unsent,
)


@dataclass
class ReminderCounts:
    sent: int = 0
    # Not taken by the mail server now: queued, `send_queued_emails` sends them.
    queued: int = 0
    # Nothing new for the person, or sent already (earlier today, or by a parallel run).
    skipped: int = 0

    def add(self, outcome: Sent | None) -> None:
        if outcome is Sent.SENT:
            self.sent += 1
        elif outcome is Sent.QUEUED:
            self.queued += 1
        else:
            self.skipped += 1


def deliver(
    *,
    user: User,
    kind: str,
    keys: list[tuple[str, str]],
    template: str,
    context: dict,
    mail: MailConnection,
) -> Sent:
    """One reminder email, built in the person's language, recorded for its (item, period)
    keys and sent once (core.mail.send_once: a parallel run sends nothing, a failing mail
    server leaves it queued)."""
    return send_once(
        compose(
            to=user.email,
            language=user.preferred_language,
            template=f"organisations/email/{template}",
            context=context,
        ),
        user_id=user.pk,
        about=[(kind, item, period) for item, period in keys],
        mail=mail,
    )


def active_users(user_ids) -> list[User]:
    return list(
        User.objects.filter(pk__in=user_ids, is_active=True)
        .only("pk", "email", "full_name", "preferred_language")
        .order_by("pk")
    )


def send_learner_digests(
    *, today: datetime.date | None = None, gathered: ReminderInput | None = None
) -> ReminderCounts:
    """One email per person with the reminders of all their organisations that were not sent
    yet for their period (due, expiring, overdue: see organisations.reminders)."""
    today = today or timezone.localdate()
    gathered = gathered or reminder_input(today=today)
    counts = ReminderCounts()
    with mail_connection() as mail:
        overdue = f":{Stage.OVERDUE}"
        user_ids = sorted(gathered.learner_items)
        for start in range(0, len(user_ids), 500):
            chunk = user_ids[start : start + 500]
            items = [item for pk in chunk for item in gathered.learner_items[pk]]
            periods = {item.period for item in items}
            # Overdue reminders as far back as the longest repeat interval among them.
            longest = max((item.repeat_after_days for item in items), default=0)
            since = today - datetime.timedelta(days=longest)
            recent = timezone.make_aware(datetime.datetime.combine(since, datetime.time()))
            sent, last_overdue = defaultdict(set), defaultdict(dict)
            for user_id, item, period, sent_at in SentEmail.objects.filter(
                Q(period__in=periods) | Q(sent_at__gte=recent, item__endswith=overdue),
                kind=LEARNER_DIGEST,
                user_id__in=chunk,
            ).values_list("user_id", "item", "period", "sent_at"):
                sent[user_id].add((item, period))
                if item.endswith(overdue):
                    key, day = (item, period.partition("+")[0]), timezone.localdate(sent_at)
                    last_overdue[user_id][key] = max(day, last_overdue[user_id].get(key, day))
            for user in active_users(chunk):
                new = unsent(
                    gathered.learner_items[user.pk],
                    sent=sent[user.pk],
                    last_overdue=last_overdue[user.pk],
                    today=today,
                )
                if not new:
                    continue
                counts.add(
                    deliver(
                        user=user,
                        kind=LEARNER_DIGEST,
                        keys=[item.key for item in new],
                        template="learner_digest",
                        context=learner_context(user, new),
                        mail=mail,
                    )
                )
    return counts


def send_coordinator_summaries(
    *, today: datetime.date | None = None, gathered: ReminderInput | None = None
) -> ReminderCounts:
    """Once per ISO week, each coordinator gets the overdue people of the organisations they
    coordinate (only those with overdue people), one email for all of them."""
    today = today or timezone.localdate()
    gathered = gathered or reminder_input(today=today)
    week = iso_week(today)
    per_coordinator = defaultdict(list)
    for summary in gathered.summaries:
        if summary.overdue_count:
            for user_id in summary.coordinator_ids:
                per_coordinator[user_id].append(summary)
    sent = set(
        SentEmail.objects.filter(
            kind=COORDINATOR_SUMMARY, period=week, user_id__in=list(per_coordinator)
        ).values_list("user_id", "item")
    )
    counts = ReminderCounts()
    with mail_connection() as mail:
        for user in active_users(list(per_coordinator)):
            new = [
                summary
                for summary in per_coordinator[user.pk]
                if (user.pk, f"organisation:{summary.organisation_id}") not in sent
            ]
            if not new:
                continue
            counts.add(
                deliver(
                    user=user,
                    kind=COORDINATOR_SUMMARY,
                    keys=[(f"organisation:{summary.organisation_id}", week) for summary in new],
                    template="coordinator_summary",
                    context=coordinator_context(user, new, today=today),
                    mail=mail,
                )
            )
    return counts


def send_reminders(*, today: datetime.date | None = None) -> dict[str, ReminderCounts]:
    """The hourly run: learners' digests and coordinators' weekly summaries, from one read
    of every organisation's compliance. Safe to repeat and to overlap."""
    today = today or timezone.localdate()
    gathered = reminder_input(today=today)
    return {
        "learners": send_learner_digests(today=today, gathered=gathered),
        "coordinators": send_coordinator_summaries(today=today, gathered=gathered),
    }
