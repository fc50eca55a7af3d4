"""Browser test of the coordinator's whole round, signing in as a person does: password,
then the authenticator code. Reads the dashboard, filters the overdue people, exports them
as CSV, imports a file with a mistake (sees every problem, nothing imported), corrects it
and imports. Axe-core and the Content-Security-Policy find nothing on the way."""

import re
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from playwright.sync_api import expect

from organisations.models import Invitation, Membership
from tests.auth import totp_code
from tests.factories import TEST_PASSWORD
from tests.organisations import small_organisation
from tests.organisations.conftest import catalogue, modules  # noqa: F401
from tests.organisations.factories import MembershipFactory, OrganisationFactory

from .conftest import assert_accessible

pytestmark = pytest.mark.e2e

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105


@pytest.fixture
def small(site, modules):  # noqa: F811
    organisation = OrganisationFactory(name="Veilig Thuis Proefregio")
    coordinator = MembershipFactory(organisation=organisation, is_coordinator=True)
    TOTP.activate(coordinator.user, SECRET)
    return small_organisation.build(organisation, modules, coordinator)


def test_the_coordinator_signs_in_with_mfa_reads_filters_exports_and_imports(
    page, live_server, small, tmp_path
):
    coordinator = small.members["coordinator"].user
    slug = small.organisation.slug

    page.goto(f"/organisaties/{slug}/")
    page.wait_for_url(re.compile(r"/account/login/"))
    page.get_by_label("E-mail").fill(coordinator.email)
    page.get_by_label("Wachtwoord", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()
    page.wait_for_url(re.compile(r"/account/2fa/authenticate/"))
    page.get_by_role("textbox").first.fill(totp_code(SECRET))
    page.get_by_role("button", name=re.compile("Aanmelden|Bevestig")).click()
    page.wait_for_url(f"{live_server.url}/organisaties/{slug}/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Veilig Thuis Proefregio")
    expect(page.locator(".signaal-kpi__number")).to_have_text("38%")
    assert_accessible(page)

    page.get_by_role("link", name="Mensen", exact=True).click()
    page.get_by_label("Status", exact=True).select_option("overdue")
    page.get_by_role("button", name="Mensen tonen").click()
    expect(page.get_by_role("heading", name="2 mensen")).to_be_visible()
    expect(page.get_by_role("link", name="Dirk Dijkstra")).to_be_visible()
    expect(page.get_by_role("link", name="Anna Aalders")).to_have_count(0)

    with page.expect_download() as info:
        page.get_by_role("button", name="CSV").click()
    exported = Path(info.value.path()).read_text(encoding="utf-8-sig")
    assert "Dirk Dijkstra" in exported and "Fien Franssen" in exported
    assert "Anna Aalders" not in exported
    assert ";" in exported.splitlines()[0]

    page.goto(f"/organisaties/{slug}/importeren/")
    upload = page.get_by_label("Bestand (CSV of Excel .xlsx)")
    header = "e-mail;naam;team;rol;coördinator\n"
    bad = tmp_path / "nieuw.csv"
    bad.write_bytes(
        (
            header
            + "jet@voorbeeld.nl;Jet Jansen;Noord;Professional;nee\n"
            + "kees@voorbeeld;Kees Kok;Noord;Professional;nee\n"
        ).encode("cp1252")
    )
    members_before = Membership.objects.count()
    upload.set_input_files(str(bad))
    page.get_by_role("button", name="Uploaden en controleren").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Er is niets geïmporteerd")
    expect(alert).to_contain_text("Regel 3:")
    assert Membership.objects.count() == members_before
    assert_accessible(page)

    good = tmp_path / "nieuw-goed.csv"
    good.write_bytes(
        (
            header
            + "jet@voorbeeld.nl;Jet Jansen;Noord;Professional;nee\n"
            + "kees@voorbeeld.nl;Kees Kok;Noord;Professional;nee\n"
        ).encode("cp1252")
    )
    page.get_by_role("link", name="Verbeterd bestand uploaden").click()
    page.get_by_label("Bestand (CSV of Excel .xlsx)").set_input_files(str(good))
    page.get_by_role("button", name="Uploaden en controleren").click()
    page.get_by_role("button", name="Verstuur de uitnodigingen").click()
    expect(page.get_by_role("status").first).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)
    # Neither has an account yet: both are invited, with the team and role from the file.
    invited = Invitation.objects.filter(organisation=small.organisation).order_by("email")
    assert [(i.email, i.team.name, i.role.name) for i in invited] == [
        ("jet@voorbeeld.nl", "Noord", "Professional"),
        ("kees@voorbeeld.nl", "Noord", "Professional"),
    ]
    assert page.csp_violations == []
