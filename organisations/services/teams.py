"""Writes about teams: create, rename, delete."""

from django.db import transaction
from django.utils.translation import gettext, ngettext

from organisations.models import (
    Membership,
    Organisation,
    Team,
)
from organisations.services.memberships import MembershipError, lock_organisation


def _check_team_name(organisation: Organisation, name: str, *, besides: Team | None = None):
    name = " ".join(name.split())
    if not name:
        raise MembershipError(gettext("A team needs a name."))
    if len(name) > Team._meta.get_field("name").max_length:
        raise MembershipError(gettext("This name is too long."))
    clash = Team.objects.filter(organisation=organisation, name__iexact=name)
    if besides is not None:
        clash = clash.exclude(pk=besides.pk)
    if clash.exists():
        raise MembershipError(gettext("There is already a team called %(name)s.") % {"name": name})
    return name


@transaction.atomic
def create_team(*, organisation: Organisation, name: str) -> Team:
    organisation = lock_organisation(organisation)
    return Team.objects.create(organisation=organisation, name=_check_team_name(organisation, name))


@transaction.atomic
def rename_team(*, team: Team, name: str) -> Team:
    organisation = lock_organisation(team.organisation)
    team.name = _check_team_name(organisation, name, besides=team)
    team.save(update_fields=["name"])
    return team


@transaction.atomic
def delete_team(*, team: Team) -> None:
    """Delete a team nobody is (or will be) a member of. Ended memberships keep their
    history without the team; open invitations for it become invitations without a team."""
    lock_organisation(team.organisation)
    current = Membership.objects.current().filter(team=team).count()
    if current:
        raise MembershipError(
            ngettext(
                "Team %(name)s still has %(count)d member. Move them to another team first.",
                "Team %(name)s still has %(count)d members. Move them to another team first.",
                current,
            )
            % {"name": team.name, "count": current}
        )
    team.delete()
