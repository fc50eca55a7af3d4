"""Browser test: a coordinator adds a team, imports a file (first with mistakes, then
corrected), invites someone and changes a member's role; the invited person accepts. Axe-core
and the Content-Security-Policy find nothing on the way."""

import pytest
from playwright.sync_api import expect

from organisations.models import Invitation, Membership, Team
from tests.factories import TEST_PASSWORD, UserFactory
from tests.organisations.factories import MembershipFactory, OrganisationFactory, RoleFactory

from .conftest import assert_accessible
from .test_coordinator_dashboard import sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def organisation(site):
    organisation = OrganisationFactory(name="Buurtteams Testdorp")
    RoleFactory(name="Uitvoerend professional", slug="uitvoerend-professional")
    RoleFactory(name="Aandachtsfunctionaris", slug="aandachtsfunctionaris")
    return organisation


def test_the_coordinator_manages_members(page, live_server, organisation, tmp_path):
    coordinator = MembershipFactory(organisation=organisation, is_coordinator=True).user
    known = UserFactory(email="bekend@voorbeeld.nl", full_name="Bekende Collega")
    # A current member: the import updates their membership (anyone else is invited).
    MembershipFactory(
        user=known, organisation=organisation, role=RoleFactory(slug="uitvoerend-professional")
    )
    someone_elses = UserFactory(email="elders@voorbeeld.nl")
    sign_in(page, live_server, coordinator)
    slug = organisation.slug

    page.goto(f"/organisaties/{slug}/teams/")
    assert_accessible(page)
    page.get_by_label("Naam van het nieuwe team").fill("Team Noord")
    page.get_by_role("button", name="Team toevoegen").click()
    expect(page.get_by_role("status").get_by_text("Team Team Noord is toegevoegd.")).to_be_visible()
    assert Team.objects.filter(organisation=organisation, name="Team Noord").exists()

    page.get_by_role("link", name="Importeren", exact=True).click()
    assert_accessible(page)
    bad = tmp_path / "leden.csv"
    bad.write_bytes(
        (
            "e-mail;naam;team;rol;coördinator\n"
            "bekend@voorbeeld.nl;Bekende Collega;Team Noord;Aandachtsfunctionaris;nee\n"
            "zoë@voorbeeld;Zoë;Team Noord;Uitvoerend professional;nee\n"
            "nieuw@voorbeeld.nl;Nieuwe Collega;Team Zuid;Directeur;nee\n"
        ).encode("cp1252")
    )
    page.get_by_label("Bestand (CSV of Excel .xlsx)").set_input_files(str(bad))
    page.get_by_role("button", name="Uploaden en controleren").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Er is niets geïmporteerd")
    expect(alert).to_contain_text("Regel 3:")
    expect(alert).to_contain_text("Regel 4:")
    assert_accessible(page)
    assert Membership.objects.get(user=known).role.slug == "uitvoerend-professional"

    good = tmp_path / "leden-goed.csv"
    good.write_bytes(
        (
            "e-mail;naam;team;rol;coördinator\n"
            "bekend@voorbeeld.nl;Bekende Collega;Team Noord;Aandachtsfunctionaris;nee\n"
            "nieuw@voorbeeld.nl;Nieuwe Collega;Team Zuid;Uitvoerend professional;nee\n"
            "elders@voorbeeld.nl;Iemand Elders;Team Zuid;Uitvoerend professional;nee\n"
        ).encode("utf-8-sig")
    )
    page.get_by_role("link", name="Verbeterd bestand uploaden").click()
    page.get_by_label("Bestand (CSV of Excel .xlsx)").set_input_files(str(good))
    page.get_by_label("Teams aanmaken die nog niet bestaan").check()
    page.get_by_role("button", name="Uploaden en controleren").click()
    expect(page.get_by_role("heading", name="Wat de import gaat doen")).to_be_visible()
    assert Membership.objects.get(user=known).role.slug == "uitvoerend-professional"
    page.get_by_role("button", name="Verstuur de uitnodigingen").click()
    expect(page.get_by_role("status")).to_contain_text("Import voltooid")
    member = Membership.objects.get(user=known, organisation=organisation)
    assert member.role.slug == "aandachtsfunctionaris" and member.team.name == "Team Noord"
    # Someone with an account elsewhere is invited like anyone new, never added.
    assert Invitation.objects.filter(email="nieuw@voorbeeld.nl").exists()
    assert Invitation.objects.filter(email="elders@voorbeeld.nl").exists()
    assert not Membership.objects.filter(user=someone_elses).exists()

    page.get_by_role("link", name="Uitnodigen", exact=True).click()
    assert_accessible(page)
    page.get_by_label("E-mailadres").fill("uitgenodigd@voorbeeld.nl")
    page.get_by_label("Rol", exact=True).select_option(label="Aandachtsfunctionaris")
    page.get_by_role("button", name="Uitnodiging versturen").click()
    expect(page.get_by_role("status")).to_contain_text("uitgenodigd@voorbeeld.nl")
    expect(
        page.get_by_role("table", name="Uitnodigingen die nog niet zijn geaccepteerd")
    ).to_be_visible()
    assert_accessible(page)

    page.goto(f"/organisaties/{slug}/mensen/{member.pk}/")
    page.get_by_label("Rol", exact=True).select_option(label="Uitvoerend professional")
    page.get_by_role("button", name="Wijzigingen opslaan").click()
    expect(page.get_by_role("status")).to_contain_text("is gewijzigd")
    assert_accessible(page)
    member.refresh_from_db()
    assert member.role.slug == "uitvoerend-professional"

    # The invited person, in a fresh session: log in through the link and accept.
    invitation = Invitation.objects.get(email="uitgenodigd@voorbeeld.nl")
    UserFactory(email="uitgenodigd@voorbeeld.nl")
    page.context.clear_cookies()
    page.goto(f"/uitnodiging/{invitation.token}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Buurtteams Testdorp")
    assert_accessible(page)
    page.get_by_role("main").get_by_role("link", name="Inloggen").click()
    page.get_by_label("E-mail").fill("uitgenodigd@voorbeeld.nl")
    page.get_by_label("Wachtwoord", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()
    page.wait_for_url(f"**/uitnodiging/{invitation.token}/")
    assert_accessible(page)
    page.get_by_role("button", name="Uitnodiging accepteren").click()
    page.wait_for_url("**/mijn-leren/")
    expect(page.get_by_role("status")).to_contain_text("Welkom bij Buurtteams Testdorp")
    assert Membership.objects.filter(
        user__email="uitgenodigd@voorbeeld.nl", organisation=organisation
    ).exists()
