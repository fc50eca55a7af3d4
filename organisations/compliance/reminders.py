"""Reminders: which requirement statuses call for an email and when (the periods), and
what goes into each email. The statuses come from
organisations.compliance.computation.compliance; nothing here recomputes them. Sending, once each
through core's ledger (core.models.SentEmail), is in organisations.compliance.reminder_mail.

The periods (SentEmail.item / SentEmail.period, unique per person and kind) follow each
organisation's reminder rules (reminder_rules.ReminderRules, issue 20.10; by default 30 and
7 days before a deadline, then weekly):

- learner digest, per mandatory requirement, grouped into three stages:
  due (not started, in progress or update due with the deadline within the largest of the
  rules' days before), expiring (a certificate whose end is that close; the rule calls it
  expiring within CERTIFICATE_RENEWAL_WINDOW_DAYS) and overdue (overdue or expired).
  item = "requirement:<id>:<stage>"; period = "<deadline>-<days>" for due and expiring, the
  reminder point reached (so once per point: 30 days before, 7 days before), and
  "<deadline>+w<n>" for overdue, n = whole repeat intervals since the deadline (so the day
  it becomes overdue and then every `repeat_after_days` while it stays overdue; with 0 only
  that first day). An overdue item reminded less than its interval ago waits, also when it
  enters a new interval (its first reminder can fall mid-interval when it was overdue
  already, e.g. after a revocation). A new deadline (a new member start, a new
  certificate) is a new period.
- coordinator summary: item = "organisation:<id>", period = the ISO week ("2026-W07"), only
  when the organisation has people overdue for at least the rules' `escalate_after_days`.
- reminders a coordinator sends (coordinator_reminders.py): item = "organisation:<id>",
  period = the day, so one per person and organisation a day however often it is asked.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse

from organisations.compliance.computation import Compliance, compliance

from ..models import Membership, Organisation

# The kinds are named with the models (the data download reads them); re-exported here.
from ..models.compliance import COORDINATOR_REQUEST as COORDINATOR_REQUEST
from ..models.compliance import COORDINATOR_SUMMARY as COORDINATOR_SUMMARY
from ..models.compliance import LEARNER_DIGEST as LEARNER_DIGEST
from .reminder_rules import DEFAULT_RULES, ReminderRules, rules_by_organisation
from .rule import RequirementStatus, Status

# A coordinator's weekly summary names at most this many overdue people per organisation.
SUMMARY_NAMES = 50


class Stage(StrEnum):
    # Most urgent first.
    OVERDUE = "overdue"
    DUE = "due"
    EXPIRING = "expiring"


_URGENCY = list(Stage)


_BEFORE_DEADLINE = {
    Status.DUE: Stage.DUE,
    Status.NOT_STARTED: Stage.DUE,
    Status.IN_PROGRESS: Stage.DUE,
    Status.UPDATE_DUE: Stage.DUE,
    Status.EXPIRING: Stage.EXPIRING,
}


def stage_of(
    status: RequirementStatus, *, today: datetime.date, rules: ReminderRules = DEFAULT_RULES
) -> Stage | None:
    """The reminder stage of a requirement status, or None when it needs no reminder:
    late ones always, the others once their deadline has reached one of the rules' days
    before it."""
    if status.deadline is None:
        return None
    if status.status in (Status.OVERDUE, Status.EXPIRED):
        return Stage.OVERDUE
    stage = _BEFORE_DEADLINE.get(status.status)
    if stage is None or rules.point((status.deadline - today).days) is None:
        return None
    return stage


def learner_period(
    stage: Stage,
    deadline: datetime.date,
    *,
    today: datetime.date,
    rules: ReminderRules = DEFAULT_RULES,
) -> str:
    if stage == Stage.OVERDUE:
        late = max((today - deadline).days, 0)
        intervals = late // rules.repeat_after_days if rules.repeat_after_days else 0
        return f"{deadline.isoformat()}+w{intervals}"
    return f"{deadline.isoformat()}-{rules.point((deadline - today).days)}"


def unsent(
    items: list["ReminderItem"],
    *,
    sent: set[tuple[str, str]],
    last_overdue: dict[tuple[str, str], datetime.date],
    today: datetime.date,
) -> list["ReminderItem"]:
    """The items whose reminder is still to be sent: not logged for this period, and for
    overdue items not reminded (for the same deadline) within their repeat interval.
    `last_overdue` holds the day of the last overdue reminder per (item, deadline)."""
    return [
        item
        for item in items
        if item.key not in sent
        and not (item.stage == Stage.OVERDUE and _waits(item, last_overdue, today=today))
    ]


def _waits(item: "ReminderItem", last_overdue: dict, *, today: datetime.date) -> bool:
    last = last_overdue.get((item.item, item.deadline.isoformat()))
    if last is None or not item.repeat_after_days:
        return False
    return last > today - datetime.timedelta(days=item.repeat_after_days)


def iso_week(day: datetime.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class ReminderItem:
    """One requirement of one person in a reminder."""

    organisation_name: str
    organisation_id: int
    requirement_id: int
    module_title: str
    status: Status
    deadline: datetime.date
    stage: Stage
    item: str
    period: str
    repeat_after_days: int = DEFAULT_RULES.repeat_after_days

    @property
    def key(self) -> tuple[str, str]:
        return (self.item, self.period)

    @property
    def status_label(self) -> str:
        return Status(self.status).label


@dataclass
class OrganisationSummary:
    """What a coordinator's weekly summary says about one organisation."""

    organisation_id: int
    organisation_name: str
    organisation_slug: str
    members: int
    compliant: int
    overdue: list[tuple[str, str]]  # (full name, team name), sorted by name
    due: int
    coordinator_ids: list[int] = field(default_factory=list)
    # Only people late for at least this many days are in `overdue` (the rules' escalation).
    escalate_after_days: int = 0

    @property
    def overdue_count(self) -> int:
        return len(self.overdue)

    @property
    def named(self) -> list[tuple[str, str]]:
        return self.overdue[:SUMMARY_NAMES]

    @property
    def unnamed(self) -> int:
        return max(self.overdue_count - SUMMARY_NAMES, 0)


