"""The counts a dashboard shows (per status, requirement and team) and the bars they make,
from the live computation or the stored statuses."""

from collections import Counter
from dataclasses import dataclass

from django.conf import settings

from organisations.compliance.computation import Compliance
from organisations.compliance.rule import (
    MEETS,
    Status,
)
from organisations.models import Requirement

# Figures about fewer people than this are hidden wherever they leave the coordinator area
# (the national overview, the board's PDF).
MINIMUM_GROUP = settings.SMALL_GROUP_MINIMUM  # the one threshold: see settings
# Good to bad: the order of table columns and of the segments of each bar.
DISPLAY_ORDER = [
    Status.COMPLIANT,
    Status.EXPIRING,
    Status.UPDATE_DUE,
    Status.IN_PROGRESS,
    Status.NOT_STARTED,
    Status.DUE,
    Status.EXPIRED,
    Status.OVERDUE,
]


def percent_of(part: int, whole: int) -> float:
    return 100 * part / whole if whole else 0.0


@dataclass(frozen=True)
class Segment:
    """One status in a stacked bar: its count and where it sits (0-100)."""

    status: Status
    count: int
    offset: float
    share: float

    @property
    def x(self) -> str:  # unlocalised, for SVG attributes
        return f"{self.offset:.2f}"

    @property
    def width(self) -> str:
        return f"{self.share:.2f}"

    @property
    def percent(self) -> int:
        return round(self.share)


@dataclass(frozen=True)
class StatusCounts:
    """Counts per status (every status, in DISPLAY_ORDER) and the bar they make."""

    total: int
    cells: list[tuple[Status, int]]
    segments: list[Segment]

    @classmethod
    def of(cls, counter: Counter) -> "StatusCounts":
        cells = [(status, counter.get(status, 0)) for status in DISPLAY_ORDER]
        total = sum(count for _status, count in cells)
        segments, offset = [], 0.0
        for status, count in cells:
            if count:
                share = percent_of(count, total)
                segments.append(Segment(status, count, offset, share))
                offset += share
        return cls(total=total, cells=cells, segments=segments)

    def count(self, status: Status) -> int:
        return dict(self.cells)[status]


@dataclass(frozen=True)
class RequirementRow:
    requirement: Requirement
    people: int  # members it applies to
    meeting: int  # of whom meet it today
    counts: StatusCounts

    @property
    def meeting_percent(self) -> int | None:
        return round(percent_of(self.meeting, self.people)) if self.people else None

    @property
    def is_small(self) -> bool:
        return self.people < MINIMUM_GROUP


@dataclass(frozen=True)
class TeamRow:
    team_id: int | None
    name: str  # "" for members without a team
    members: int
    compliant: int  # members meeting every mandatory requirement
    counts: StatusCounts  # statuses on the mandatory requirements of its members

    @property
    def compliant_percent(self) -> int | None:
        return round(percent_of(self.compliant, self.members)) if self.members else None

    @property
    def is_small(self) -> bool:
        return self.members < MINIMUM_GROUP


@dataclass
class Figures:
    """The counts a dashboard shows, from the live computation (`Figures.of`) or from the
    stored statuses (`stored_figures`): both give the same numbers for the same data."""

    member_count: int
    compliant_count: int
    worst: Counter  # members by their most urgent mandatory status
    by_requirement: dict[int, Counter]  # requirement id -> statuses
    by_team: dict[tuple[int | None, str], Counter]  # (team id, name) -> mandatory statuses
    team_members: Counter  # (team id, name) -> members
    team_compliant: Counter  # (team id, name) -> members meeting all mandatory ones
    stored: bool = False

    @classmethod
    def of(cls, report: Compliance) -> "Figures":
        by_team = report.counts_by_team()
        team_members = Counter({key: counter.pop("members") for key, counter in by_team.items()})
        return cls(
            member_count=len(report.members),
            compliant_count=report.compliant_count,
            worst=Counter(m.worst_status for m in report.members if m.worst_status),
            by_requirement=report.counts_by_requirement(),
            by_team=by_team,
            team_members=team_members,
            team_compliant=Counter(
                (m.team_id, m.team_name) for m in report.members if m.meets_mandatory
            ),
        )


def team_order(item) -> tuple:
    (team_id, name), _counter = item
    return (team_id is None, name)


def requirement_rows(
    report: Compliance | None = None,
    *,
    requirements: list[Requirement] | None = None,
    figures: Figures | None = None,
) -> list[RequirementRow]:
    if report is not None:
        requirements, counts = report.requirements, report.counts_by_requirement()
    else:
        counts = figures.by_requirement
    rows = []
    for requirement in requirements:
        counter = counts[requirement.pk]
        rows.append(
            RequirementRow(
                requirement=requirement,
                people=sum(counter.values()),
                meeting=sum(counter[status] for status in MEETS),
                counts=StatusCounts.of(counter),
            )
        )
    return rows


def team_rows(report: Compliance | None = None, *, figures: Figures | None = None) -> list[TeamRow]:
    figures = figures or Figures.of(report)
    return [
        TeamRow(
            team_id=team_id,
            name=name,
            members=figures.team_members[(team_id, name)],
            compliant=figures.team_compliant[(team_id, name)],
            counts=StatusCounts.of(counter),
        )
        for (team_id, name), counter in figures.by_team.items()
    ]
