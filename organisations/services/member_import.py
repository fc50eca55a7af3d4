"""Importing members from a checked file (reading it: organisations/imports/): first the
plan (what the import would do, shown as the preview), then the import itself, which
plans again under the organisation's lock and goes ahead only when that plan is the one
the coordinator saw."""

import hashlib
import json
from dataclasses import asdict, dataclass, field

from django.db import transaction
from django.utils.translation import gettext

from accounts import api as accounts
from accounts.models import User
from organisations import imports
from organisations.models import (
    AuditAction,
    AuditLogEntry,
    Invitation,
    Membership,
    Organisation,
    Role,
    Team,
)
from organisations.services.audit import record_audit
from organisations.services.invitations import (
    REFRESHED_FIELDS,
    InvitationLimitReached,
    check_invitation_limit,
    invitation_expiry,
    send_invitation_emails,
    set_invitation_details,
)
from organisations.services.memberships import lock_organisation


class ImportRejected(ValueError):
    """The import file has problems; nothing was imported."""

    def __init__(self, problems: list[imports.Problem]):
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


class ImportChanged(ImportRejected):
    """The import would now do something else than the preview showed (the organisation's
    people or invitations changed meanwhile); nothing was imported."""


@dataclass
class ImportResult:
    updated: int = 0
    unchanged: int = 0
    invited: int = 0
    teams_created: int = 0


