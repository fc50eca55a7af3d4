"""Issue 20.5, 20.6, 20.8, 20.9 in the browser: a coordinator imports an ordinary Dutch HR
export (voornaam / tussenvoegsel / achternaam, Windows-1252, an unknown column mapped in
the browser), sees the preview and sends; a file with five bad rows names all five and
imports nothing; an .xlsx follows; the invited person signs up from the link and accepts
without a verification email. Invite and import pages fit a 390 px screen and carry the
coordinator area's navigation; axe-core finds nothing."""

import io
import re

import pytest
from django.core import mail
from openpyxl import Workbook
from playwright.sync_api import expect

from organisations.models import Invitation, Membership, Role
from tests.factories import TEST_PASSWORD
from tests.organisations.factories import MembershipFactory, OrganisationFactory, RoleFactory

from .conftest import assert_accessible, look_at
from .test_coordinator_dashboard import sign_in

pytestmark = pytest.mark.e2e

HR_EXPORT = (
    "Personeelsnummer;Voornaam;Tussenvoegsel;Achternaam;E-mailadres;Functiegroep;Afdeling\r\n"
    "10234;Jan;van der;Berg;jan.vanderberg@voorbeeld.nl;Aandachtsfunctionaris;Team Noord\r\n"
    "10235;Zoë;;Öztürk;zoe.ozturk@voorbeeld.nl;Uitvoerend professional;Team Zuid\r\n"
)
FIVE_BAD_ROWS = (
    "Voornaam;Achternaam;E-mail;Functie\r\n"
    "Anna;Aalders;anna@voorbeeld.nl;Uitvoerend professional\r\n"
    "Bert;Bos;bert@voorbeeld;Uitvoerend professional\r\n"
    "Cas;Claes;;Uitvoerend professional\r\n"
    "Dirk;Dijk;dirk@voorbeeld.nl;\r\n"
    "Els;Eck;els@voorbeeld.nl;Directeur\r\n"
    "Fien;Fok;anna@voorbeeld.nl;Uitvoerend professional\r\n"
)


@pytest.fixture
def organisation(site):
    organisation = OrganisationFactory(name="Veilig Thuis Proefregio")
    RoleFactory(name="Uitvoerend professional", slug="uitvoerend-professional")
    RoleFactory(name="Aandachtsfunctionaris", slug="aandachtsfunctionaris")
    return organisation


