"""Browser test (issue 20.9): no coordinator page is wider than a 390 px phone. Every page
of the coordinator area a coordinator reads (the organisation chooser, dashboard, all teams,
teams, people list, person page, an export's job page, evidence for an inspection and the
public page that checks a statement) is visited at 390 and 1280 px: nothing wider than the
screen (document.documentElement.scrollWidth), screenshots to look at, axe-core clean. Wide
tables scroll inside their own focusable, labelled region, never the page."""

import pytest
from django.urls import reverse
from django.utils import translation

from organisations.compliance.statement import issue_statement
from organisations.models import ExportJob, ExportStatus, Membership
from tests.organisations import small_organisation
from tests.organisations.conftest import catalogue, modules  # noqa: F401
from tests.organisations.factories import MembershipFactory, OrganisationFactory, TeamFactory

from .conftest import assert_accessible, look_at
from .test_coordinator_dashboard import sign_in

pytestmark = pytest.mark.e2e

PHONE = 390


@pytest.fixture
def small(site, modules):  # noqa: F811
    organisation = OrganisationFactory(
        name="Veilig Thuis Regio Gooi en Vechtstreek en Midden-Nederland"
    )
    coordinator = MembershipFactory(organisation=organisation, is_coordinator=True)
    built = small_organisation.build(organisation, modules, coordinator)
    # Long team names, as HR systems have them.
    TeamFactory(organisation=organisation, name="Aandachtsfunctionarissenoverleg Huiselijk Geweld")
    # A second organisation: the chooser lists both.
    MembershipFactory(
        organisation=OrganisationFactory(name="Buurtteams Amersfoort"),
        user=coordinator.user,
        is_coordinator=True,
    )
    return built


def test_no_coordinator_page_is_wider_than_a_phone(page, live_server, small):
    organisation = small.organisation
    coordinator = Membership.objects.get(organisation=organisation, is_coordinator=True).user
    slug = organisation.slug
    job = ExportJob.objects.create(
        organisation=organisation,
        requested_by=coordinator,
        format="xlsx",
        status=ExportStatus.RUNNING,
        progress=40,
    )
    with translation.override("nl"):
        statement = issue_statement(organisation, actor=coordinator, base_url=live_server.url)
    sign_in(page, live_server, coordinator)
    page.set_viewport_size({"width": PHONE, "height": 900})
    pages = {
        "index": reverse("organisations:index"),
        "dashboard": reverse("organisations:dashboard", args=[slug]),
        "team-figures": reverse("organisations:team_figures", args=[slug]),
        "teams": reverse("organisations:teams", args=[slug]),
        "people": reverse("organisations:people", args=[slug]),
        "person": reverse("organisations:person", args=[slug, small.members["fien"].pk]),
        "export-job": reverse("organisations:export_job", args=[slug, job.pk]),
        "evidence": reverse("organisations:evidence", args=[slug]),
        "statement": reverse("organisations:verify_statement", args=[statement.statement.code]),
    }
    widths = {}
    for name, url in pages.items():
        page.goto(url)
        widths[name] = page.evaluate("document.documentElement.scrollWidth")
        # Wide tables scroll in their own region: focusable and named.
        for region in page.locator(".signaal-table-scroll").all():
            assert region.get_attribute("tabindex") == "0", name
            assert region.get_attribute("role") == "region", name
            assert region.get_attribute("aria-labelledby") or region.get_attribute("aria-label")
    assert {name: width for name, width in widths.items() if width > PHONE} == {}

    for name, url in pages.items():
        page.set_viewport_size({"width": PHONE, "height": 900})
        page.goto(url)
        assert_accessible(page)
        look_at(page, f"coordinator-phone-{name}")  # 390 and 1280 px, no overflow at either