@dataclass
class ImportPlan:
    """What importing the rows would do; `problems` non-empty: nothing can be imported."""

    rows: list[imports.ImportRow]
    problems: list[imports.Problem] = field(default_factory=list)
    teams_to_create: list[str] = field(default_factory=list)
    new_invitations: list[imports.ImportRow] = field(default_factory=list)
    refreshed_invitations: list[imports.ImportRow] = field(default_factory=list)
    # (row, membership, the membership's new values)
    updates: list[tuple] = field(default_factory=list)
    unchanged: list[imports.ImportRow] = field(default_factory=list)

    @property
    def invitations(self) -> int:
        return len(self.new_invitations) + len(self.refreshed_invitations)

    @property
    def digest(self) -> str:
        """A fingerprint of everything the import would write: the preview carries it, and
        the import goes ahead only when it still matches."""
        described = {
            "rows": [asdict(row) for row in self.rows],
            "teams": self.teams_to_create,
            "new": [row.email for row in self.new_invitations],
            "refreshed": [row.email for row in self.refreshed_invitations],
            "updates": [(row.email, membership.pk) for row, membership, _new in self.updates],
            "unchanged": [row.email for row in self.unchanged],
        }
        text = json.dumps(described, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()


def _problem(line, message) -> imports.Problem:
    return imports.Problem(line, message)


def plan_import(
    *,
    organisation: Organisation,
    actor: User,
    rows: list[imports.ImportRow],
    create_teams: bool = False,
    lock: bool = False,
) -> ImportPlan:
    """What importing these rows would do, and every problem that stops it (unknown roles
    and teams, a start date after a membership's end, more invitations than the
    organisation may still send today, no coordinator left). Reads only. Whether an
    invited address has an account is not part of the plan: the import never tells."""
    roles = list(Role.objects.all())
    teams = list(Team.objects.filter(organisation=organisation))
    plan = ImportPlan(rows=rows)
    plan.problems = imports.check_against_organisation(
        rows, roles=roles, teams=teams, create_teams=create_teams
    )
    plan.teams_to_create = [
        name
        for name in dict.fromkeys(row.team for row in rows if row.team)
        if imports.find_team(teams, name) is None
    ]
    owners = accounts.owners_of_addresses(row.email for row in rows if row.email)
    current = {
        membership.user_id: membership
        for membership in Membership.objects.filter(
            organisation=organisation, user_id__in=set(owners.values())
        )
        .current()
        .select_related("team", "role")
    }
    invitations = Invitation.objects.filter(
        organisation=organisation,
        accepted_at__isnull=True,
        email__in=[row.email for row in rows],
    )
    open_addresses = set(
        (invitations.select_for_update() if lock else invitations).values_list("email", flat=True)
    )
    coordinators = set(
        Membership.objects.active()
        .filter(organisation=organisation, is_coordinator=True)
        .values_list("pk", flat=True)
    )
    for row in rows:
        membership = current.get(owners.get(row.email))
        if membership is None:
            # Known or not, the same invitation: the person decides whether to join.
            target = plan.refreshed_invitations if row.email in open_addresses else None
            (target if target is not None else plan.new_invitations).append(row)
            continue
        team = imports.find_team(teams, row.team) if row.team else membership.team
        new = {
            "team": team,
            "role": imports.find_role(roles, row.role),
            "is_coordinator": membership.is_coordinator
            if row.is_coordinator is None
            else row.is_coordinator,
            "started_on": row.started_on or membership.started_on,
        }
        if row.team and team is None:
            new["team"] = row.team  # a team still to be created: a change
        if all(getattr(membership, key) == value for key, value in new.items()):
            plan.unchanged.append(row)
            continue
        if membership.ended_on and new["started_on"] > membership.ended_on:
            plan.problems.append(
                _problem(row.line, gettext("The start date is after the membership's end."))
            )
        if new["is_coordinator"]:
            coordinators.add(membership.pk)
        else:
            coordinators.discard(membership.pk)
        plan.updates.append((row, membership, new))
    try:
        check_invitation_limit(organisation, plan.invitations, single=False)
    except InvitationLimitReached as error:
        plan.problems.append(_problem(None, str(error)))
    if not actor.is_superuser and not coordinators:
        plan.problems.append(
            _problem(
                None,
                gettext(
                    "After this import the organisation would have no coordinator. "
                    "Keep at least one person as coordinator ('ja')."
                ),
            )
        )
    return plan


def import_members(
    *,
    organisation: Organisation,
    actor: User,
    rows: list[imports.ImportRow],
    create_teams: bool = False,
    base_url: str | None = None,
    expected_digest: str | None = None,
) -> ImportResult:
    """Import checked rows (organisations.imports.parse_table) all or nothing: a current
    member of the organisation (by a verified address) has their membership take the row's
    team, role, coordinator rights and start date (an empty cell leaves that unchanged);
    every other address gets an invitation by email, whether or not it has an account.
    Nobody becomes a member without accepting, and nothing in the result tells the
    coordinator which addresses have an account. Any problem of the plan (plan_import)
    raises ImportRejected listing every problem, and nothing is written; with
    `expected_digest` (the preview's plan), a plan that differs raises ImportChanged."""
    with transaction.atomic():
        organisation = lock_organisation(organisation)
        plan = plan_import(
            organisation=organisation,
            actor=actor,
            rows=rows,
            create_teams=create_teams,
            lock=True,
        )
        if plan.problems:
            raise ImportRejected(plan.problems)
        if expected_digest is not None and plan.digest != expected_digest:
            raise ImportChanged(
                [
                    _problem(
                        None,
                        gettext(
                            "Something changed since the preview (people, invitations or "
                            "teams of the organisation). Nothing has been imported; check "
                            "the new preview."
                        ),
                    )
                ]
            )
        result = ImportResult(unchanged=len(plan.unchanged))
        roles = list(Role.objects.all())
        teams = list(Team.objects.filter(organisation=organisation))
        for name in plan.teams_to_create:
            teams.append(Team.objects.create(organisation=organisation, name=name))
            result.teams_created += 1
        open_invitations = {
            invitation.email: invitation
            for invitation in Invitation.objects.select_for_update().filter(
                organisation=organisation,
                accepted_at__isnull=True,
                email__in=[row.email for row in plan.refreshed_invitations],
            )
        }
        expires_at = invitation_expiry()
        new_invitations, refreshed = [], []
        for row in plan.new_invitations + plan.refreshed_invitations:
            invitation = open_invitations.get(row.email) or Invitation(
                organisation=organisation, email=row.email
            )
            set_invitation_details(
                invitation,
                full_name=row.full_name,
                team=imports.find_team(teams, row.team) if row.team else None,
                role=imports.find_role(roles, row.role),
                is_coordinator=bool(row.is_coordinator),
                started_on=row.started_on,
                invited_by=actor,
                expires_at=expires_at,
            )
            (refreshed if invitation.pk else new_invitations).append(invitation)
        updated_members = []
        for _row, membership, new in plan.updates:
            if isinstance(new["team"], str):
                new["team"] = imports.find_team(teams, new["team"])
            for key, value in new.items():
                setattr(membership, key, value)
            membership.save(update_fields=list(new))
            updated_members.append(membership.user_id)
        result.updated = len(updated_members)
        Invitation.objects.bulk_create(new_invitations, batch_size=1000)
        Invitation.objects.bulk_update(refreshed, REFRESHED_FIELDS, batch_size=1000)
        invitations = new_invitations + refreshed
        result.invited = len(invitations)
        if (
            not actor.is_superuser
            and not Membership.objects.active()
            .filter(organisation=organisation, is_coordinator=True)
            .exists()
        ):
            # The plan said otherwise; a safety net, as losing the last coordinator locks
            # the organisation out.
            raise ImportRejected(
                [
                    _problem(
                        None,
                        gettext(
                            "After this import the organisation would have no coordinator. "
                            "Keep at least one person as coordinator ('ja')."
                        ),
                    )
                ]
            )
        # Each invited address, as a single invitation records it (deleting the person's
        # account blanks the address, see accounts.services.delete_account).
        refreshed_ids = {invitation.pk for invitation in refreshed}
        AuditLogEntry.objects.bulk_create(
            [
                AuditLogEntry(
                    actor=actor,
                    actor_email=actor.email,
                    organisation=organisation,
                    action=AuditAction.INVITED,
                    detail={
                        "invitation": invitation.pk,
                        "email": invitation.email,
                        "refreshed": invitation.pk in refreshed_ids,
                        "import": True,
                    },
                )
                for invitation in invitations
            ],
            batch_size=1000,
        )
        record_audit(
            actor=actor,
            organisation=organisation,
            action=AuditAction.IMPORTED,
            detail={
                "rows": len(rows),
                "updated": result.updated,
                "unchanged": result.unchanged,
                "invited": result.invited,
                "teams_created": result.teams_created,
            },
            subjects=updated_members,
        )
        transaction.on_commit(lambda: send_invitation_emails(invitations, base_url=base_url))
    return result
