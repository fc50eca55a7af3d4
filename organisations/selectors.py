"""Reads for organisations: who may enter the coordinator area, and THE compliance
computation (every member against every requirement that applies to them)."""

import datetime
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.db.models import Case, Count, DateField, Exists, F, Func, OuterRef, Q, QuerySet, When
from django.utils import timezone

from certificates import selectors as certificate_selectors
from certificates.models import Certificate
from cms.accounts import selectors as accounts
from cms.accounts.models import User
from courses.models import Enrolment

from .compliance import (
    MEETS,
    HeldCertificate,
    RequirementStatus,
    Status,
    certificate_status,
    deadline_status,
)
from .models import (
    ComplianceSnapshot,
    Invitation,
    MemberRequirementStatus,
    Membership,
    Organisation,
    Requirement,
    RequirementLevel,
    Role,
    Team,
)

# --- Access -------------------------------------------------------------------------------


def coordinated_organisations(user: User) -> QuerySet[Organisation]:
    """The organisations whose coordinator area this person may enter (MFA aside)."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.all()
    return Organisation.objects.filter(
        pk__in=Membership.objects.active()
        .filter(user=user, is_coordinator=True)
        .values("organisation_id")
    )


def may_coordinate(user: User, organisation: Organisation) -> bool:
    return coordinated_organisations(user).filter(pk=organisation.pk).exists()


def coordinates_anything(user: User) -> bool:
    """Whether the person is an active coordinator of some organisation."""
    return Membership.objects.active().filter(user=user, is_coordinator=True).exists()


# --- Compliance ---------------------------------------------------------------------------


@dataclass
class MemberCompliance:
    """One member's place and status per applicable requirement (by requirement id)."""

    membership_id: int
    user_id: int
    full_name: str
    email: str
    team_id: int | None
    team_name: str
    role_id: int
    role_name: str
    member_since: datetime.date
    is_coordinator: bool
    statuses: dict[int, RequirementStatus] = field(default_factory=dict)
    mandatory_ids: frozenset[int] = frozenset()

    # Both are read for every member several times per page (counts, teams, filters), so
    # they are computed once: `compliance` fills `statuses` before anyone reads them.

    @cached_property
    def meets_mandatory(self) -> bool:
        """Meets every mandatory requirement that applies (vacuously true without any)."""
        return all(self.statuses[pk].meets for pk in self.mandatory_ids)

    @cached_property
    def worst_status(self) -> Status | None:
        """The most urgent status among the mandatory requirements."""
        statuses = [self.statuses[pk].status for pk in self.mandatory_ids]
        return min(statuses, key=_URGENCY.__getitem__) if statuses else None


_URGENCY = {status: index for index, status in enumerate(Status)}


@dataclass
class Compliance:
    organisation: Organisation
    day: datetime.date
    requirements: list[Requirement]
    members: list[MemberCompliance]

    @property
    def mandatory(self) -> list[Requirement]:
        return [r for r in self.requirements if r.level == RequirementLevel.MANDATORY]

    @property
    def member_count(self) -> int:
        return len(self.members)

    @property
    def compliant_count(self) -> int:
        return sum(1 for member in self.members if member.meets_mandatory)

    @property
    def compliant_share(self) -> float | None:
        """Share of members meeting every mandatory requirement; None without members."""
        return self.compliant_count / len(self.members) if self.members else None

    # Both count with one Counter over all (key, status) pairs, which is several times
    # quicker than adding one at a time for tens of thousands of members x requirements.

    def counts_by_requirement(self) -> dict[int, Counter]:
        counts: dict[int, Counter] = {r.pk: Counter() for r in self.requirements}
        pairs = Counter(
            (pk, status.status) for member in self.members for pk, status in member.statuses.items()
        )
        for (pk, status), number in pairs.items():
            counts[pk][status] = number
        return counts

    def counts_by_team(self) -> dict[tuple[int | None, str], Counter]:
        """Per team (id, name), the statuses of its members on mandatory requirements."""
        counts: dict[tuple[int | None, str], Counter] = defaultdict(Counter)
        for key, number in Counter((m.team_id, m.team_name) for m in self.members).items():
            counts[key]["members"] = number
        pairs = Counter(
            ((member.team_id, member.team_name), member.statuses[pk].status)
            for member in self.members
            for pk in member.mandatory_ids
        )
        for (key, status), number in pairs.items():
            counts[key][status] = number
        return dict(sorted(counts.items(), key=lambda item: (item[0][0] is None, item[0][1])))


