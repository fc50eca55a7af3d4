"""What an LMS administrator meets of Signaal (docs/lms-integration.md), in a real browser
against the test LMS (tests/lti/platform.py), with the pictures the guide shows:

1. a platform administrator registers the LMS in the admin (Beheer → Koppeling met LMS →
   LMS'en (LTI)) with the values the LMS shows;
2. the LMS opens a dynamic registration link in its dialog; Signaal's page registers
   itself there, stores the LMS for the link's organisation and tells the LMS to close;
3. a course designer picks modules in the deep-linking chooser; the LMS gets them back;
4. a learner opens a module inside the LMS's frame and completes it; the LMS gets the
   grade; a browser that keeps no cookies in the frame gets the new-window page instead;
5. the coordinator's person page names the LMS the module was taken through.

Each page is checked with axe-core and for readable text. The cropped pictures at 1280 px
go to <screenshots>/docs-lms/ (test-results/screenshots/ unless SIGNAAL_SCREENSHOTS says
otherwise); `make docs-screenshots` copies them into docs/images/lms/. This test never
writes into docs/."""

import html
import os
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from accounts.services import ensure_verified_account
from lti.dynamic_registration import registration_link
from lti.models import LtiIdentity, Platform, ResourceLaunch
from organisations.models import Membership
from tests.auth import TOTP_SECRET, give_totp
from tests.factories import TEST_PASSWORD
from tests.lti.conftest import register
from tests.lti.platform import new_login_hint
from tests.organisations.factories import (
    MembershipFactory,
    OrganisationFactory,
    RoleFactory,
    requirement,
)

