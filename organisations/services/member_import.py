"""Importing members from a checked file (reading the file: organisations/imports.py)."""

from dataclasses import dataclass

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


@dataclass
class ImportResult:
    updated: int = 0
    unchanged: int = 0
    invited: int = 0
    teams_created: int = 0


def import_members(
    *,
    organisation: Organisation,
    actor: User,
    rows: list[imports.ImportRow],
    create_teams: bool = False,
    base_url: str | None = None,
) -> ImportResult:
    """Import checked rows (organisations.imports.parse_upload) all or nothing: a current
    member of the organisation (by a verified address) has their membership take the row's
    team, role, coordinator rights and start date (an empty cell leaves that unchanged);
    every other address gets an invitation by email, whether or not it has an account.
    Nobody becomes a member without accepting, and nothing in the result tells the
    coordinator which addresses have an account. Any problem (unknown role, unknown team
    unless `create_teams`, more invitations than the organisation may still send today,
    the last coordinator stepping down) raises ImportRejected listing every problem, and
    nothing is written."""
    with transaction.atomic():
        organisation = lock_organisation(organisation)
        roles = list(Role.objects.all())
        teams = list(Team.objects.filter(organisation=organisation))
        problems = imports.check_against_organisation(
            rows, roles=roles, teams=teams, create_teams=create_teams
        )
        if problems:
            raise ImportRejected(problems)
        result = ImportResult()
        for name in dict.fromkeys(row.team for row in rows if row.team):
            if imports.find_team(teams, name) is None:
                teams.append(Team.objects.create(organisation=organisation, name=name))
                result.teams_created += 1
        owners = accounts.owners_of_addresses(row.email for row in rows)
        current = {
            membership.user_id: membership
            for membership in Membership.objects.filter(
                organisation=organisation, user_id__in=set(owners.values())
            )
            .current()
            .select_related("team", "role")
        }
        open_invitations = {
            invitation.email: invitation
            for invitation in Invitation.objects.select_for_update().filter(
                organisation=organisation,
                accepted_at__isnull=True,
                email__in=[row.email for row in rows],
            )
        }
        expires_at = invitation_expiry()
        new_invitations, refreshed, updated_members = [], [], []
        for row in rows:
            role = imports.find_role(roles, row.role)
            team = imports.find_team(teams, row.team) if row.team else None
            membership = current.get(owners.get(row.email))
            if membership is None:
                # Known or not, the same invitation: the person decides whether to join.
                invitation = open_invitations.get(row.email) or Invitation(
                    organisation=organisation, email=row.email
                )
                set_invitation_details(
                    invitation,
                    full_name=row.full_name,
                    team=team,
                    role=role,
                    is_coordinator=bool(row.is_coordinator),
                    started_on=row.started_on,
                    invited_by=actor,
                    expires_at=expires_at,
                )
                (refreshed if invitation.pk else new_invitations).append(invitation)
                continue
            new = {
                "team": team if row.team else membership.team,
                "role": role,
                "is_coordinator": membership.is_coordinator
                if row.is_coordinator is None
                else row.is_coordinator,
                "started_on": row.started_on or membership.started_on,
            }
            if all(getattr(membership, key) == value for key, value in new.items()):
                result.unchanged += 1
                continue
            if membership.ended_on and new["started_on"] > membership.ended_on:
                raise ImportRejected(
                    [
                        imports.Problem(
                            row.line, gettext("The start date is after the membership's end.")
                        )
                    ]
                )
            for key, value in new.items():
                setattr(membership, key, value)
            membership.save(update_fields=list(new))
            updated_members.append(membership.user_id)
            result.updated += 1
        try:
            check_invitation_limit(
                organisation, len(new_invitations) + len(refreshed), single=False
            )
        except InvitationLimitReached as error:
            raise ImportRejected([imports.Problem(None, str(error))]) from None
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
            raise ImportRejected(
                [
                    imports.Problem(
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
