"""An LMS course page (the test LMS, another site: 127.0.0.1 against the live server on
localhost) frames Signaal's LTI login. The registered LMS may frame it (CSP
frame-ancestors). This headless Chromium keeps no third-party cookies, as Safari, so the
launch in the frame offers a new window, where the launch completes (its cookies are
SameSite=None; Secure, and first-party there) and the learner lands on the module. The
deep-linking chooser is accessible."""

import html
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from lti.models import LtiIdentity
from tests.lti.conftest import register
from tests.lti.platform import new_login_hint

from .conftest import assert_accessible, look_at

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def module(site):
    from courses import content_loader
    from tests import registers
    from tests.courses.conftest import make_module

    registers.ensure_taxonomy()
    catalogue = content_loader.ensure_catalogue(home=site)
    return make_module(catalogue, "Signalen herkennen in de zorg", lessons=1)


def course_page(lms, tool_url: str, claims: dict) -> str:
    hint = new_login_hint()
    lms.launches[hint] = claims
    target = claims["https://purl.imsglobal.org/spec/lti/claim/target_link_uri"]
    src = tool_url + "/lti/login/?" + urlencode(lms.login_initiation_params(hint, target))
    lms.pages["/course"] = (
        "<!doctype html><html lang='nl'><title>Cursus</title><h1>Verplichte scholing</h1>"
        f"<iframe title='Signaal' src='{html.escape(src)}' width='1000' height='700'></iframe>"
    )
    return lms.issuer + "/course"


def test_a_framed_launch_without_third_party_cookies_continues_in_a_new_window(
    page, live_server, lms, module
):
    register(lms, live_server.url)
    claims = lms.resource_link_claims(
        sub="moodle-user-3",
        target_link_uri=f"{live_server.url}/lti/launch/?module={module.pk}",
        email="sam@zorg.example.nl",
    )
    page.goto(course_page(lms, live_server.url, claims))

    # The registered LMS may frame Signaal; this Chromium keeps no cookies in a frame of
    # another site, so the launch offers the new window.
    frame = page.frame_locator("iframe[title=Signaal]")
    link = frame.get_by_role("link", name="Open Signaal in een nieuw venster")
    link.wait_for()
    assert page.csp_violations == []
    # The test LMS's page is not ours to check for width; a picture for a person.
    Path("test-results/screenshots").mkdir(parents=True, exist_ok=True)
    page.screenshot(path="test-results/screenshots/lti-new-window-in-lms-frame.png")
    with page.expect_popup() as opened:
        link.click()
    window = opened.value
    window.wait_for_url(live_server.url + module.url)
    assert window.get_by_role("heading", level=1).inner_text() == module.title
    assert LtiIdentity.objects.get(subject="moodle-user-3").user.email == "sam@zorg.example.nl"
    # Signed in there: the first lesson can be marked as done.
    window.get_by_role("link", name="Les 1").first.click()
    window.get_by_role("heading", level=1, name="Les 1").wait_for()


def test_the_framed_deep_linking_chooser_is_accessible(page, live_server, lms, module):
    register(lms, live_server.url)
    claims = lms.deep_linking_claims(
        sub="designer-1", target_link_uri=live_server.url + "/lti/launch/"
    )
    hint = new_login_hint()
    lms.launches[hint] = claims
    # Opened in the LMS's window (first-party), as LMSs open their content pickers.
    page.goto(
        live_server.url
        + "/lti/login/?"
        + urlencode(
            lms.login_initiation_params(
                hint, claims["https://purl.imsglobal.org/spec/lti/claim/target_link_uri"]
            )
        )
    )
    page.get_by_role("heading", name="Kies Signaal-modules").wait_for()
    assert_accessible(page)
    look_at(page, "lti-deep-linking-chooser")
    page.get_by_label(module.title).check()
    page.get_by_role("button", name="Toevoegen aan de cursus").click()
    page.wait_for_url(lms.issuer + "/deep_link_return")
    assert len(lms.deep_link_returns) == 1


def test_quick_exit_in_the_lms_frame_leaves_the_whole_window(page, live_server, lms, module):
    """'Snel weg' in Signaal's frame takes the LMS's whole window to the neutral site: leaving
    only the frame would keep the LMS's course page on screen (and the neutral site may
    refuse to be framed)."""
    page.route(
        "https://www.knmi.nl/**",
        lambda route: route.fulfill(
            body="<title>Weer</title><h1>Weer</h1>", content_type="text/html"
        ),
    )
    # One site (127.0.0.1) for the LMS and Signaal: this browser keeps the session in the
    # frame, as browsers that allow third-party cookies do.
    tool_url = live_server.url.replace("//localhost:", "//127.0.0.1:")
    register(lms, tool_url)
    claims = lms.resource_link_claims(
        sub="moodle-user-4", target_link_uri=f"{tool_url}/lti/launch/?module={module.pk}"
    )
    page.goto(course_page(lms, tool_url, claims))
    frame = page.frame_locator("iframe[title=Signaal]")
    expect(frame.get_by_role("heading", level=1)).to_have_text(module.title)

    frame.get_by_role("link", name=re.compile("Snel weg")).click()
    page.wait_for_url(re.compile(r"^https://www\.knmi\.nl/"))
    # The LMS's page (and Signaal's frame in it) is gone.
    expect(page).to_have_title("Weer")
    expect(page.locator("iframe")).to_have_count(0)
