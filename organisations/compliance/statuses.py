"""Stored statuses (MemberStanding, MemberRequirementStatus): a cache of the rule for the
dashboard's totals and the people list, kept fresh by `standings_changed` and
`refresh_standings`."""

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Case, Count, F, Q, When
from django.utils import timezone

from organisations.compliance.computation import compliance
from organisations.compliance.figures import Figures, team_order
from organisations.compliance.rule import Status
from organisations.compliance.status_rows import replace_statuses
from organisations.models import (
    MemberRequirementStatus,
    Membership,
    Organisation,
    Requirement,
    RequirementLevel,
    active_on,
    current_on,
)

# Above this many stale members a coordinator's request does not refresh them itself (the
# live computation answers, a background task refreshes): a first view of a very large
# organisation must not wait for tens of thousands of rows to be written.
REFRESH_INLINE_LIMIT = 2_000
_BATCH = 2_000


def standings_changed(
    *,
    user_ids: Iterable[int] = (),
    organisation_ids: Iterable[int] = (),
    module_id: int | None = None,
) -> None:
    """Mark stored statuses stale after something that may change them: a person's
    certificate, enrolment or membership (`user_ids`), an organisation's requirements or
    framework (`organisation_ids`), a module version that asks holders for an update
    (`module_id`). organisations.signals calls this on every save and delete of those
    rows; code that writes them with queryset.update() or bulk_create must call it too.

    A refresh reads `changes` before it reads the data and stores the value it read, so a
    change it did not see leaves the row stale rather than lost. Missing rows are created
    first for the same reason: a refresh creating them in parallel then either sees this
    change's data or gets its increment."""
    from organisations.models import MemberStanding

    today = timezone.localdate()
    memberships = Membership.objects.none()
    if user_ids := list(user_ids):
        memberships = Membership.objects.filter(user_id__in=user_ids)
    if organisation_ids := list(organisation_ids):
        memberships = memberships | Membership.objects.filter(organisation_id__in=organisation_ids)
    if module_id is not None:
        memberships = memberships | Membership.objects.filter(
            requirement_statuses__requirement__module_id=module_id
        )
    memberships = memberships.filter(current_on(today))
    _create_standings(memberships)
    MemberStanding.objects.filter(membership__in=memberships.values("pk")).update(
        changes=F("changes") + 1
    )


def _create_standings(memberships) -> None:
    from organisations.models import MemberStanding

    missing = memberships.filter(standing__isnull=True).order_by().values_list("pk", flat=True)
    missing = missing.distinct()
    MemberStanding.objects.bulk_create(
        (MemberStanding(membership_id=pk) for pk in missing.iterator()),
        batch_size=_BATCH,
        ignore_conflicts=True,
    )


@dataclass(frozen=True)
class StandingsRefresh:
    refreshed: int  # members whose statuses were computed and stored
    pending: int  # stale members left for the background task (above the limit)


