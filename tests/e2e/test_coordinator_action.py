"""Browser test of issue 20.2, 20.3, 20.8 and 20.10: a coordinator signs in with the second
factor, lands on the dashboard, finds the most urgent person under 'Actie nodig', reminds
them (preview first: who and the text), sees it in their history; sorts the people list,
reminds a chosen group, and changes the reminder rules. At 1280 and 390 px (look_at: no
page wider than the screen), with axe-core on every page and no CSP violation."""

import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.core import mail
from playwright.sync_api import expect

from organisations.models import AuditAction, AuditLogEntry, ReminderSchedule
from tests.auth import totp_code
from tests.factories import TEST_PASSWORD
from tests.organisations import small_organisation
from tests.organisations.conftest import catalogue, modules  # noqa: F401
from tests.organisations.factories import MembershipFactory, OrganisationFactory

from .conftest import assert_accessible, look_at

pytestmark = pytest.mark.e2e

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105


@pytest.fixture
def small(site, modules):  # noqa: F811
    organisation = OrganisationFactory(name="Veilig Thuis Actieregio")
    coordinator = MembershipFactory(organisation=organisation, is_coordinator=True)
    TOTP.activate(coordinator.user, SECRET)
    return small_organisation.build(organisation, modules, coordinator)


def sign_in(page, live_server, user, slug: str) -> None:
    page.goto("/account/login/")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Wachtwoord", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()
    page.wait_for_url(re.compile(r"/account/2fa/authenticate/"))
    page.get_by_role("textbox").first.fill(totp_code(SECRET))
    page.get_by_role("button", name=re.compile("Aanmelden|Bevestig")).click()
    # The coordinator lands on the dashboard (issue 20.1).
    page.wait_for_url(f"{live_server.url}/organisaties/{slug}/")


def test_the_coordinator_finds_the_most_urgent_person_and_reminds_them(page, live_server, small):
    coordinator = small.members["coordinator"].user
    slug = small.organisation.slug
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, coordinator, slug)

    action = page.locator("section", has=page.get_by_role("heading", name="Actie nodig"))
    expect(action.get_by_role("link")).to_have_text(
        ["Dirk Dijkstra", "Cees Claassen", "Fien Franssen", "Bram Bakker"]
    )
    expect(action).to_contain_text("Nog niet herinnerd")
    expect(page.get_by_role("list", name="Waar je leden staan")).to_contain_text("Op schema")
    assert_accessible(page)
    look_at(page, "coordinator-action-dashboard")

    # The most urgent person, from the dashboard.
    action.get_by_role("link", name="Dirk Dijkstra").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dirk Dijkstra")
    expect(page.get_by_text("Nog geen herinneringen verstuurd.")).to_be_visible()
    assert_accessible(page)
    look_at(page, "coordinator-action-person")

    page.get_by_role("button", name="Herinner deze persoon").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Herinnering sturen")
    expect(page.get_by_role("heading", name="Wie krijgt hem: 1 persoon")).to_be_visible()
    expect(page.locator(".signaal-email-preview")).to_contain_text("Hallo Dirk Dijkstra,")
    expect(page.locator(".signaal-email-preview")).to_contain_text("Rode vlaggen")
    assert not mail.outbox  # a preview sends nothing
    assert_accessible(page)
    look_at(page, "coordinator-action-preview")

    page.get_by_role("button", name="Herinnering sturen aan 1 persoon").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dirk Dijkstra")
    expect(page.get_by_text("Herinnering verstuurd aan Dirk Dijkstra.")).to_be_visible()
    history = page.get_by_role("table", name=re.compile("Herinneringen over de eisen"))
    expect(history).to_contain_text(coordinator.display_name)
    expect(history).to_contain_text("Rode vlaggen")
    assert [message.to for message in mail.outbox] == [[small.members["dirk"].user.email]]
    assert AuditLogEntry.objects.filter(
        action=AuditAction.SENT_REMINDER,
        actor=coordinator,
        subjects__user=small.members["dirk"].user,
    ).exists()
    assert_accessible(page)

    # Back on the dashboard, the list says he was reminded.
    page.get_by_role("link", name="Dashboard", exact=True).click()
    expect(action.locator("li.signaal-action__person").first).to_contain_text("Laatst herinnerd op")

    # The people list: most urgent first, sortable, the name column stays in view.
    page.get_by_role("link", name="Mensen", exact=True).click()
    names = page.locator("th.signaal-sticky[scope=row] a")
    expect(names.first).to_have_text("Dirk Dijkstra")
    page.get_by_role("link", name=re.compile("^Naam")).click()
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("Naam")
    expect(names.first).to_have_text("Anna Aalders")
    assert_accessible(page)
    look_at(page, "coordinator-action-people")
    page.set_viewport_size({"width": 390, "height": 900})
    region = page.get_by_role("region", name=re.compile("Mensen en hun status"))
    region.evaluate("element => { element.scrollLeft = element.scrollWidth; }")
    name_cell = page.locator("th.signaal-sticky[scope=row]").first
    box, scroller = name_cell.bounding_box(), region.bounding_box()
    assert abs(box["x"] - scroller["x"]) < 2, (box, scroller)  # still at the left edge
    page.set_viewport_size({"width": 1280, "height": 900})

    # A chosen group: the people ticked.
    page.get_by_label("Kies Cees Claassen").check()
    page.get_by_label("Kies Fien Franssen").check()
    page.get_by_role("button", name="Herinner de aangevinkte mensen").click()
    expect(page.get_by_role("heading", name="Wie krijgt hem: 2 mensen")).to_be_visible()
    page.get_by_role("button", name="Herinnering sturen aan 2 mensen").click()
    expect(
        page.get_by_text("Herinneringen verstuurd aan Cees Claassen en Fien Franssen.")
    ).to_be_visible()
    assert len(mail.outbox) == 3

    # The reminder rules.
    page.get_by_role("link", name="Herinneringen", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Herinneringsregels")
    assert_accessible(page)
    look_at(page, "coordinator-action-rules")
    days = page.get_by_label("Herinner mensen zoveel dagen vóór een uiterste datum")
    days.fill("30, nul")
    page.get_by_role("button", name="Regels opslaan").click()
    expect(page.get_by_role("alert")).to_contain_text("niet opgeslagen")
    expect(days).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    page.get_by_label("Herinner mensen zoveel dagen vóór een uiterste datum").fill("60, 14")
    page.get_by_role("button", name="Regels opslaan").click()
    expect(page.get_by_text("De herinneringsregels zijn opgeslagen.")).to_be_visible()
    assert ReminderSchedule.objects.get(organisation=small.organisation).days_before == [60, 14]
    assert page.csp_violations == []
