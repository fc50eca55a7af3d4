"""A learner filters the catalogue, starts a module, reads two lessons, logs out, logs in
and lands back on the right lesson; quick exit leaves at once. axe-core checks the pages."""

import re

import pytest
from playwright.sync_api import expect

from accounts.services import ensure_verified_account
from courses import content_loader
from tests.courses.conftest import make_module
from tests.e2e.conftest import assert_accessible, log_in
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NEUTRAL_PAGE = (
    "<html lang='nl'><head><title>Weer</title></head><body><h1>Het weer</h1></body></html>"
)


@pytest.fixture
def modules(site):
    content_loader.ensure_taxonomy()
    catalogue = content_loader.ensure_catalogue(home=site)
    make_module(
        catalogue, "Meldcode in de praktijk", themes=("meldcode",), level="basis", lessons=3
    )
    make_module(
        catalogue,
        "Rode vlaggen herkennen",
        themes=("rode-vlaggen",),
        level="verdieping",
        lessons=3,
        summary="Over rode vlaggen zoals wurging en stalking.",
    )
    ensure_verified_account(email="lotte@example.nl", full_name="Lotte", password=TEST_PASSWORD)
    return catalogue


def test_filter_start_read_two_lessons_log_out_and_resume(page, live_server, modules):
    log_in(page, "lotte@example.nl")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Modules").click()
    assert_accessible(page)
    page.get_by_label(re.compile(r"^Verdieping")).check()
    page.get_by_role("button", name="Toon modules").click()
    results = page.get_by_role("region", name=re.compile("module"))
    expect(results.get_by_role("link", name="Rode vlaggen herkennen")).to_be_visible()
    expect(results.get_by_role("link", name="Meldcode in de praktijk")).to_have_count(0)

    results.get_by_role("link", name="Rode vlaggen herkennen").click()
    assert_accessible(page)
    page.get_by_role("button", name="Start deze module").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Les 1")
    assert_accessible(page)
    page.get_by_role("button", name="Markeer als gedaan en ga naar de volgende les").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Les 2")
    expect(page.get_by_text("1 van 3 lessen gedaan").first).to_be_visible()

    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("button", name="Uitloggen").click()
    page.wait_for_url(f"{live_server.url}/")

    log_in(page, "lotte@example.nl")
    page.wait_for_url(re.compile(r"/mijn-leren/$"))
    page.get_by_role("link", name="Verder: Les 2").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Les 2")
    assert page.csp_violations == []


def test_quick_exit_leaves_for_a_neutral_site_by_button_and_by_escape_twice(page, modules):
    page.route(
        "https://www.knmi.nl/**",
        lambda route: route.fulfill(body=NEUTRAL_PAGE, content_type="text/html"),
    )
    log_in(page, "lotte@example.nl")
    page.goto("/modules/rode-vlaggen-herkennen/")
    page.get_by_role("link", name=re.compile("Snel weg")).click()
    page.wait_for_url(re.compile(r"knmi\.nl"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Het weer")

    page.goto("/modules/")
    page.goto("/modules/rode-vlaggen-herkennen/")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_url(re.compile(r"knmi\.nl"))
    # The module page was replaced, not added to: back does not return to it.
    page.go_back()
    assert page.url.endswith("/modules/")
    assert page.csp_violations == []


def test_lessons_read_fully_with_javascript_switched_off(browser, live_server, modules):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    log_in(page, "lotte@example.nl")
    page.goto("/modules/meldcode-in-de-praktijk/")
    page.get_by_role("button", name="Start deze module").click()
    expect(page.get_by_text("Tekst van Les 1.")).to_be_visible()
    page.get_by_role("button", name="Markeer als gedaan en ga naar de volgende les").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Les 2")
    context.close()
