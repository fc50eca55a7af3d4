"""Reads for organisations: who may enter the coordinator area, and THE compliance
computation (every member against every requirement that applies to them)."""

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from certificates import selectors as certificate_selectors
from certificates.models import Certificate
from cms.accounts.models import User
from courses.models import Enrolment

from .compliance import HeldCertificate, RequirementStatus, Status, requirement_status
from .models import Membership, Organisation, Requirement, RequirementLevel

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


def session_used_mfa(request) -> bool:
    """Whether this session was signed in with a second factor (allauth records each
    authentication step in the session)."""
    from allauth.account.authentication import get_authentication_records

    return any(
        record.get("method") == "mfa"
        for record in get_authentication_records(request, request.user)
    )


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

    @property
    def meets_mandatory(self) -> bool:
        """Meets every mandatory requirement that applies (vacuously true without any)."""
        return all(self.statuses[pk].meets for pk in self.mandatory_ids)

    @property
    def worst_status(self) -> Status | None:
        """The most urgent status among the mandatory requirements."""
        order = list(Status)
        statuses = [self.statuses[pk].status for pk in self.mandatory_ids]
        return min(statuses, key=order.index) if statuses else None


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
    def compliant_count(self) -> int:
        return sum(1 for member in self.members if member.meets_mandatory)

    @property
    def compliant_share(self) -> float | None:
        """Share of members meeting every mandatory requirement; None without members."""
        return self.compliant_count / len(self.members) if self.members else None

    def counts_by_requirement(self) -> dict[int, Counter]:
        counts: dict[int, Counter] = {r.pk: Counter() for r in self.requirements}
        for member in self.members:
            for pk, status in member.statuses.items():
                counts[pk][status.status] += 1
        return counts

    def counts_by_team(self) -> dict[tuple[int | None, str], Counter]:
        """Per team (id, name), the statuses of its members on mandatory requirements."""
        counts: dict[tuple[int | None, str], Counter] = defaultdict(Counter)
        for member in self.members:
            key = (member.team_id, member.team_name)
            counts[key]["members"] += 1
            for pk in member.mandatory_ids:
                counts[key][member.statuses[pk].status] += 1
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


def _held_certificates(
    user_ids, module_ids: Iterable[int], *, day: datetime.date
) -> dict[tuple[int, int], tuple]:
    """The latest certificate per (person, module) that was issued and not revoked by the
    end of `day`: one query."""
    end = _end_of(day)
    rows = (
        Certificate.objects.filter(
            user_id__in=user_ids, module_id__in=list(module_ids), issued_at__lte=end
        )
        .filter(Q(revoked_at__isnull=True) | Q(revoked_at__gt=end))
        .order_by("user_id", "module_id", "issued_at")
        .values_list("user_id", "module_id", "issued_at", "expires_on", "module_version")
    )
    # Ordered by issue: the last row per pair is the latest.
    return {(user_id, module_id): row for user_id, module_id, *row in rows}


def _open_enrolments(user_ids, module_ids: Iterable[int], *, day: datetime.date) -> set:
    end = _end_of(day)
    return set(
        Enrolment.objects.filter(
            user_id__in=user_ids, module_id__in=list(module_ids), started_at__lte=end
        )
        .filter(Q(completed_at__isnull=True) | Q(completed_at__gt=end))
        .values_list("user_id", "module_id")
    )


def compliance(
    organisation: Organisation, *, day: datetime.date | None = None, user: User | None = None
) -> Compliance:
    """Every member's status against every requirement that applies to them, on `day`
    (today by default; an earlier day reconstructs the past from the dates kept in the
    data). `user` narrows it to one member, with the same rule.

    A fixed number of queries whatever the organisation's size: requirements, members,
    certificates, open enrolments and module versions requiring an update."""
    day = day or timezone.localdate()
    requirements = applicable_requirements(organisation)
    active = Membership.objects.active(on=day).filter(organisation=organisation)
    if user is not None:
        active = active.filter(user=user)
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
    user_ids = [user.pk] if user is not None else active.values("user_id")
    held = _held_certificates(user_ids, module_ids, day=day)
    in_progress = _open_enrolments(user_ids, module_ids, day=day)
    updates = certificate_selectors.update_requirements(module_ids)

    for member in members:
        mandatory = set()
        for requirement in requirements:
            if requirement.role_id is not None and requirement.role_id != member.role_id:
                continue
            found = held.get((member.user_id, requirement.module_id))
            certificate = None
            if found:
                issued_at, expires_on, version = found
                certificate = HeldCertificate(
                    issued_on=timezone.localtime(issued_at).date(),
                    expires_on=expires_on,
                    update_due_on=certificate_selectors.update_due_on(
                        module_version=version,
                        requirements=updates.get(requirement.module_id, []),
                    ),
                )
            member.statuses[requirement.pk] = requirement_status(
                today=day,
                member_since=member.member_since,
                due_within_days=requirement.due_within_days,
                recertify_every_months=requirement.recertify_every_months,
                certificate=certificate,
                in_progress=(member.user_id, requirement.module_id) in in_progress,
            )
            if requirement.level == RequirementLevel.MANDATORY:
                mandatory.add(requirement.pk)
        member.mandatory_ids = frozenset(mandatory)
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
