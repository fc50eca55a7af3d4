"""Browser test: a coordinator (signed in with a second factor) reads the dashboard, opens the
table of all teams, filters the people list, opens a person, and follows a background export
until its download link appears; axe-core and the Content-Security-Policy find nothing on the
way."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from organisations import views
from organisations.models import ExportJob, Membership
from organisations.tasks import build_export_file
from tests.organisations import small_organisation
from tests.organisations.conftest import catalogue, modules, sign_in_with_mfa  # noqa: F401
from tests.organisations.factories import MembershipFactory, OrganisationFactory

from .conftest import assert_accessible, look_at

pytestmark = pytest.mark.e2e


@pytest.fixture
def small(site, modules):  # noqa: F811
    organisation = OrganisationFactory(name="Veilig Thuis Testregio")
    coordinator = MembershipFactory(organisation=organisation, is_coordinator=True)
    return small_organisation.build(organisation, modules, coordinator)


def sign_in(page, live_server, user) -> None:
    client = Client()
    sign_in_with_mfa(client, user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def test_the_coordinator_reads_filters_and_exports(page, live_server, small, tmp_path, monkeypatch):
    from django.test import override_settings

    coordinator = Membership.objects.get(organisation=small.organisation, is_coordinator=True)
    sign_in(page, live_server, coordinator.user)
    slug = small.organisation.slug

    page.goto(f"/organisaties/{slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Veilig Thuis Testregio")
    expect(page.locator(".signaal-kpi__number")).to_have_text("38%")
    expect(page.get_by_role("table", name="Aantal leden per status, per eis")).to_be_visible()
    assert_accessible(page)

    # Fewer teams on the dashboard than the organisation has (3): the table of all of them.
    monkeypatch.setattr(views, "DASHBOARD_TEAMS", 2)
    page.reload()
    expect(page.get_by_text("Hier staan de 2 van de 3 teams")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Alle 3 teams in één tabel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alle teams")
    teams = page.get_by_role(
        "table",
        name="Per team: mensen, en de status op de verplichte eisen"
        " (één telling per persoon per eis)",
    )
    expect(teams.get_by_role("link")).to_have_text(["Noord", "Zuid", "Geen team"])
    assert_accessible(page)

    page.get_by_role("link", name="Mensen", exact=True).click()
    page.get_by_label("Status", exact=True).select_option("overdue")
    page.get_by_role("button", name="Mensen tonen").click()
    expect(page.get_by_role("heading", name="2 mensen")).to_be_visible()
    assert_accessible(page)
    look_at(page, "coordinator-people")

    page.get_by_role("link", name="Dirk Dijkstra").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dirk Dijkstra")
    assert_accessible(page)
    look_at(page, "coordinator-person")
    # The header leads back to the organisation's dashboard from any page (issue 20.1).
    page.goto("/mijn-certificaten/")
    page.get_by_role("link", name="Veilig Thuis Testregio").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Veilig Thuis Testregio")

    with override_settings(
        ORGANISATION_EXPORT_IMMEDIATE_LIMIT=3,
        TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}},
        MEDIA_ROOT=tmp_path,
    ):
        page.goto(f"/organisaties/{slug}/mensen/?status=overdue")
        page.get_by_role("button", name="CSV").click()
        page.wait_for_url("**/exports/*/")
        status = page.get_by_role("status")
        expect(status).to_contain_text("wachtrij")
        expect(page.get_by_role("link", name="Bestand downloaden")).to_be_hidden()
        assert_accessible(page)
        build_export_file.call(ExportJob.objects.get().pk)  # the worker
        download = page.get_by_role("link", name="Bestand downloaden")
        download.wait_for(state="visible", timeout=15000)
        expect(status).to_contain_text("klaar")
        with page.expect_download() as info:
            download.click()
        assert info.value.suggested_filename.endswith(".csv")
    assert page.csp_violations == []
