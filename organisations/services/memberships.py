"""Writes about memberships: locking an organisation, changing and ending a membership."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from organisations.compliance.statuses import standings_changed
from organisations.models import (
    AuditAction,
    Membership,
    Organisation,
    Role,
    Team,
)
from organisations.services.audit import record_audit, record_audit_per_subject


class MembershipError(ValueError):
    """A change that is not allowed; the message is for the coordinator (translated)."""


def lock_organisation(organisation: Organisation) -> Organisation:
    """Membership changes of one organisation go one at a time, so two coordinators cannot
    both step down at once and leave nobody in charge."""
    return Organisation.objects.select_for_update().get(pk=organisation.pk)


def _has_other_coordinator(organisation: Organisation, *, besides: Membership) -> bool:
    return (
        Membership.objects.active()
        .filter(organisation=organisation, is_coordinator=True)
        .exclude(pk=besides.pk)
        .exists()
    )


def _check_coordinator_left(*, membership: Membership, actor: User) -> None:
    """Whoever steps down or is removed, the organisation keeps a coordinator (platform
    administrators may leave it without one: they can appoint one in the admin)."""
    if actor.is_superuser or not membership.is_coordinator:
        return
    if not _has_other_coordinator(membership.organisation, besides=membership):
        raise MembershipError(
            gettext(
                "This is the organisation's last coordinator. Make someone else coordinator first."
            )
        )


def team_of(organisation: Organisation, team: Team | None) -> Team | None:
    if team is not None and team.organisation_id != organisation.pk:
        raise ValueError("The team belongs to another organisation.")
    return team


def current_membership(*, user: User | int, organisation: Organisation) -> Membership | None:
    """The person's (a User or its id) current membership: open, or ending in the future."""
    return (
        Membership.objects.current()
        .filter(user=user, organisation=organisation)
        .order_by("-started_on")
        .first()
    )


@transaction.atomic
def change_membership(
    *,
    membership: Membership,
    actor: User,
    team: Team | None,
    role: Role,
    is_coordinator: bool,
) -> Membership:
    """Change a current member's team, role or coordinator rights (audited). Ended
    memberships stay as they were; the last coordinator cannot step down."""
    organisation = lock_organisation(membership.organisation)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.ended_on is not None and membership.ended_on <= timezone.localdate():
        raise MembershipError(gettext("This membership has ended and can no longer change."))
    team = team_of(organisation, team)
    if membership.is_coordinator and not is_coordinator:
        _check_coordinator_left(membership=membership, actor=actor)
    changes = {}
    for name, old, new in (
        ("team", membership.team, team),
        ("role", membership.role, role),
        ("is_coordinator", membership.is_coordinator, is_coordinator),
    ):
        if old != new:
            changes[name] = [str(old) if old is not None else None, str(new) if new else new]
    if not changes:
        return membership
    membership.team, membership.role, membership.is_coordinator = team, role, is_coordinator
    membership.save(update_fields=["team", "role", "is_coordinator"])
    record_audit(
        actor=actor,
        organisation=organisation,
        action=AuditAction.CHANGED_MEMBERSHIP,
        detail={"membership": membership.pk, "user": membership.user_id, "changes": changes},
        subjects=[membership.user_id],
    )
    return membership


def _end(membership: Membership, *, today) -> None:
    """THE way a membership ends: today, or on its first day when it has not started yet
    (so it never counts). The row stays, with its history."""
    membership.ended_on = max(today, membership.started_on)
    membership.save(update_fields=["ended_on"])


@transaction.atomic
def end_membership(*, membership: Membership, actor: User) -> Membership:
    """End a membership today. The row stays (with its history); the person no longer
    counts for the organisation from today on."""
    organisation = lock_organisation(membership.organisation)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    today = timezone.localdate()
    if membership.ended_on is not None and membership.ended_on <= today:
        raise MembershipError(gettext("This membership has already ended."))
    _check_coordinator_left(membership=membership, actor=actor)
    _end(membership, today=today)
    record_audit(
        actor=actor,
        organisation=organisation,
        action=AuditAction.ENDED_MEMBERSHIP,
        detail={"membership": membership.pk, "user": membership.user_id},
        subjects=[membership.user_id],
    )
    return membership


