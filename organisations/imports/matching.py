"""A row's role and team as the organisation knows them."""

from django.utils.translation import gettext as _

from .columns import normalise
from .problems import Problem


def find_role(roles, text: str):
    """A role by its name or slug, ignoring case, accents, spaces and punctuation."""
    wanted = normalise(text)
    for role in roles:
        if wanted in (normalise(role.name), normalise(role.slug)):
            return role
    return None


def find_team(teams, text: str):
    wanted = " ".join(text.split()).casefold()
    for team in teams:
        if team.name.casefold() == wanted:
            return team
    return None


def check_against_organisation(rows, *, roles, teams, create_teams: bool) -> list[Problem]:
    """Problems with roles and teams: an unknown role, or an unknown team unless new teams
    may be created."""
    problems = []
    for row in rows:
        if row.role and find_role(roles, row.role) is None:
            problems.append(
                Problem(
                    row.line,
                    _("Unknown role '%(role)s'. Known roles: %(known)s.")
                    % {"role": row.role, "known": ", ".join(role.name for role in roles)},
                )
            )
        if row.team and not create_teams and find_team(teams, row.team) is None:
            problems.append(
                Problem(
                    row.line,
                    _(
                        "Unknown team '%(team)s'. Add it under Teams first, or tick 'Create "
                        "teams that do not exist yet'."
                    )
                    % {"team": row.team},
                )
            )
    return problems
