"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server."""

import json
import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_SOURCE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if os.path.exists(CHROMIUM) and AXE_SOURCE.exists():
        return
    if os.environ.get("SIGNAAL_REQUIRE_BROWSER"):
        # CI must run the browser tests; a missing browser is a failure, not a skip.
        raise pytest.UsageError(f"Browser tests required but {CHROMIUM} or axe-core is missing.")
    skip = pytest.mark.skip(reason="Debian's chromium (apt-get install chromium) is not installed")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    page = context.new_page()
    page.csp_violations = []
    page.on(
        "console",
        lambda message: (
            page.csp_violations.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    yield page
    context.close()


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core in the page (WCAG 2.x A and AA rules) and return the violations of
    the given impact, reduced to what a developer needs to fix them."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE.read_text())
    result = page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"""
    )
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "targets": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in result["violations"]
        if violation["impact"] in impacts
    ]


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=2)


@pytest.fixture
def site(transactional_db):
    """The Signaal site, also after an earlier browser test emptied the tables.

    The live server runs in another thread, so browser tests commit for real and the
    database is flushed after each one, which removes what Wagtail's migrations created
    (the locale and the tree root). They are put back here before the site is made."""
    from django.conf import settings
    from wagtail.models import Locale, Page

    from cms.services import ensure_site

    if Page.get_first_root_node() is None:
        locale, _created = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
        Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    return ensure_site()


def log_in(page, email: str, next_path: str = "") -> None:
    """Sign in through the platform's login form, as a person would."""
    from tests.factories import TEST_PASSWORD

    page.goto(f"/account/login/{'?next=' + next_path if next_path else ''}")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Wachtwoord", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()


def put_in_order(page, items: list[str]) -> None:
    """Answer a put-in-order step with its place selects."""
    for place, item in enumerate(items, start=1):
        page.get_by_label(item).select_option(label=f"Plaats {place}")