def end_memberships_of_removed_account(*, user: User) -> int:
    """Account deletion (accounts, through organisations.personal_data): every membership of the
    person not ended by then ends as `end_membership` ends one, audited without naming them
    (the account is being anonymised). The organisation may lose its last coordinator (the
    deletion page says so). Call inside the deletion's transaction; returns how many ended."""
    today = timezone.localdate()
    ended = 0
    for membership in (
        Membership.objects.select_for_update().filter(user=user).select_related("organisation")
    ):
        if membership.ended_on is not None and membership.ended_on <= max(
            today, membership.started_on
        ):
            continue
        _end(membership, today=today)
        record_audit(
            actor=None,
            organisation=membership.organisation,
            action=AuditAction.ENDED_MEMBERSHIP,
            detail={"membership": membership.pk, "account_removed": True},
        )
        ended += 1
    return ended


@transaction.atomic
def ensure_member(*, user: User, organisation: Organisation, role: Role) -> Membership:
    """The person's current membership of this organisation, opened with `role` when they
    have none (an LMS of the organisation launched them: lti). Never touches others."""
    lock_organisation(organisation)
    membership = current_membership(user=user, organisation=organisation)
    if membership is None:
        membership = Membership.objects.create(user=user, organisation=organisation, role=role)
    return membership


@transaction.atomic
def add_members(
    *, organisation: Organisation, role: Role, user_ids: Iterable[int], via: str
) -> list[int]:
    """Open a membership with `role` for each of these people who has no current one (an
    LMS course's member list: lti), in a few queries however many; never touches other
    organisations or existing memberships. Each new membership is audited as the sign-in
    and LMS's own (`via` names the source). Returns the ids of the people added."""
    organisation = lock_organisation(organisation)
    wanted = set(user_ids)
    current = set(
        Membership.objects.current()
        .filter(organisation=organisation, user_id__in=wanted)
        .values_list("user_id", flat=True)
    )
    created = Membership.objects.bulk_create(
        Membership(user_id=pk, organisation=organisation, role=role)
        for pk in sorted(wanted - current)
    )
    added = [membership.user_id for membership in created]
    # bulk_create sends no post_save: the stored statuses are marked stale here.
    standings_changed(user_ids=added)
    record_audit_per_subject(
        actor=None,
        organisation=organisation,
        action=AuditAction.CHANGED_MEMBERSHIP,
        details={
            membership.user_id: {
                "membership": membership.pk,
                "user": membership.user_id,
                "joined_through_lms_course": via,
                "role": role.name,
            }
            for membership in created
        },
    )
    return added


def role_for_sign_in(value: str | None, *, default_role_id: int) -> Role:
    """The role an organisation's sign-in service names (a role's slug or name, any case),
    or the configured default when it names none we know."""
    value = (value or "").strip()
    if value:
        role = Role.objects.filter(Q(slug__iexact=value) | Q(name__iexact=value)).first()
        if role is not None:
            return role
    return Role.objects.get(pk=default_role_id)


@transaction.atomic
def join_through_sign_in(
    *, user: User, organisation_id: int, role_value: str | None, default_role_id: int, via: str
) -> tuple[Membership, bool]:
    """Just-in-time membership: a person signed in through the sign-in service of the
    organisation (and only that one) becomes a member with the role it names, never a
    coordinator. A current membership stays as the coordinator left it. Returns the
    membership and whether it is new (audited)."""
    organisation = lock_organisation(Organisation.objects.get(pk=organisation_id))
    membership = current_membership(user=user, organisation=organisation)
    if membership is not None:
        return membership, False
    role = role_for_sign_in(role_value, default_role_id=default_role_id)
    membership = Membership.objects.create(user=user, organisation=organisation, role=role)
    record_audit(
        actor=user,
        organisation=organisation,
        action=AuditAction.CHANGED_MEMBERSHIP,
        detail={
            "membership": membership.pk,
            "user": user.pk,
            "joined_through_sign_in": via,
            "role": role.name,
        },
        subjects=[user.pk],
    )
    return membership, True