def upload(page, path) -> None:
    page.get_by_label("Bestand (CSV of Excel .xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="Uploaden en controleren").click()


def test_the_coordinator_imports_a_dutch_hr_export(page, live_server, organisation, tmp_path):
    coordinator = MembershipFactory(organisation=organisation, is_coordinator=True).user
    sign_in(page, live_server, coordinator)
    slug = organisation.slug
    mail.outbox.clear()

    page.goto(f"/organisaties/{slug}/importeren/")
    # The coordinator area's own navigation, as on the dashboard (20.8).
    area = page.get_by_role("navigation", name=re.compile("Coördinatorgedeelte"))
    expect(area.get_by_role("link", name="Dashboard")).to_be_visible()
    expect(area.get_by_role("link", name="Importeren")).to_have_attribute("aria-current", "page")
    assert_accessible(page)
    look_at(page, "import-upload")

    # Five bad rows: all five named in one round, nothing imported.
    bad = tmp_path / "vijf-fouten.csv"
    bad.write_bytes(FIVE_BAD_ROWS.encode("utf-8-sig"))
    upload(page, bad)
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Er is niets geïmporteerd")
    expect(alert).to_contain_text("5 problemen")
    for line in (3, 4, 5, 6, 7):
        expect(alert).to_contain_text(f"Regel {line}:")
    expect(page.get_by_role("button", name="Verstuur de uitnodigingen")).to_have_count(0)
    assert_accessible(page)
    look_at(page, "import-problems")
    assert not Invitation.objects.exists()

    # The HR export: 'Functiegroep' is not recognised, so no role yet.
    page.get_by_role("link", name="Verbeterd bestand uploaden").click()
    hr = tmp_path / "hr-export.csv"
    hr.write_bytes(HR_EXPORT.encode("cp1252"))
    upload(page, hr)
    expect(page.get_by_role("alert")).to_contain_text("Geen kolom bevat de rol")
    columns = page.get_by_label("Kolom 'Functiegroep'")
    expect(columns).to_be_visible()  # the column choices are open
    expect(page.get_by_label("Kolom 'Voornaam'")).to_have_value("first_name")
    expect(page.get_by_label("Kolom 'Personeelsnummer'")).to_have_value("negeren")
    assert_accessible(page)
    look_at(page, "import-columns")
    # With the keyboard: focus the choice, pick 'Rol', tick, send the form.
    columns.focus()
    columns.select_option(label="Rol")
    page.get_by_label("Teams aanmaken die nog niet bestaan").check()
    page.get_by_role("button", name="Opnieuw controleren met deze kolommen").focus()
    page.keyboard.press("Enter")

    preview = page.get_by_role("region", name="Wat de import gaat doen")
    expect(preview).to_contain_text("Nieuwe leden (krijgen een uitnodiging)")
    facts = {
        dt.inner_text(): dd.inner_text()
        for dt, dd in zip(preview.locator("dt").all(), preview.locator("dd").all(), strict=True)
    }
    assert facts["Nieuwe leden (krijgen een uitnodiging)"] == "2"
    assert facts["Teams aan te maken"] == "2: Team Noord, Team Zuid"
    assert facts["Ongewijzigd"] == "0"
    expect(preview).to_contain_text("Niet geïmporteerd: de kolommen Personeelsnummer.")
    # Who gets what, by keyboard: open the rows with Enter on their summary.
    preview.get_by_text("Toon de 2 regels").focus()
    page.keyboard.press("Enter")
    rows = preview.get_by_role("table", name="De regels van het bestand")
    expect(rows.get_by_role("row", name=re.compile("Jan van der Berg"))).to_contain_text(
        "uitnodiging"
    )
    expect(page.get_by_role("alert")).to_have_count(0)
    assert not Invitation.objects.exists() and mail.outbox == []
    assert_accessible(page)
    look_at(page, "import-preview")

    page.get_by_role("button", name="Verstuur de uitnodigingen").click()
    expect(page.get_by_role("status")).to_contain_text("Import voltooid")
    invited = Invitation.objects.filter(organisation=organisation).order_by("email")
    assert [(i.email, i.full_name, i.role.name, i.team.name) for i in invited] == [
        ("jan.vanderberg@voorbeeld.nl", "Jan van der Berg", "Aandachtsfunctionaris", "Team Noord"),
        ("zoe.ozturk@voorbeeld.nl", "Zoë Öztürk", "Uitvoerend professional", "Team Zuid"),
    ]
    assert sorted(message.to[0] for message in mail.outbox) == [
        "jan.vanderberg@voorbeeld.nl",
        "zoe.ozturk@voorbeeld.nl",
    ]

    # An Excel workbook, UTF-8 names: one new person, the two others' invitations again.
    workbook = Workbook()
    for row in (
        ["Voornaam", "Tussenvoegsel", "Achternaam", "E-mail", "Rol", "Afdeling"],
        ["Fatima", "el", "Amrani", "fatima@voorbeeld.nl", "Aandachtsfunctionaris", "Team Noord"],
        ["Jan", "van der", "Berg", "jan.vanderberg@voorbeeld.nl", "Aandachtsfunctionaris",
         "Team Noord"],
    ):  # fmt: skip
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    xlsx = tmp_path / "hr-export.xlsx"
    xlsx.write_bytes(buffer.getvalue())
    page.goto(f"/organisaties/{slug}/importeren/")
    upload(page, xlsx)
    preview = page.get_by_role("region", name="Wat de import gaat doen")
    expect(preview).to_contain_text("Openstaande uitnodigingen opnieuw verstuurd")
    page.get_by_role("button", name="Verstuur de uitnodigingen").click()
    expect(page.get_by_role("status")).to_contain_text("Import voltooid")
    assert Invitation.objects.get(email="fatima@voorbeeld.nl").full_name == "Fatima el Amrani"

    # The invite page: the same navigation, and it fits a phone (20.8, 20.9).
    page.goto(f"/organisaties/{slug}/uitnodigen/")
    area = page.get_by_role("navigation", name=re.compile("Coördinatorgedeelte"))
    expect(area.get_by_role("link", name="Uitnodigen")).to_have_attribute("aria-current", "page")
    expect(page.get_by_label("Rol", exact=True)).to_have_value("")
    expect(page.get_by_label("Rol", exact=True).locator("option").first).to_have_text(
        "Kies een rol"
    )
    assert_accessible(page)
    look_at(page, "invite")
    assert page.csp_violations == []


def test_the_invited_person_signs_up_from_the_link_and_accepts(page, live_server, organisation):
    from organisations.services.invitations import invite

    inviter = MembershipFactory(organisation=organisation, is_coordinator=True).user
    invitation = invite(
        organisation=organisation,
        email="nieuw.lid@voorbeeld.nl",
        role=Role.objects.get(slug="aandachtsfunctionaris"),
        invited_by=inviter,
    )
    mail.outbox.clear()

    page.goto(f"/uitnodiging/{invitation.token}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Veilig Thuis Proefregio")
    assert_accessible(page)
    look_at(page, "invitation-anonymous")
    page.get_by_role("main").get_by_role("link", name="Account aanmaken").click()
    page.get_by_label("Volledige naam").fill("Nieuw Lid")
    page.get_by_label("E-mail").fill("nieuw.lid@voorbeeld.nl")
    page.get_by_label("Wachtwoord", exact=True).fill(TEST_PASSWORD)
    page.get_by_label("Wachtwoord (bevestigen)").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Registreren").click()

    # Straight back at the invitation, signed in; no verification email was needed.
    page.wait_for_url(f"**/uitnodiging/{invitation.token}/")
    assert mail.outbox == []
    assert_accessible(page)
    look_at(page, "invitation-ready")
    page.get_by_role("button", name="Uitnodiging accepteren").click()
    page.wait_for_url("**/mijn-leren/")
    expect(page.get_by_role("status")).to_contain_text("Welkom bij Veilig Thuis Proefregio")
    assert Membership.objects.filter(
        user__email="nieuw.lid@voorbeeld.nl", organisation=organisation
    ).exists()
    assert page.csp_violations == []