def refresh_standings(
    organisation: Organisation, *, limit: int | None = None, defer: bool = True
) -> StandingsRefresh:
    """Make today's stored statuses of the organisation's active members fresh: compute the
    stale ones with compliance (the rule) and store them. With `limit`, more stale
    members than that are left alone and, with `defer`, a background task refreshes them
    (organisations.tasks.refresh_organisation_standings); meanwhile the dashboard computes
    live. Safe in parallel with itself and with the changes that make rows stale."""
    from organisations.models import MemberStanding

    day = timezone.localdate()
    fresh = Case(When(fresh_standing(day, "standing__"), then=True), default=False)
    # One query finds the active members whose row is missing or stale.
    found = list(
        Membership.objects.active(on=day)
        .filter(organisation=organisation)
        .annotate(fresh=fresh)
        .filter(fresh=False)
        .order_by()
        .values_list("pk", "user_id", "standing__membership_id")
    )
    if not found:
        return StandingsRefresh(refreshed=0, pending=0)
    if limit is not None and len(found) > limit:
        if defer:
            from organisations.tasks import refresh_organisation_standings

            refresh_organisation_standings.enqueue(organisation.pk)
        return StandingsRefresh(refreshed=0, pending=len(found))
    missing = [pk for pk, _user_id, standing in found if standing is None]
    for start in range(0, len(missing), _BATCH):
        MemberStanding.objects.bulk_create(
            [MemberStanding(membership_id=pk) for pk in missing[start : start + _BATCH]],
            ignore_conflicts=True,
        )
    ids = [pk for pk, _user_id, _standing in found]
    with transaction.atomic():
        # `changes` is read before the data (see standings_changed); the lock keeps a
        # parallel refresh from computing and writing the same rows, and a refresh that
        # waited for it skips the rows that one made fresh.
        locked = {}
        for start in range(0, len(ids), _BATCH):
            locked.update(
                MemberStanding.objects.filter(membership_id__in=ids[start : start + _BATCH])
                .annotate(fresh=Case(When(fresh_standing(day), then=True), default=False))
                .filter(fresh=False)
                .select_for_update(of=("self",))
                .values_list("membership_id", "changes")
            )
        if not locked:
            return StandingsRefresh(refreshed=0, pending=0)
        user_ids = None
        if len(locked) <= _BATCH:
            user_ids = [user_id for pk, user_id, _standing in found if pk in locked]
        report = compliance(organisation, day=day, user_ids=user_ids)
        standings, statuses = [], {}
        for member in report.members:
            if member.membership_id not in locked:
                continue
            changes_on = [s.changes_on for s in member.statuses.values() if s.changes_on]
            standings.append(
                MemberStanding(
                    membership_id=member.membership_id,
                    computed_changes=locked[member.membership_id],
                    computed_on=day,
                    valid_until=min(changes_on, default=None),
                    meets_mandatory=member.meets_mandatory,
                    worst_status=member.worst_status or "",
                    next_deadline=member.next_deadline,
                )
            )
            statuses.update(
                ((member.membership_id, pk), status.status.value)
                for pk, status in member.statuses.items()
            )
        written = replace_statuses(
            organisation_id=organisation.pk, membership_ids=list(locked), wanted=statuses
        )
        _store_standings(standings, day=day)
    if max(written, len(standings)) > 10 * _BATCH and connection.vendor == "postgresql":
        # Fresh statistics after a large write, or the planner sorts the dashboard's count
        # on disk instead of hashing it until autovacuum gets round to it.
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE organisations_memberstanding, organisations_memberrequirementstatus"
            )
    return StandingsRefresh(refreshed=len(standings), pending=0)


def _store_standings(standings: list, *, day: datetime.date) -> None:
    """Write the computed standings (never `changes`, see standings_changed). bulk_update
    spends seconds per thousand rows building CASE expressions; PostgreSQL takes them as
    arrays in one statement per batch, other databases (the SQLite demo) one update per
    distinct result."""
    from organisations.models import MemberStanding

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for start in range(0, len(standings), _BATCH):
                batch = standings[start : start + _BATCH]
                cursor.execute(
                    """UPDATE organisations_memberstanding AS s
                        SET computed_changes = v.computed_changes,
                        computed_on = %s, valid_until = v.valid_until,
                        meets_mandatory = v.meets, worst_status = v.worst,
                        next_deadline = v.next_deadline
                    FROM unnest(%s::integer[], %s::integer[], %s::date[], %s::boolean[],
                        %s::varchar[], %s::date[])
                        AS v(id, computed_changes, valid_until, meets, worst, next_deadline)
                    WHERE s.membership_id = v.id""",
                    [
                        day,
                        [s.membership_id for s in batch],
                        [s.computed_changes for s in batch],
                        [s.valid_until for s in batch],
                        [s.meets_mandatory for s in batch],
                        [s.worst_status for s in batch],
                        [s.next_deadline for s in batch],
                    ],
                )
        return
    groups = defaultdict(list)
    for s in standings:
        key = (s.computed_changes, s.valid_until, s.meets_mandatory, s.worst_status)
        groups[(*key, s.next_deadline)].append(s.membership_id)
    for (computed_changes, valid_until, meets, worst, next_deadline), ids in groups.items():
        MemberStanding.objects.filter(membership_id__in=ids).update(
            computed_changes=computed_changes,
            computed_on=day,
            valid_until=valid_until,
            meets_mandatory=meets,
            worst_status=worst,
            next_deadline=next_deadline,
        )


def refresh_all_standings() -> int:
    """Refresh every organisation's stored statuses (the hourly cron): coordinators then
    rarely wait for it. Returns the number of members refreshed."""
    return sum(
        refresh_standings(organisation).refreshed for organisation in Organisation.objects.all()
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
    computation is right. organisations.compliance.statuses.refresh_standings makes them fresh."""
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
            active_on(day, "membership__"),
            organisation=organisation,
            membership__organisation=organisation,  # narrows the join, not the result
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
        by_team=dict(sorted(by_team.items(), key=team_order)),
        team_members=team_members,
        team_compliant=team_compliant,
        stored=True,
    )
