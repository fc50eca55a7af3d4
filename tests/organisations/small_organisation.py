"""A small organisation with a known status for every member, for the dashboard, people
list and export tests.

Requirements: A = 'Rode vlaggen' (every role, mandatory, within 90 days of joining),
B = 'Meldcode' (aandachtsfunctionarissen only, mandatory, within 30 days). Members:

    name            team   role           A             B
    Anna Aalders    Noord  professional   compliant     -
    Bram Bakker     Noord  aandacht       compliant     expiring
    Cees Claassen   Noord  professional   expired       -
    Dirk Dijkstra   Noord  professional   overdue       -
    Gijs Gerritsen  Noord  professional   compliant     -
    Eva Evers       Zuid   professional   in progress   -
    Fien Franssen   -      aandacht       due           overdue
    the coordinator -      coordinator    not started   -

8 members, 3 meeting every mandatory requirement (38%).
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from courses.models import Enrolment, ModuleVersion
from organisations.models import Membership, Organisation, Requirement, Role, Team
from tests.factories import UserFactory

from .factories import MembershipFactory, RoleFactory, TeamFactory, certificate_for, requirement

NAMES = [
    "Anna Aalders",
    "Bram Bakker",
    "Cees Claassen",
    "Dirk Dijkstra",
    "Gijs Gerritsen",
    "Eva Evers",
    "Fien Franssen",
]


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


@dataclass
class SmallOrganisation:
    organisation: Organisation
    a: Requirement
    b: Requirement
    noord: Team
    zuid: Team
    professional: Role
    aandacht: Role
    members: dict[str, Membership]


def build(organisation: Organisation, modules, coordinator_membership: Membership):
    rode_vlaggen, meldcode = modules
    professional = RoleFactory(name="Professional", slug="professional")
    aandacht = RoleFactory(name="Aandachtsfunctionaris", slug="aandachtsfunctionaris")
    a = requirement(organisation, rode_vlaggen, due_within_days=90)
    b = requirement(organisation, meldcode, role=aandacht, due_within_days=30)
    noord = TeamFactory(organisation=organisation, name="Noord")
    zuid = TeamFactory(organisation=organisation, name="Zuid")

    def member(name, role, team=None, started=10):
        first = name.split()[0].lower()
        return MembershipFactory(
            organisation=organisation,
            role=role,
            team=team,
            started_on=days_ago(started),
            user=UserFactory(full_name=name, email=f"{first}@voorbeeld.nl"),
        )

    members = {
        "anna": member("Anna Aalders", professional, noord),
        "bram": member("Bram Bakker", aandacht, noord),
        "cees": member("Cees Claassen", professional, noord),
        "dirk": member("Dirk Dijkstra", professional, noord, started=200),
        "gijs": member("Gijs Gerritsen", professional, noord),
        "eva": member("Eva Evers", professional, zuid),
        "fien": member("Fien Franssen", aandacht, None, started=70),
    }
    for key in ("anna", "bram", "gijs"):
        certificate_for(members[key].user, rode_vlaggen, issued_on=days_ago(100))
    certificate_for(members["bram"].user, meldcode, issued_on=days_ago(700))  # expiring
    certificate_for(members["cees"].user, rode_vlaggen, issued_on=days_ago(800))  # expired
    Enrolment.objects.create(
        user=members["eva"].user,
        module=rode_vlaggen,
        module_version=ModuleVersion.objects.get(module=rode_vlaggen, number=1),
    )
    members["coordinator"] = coordinator_membership
    return SmallOrganisation(organisation, a, b, noord, zuid, professional, aandacht, members)