from .conftest import (
    assert_accessible,
    assert_buttons_readable,
    assert_text_readable,
    axe_violations,
    log_in,
    look_at,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
LMS_NAME = "Moodle van Zorggroep Oost"


def docs_folder() -> Path:
    base = Path(os.environ.get("SIGNAAL_SCREENSHOTS", "test-results/screenshots"))
    folder = base / "docs-lms"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def picture(page, name: str, *, until=None) -> None:
    """A 1280 px wide picture for the guide: the page from its top down to just below
    `until` (or the whole page)."""
    assert page.viewport_size["width"] == DESKTOP["width"]
    path = str(docs_folder() / f"{name}.png")
    height = page.evaluate("document.documentElement.scrollHeight")
    if until is not None:
        bottom = until.evaluate("e => e.getBoundingClientRect().bottom + window.scrollY")
        height = min(height, bottom + 16)
    clip = {"x": 0, "y": 0, "width": DESKTOP["width"], "height": height}
    page.screenshot(path=path, full_page=True, clip=clip)


def assert_frame_accessible(frame) -> None:
    """axe-core and the contrast checks on Signaal's page inside the LMS's frame (the LMS's
    own page is not ours to check)."""
    assert axe_violations(frame) == []
    assert_buttons_readable(frame)
    assert_text_readable(frame)


def signaal_frame(page):
    """Signaal's frame in the LMS's page (a Playwright Frame, for axe)."""
    return page.locator("iframe[title=Signaal]").element_handle().content_frame()


def lms_page(lms, path: str, heading: str, src: str, height: int) -> str:
    """A page of the test LMS that shows Signaal in a frame across its width, and keeps
    the messages the frame posts to it (window.messages)."""
    lms.pages[path] = (
        "<!doctype html><html lang='nl'><meta charset='utf-8'>"
        f"<title>{html.escape(heading)}</title>"
        "<style>body{margin:0;font-family:sans-serif}"
        "header{background:#33414e;color:#fff;padding:12px 24px;font-size:18px}"
        f"iframe{{display:block;border:0;width:100%;height:{height}px}}</style>"
        f"<header>LMS · {html.escape(heading)}</header>"
        f"<iframe title='Signaal' src='{html.escape(src)}'></iframe>"
        "<script>window.messages = [];"
        "addEventListener('message', e => window.messages.push(e.data));</script>"
    )
    return lms.issuer + path


def register_zorggroep(lms, tool_url: str, zorggroep) -> Platform:
    """The test LMS registered for Zorggroep Oost, whose new members are professionals."""
    organisation, role = zorggroep
    platform = register(lms, tool_url, organisation=organisation)
    platform.member_role = role
    platform.save()
    return platform


def launch_src(lms, tool_url: str, claims: dict) -> str:
    """The tool's login initiation URL the LMS frames for a launch with these claims."""
    hint = new_login_hint()
    lms.launches[hint] = claims
    target = claims["https://purl.imsglobal.org/spec/lti/claim/target_link_uri"]
    return tool_url + "/lti/login/?" + urlencode(lms.login_initiation_params(hint, target))


@pytest.fixture
def zorggroep(site):
    return (
        OrganisationFactory(name="Zorggroep Oost", slug="zorggroep-oost"),
        RoleFactory(name="Zorgprofessional", slug="zorgprofessional"),
    )


@pytest.fixture
def modules(site):
    from courses import content_loader
    from tests import registers
    from tests.courses.conftest import make_module

    registers.ensure_taxonomy()
    catalogue = content_loader.ensure_catalogue(home=site)
    return [
        make_module(
            catalogue,
            "Signalen herkennen in de zorg",
            lessons=1,
            minutes=30,
            summary="Rode vlaggen voor femicide herkennen in het gesprek met een cliënt.",
        ),
        make_module(
            catalogue,
            "De meldcode in vijf stappen",
            lessons=1,
            themes=("meldcode",),
            minutes=45,
            summary="Wat je doet bij een vermoeden van huiselijk geweld, stap voor stap.",
        ),
        make_module(
            catalogue,
            "Dwingende controle in de praktijk",
            lessons=1,
            themes=("dwingende-controle", "intieme-terreur"),
            level="verdieping",
            minutes=60,
            summary="Het patroon achter losse incidenten zien en bespreekbaar maken.",
        ),
    ]


def test_an_administrator_registers_the_lms_in_the_admin(page, live_server, zorggroep):
    organisation, role = zorggroep
    administrator = ensure_verified_account(
        email="beheer@example.nl", full_name="Bea Beheer", password=TEST_PASSWORD,
        is_superuser=True,
    )  # fmt: skip
    give_totp(administrator)
    page.set_viewport_size(DESKTOP)
    log_in(page, "beheer@example.nl", "/beheer/", totp_secret=TOTP_SECRET)
    page.wait_for_url(f"{live_server.url}/beheer/")

    # Beheer → Koppeling met LMS → LMS'en (LTI) → add.
    page.get_by_role("button", name="Koppeling met LMS").click()
    page.get_by_role("link", name="LMS'en (LTI)").click()
    page.wait_for_url(re.compile(r"/beheer/lti_platforms/$"))
    page.get_by_role("link", name="LMS (LTI-platform) toevoegen").first.click()
    page.wait_for_url(re.compile(r"/beheer/lti_platforms/new/$"))

    # What Moodle's 'View configuration details' shows, as example values.
    def field(label: str, role: str = "textbox"):
        return page.get_by_role(role, name=re.compile("^" + re.escape(label)))

    field("Naam").fill(LMS_NAME)
    field("Organisatie", "combobox").select_option(label=organisation.name)
    field("Rol van nieuwe leden", "combobox").select_option(label=role.name)
    field("Issuer").fill("https://moodle.example.nl")
    field("Client-id").fill("VoorbeeldClientId42")
    field("Deployment ids").fill("3")
    field("URL voor authenticatieverzoeken").fill("https://moodle.example.nl/mod/lti/auth.php")
    field("URL voor access tokens").fill("https://moodle.example.nl/mod/lti/token.php")
    field("URL van de publieke sleutels (JWKS)").fill("https://moodle.example.nl/mod/lti/certs.php")
    assert_accessible(page)
    look_at(page, "lms-docs-admin-platform-form")
    # The admin scrolls within its own panel: a window just tall enough for the whole
    # form, with the save button in its footer.
    page.set_viewport_size({"width": DESKTOP["width"], "height": 2000})
    page.evaluate("document.activeElement.blur()")
    field("Naam").scroll_into_view_if_needed()
    last = field("Actief", "checkbox").evaluate("e => e.getBoundingClientRect().bottom")
    page.set_viewport_size({"width": DESKTOP["width"], "height": int(last) + 110})
    save = page.get_by_role("button", name="Toevoegen", exact=True)
    picture(page, "admin-lms-registration-form")

    save.click()
    page.wait_for_url(re.compile(r"/beheer/lti_platforms/$"))
    expect(page.get_by_role("link", name=LMS_NAME)).to_be_visible()
    platform = Platform.objects.get()
    assert (platform.organisation, platform.member_role) == (organisation, role)
    assert platform.deployment_id_list() == ["3"]
    assert platform.embedding_origins() == ["https://moodle.example.nl"]
    assert platform.is_active and not platform.sync_members


def test_the_lms_opens_the_dynamic_registration_link_in_its_dialog(
    page, live_server, lms, zorggroep
):
    organisation, role = zorggroep
    link = registration_link(organisation=organisation, role=role, base_url=live_server.url)
    params = {
        "openid_configuration": lms.issuer + "/.well-known/openid-configuration",
        "registration_token": lms.registration_token,
    }
    page.set_viewport_size(DESKTOP)
    page.goto(
        lms_page(
            lms,
            "/tool-registreren",
            "Externe tool registreren",
            link + "?" + urlencode(params),
            420,
        )
    )

    frame = page.frame_locator("iframe[title=Signaal]")
    expect(frame.get_by_role("heading", level=1)).to_have_text("Signaal registreren in je LMS")
    expect(frame.get_by_text("voor Zorggroep Oost")).to_be_visible()
    button = frame.get_by_role("button", name="Signaal registreren")
    expect(button).to_be_visible()
    assert page.csp_violations == []
    assert_frame_accessible(signaal_frame(page))
    picture(page, "dynamic-registration-in-lms", until=page.locator("iframe"))
    assert not Platform.objects.exists()

    button.click()
    expect(frame.get_by_role("status")).to_contain_text(
        "Signaal is geregistreerd. Wie via je LMS binnenkomt, wordt lid van Zorggroep Oost."
    )
    page.wait_for_function("window.messages.length > 0")
    assert page.evaluate("window.messages") == [{"subject": "org.imsglobal.lti.close"}]
    assert_frame_accessible(signaal_frame(page))
    picture(page, "dynamic-registration-done-in-lms", until=page.locator("iframe"))
    platform = Platform.objects.get()
    assert (platform.organisation, platform.member_role) == (organisation, role)
    assert (platform.issuer, platform.client_id) == (lms.issuer, lms.client_id)
    assert platform.deployment_id_list() == ["dynamic-deployment-1"]


def test_a_course_designer_chooses_modules_for_the_course(
    page, live_server, lms, zorggroep, modules
):
    register_zorggroep(lms, live_server.url, zorggroep)
    claims = lms.deep_linking_claims(
        sub="designer-1", target_link_uri=live_server.url + "/lti/launch/"
    )
    # LMSs open their content pickers in a window or dialog of their own (first-party).
    page.goto(launch_src(lms, live_server.url, claims))

    expect(page.get_by_role("heading", level=1)).to_have_text("Kies Signaal-modules")
    expect(page.get_by_text(f"komen in je cursus in {LMS_NAME}.")).to_be_visible()
    for module in modules:
        expect(page.get_by_label(module.title)).not_to_be_checked()
    assert_accessible(page)
    look_at(page, "lms-docs-deep-linking-chooser")
    page.set_viewport_size(DESKTOP)
    page.get_by_label(modules[0].title).check()
    page.get_by_label(modules[1].title).check()
    picture(
        page,
        "deep-linking-module-chooser",
        until=page.get_by_role("button", name="Toevoegen aan de cursus"),
    )

    page.get_by_role("button", name="Toevoegen aan de cursus").click()
    page.wait_for_url(lms.issuer + "/deep_link_return")
    (returned,) = lms.deep_link_returns
    items = returned["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert {item["title"] for item in items} == {modules[0].title, modules[1].title}


def test_a_learner_takes_the_module_in_the_lms_and_the_coordinator_sees_through_which(
    browser, page, live_server, lms, zorggroep, modules
):
    organisation, role = zorggroep
    module = modules[0]
    requirement(organisation, module)
    # 127.0.0.1 for both: the LMS and Signaal are one site here, so this browser keeps
    # Signaal's cookies in the frame, as browsers that allow third-party cookies do.
    tool_url = live_server.url.replace("//localhost:", "//127.0.0.1:")
    register_zorggroep(lms, tool_url, zorggroep)
    claims = lms.resource_link_claims(
        sub="moodle-user-8",
        target_link_uri=f"{tool_url}/lti/launch/?module={module.pk}",
        email="sam.jansen@example.nl",
        name="Sam Jansen",
    )
    page.set_viewport_size(DESKTOP)
    page.goto(
        lms_page(lms, "/cursus", "Verplichte scholing 2026", launch_src(lms, tool_url, claims), 760)
    )

    frame = page.frame_locator("iframe[title=Signaal]")
    expect(frame.get_by_role("heading", level=1)).to_have_text(module.title)
    assert page.csp_violations == []
    assert_frame_accessible(signaal_frame(page))
    picture(page, "module-in-lms-frame", until=page.locator("iframe"))
    learner = LtiIdentity.objects.get(subject="moodle-user-8").user
    assert learner.full_name == "Sam Jansen"
    assert Membership.objects.filter(user=learner, organisation=organisation, role=role).exists()

    # Still signed in within the frame: the lesson is marked as done and the LMS gets the
    # grade.
    frame.get_by_role("link", name="Les 1").first.click()
    frame.get_by_role("button", name="Markeer als gedaan").click()
    expect(frame.get_by_text("Je hebt deze module afgerond.")).to_be_visible()
    assert learner.enrolments.get(module=module).completed_at is not None
    assert [score["userId"] for score in lms.scores] == ["moodle-user-8"]

    # The coordinator of Zorggroep Oost looks the learner up.
    coordinator = ensure_verified_account(
        email="coordinator@example.nl", full_name="Cor Coördinator", password=TEST_PASSWORD
    )
    give_totp(coordinator)
    MembershipFactory(organisation=organisation, user=coordinator, is_coordinator=True)
    office = browser.new_context(base_url=live_server.url, viewport=DESKTOP).new_page()
    log_in(office, coordinator.email, f"/organisaties/{organisation.slug}/mensen/", TOTP_SECRET)
    office.get_by_role("link", name="Sam Jansen").click()
    expect(office.get_by_role("heading", level=1)).to_have_text("Sam Jansen")
    requirements = office.locator("section[aria-labelledby=eisen-titel]")
    row = requirements.get_by_role("row", name=re.compile(module.title))
    expect(row).to_contain_text(f"via {LMS_NAME} (LTI)")
    assert_accessible(office)
    look_at(office, "lms-docs-coordinator-person")
    office.set_viewport_size(DESKTOP)
    picture(office, "coordinator-person-lms-channel", until=requirements)
    assert ResourceLaunch.objects.get().platform.name == LMS_NAME
    office.context.close()


def test_a_browser_without_cookies_in_the_frame_gets_the_new_window_page(
    page, live_server, lms, zorggroep, modules
):
    module = modules[0]
    # localhost against the LMS's 127.0.0.1: another site; this Chromium keeps no cookies
    # in a frame of another site, as Safari.
    register_zorggroep(lms, live_server.url, zorggroep)
    claims = lms.resource_link_claims(
        sub="moodle-user-9", target_link_uri=f"{live_server.url}/lti/launch/?module={module.pk}"
    )
    page.set_viewport_size(DESKTOP)
    page.goto(
        lms_page(
            lms,
            "/cursus",
            "Verplichte scholing 2026",
            launch_src(lms, live_server.url, claims),
            340,
        )
    )

    frame = page.frame_locator("iframe[title=Signaal]")
    expect(frame.get_by_role("heading", level=1)).to_have_text("Open Signaal in een nieuw venster")
    expect(frame.get_by_role("link", name="Open Signaal in een nieuw venster")).to_be_visible()
    assert page.csp_violations == []
    assert_frame_accessible(signaal_frame(page))
    picture(page, "new-window-in-lms-frame", until=page.locator("iframe"))
    assert not LtiIdentity.objects.exists()