def applicable_requirements(organisation: Organisation) -> list[Requirement]:
    """The requirements of the organisation's framework for its sector (all roles)."""
    if organisation.framework_id is None:
        return []
    return list(
        Requirement.objects.filter(
            framework_id=organisation.framework_id, sector_id=organisation.sector_id
        )
        .select_related("module", "role")
        .order_by("module__title", "role__name")
    )


def _end_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))


class _LocalDate(Func):
    """A moment's date in the current time zone, computed by the database. Unlike TruncDate
    it needs no Python converter per row on PostgreSQL (tens of thousands of rows for a large
    organisation); other databases convert the DateField as usual."""

    output_field = DateField()

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return connection.ops.datetime_cast_date_sql(
            sql, tuple(params), timezone.get_current_timezone_name()
        )


def _held_certificates(
    user_ids, module_ids: Iterable[int], *, day: datetime.date
) -> dict[tuple[int, int], tuple]:
    """The latest certificate per (person, module) that was issued and not revoked by the
    end of `day`, as (person, module, issue date in the current time zone, expiry, module
    version): one query. The database gives the local issue date (quicker to read than the
    moment)."""
    end = _end_of(day)
    rows = (
        Certificate.objects.filter(
            user_id__in=user_ids, module_id__in=list(module_ids), issued_at__lte=end
        )
        .filter(Q(revoked_at__isnull=True) | Q(revoked_at__gt=end))
        .order_by("user_id", "module_id", "issued_at")
        .values_list(
            "user_id",
            "module_id",
            _LocalDate("issued_at"),
            "expires_on",
            "module_version",
        )
    )
    # Ordered by issue: the last row per pair is the latest.
    return {(row[0], row[1]): row for row in rows}


def _open_enrolments(user_ids, module_ids: Iterable[int], *, day: datetime.date) -> set:
    end = _end_of(day)
    return set(
        Enrolment.objects.filter(
            user_id__in=user_ids, module_id__in=list(module_ids), started_at__lte=end
        )
        .filter(Q(completed_at__isnull=True) | Q(completed_at__gt=end))
        .order_by()
        .values_list("user_id", "module_id")
    )


def compliance(
    organisation: Organisation,
    *,
    day: datetime.date | None = None,
    user: User | None = None,
    user_ids: Collection[int] | None = None,
) -> Compliance:
    """Every member's status against every requirement that applies to them, on `day`
    (today by default; an earlier day reconstructs the past from the dates kept in the
    data). `user` narrows it to one member, `user_ids` to those people, with the same
    rule.

    A fixed number of queries whatever the organisation's size: requirements, members,
    certificates, open enrolments and module versions requiring an update."""
    day = day or timezone.localdate()
    requirements = applicable_requirements(organisation)
    active = Membership.objects.active(on=day).filter(organisation=organisation)
    if user is not None:
        user_ids = [user.pk]
    if user_ids is not None:
        active = active.filter(user_id__in=user_ids)
    members = [
        MemberCompliance(*row)
        for row in active.order_by("user__full_name", "user_id").values_list(
            "pk",
            "user_id",
            "user__full_name",
            "user__email",
            "team_id",
            "team__name",
            "role_id",
            "role__name",
            "started_on",
            "is_coordinator",
        )
    ]
    for member in members:
        member.team_name = member.team_name or ""
    if not requirements or not members:
        return Compliance(organisation, day, requirements, members)

    module_ids = {r.module_id for r in requirements}
    user_ids = list(user_ids) if user_ids is not None else active.values("user_id")
    held = _held_certificates(user_ids, module_ids, day=day)
    in_progress = _open_enrolments(user_ids, module_ids, day=day)
    updates = certificate_selectors.update_requirements(module_ids)

    # The rule applied to members x requirements, kept fast for large organisations (see
    # docs/performance.md): requirements as plain tuples grouped by role, and each half of
    # the rule evaluated once per distinct input (it is pure, and many members share a start
    # date or a certificate's dates).
    plain = [
        (r.pk, r.role_id, r.module_id, r.due_within_days, r.recertify_every_months, r.level)
        for r in requirements
    ]
    per_role: dict[int, tuple[list[tuple], frozenset[int]]] = {}
    update_due: dict[tuple[int, int], datetime.date | None] = {}
    by_certificate: dict[tuple, RequirementStatus] = {}
    by_deadline: dict[tuple, RequirementStatus] = {}
    for member in members:
        role_id, user_id, statuses = member.role_id, member.user_id, member.statuses
        if role_id not in per_role:
            applicable = [p for p in plain if p[1] is None or p[1] == role_id]
            per_role[role_id] = (
                applicable,
                frozenset(p[0] for p in applicable if p[5] == RequirementLevel.MANDATORY),
            )
        applicable, mandatory = per_role[role_id]
        for pk, _role_id, module_id, due_within_days, recertify, _level in applicable:
            found = held.get((user_id, module_id))
            if found is not None:
                _user_id, _module_id, issued_on, expires_on, version = found
                if (module_id, version) not in update_due:
                    update_due[(module_id, version)] = certificate_selectors.update_due_on(
                        module_version=version, requirements=updates.get(module_id, [])
                    )
                key = (issued_on, expires_on, module_id, version, recertify)
                status = by_certificate.get(key)
                if status is None:
                    status = by_certificate[key] = certificate_status(
                        today=day,
                        certificate=HeldCertificate(
                            issued_on=issued_on,
                            expires_on=expires_on,
                            update_due_on=update_due[(module_id, version)],
                        ),
                        recertify_every_months=recertify,
                    )
            else:
                progress = (user_id, module_id) in in_progress
                key = (member.member_since, due_within_days, progress)
                status = by_deadline.get(key)
                if status is None:
                    status = by_deadline[key] = deadline_status(
                        today=day,
                        member_since=member.member_since,
                        due_within_days=due_within_days,
                        in_progress=progress,
                    )
            statuses[pk] = status
        member.mandatory_ids = mandatory
    return Compliance(organisation, day, requirements, members)