@dataclass
class ReminderInput:
    """Everything a reminder run needs, read once: per person the reminder items of all
    their organisations, and per organisation the coordinators' summary."""

    today: datetime.date
    learner_items: dict[int, list[ReminderItem]]
    summaries: list[OrganisationSummary]


def member_items(
    report: Compliance, member, *, today: datetime.date, rules: ReminderRules = DEFAULT_RULES
):
    """The reminder items of one member of a compliance report: mandatory requirements in a
    reminder stage under the organisation's rules, most urgent first."""
    by_id = {requirement.pk: requirement for requirement in report.requirements}
    items = []
    for pk in member.mandatory_ids:
        status = member.statuses[pk]
        stage = stage_of(status, today=today, rules=rules)
        if stage is None:
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
                item=f"requirement:{pk}:{stage}",
                period=learner_period(stage, status.deadline, today=today, rules=rules),
                repeat_after_days=rules.repeat_after_days,
            )
        )
    return sorted(items, key=lambda item: (_URGENCY.index(item.stage), item.deadline))


def escalated(items: list[ReminderItem], *, today: datetime.date, rules: ReminderRules) -> bool:
    """Whether a member with these items (most urgent first) is late long enough to be in
    the coordinators' weekly overview."""
    if not items or items[0].stage != Stage.OVERDUE:
        return False
    return (today - items[0].deadline).days >= rules.escalate_after_days


def member_stage(items: list[ReminderItem]) -> Stage | None:
    """The most urgent stage among a member's items."""
    return items[0].stage if items else None


def organisations_with_requirements() -> QuerySet[Organisation]:
    return Organisation.objects.filter(framework__isnull=False).order_by("pk")


def reminder_input(
    *, today: datetime.date, organisations: QuerySet[Organisation] | None = None
) -> ReminderInput:
    """Read every organisation's compliance once (one report at a time, so memory stays at
    one organisation) and keep only what the reminders need."""
    if organisations is None:
        organisations = organisations_with_requirements()
    coordinators = defaultdict(list)
    for organisation_id, user_id in (
        Membership.objects.active(on=today)
        .filter(is_coordinator=True, organisation__in=organisations)
        .order_by("user_id")
        .values_list("organisation_id", "user_id")
    ):
        coordinators[organisation_id].append(user_id)

    learner_items: dict[int, dict[tuple[str, str], ReminderItem]] = defaultdict(dict)
    summaries = []
    stored_rules = rules_by_organisation(organisations.values_list("pk", flat=True))
    for organisation in organisations.select_related("sector"):
        rules = stored_rules.get(organisation.pk, DEFAULT_RULES)
        report = compliance(organisation, day=today)
        overdue, due = [], 0
        for member in report.members:
            items = member_items(report, member, today=today, rules=rules)
            for item in items:
                # The same requirement through two organisations with the same framework:
                # one reminder.
                learner_items[member.user_id].setdefault(item.key, item)
            stage = member_stage(items)
            if escalated(items, today=today, rules=rules):
                overdue.append((member.full_name, member.team_name))
            elif stage == Stage.DUE:
                due += 1
        summaries.append(
            OrganisationSummary(
                organisation_id=organisation.pk,
                organisation_name=organisation.name,
                organisation_slug=organisation.slug,
                members=len(report.members),
                compliant=report.compliant_count,
                overdue=sorted(overdue),
                due=due,
                coordinator_ids=coordinators.get(organisation.pk, []),
                escalate_after_days=rules.escalate_after_days,
            )
        )
    return ReminderInput(
        today=today,
        learner_items={
            user_id: sorted(
                items.values(), key=lambda item: (_URGENCY.index(item.stage), item.deadline)
            )
            for user_id, items in learner_items.items()
        },
        summaries=summaries,
    )


# --- Email content ------------------------------------------------------------------------


def site_url(path: str) -> str:
    """An absolute address on the public site for links in emails (sent outside a request)."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def learner_sections(items: list[ReminderItem]) -> list[tuple[Stage, list[ReminderItem]]]:
    grouped = defaultdict(list)
    for item in items:
        grouped[item.stage].append(item)
    return [(stage, grouped[stage]) for stage in Stage if grouped[stage]]


def learner_context(user, items: list[ReminderItem], *, requested_by: str = "") -> dict:
    return {
        "user": user,
        "sections": learner_sections(items),
        "organisations": sorted({item.organisation_name for item in items}),
        "requested_by": requested_by,
        "my_learning_url": site_url(reverse("my_learning")),
    }


def coordinator_context(user, summaries: list[OrganisationSummary], *, today) -> dict:
    return {
        "user": user,
        "summaries": [
            (
                summary,
                site_url(
                    reverse("organisations:dashboard", kwargs={"slug": summary.organisation_slug})
                ),
            )
            for summary in summaries
        ],
        "week": iso_week(today),
        "today": today,
    }
