"""The coordinator's dashboard: figures, requirement and team rows, the 12-month trend and
the knowledge gaps."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from core.dates import month_start, shift_month
from organisations.compliance.computation import Compliance, applicable_requirements, compliance
from organisations.compliance.figures import (
    MINIMUM_GROUP,
    Figures,
    RequirementRow,
    StatusCounts,
    TeamRow,
    percent_of,
    requirement_rows,
    team_rows,
)
from organisations.compliance.groups import ACTION_STATUSES, GROUP_OF, Group, group_of
from organisations.compliance.history import last_reminded
from organisations.compliance.people import NEEDS_ACTION, SORT_URGENCY, people
from organisations.compliance.rule import RequirementStatus, Status
from organisations.compliance.statuses import stored_figures
from organisations.models import (
    ComplianceSnapshot,
    Membership,
    Organisation,
    Requirement,
)

TREND_MONTHS = 12
# The dashboard's 'Actie nodig' list names this many people, most urgent first; the people
# list has the rest.
ACTION_LIST_LENGTH = 10


@dataclass(frozen=True)
class TrendPoint:
    month: datetime.date  # first day
    members: int | None  # None: no snapshot for that month
    compliant: int | None
    is_current: bool = False  # this month so far, computed now

    @property
    def has_data(self) -> bool:
        return bool(self.members)

    @property
    def is_small(self) -> bool:
        """Figures about fewer than MINIMUM_GROUP members, hidden outside the coordinator
        area (the board's PDF)."""
        return self.has_data and self.members < MINIMUM_GROUP

    @property
    def share(self) -> float | None:
        return percent_of(self.compliant, self.members) if self.has_data else None

    @property
    def percent(self) -> int | None:
        share = self.share
        return None if share is None else round(share)

    @property
    def height(self) -> str:  # unlocalised, for SVG attributes
        return f"{self.share or 0:.2f}"

    @property
    def y(self) -> str:
        return f"{100 - (self.share or 0):.2f}"


@dataclass
class Dashboard:
    organisation: Organisation
    day: datetime.date
    figures: Figures
    requirements: list[RequirementRow]
    teams: list[TeamRow]
    trend: list[TrendPoint]
    knowledge_gaps: list  # quizzes.api.SignalInsight, most missed first

    @property
    def members(self) -> int:
        return self.figures.member_count

    @property
    def compliant(self) -> int:
        return self.figures.compliant_count

    @property
    def compliant_percent(self) -> int | None:
        members = self.figures.member_count
        return round(100 * self.compliant / members) if members else None

    @property
    def overall(self) -> StatusCounts:
        """Members by their most urgent status on the mandatory requirements (members without
        any mandatory requirement are not in it)."""
        return StatusCounts.of(self.figures.worst)

    @property
    def groups(self) -> list[tuple[Group, int, list[tuple[Status, int]]]]:
        """Members per group of their most urgent mandatory status (issue 20.8), with the
        detailed statuses in each that occur: what the coordinator acts on, and the
        detail."""
        worst = self.figures.worst
        return [
            (
                group,
                sum(worst.get(status, 0) for status in Status if GROUP_OF[status] == group),
                [
                    (status, worst[status])
                    for status in Status
                    if GROUP_OF[status] == group and worst.get(status)
                ],
            )
            for group in Group
        ]


def _attention_order(row: TeamRow) -> tuple:
    share = row.compliant / row.members if row.members else 1.0
    return (share, row.team_id is None, row.name)


def teams_needing_attention(rows: list[TeamRow], limit: int) -> list[TeamRow]:
    """The teams the dashboard shows: all of them, in their order (by name), when there are
    at most `limit`; otherwise the `limit` with the lowest share of members meeting every
    mandatory requirement, lowest first, ties by name (members without a team after the
    named teams). A coordinator cannot read hundreds of bars; the rest are on the teams
    page."""
    if len(rows) <= limit:
        return list(rows)
    return sorted(rows, key=_attention_order)[:limit]


def compliance_trend(
    organisation: Organisation, *, current: Compliance | Figures | None = None, today=None
) -> list[TrendPoint]:
    """The compliant share at the end of each of the last TREND_MONTHS complete months, from
    ComplianceSnapshot (None where no snapshot was recorded), then this month so far when
    `current` (today's figures) is given. One query."""
    today = today or (current.day if isinstance(current, Compliance) else timezone.localdate())
    this_month = month_start(today)
    first = shift_month(this_month, -TREND_MONTHS)
    recorded = {
        month: (members, compliant)
        for month, members, compliant in ComplianceSnapshot.objects.filter(
            organisation=organisation, month__gte=first, month__lt=this_month
        ).values_list("month", "members", "compliant")
    }
    points = []
    for index in range(TREND_MONTHS):
        month = shift_month(first, index)
        members, compliant = recorded.get(month, (None, None))
        points.append(TrendPoint(month, members, compliant))
    if current is not None:
        points.append(
            TrendPoint(this_month, current.member_count, current.compliant_count, is_current=True)
        )
    return points


def knowledge_gaps(organisation: Organisation, *, day: datetime.date | None = None) -> list:
    """Which signals the organisation's active members miss most in scenario quizzes,
    aggregated over all their attempts (quizzes.api.signal_misses leaves out any
    signal fewer than MINIMUM_GROUP of them met). Never per person."""
    from quizzes.api import signal_misses
    from quizzes.models import QuizAttempt

    users = Membership.objects.active(on=day).filter(organisation=organisation).values("user_id")
    return signal_misses(QuizAttempt.objects.filter(user_id__in=users))


def figures_of(
    organisation: Organisation,
    *,
    day: datetime.date | None = None,
    refresh: Callable[[], object] | None = None,
) -> tuple[Figures, list[Requirement]]:
    """The organisation's counts on `day` and the requirements they are about: from the
    stored statuses when they are fresh for every member today, otherwise computed; an
    earlier day is always computed. When some are stale, `refresh` (the view passes
    refresh_standings) is called once and they are read again: reading them is
    also the check, so the usual view spends no query on it."""
    today = timezone.localdate()
    day = day or today
    requirements = applicable_requirements(organisation)
    figures = stored_figures(organisation, requirements, day=day) if day == today else None
    if figures is None and refresh is not None and day == today:
        refresh()
        figures = stored_figures(organisation, requirements, day=day)
    if figures is None:
        report = compliance(organisation, day=day)
        figures, requirements = Figures.of(report), report.requirements
    return figures, requirements


def dashboard(
    organisation: Organisation,
    *,
    day: datetime.date | None = None,
    refresh: Callable[[], object] | None = None,
) -> Dashboard:
    """Everything the coordinator's dashboard shows, in a fixed number of queries (the
    counts from `figures_of`)."""
    day = day or timezone.localdate()
    figures, requirements = figures_of(organisation, day=day, refresh=refresh)
    return Dashboard(
        organisation=organisation,
        day=day,
        figures=figures,
        requirements=requirement_rows(requirements=requirements, figures=figures),
        teams=team_rows(figures=figures),
        trend=compliance_trend(organisation, current=figures, today=day),
        knowledge_gaps=knowledge_gaps(organisation, day=day),
    )


@dataclass(frozen=True)
class ActionPerson:
    """Someone on the 'Actie nodig' list: what they miss and by when, and when they were
    last reminded."""

    membership_id: int
    user_id: int
    name: str
    team_name: str
    group: Group
    items: list[tuple[Requirement, RequirementStatus]]  # most urgent first
    last_reminded: datetime.datetime | None


@dataclass(frozen=True)
class ActionList:
    people: list[ActionPerson]
    total: int  # everyone who needs action (the list shows the first ACTION_LIST_LENGTH)


def needs_action(
    organisation: Organisation,
    *,
    limit: int = ACTION_LIST_LENGTH,
    refresh: Callable[[], object] | None = None,
) -> ActionList:
    """The people who need action now (issue 20.2): late or needed soon on a mandatory
    requirement (recommended ones never make anyone late), most urgent first (the people
    list's urgency order), with what each misses and by when and when they were last
    reminded. A fixed number of queries: the stored statuses select the first `limit`,
    the rule computes only them."""
    listing = people(organisation, {"status": NEEDS_ACTION, "sort": SORT_URGENCY}, refresh=refresh)
    rows = list(listing.rows[:limit])
    by_id = {requirement.pk: requirement for requirement in listing.requirements}
    reminded = last_reminded(
        organisation, [row.member.user_id for row in rows], requirements=listing.requirements
    )
    result = []
    for row in rows:
        member = row.member
        items = sorted(
            (
                (by_id[pk], member.statuses[pk])
                for pk in member.mandatory_ids
                if member.statuses[pk].status in ACTION_STATUSES
            ),
            key=lambda pair: (
                list(Group).index(group_of(pair[1].status)),
                pair[1].deadline or datetime.date.max,
            ),
        )
        result.append(
            ActionPerson(
                membership_id=member.membership_id,
                user_id=member.user_id,
                name=member.full_name or member.email,
                team_name=member.team_name,
                group=group_of(member.worst_status),
                items=items,
                last_reminded=reminded.get(member.user_id),
            )
        )
    return ActionList(people=result, total=len(listing.rows))