@dataclass(frozen=True)
class LearnerRequirement:
    organisation: Organisation
    requirement: Requirement
    status: RequirementStatus


def learner_requirements(user: User) -> list[LearnerRequirement]:
    """What the person's organisations require of them and by when, most urgent first
    (for 'Mijn leren'). The same rule as the coordinators' dashboard."""
    result = []
    organisations = Organisation.objects.filter(
        pk__in=Membership.objects.active().filter(user=user).values("organisation_id")
    )
    for organisation in organisations:
        report = compliance(organisation, user=user)
        by_id = {r.pk: r for r in report.requirements}
        for member in report.members:
            for pk, status in member.statuses.items():
                result.append(LearnerRequirement(organisation, by_id[pk], status))
    order = list(Status)
    return sorted(
        result,
        key=lambda item: (
            order.index(item.status.status),
            item.status.deadline or datetime.date.max,
            item.requirement.module.title,
        ),
    )


def still_required(
    user: User, *, requirements: list[LearnerRequirement] | None = None
) -> list[LearnerRequirement]:
    """What the person's organisations ask that they do not meet yet, most urgent first:
    mandatory before recommended, each with its status and deadline (the finish line of a
    module and the signed-in home page show it). Pass `requirements` when already read."""
    if requirements is None:
        requirements = learner_requirements(user)
    open_items = [item for item in requirements if item.status.status not in MEETS]
    return sorted(open_items, key=lambda item: item.requirement.level != RequirementLevel.MANDATORY)


def open_invitations_for(user: User) -> QuerySet[Invitation]:
    """Invitations to this person's verified addresses that can still be accepted: listed
    on 'Mijn leren', so someone who signed up after being invited finds the way back."""
    if not user.is_authenticated:
        return Invitation.objects.none()
    return (
        Invitation.objects.filter(
            email__in=accounts.verified_addresses(user),
            accepted_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("organisation", "team", "role")
        .order_by("expires_at")
    )


def invitations_sent_today(organisation: Organisation) -> int:
    """Invitations the organisation sent today (local time): single, imported and sent
    again, as the audit log records each (`INVITED`)."""
    from .models import AuditAction, AuditLogEntry

    midnight = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(), datetime.time.min)
    )
    return AuditLogEntry.objects.filter(
        organisation=organisation, action=AuditAction.INVITED, at__gte=midnight
    ).count()


def invitations_left_today(organisation: Organisation) -> int:
    """How many more invitations the organisation may send today
    (INVITATIONS_PER_ORGANISATION_PER_DAY)."""
    limit = settings.INVITATIONS_PER_ORGANISATION_PER_DAY
    return max(0, limit - invitations_sent_today(organisation))


# --- Dashboard, people list, trend, knowledge gaps, national overview ---------------------
# (the coordinator's dashboard and reports; all built on `compliance` above)

