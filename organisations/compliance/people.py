"""The people list (filters, stored or live selection, order, paging) and one person's
page. The filters and orders are in people_filters.py."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from certificates.models import Certificate
from organisations.compliance.computation import (
    Compliance,
    MemberCompliance,
    applicable_requirements,
    compliance,
)
from organisations.compliance.groups import (
    NO_REQUIREMENT_RANK,
    STATUSES_OF,
    Group,
    group_of,
)
from organisations.compliance.history import (
    Activity,
    SentReminder,
    last_activity,
    reminder_history,
)
from organisations.compliance.people_filters import (
    GROUP_FILTERS,
    MEETS_ALL,
    MEETS_NOT,
    NEEDS_ACTION,
    NO_TEAM,
    SORT_DEADLINE,
    SORT_NAME,
    SORT_URGENCY,
    SORTS,
    PeopleFilters,
)
from organisations.compliance.rule import MEETS, RequirementStatus
from organisations.compliance.statuses import fresh_standing
from organisations.enrolment_channels import enrolment_channels
from organisations.models import (
    MemberRequirementStatus,
    Membership,
    Organisation,
    Requirement,
    RequirementLevel,
    Role,
    Team,
)

__all__ = [  # the filters' names, for the views
    "GROUP_FILTERS",
    "MEETS_ALL",
    "MEETS_NOT",
    "NEEDS_ACTION",
    "NO_TEAM",
    "SORTS",
    "SORT_DEADLINE",
    "SORT_NAME",
    "SORT_URGENCY",
    "PeopleFilters",
    "PeopleList",
    "PersonDetail",
    "PersonRow",
    "people",
    "person",
]


@dataclass(frozen=True)
class PersonRow:
    member: MemberCompliance
    # Per requirement of the list (same order): the status, or None where it does not apply.
    statuses: list[RequirementStatus | None]

    # Per requirement of the list: whether it is only recommended (shown calmly: issue 20.4).
    recommended: tuple[bool, ...] = ()

    @classmethod
    def of(cls, member: MemberCompliance, requirements: list[Requirement]) -> "PersonRow":
        return cls(
            member,
            [member.statuses.get(r.pk) for r in requirements],
            tuple(r.level == RequirementLevel.RECOMMENDED for r in requirements),
        )

    @property
    def group(self) -> Group | None:
        """Where the person stands on the mandatory requirements (issue 20.8)."""
        return group_of(self.member.worst_status)

    @property
    def cells(self) -> list[tuple[RequirementStatus | None, bool]]:
        """(status, recommended) per requirement, for the people list's cells."""
        flags = self.recommended or (False,) * len(self.statuses)
        return list(zip(self.statuses, flags, strict=True))


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
        elif filters.status in GROUP_FILTERS and not filters.requirement:
            selected = selected.filter(standing__worst_status__in=filters.statuses)
        else:
            selected = selected.filter(Exists(statuses.filter(status__in=filters.statuses)))
    return StoredPeople(
        selected.order_by(*_sql_order(filters.sort)), organisation=organisation, day=day
    )


def _sql_order(sort: str) -> list:
    """PeopleFilters.sort_key in SQL, on the stored statuses."""
    by_name = ["user__full_name", "user_id"]
    deadline = F("standing__next_deadline").asc(nulls_last=True)
    if sort == SORT_DEADLINE:
        return [deadline, *by_name]
    if sort == SORT_NAME:
        return by_name
    rank = Case(
        *(
            When(standing__worst_status__in=list(STATUSES_OF[group]), then=Value(index))
            for index, group in enumerate(Group)
        ),
        default=Value(NO_REQUIREMENT_RANK),
    )
    return [rank, deadline, *by_name]


def people(
    organisation: Organisation,
    query=None,
    *,
    day: datetime.date | None = None,
    refresh: Callable[[], object] | None = None,
) -> PeopleList:
    """The organisation's active members with their status per requirement, filtered and
    ordered by the query string (see PeopleFilters; most urgent first by default).

    Today, with fresh stored statuses, the selection is made in SQL and only the rows read
    are computed (StoredPeople); when some are stale, `refresh` (the view passes
    refresh_standings) is called once and they are read again. Otherwise, and
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
        members = [member for member in report.members if filters.matches(member)]
        rows = [
            PersonRow.of(member, report.requirements)
            for member in sorted(members, key=filters.sort_key)
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
    group: Group | None = None  # on the mandatory requirements (issue 20.8)
    last_activity: Activity | None = None
    reminders: list[SentReminder] = ()
    # module id -> where the person took it outside Signaal's own pages ('via ... (LTI)')
    channels: dict[int, list[str]] = field(default_factory=dict)

    @property
    def requirement_rows(self) -> list[tuple[Requirement, RequirementStatus, list[str]]]:
        """(requirement, status, channels) for the table."""
        return [
            (requirement, status, self.channels.get(requirement.module_id, []))
            for requirement, status in self.requirements
        ]


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
    module_ids = {r.module_id for r in report.requirements}
    certificates = list(
        Certificate.objects.filter(user=membership.user, module_id__in=module_ids).order_by(
            "-issued_at"
        )
    )
    return PersonDetail(
        membership=membership,
        requirements=rows,
        meets_mandatory=member.meets_mandatory if member is not None else None,
        certificates=certificates,
        day=report.day,
        group=group_of(member.worst_status) if member is not None else None,
        last_activity=last_activity(membership.user, module_ids=module_ids),
        reminders=reminder_history(organisation, membership.user, requirements=report.requirements),
        channels={
            module_id: labels
            for (_user_id, module_id), labels in enrolment_channels(
                organisation, user_ids=[membership.user_id], module_ids=module_ids
            ).items()
        },
    )
