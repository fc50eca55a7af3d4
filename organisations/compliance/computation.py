"""THE compliance computation: every member of an organisation against every requirement that
applies to them, in a fixed number of queries (the rule itself is in rule.py)."""

import datetime
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import DateField, Func, Q
from django.utils import timezone

from accounts.models import User
from certificates import selectors as certificate_selectors
from certificates.models import Certificate
from courses.models import Enrolment
from organisations.compliance.rule import (
    MEETS,
    HeldCertificate,
    RequirementStatus,
    Status,
    certificate_status,
    deadline_status,
)
from organisations.models import (
    Membership,
    Organisation,
    Requirement,
    RequirementLevel,
)


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

    @cached_property
    def next_deadline(self) -> datetime.date | None:
        """The earliest date among the mandatory requirements' statuses: for someone late
        the day it became late, otherwise the nearest deadline or end of a certificate
        (the people list's deadline order)."""
        return min(
            (self.statuses[pk].deadline for pk in self.mandatory_ids if self.statuses[pk].deadline),
            default=None,
        )


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
    """The certificate that counted per (person, module) at the end of `day`, as (person,
    module, issue date in the current time zone, expiry, module version): one query. The
    database gives the local issue date (quicker to read than the moment)."""
    rows = (
        Certificate.objects.counting(at=_end_of(day))
        .filter(user_id__in=user_ids, module_id__in=list(module_ids))
        .order_by()
        .values_list(
            "user_id",
            "module_id",
            _LocalDate("issued_at"),
            "expires_on",
            "module_version",
        )
    )
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

    @property
    def calm(self) -> bool:
        """A recommended module not (yet) done: shown without a deadline and never as late
        (issue 20.4); only mandatory ones can be late."""
        return self.requirement.is_recommended and not self.status.meets


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
            item.calm,
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