# Figures about fewer people than this are hidden wherever they leave the coordinator area
# (the national overview, the board's PDF).
MINIMUM_GROUP = 5
TREND_MONTHS = 12
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


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def shift_month(first: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months` after (or before) the month of `first`."""
    index = first.year * 12 + first.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_end(first: datetime.date) -> datetime.date:
    return shift_month(first, 1) - datetime.timedelta(days=1)


def _percent(part: int, whole: int) -> float:
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
                share = _percent(count, total)
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
        return round(_percent(self.meeting, self.people)) if self.people else None

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
        return round(_percent(self.compliant, self.members)) if self.members else None

    @property
    def is_small(self) -> bool:
        return self.members < MINIMUM_GROUP


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
    def share(self) -> float | None:
        return _percent(self.compliant, self.members) if self.has_data else None

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


def fresh_standing(day: datetime.date, prefix: str = "") -> Q:
    """Stored statuses that hold on `day` (see MemberStanding)."""
    return (
        Q(**{f"{prefix}computed_changes": F(f"{prefix}changes")})
        & Q(**{f"{prefix}computed_on__lte": day})
        & (Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gt": day}))
    )


def stored_figures(
    organisation: Organisation, requirements: list[Requirement], *, day: datetime.date
) -> Figures | None:
    """The dashboard's counts added up from the stored statuses (three queries), or None
    when any active member's statuses are missing or stale on `day`: then only the live
    computation is right. organisations.services.refresh_standings makes them fresh."""
    active = Membership.objects.active(on=day).filter(organisation=organisation)
    standings = active.values(
        "team_id",
        "team__name",
        "standing__meets_mandatory",
        "standing__worst_status",
        fresh=Case(When(fresh_standing(day, "standing__"), then=True), default=False),
    ).annotate(number=Count("pk"))
    team_members: Counter = Counter()
    team_compliant: Counter = Counter()
    worst: Counter = Counter()
    compliant = 0
    for row in standings.order_by():
        if not row["fresh"]:
            return None
        key, number = (row["team_id"], row["team__name"] or ""), row["number"]
        team_members[key] += number
        if row["standing__meets_mandatory"]:
            team_compliant[key] += number
            compliant += number
        if row["standing__worst_status"]:
            worst[Status(row["standing__worst_status"])] += number

    # One pass over the stored rows, counted per requirement, team and status; the
    # requirements' and the teams' totals are added up from it.
    names = dict(team_members.keys())  # team id -> name
    mandatory = {r.pk for r in requirements if r.level == RequirementLevel.MANDATORY}
    by_requirement: dict[int, Counter] = {r.pk: Counter() for r in requirements}
    by_team: dict[tuple[int | None, str], Counter] = {key: Counter() for key in team_members}
    for pk, team_id, status, number in (
        # Filtering on the joined membership (not `membership__in`) spares PostgreSQL a
        # second join and lets it count with a hash: about half the time at 10,000.
        MemberRequirementStatus.objects.filter(
            Q(membership__ended_on__isnull=True) | Q(membership__ended_on__gt=day),
            organisation=organisation,
            membership__organisation=organisation,  # narrows the join, not the result
            membership__started_on__lte=day,
        )
        .values_list("requirement_id", "membership__team_id", "status")
        .annotate(Count("pk"))
        .order_by()
    ):
        status = Status(status)
        by_requirement[pk][status] += number
        if pk in mandatory:
            by_team[(team_id, names[team_id])][status] += number
    return Figures(
        member_count=sum(team_members.values()),
        compliant_count=compliant,
        worst=worst,
        by_requirement=by_requirement,
        by_team=dict(sorted(by_team.items(), key=_team_order)),
        team_members=team_members,
        team_compliant=team_compliant,
        stored=True,
    )


def _team_order(item) -> tuple:
    (team_id, name), _counter = item
    return (team_id is None, name)


@dataclass
class Dashboard:
    organisation: Organisation
    day: datetime.date
    figures: Figures
    requirements: list[RequirementRow]
    teams: list[TeamRow]
    trend: list[TrendPoint]
    knowledge_gaps: list  # quizzes.selectors.SignalInsight, most missed first

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
    aggregated over all their attempts (quizzes.selectors.signal_misses leaves out any
    signal fewer than five of them met). Never per person."""
    from quizzes.models import QuizAttempt
    from quizzes.selectors import signal_misses

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
    services.refresh_standings) is called once and they are read again: reading them is
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


# People list ------------------------------------------------------------------------------

MEETS_ALL = "meets"
MEETS_NOT = "does_not_meet"
NO_TEAM = "none"


@dataclass(frozen=True)
class PeopleFilters:
    """The people list's filters, from the query string. Unknown values are dropped and
    named in `invalid`, so a bad link shows everyone with a message instead of an error."""

    q: str = ""
    team: str = ""  # a team id, NO_TEAM, or "" for all
    role: str = ""  # a role id
    requirement: str = ""  # a requirement id: `status` applies to that requirement only
    status: str = ""  # a Status, MEETS_ALL or MEETS_NOT
    invalid: tuple[str, ...] = ()

    FIELDS = ("q", "team", "role", "requirement", "status")

    @classmethod
    def from_query(
        cls, query, *, organisation: Organisation, requirements: list[Requirement]
    ) -> "PeopleFilters":
        values = {name: (query.get(name) or "").strip() for name in cls.FIELDS}
        values["q"] = values["q"][:100]
        allowed = {
            "team": {
                str(pk)
                for pk in Team.objects.filter(organisation=organisation).values_list(
                    "pk", flat=True
                )
            }
            | {NO_TEAM},
            "role": {str(pk) for pk in Role.objects.values_list("pk", flat=True)},
            "requirement": {str(r.pk) for r in requirements},
            "status": {s.value for s in Status} | {MEETS_ALL, MEETS_NOT},
        }
        invalid = []
        for name, choices in allowed.items():
            if values[name] and values[name] not in choices:
                invalid.append(name)
                values[name] = ""
        return cls(**values, invalid=tuple(invalid))

    def as_dict(self) -> dict[str, str]:
        """The filters in use, for the audit log, export jobs and links."""
        return {name: getattr(self, name) for name in self.FIELDS if getattr(self, name)}

    @property
    def active(self) -> bool:
        return bool(self.as_dict())

    def matches(self, member: MemberCompliance) -> bool:
        if self.q:
            needle = self.q.casefold()
            if needle not in member.full_name.casefold() and needle not in member.email.casefold():
                return False
        if self.team == NO_TEAM and member.team_id is not None:
            return False
        if self.team and self.team != NO_TEAM and str(member.team_id) != self.team:
            return False
        if self.role and str(member.role_id) != self.role:
            return False
        if not self.status:
            return True
        if self.requirement:
            status = member.statuses.get(int(self.requirement))
            if status is None:
                return False
            if self.status == MEETS_ALL:
                return status.meets
            if self.status == MEETS_NOT:
                return not status.meets
            return status.status == self.status
        if self.status == MEETS_ALL:
            return member.meets_mandatory
        if self.status == MEETS_NOT:
            return not member.meets_mandatory
        # A status without a requirement: any mandatory requirement in that status.
        return any(member.statuses[pk].status == self.status for pk in member.mandatory_ids)


@dataclass(frozen=True)
class PersonRow:
    member: MemberCompliance
    # Per requirement of the list (same order): the status, or None where it does not apply.
    statuses: list[RequirementStatus | None]

    @classmethod
    def of(cls, member: MemberCompliance, requirements: list[Requirement]) -> "PersonRow":
        return cls(member, [member.statuses.get(r.pk) for r in requirements])


class StoredPeople:
    """The people list's rows when the stored statuses are fresh: the selection (filters,
    order, count, paging) is made in SQL on the stored statuses, and only the rows read
    (one page, or all for an export) are computed by `compliance`, so their statuses and
    dates come from the rule itself. A sequence for Paginator: count() and slices."""

    def __init__(self, memberships: QuerySet, organisation: Organisation, day: datetime.date):
        self.memberships = memberships
        self.organisation = organisation
        self.day = day

    @cached_property
    def _count(self) -> int:
        return self.memberships.count()

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: slice) -> list[PersonRow]:
        if not isinstance(index, slice):
            raise TypeError("The people list is read by pages (slices).")
        ids = list(self.memberships.values_list("pk", "user_id")[index])
        if not ids:
            return []
        report = compliance(self.organisation, day=self.day, user_ids=[u for _pk, u in ids])
        return _rows_in_order(report, [pk for pk, _user_id in ids])

    def __iter__(self):
        # Every row (an export): the rule for the whole organisation, which selects its
        # members in SQL, is quicker than for a list of thousands of ids.
        ids = list(self.memberships.values_list("pk", flat=True))
        return iter(_rows_in_order(compliance(self.organisation, day=self.day), ids))


def _rows_in_order(report: Compliance, membership_ids: list[int]) -> list[PersonRow]:
    by_membership = {member.membership_id: member for member in report.members}
    return [
        PersonRow.of(by_membership[pk], report.requirements)
        for pk in membership_ids
        if pk in by_membership
    ]


@dataclass
class PeopleList:
    requirements: list[Requirement]
    filters: PeopleFilters
    rows: list[PersonRow] | StoredPeople
    teams: list[Team]
    roles: list[Role]

    @property
    def stored(self) -> bool:
        return isinstance(self.rows, StoredPeople)


def _stored_people(
    organisation: Organisation,
    filters: PeopleFilters,
    requirements: list[Requirement],
    *,
    day: datetime.date,
) -> StoredPeople | None:
    """The filtered selection read from the stored statuses, or None when any active
    member's statuses are missing or stale on `day` (one query checks)."""
    active = Membership.objects.active(on=day).filter(organisation=organisation)
    counted = active.aggregate(
        members=Count("pk"), fresh=Count("pk", filter=fresh_standing(day, "standing__"))
    )
    if counted["members"] != counted["fresh"]:
        return None
    selected = active
    if filters.q:
        selected = selected.filter(
            Q(user__full_name__icontains=filters.q) | Q(user__email__icontains=filters.q)
        )
    if filters.team == NO_TEAM:
        selected = selected.filter(team__isnull=True)
    elif filters.team:
        selected = selected.filter(team_id=int(filters.team))
    if filters.role:
        selected = selected.filter(role_id=int(filters.role))
    if filters.status:
        # The same rule as PeopleFilters.matches, on the stored statuses.
        if filters.requirement:
            statuses = MemberRequirementStatus.objects.filter(
                membership=OuterRef("pk"), requirement_id=int(filters.requirement)
            )
        else:
            statuses = MemberRequirementStatus.objects.filter(
                membership=OuterRef("pk"),
                requirement_id__in=[
                    r.pk for r in requirements if r.level == RequirementLevel.MANDATORY
                ],
            )
        if filters.status == MEETS_ALL and not filters.requirement:
            selected = selected.filter(standing__meets_mandatory=True)
        elif filters.status == MEETS_NOT and not filters.requirement:
            selected = selected.filter(standing__meets_mandatory=False)
        elif filters.status == MEETS_ALL:
            selected = selected.filter(Exists(statuses.filter(status__in=MEETS)))
        elif filters.status == MEETS_NOT:
            selected = selected.filter(Exists(statuses.exclude(status__in=MEETS)))
        else:
            selected = selected.filter(Exists(statuses.filter(status=filters.status)))
    return StoredPeople(
        selected.order_by("user__full_name", "user_id"), organisation=organisation, day=day
    )


def people(
    organisation: Organisation,
    query=None,
    *,
    day: datetime.date | None = None,
    refresh: Callable[[], object] | None = None,
) -> PeopleList:
    """The organisation's active members with their status per requirement, filtered by
    the query string (see PeopleFilters), in name order.

    Today, with fresh stored statuses, the selection is made in SQL and only the rows read
    are computed (StoredPeople); when some are stale, `refresh` (the view passes
    services.refresh_standings) is called once and they are read again. Otherwise, and
    for an earlier day, the whole organisation is computed by `compliance` and then
    filtered (a fixed number of queries). Both give the same rows."""
    today = timezone.localdate()
    day = day or today
    requirements = applicable_requirements(organisation)
    filters = PeopleFilters.from_query(
        query or {}, organisation=organisation, requirements=requirements
    )
    rows = None
    if day == today:
        rows = _stored_people(organisation, filters, requirements, day=day)
        if rows is None and refresh is not None:
            refresh()
            rows = _stored_people(organisation, filters, requirements, day=day)
    if rows is None:
        report = compliance(organisation, day=day)
        requirements = report.requirements
        rows = [
            PersonRow.of(member, report.requirements)
            for member in report.members
            if filters.matches(member)
        ]
    return PeopleList(
        requirements=requirements,
        filters=filters,
        rows=rows,
        teams=list(Team.objects.filter(organisation=organisation).order_by("name")),
        roles=list(Role.objects.order_by("name")),
    )


@dataclass
class PersonDetail:
    membership: Membership
    # (requirement, status) for each requirement that applies; empty once the membership ended
    requirements: list[tuple[Requirement, RequirementStatus]]
    meets_mandatory: bool | None
    certificates: list[Certificate]
    day: datetime.date


def person(organisation: Organisation, membership_id: int) -> PersonDetail:
    """One member for the coordinator: requirements with status and dates, and the
    certificates for modules the organisation's framework requires (never quiz answers or
    reflections). Memberships of other organisations raise Membership.DoesNotExist."""
    membership = Membership.objects.select_related("user", "team", "role").get(
        pk=membership_id, organisation=organisation
    )
    report = compliance(organisation, user=membership.user)
    by_id = {r.pk: r for r in report.requirements}
    member = next((m for m in report.members if m.membership_id == membership.pk), None)
    rows = []
    if member is not None:
        rows = [(by_id[pk], status) for pk, status in member.statuses.items()]
    certificates = list(
        Certificate.objects.filter(
            user=membership.user, module_id__in={r.module_id for r in report.requirements}
        ).order_by("-issued_at")
    )
    return PersonDetail(
        membership=membership,
        requirements=rows,
        meets_mandatory=member.meets_mandatory if member is not None else None,
        certificates=certificates,
        day=report.day,
    )


# National overview ------------------------------------------------------------------------


@dataclass
class OverviewCell:
    organisations: int = 0
    members: int = 0
    compliant: int = 0
    hidden: bool = False

    def add(self, members: int, compliant: int) -> None:
        self.organisations += 1
        self.members += members
        self.compliant += compliant

    @property
    def compliant_percent(self) -> int | None:
        if self.hidden or not self.members:
            return None
        return round(_percent(self.compliant, self.members))


@dataclass
class OverviewSector:
    name: str
    regions: list[tuple[str, OverviewCell]]
    total: OverviewCell


@dataclass
class NationalOverview:
    month: datetime.date | None  # the month the figures are for (its snapshots)
    months: list[datetime.date]  # months with snapshots, newest first
    sectors: list[OverviewSector]
    total: OverviewCell
    without_figures: int  # organisations with no snapshot for the month
    minimum_group: int = MINIMUM_GROUP


def _suppress(sectors: list[OverviewSector], total: OverviewCell, minimum: int) -> None:
    """Hide every cell about fewer than `minimum` people, and enough others that no hidden
    cell can be worked out from a total: within a sector, the smallest visible regions join
    the hidden ones until those add up to `minimum` people; the national total is hidden
    when the hidden sectors together are fewer than `minimum` people."""
    for sector in sectors:
        cells = [cell for _name, cell in sector.regions]
        for cell in cells:
            cell.hidden = 0 < cell.members < minimum
        while 0 < sum(c.members for c in cells if c.hidden) < minimum:
            visible = [c for c in cells if not c.hidden]
            if not visible:
                break
            min(visible, key=lambda c: c.members).hidden = True
        sector.total.hidden = 0 < sector.total.members < minimum
    hidden_sectors = sum(s.total.members for s in sectors if s.total.hidden)
    total.hidden = 0 < total.members < minimum or 0 < hidden_sectors < minimum


def national_overview(
    *, month: datetime.date | None = None, minimum_group: int = MINIMUM_GROUP
) -> NationalOverview:
    """For platform administrators: per sector and region the organisations, members and
    compliant share, from the monthly ComplianceSnapshot rows (the same figures as the
    coordinators' trend; the latest recorded month unless `month` is given). Aggregated
    only, with small cells hidden (see _suppress). Three queries."""
    months = list(
        ComplianceSnapshot.objects.order_by("-month").values_list("month", flat=True).distinct()
    )
    if month is None:
        month = months[0] if months else None
    total = OverviewCell()
    sectors: dict[str, dict[str, OverviewCell]] = defaultdict(lambda: defaultdict(OverviewCell))
    sector_totals: dict[str, OverviewCell] = defaultdict(OverviewCell)
    without = 0
    snapshot = {
        org_id: (members, compliant)
        for org_id, members, compliant in ComplianceSnapshot.objects.filter(
            month=month
        ).values_list("organisation_id", "members", "compliant")
    }
    for org_id, sector, region in Organisation.objects.values_list("pk", "sector__name", "region"):
        if org_id not in snapshot:
            without += 1
            continue
        members, compliant = snapshot[org_id]
        sectors[sector][region.strip()].add(members, compliant)
        sector_totals[sector].add(members, compliant)
        total.add(members, compliant)
    result = [
        OverviewSector(
            name=name,
            regions=sorted(sectors[name].items(), key=lambda item: (not item[0], item[0])),
            total=sector_totals[name],
        )
        for name in sorted(sectors)
    ]
    _suppress(result, total, minimum_group)
    return NationalOverview(
        month=month,
        months=months,
        sectors=result,
        total=total,
        without_figures=without,
        minimum_group=minimum_group,
    )


# --- Personal data (assembled by cms.accounts.selectors.personal_data) --------------------


def invitations_to(user: User) -> QuerySet[Invitation]:
    """Every invitation (open, used or expired) sent to one of the person's verified
    addresses (an address they only signed up with may be someone else's)."""
    addresses = accounts.verified_addresses(user)
    if not addresses:
        return Invitation.objects.none()
    query = Q()
    for address in addresses:
        query |= Q(email__iexact=address)
    return Invitation.objects.filter(query)


def person_terms(user: User, addresses: Iterable[str]) -> set[str]:
    """What a typed search for this person would hold: their name and addresses, folded."""
    terms = {" ".join(user.full_name.casefold().split())} | {a.casefold() for a in addresses}
    return {term for term in terms if term}


def names_person(text: str, terms: Collection[str]) -> bool:
    """Whether a typed search term names the person: it is, or holds, their full name or
    one of their addresses, is a part of one (three characters or more: 'vries',
    'sanne@werk'), or each of its words is ('vries sanne'). Case and spacing do not
    count. A name shorter than three characters only counts when typed as it is."""
    text = " ".join(str(text or "").casefold().split())
    if not text or not terms:
        return False
    if any(
        term == text or (len(term) >= 3 and term in text) or (len(text) >= 3 and text in term)
        for term in terms
    ):
        return True
    words = [word for word in text.replace(",", " ").replace(";", " ").split() if word]
    return len(words) > 1 and all(
        len(word) >= 2 and any(word in term for term in terms) for word in words
    )


# What an entry about someone says in their download: never the coordinator's filters or
# search terms (they may name other people), only what was done with the person's data.
_ABOUT_DETAIL = {
    "exported": ("format", "downloaded"),
    "viewed_people": ("page",),
    "changed_membership": ("changes",),
    "viewed_in_admin": ("model", "view"),
}


def people_in_audit_entries(entries: Iterable) -> set[int]:
    """Everyone these audit log entries name: who acted and whom they were about."""
    from .models import AuditSubject

    entries = list(entries)
    people = {entry.actor_id for entry in entries if entry.actor_id}
    people.update(
        AuditSubject.objects.filter(entry__in=[entry.pk for entry in entries]).values_list(
            "user_id", flat=True
        )
    )
    return people


def audit_log_about(user: User) -> list:
    """Audit log entries about the person (AuditSubject): who saw or changed their data,
    in which organisation, when and what, oldest first. A background export names its
    people once, when the file is built; its downloads (same job) are about them too."""
    from .models import AuditAction, AuditLogEntry

    about = list(
        AuditLogEntry.objects.filter(subjects__user=user).select_related("actor", "organisation")
    )
    jobs = [
        entry.detail["job"]
        for entry in about
        if entry.action == AuditAction.EXPORTED and "job" in entry.detail
    ]
    if jobs:
        about += (
            AuditLogEntry.objects.filter(
                action=AuditAction.EXPORTED, detail__downloaded=True, detail__job__in=jobs
            )
            .exclude(pk__in=[entry.pk for entry in about])
            .select_related("actor", "organisation")
        )
    return sorted(about, key=lambda entry: (entry.at, entry.pk))


def personal_data(user: User) -> dict:
    """The person's part of organisations for their data download: memberships,
    invitations to their addresses, reminders sent to them, what they did as a
    coordinator (audit log entries with them as the actor) and who saw or changed their
    data (entries about them: coordinators' views and exports, administrators' views)."""
    from .models import AuditLogEntry, ReminderLog

    return {
        "memberships": [
            {
                "organisation": membership.organisation.name,
                "team": membership.team.name if membership.team_id else None,
                "role": membership.role.name,
                "coordinator": membership.is_coordinator,
                "started_on": membership.started_on,
                "ended_on": membership.ended_on,
            }
            for membership in Membership.objects.filter(user=user)
            .select_related("organisation", "team", "role")
            .order_by("started_on", "pk")
        ],
        "invitations": [
            {
                "organisation": invitation.organisation.name,
                "email": invitation.email,
                "full_name": invitation.full_name,
                "team": invitation.team.name if invitation.team_id else None,
                "role": invitation.role.name,
                "coordinator": invitation.is_coordinator,
                "started_on": invitation.started_on,
                "created_at": invitation.created_at,
                "expires_at": invitation.expires_at,
                "accepted_at": invitation.accepted_at,
            }
            for invitation in invitations_to(user)
            .select_related("organisation", "team", "role")
            .order_by("created_at", "pk")
        ],
        "reminders": [
            {"kind": log.kind, "about": log.item, "period": log.period, "sent_at": log.sent_at}
            for log in ReminderLog.objects.filter(user=user).order_by("sent_at", "pk")
        ],
        "audit_log": [
            {
                "at": entry.at,
                "organisation": entry.organisation.name if entry.organisation_id else None,
                "action": entry.action,
                "detail": entry.detail,
            }
            for entry in AuditLogEntry.objects.filter(actor=user)
            .select_related("organisation")
            .order_by("at", "pk")
        ],
        "audit_log_about_you": [
            {
                "at": entry.at,
                "action": entry.action,
                "by": entry.actor.display_name if entry.actor_id else None,
                "organisation": entry.organisation.name if entry.organisation_id else None,
                "what": {
                    key: entry.detail[key]
                    for key in _ABOUT_DETAIL.get(entry.action, ())
                    if key in entry.detail
                },
            }
            for entry in audit_log_about(user)
        ],
    }
