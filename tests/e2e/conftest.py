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
    # Everything in this folder is a browser test (`make test-fast` leaves them out).
    folder = Path(__file__).parent
    for item in items:
        if folder in item.path.parents:
            item.add_marker(pytest.mark.e2e)
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


# Resolves once the page's running transitions and animations that end have ended (at most
# 5 s). axe reads colours as they are drawn at that moment: Wagtail's messages fade in over
# half a second, and white text on the success green (4.5:1 at rest) measured 4.1:1 there.
SETTLED_JS = """
() => Promise.race([
  Promise.all(document.getAnimations()
    .filter(a => a.playState === 'running')
    .filter(a => Number.isFinite(a.effect?.getComputedTiming().endTime))
    .map(a => a.finished.catch(() => null))),
  new Promise(resolve => setTimeout(resolve, 5000)),
])
"""


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core in the page (WCAG 2.x A and AA rules) once it has come to rest and
    return the violations of the given impact, reduced to what a developer needs to fix
    them."""
    page.evaluate(SETTLED_JS)
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
def site(transactional_db, migrated):
    """The Signaal site. The live server runs in another thread, so browser tests commit
    for real and the tables are emptied after each one; `migrated` puts back what the
    migrations made before the site is made."""
    from cms.services import ensure_site

    return ensure_site()


def log_in(page, email: str, next_path: str = "", totp_secret: str = "") -> None:
    """Sign in through the platform's login form, as a person would; with `totp_secret`,
    also enter the authenticator app's code."""
    import re
    import time

    from tests.auth import totp_code
    from tests.factories import TEST_PASSWORD

    page.goto(f"/account/login/{'?next=' + next_path if next_path else ''}")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Wachtwoord", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()
    if totp_secret:
        page.wait_for_url(re.compile(r"/account/2fa/authenticate/"))
        page.get_by_role("textbox").first.fill(totp_code(totp_secret, time.time() + 30))
        page.get_by_role("button", name=re.compile("Aanmelden|Bevestig")).click()


def put_in_order(page, items: list[str]) -> None:
    """Answer a put-in-order step with its place selects."""
    for place, item in enumerate(items, start=1):
        page.get_by_label(item).select_option(label=f"Plaats {place}")


SCREENSHOT_WIDTHS = (390, 1280)


# WCAG contrast of every visible button and button link against its own background. axe
# reports text whose colour equals its background as 'incomplete', not as a violation, so
# a button with invisible text passed it.
BUTTON_CONTRAST_JS = """
() => {
  const channel = c => {
    c /= 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = rgb =>
    0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2]);
  const parse = text => (text.match(/[\\d.]+/g) || []).map(Number);
  const poor = [];
  for (const el of document.querySelectorAll('button, a.utrecht-button-link, input[type=submit]')) {
    if (!el.offsetParent || !el.textContent.trim()) continue;
    const style = getComputedStyle(el);
    const bg = parse(style.backgroundColor), fg = parse(style.color);
    if (bg.length < 3 || (bg.length === 4 && bg[3] === 0)) continue;
    const [a, b] = [luminance(fg), luminance(bg)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    if (ratio < 4.5) poor.push(el.textContent.trim() + ': ' + ratio.toFixed(2));
  }
  return poor;
}
"""


def assert_buttons_readable(page) -> None:
    poor = page.evaluate(BUTTON_CONTRAST_JS)
    assert poor == [], f"buttons with too little contrast: {poor}"


# WCAG 1.4.3 contrast of every visible piece of text against the background it is drawn on
# (the first ancestor with a background colour), as pa11y and axe compute it; axe leaves
# text over some backgrounds 'incomplete'. Text over an image or gradient is skipped.
TEXT_CONTRAST_JS = """
() => {
  const channel = c => {
    c /= 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = rgb =>
    0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2]);
  const parse = text => (text.match(/[\\d.]+/g) || []).map(Number);
  const background = el => {
    for (let node = el; node; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.backgroundImage !== 'none') return null;
      const bg = parse(style.backgroundColor);
      if (bg.length === 3 || (bg.length === 4 && bg[3] > 0.9)) return bg;
    }
    return [255, 255, 255];
  };
  const poor = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || seen.has(el)) continue;
    seen.add(el);
    const rect = el.getBoundingClientRect();
    const hidden = !el.checkVisibility({visibilityProperty: true});
    if (rect.width < 2 || rect.height < 2 || hidden) continue;
    if (el.closest('[disabled], [aria-hidden=true]')) continue;
    const style = getComputedStyle(el);
    const bg = background(el);
    if (!bg) continue;
    let fg = parse(style.color);
    if (fg.length === 4) fg = [0, 1, 2].map(i => fg[i] * fg[3] + bg[i] * (1 - fg[3]));
    const [a, b] = [luminance(fg), luminance(bg)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight) >= 700;
    const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < needed) poor.push(el.textContent.trim().slice(0, 40) + ': ' + ratio.toFixed(2));
  }
  return poor;
}
"""


def assert_text_readable(page) -> None:
    poor = page.evaluate(TEXT_CONTRAST_JS)
    assert poor == [], f"text with too little contrast: {poor}"


def look_at(page, name: str) -> None:
    """Screenshots of the page at phone and desktop width (test-results/screenshots/, for a
    person to look at), and at each width: nothing wider than the viewport (WCAG 1.4.10),
    every button readable and all text readable against its background."""
    import os
    from pathlib import Path

    folder = Path(os.environ.get("SIGNAAL_SCREENSHOTS", "test-results/screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size
    for width in SCREENSHOT_WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth") - width
        assert overflow <= 0, f"{name} is {overflow} px wider than a {width} px screen"
        assert_buttons_readable(page)
        assert_text_readable(page)
    if original:
        page.set_viewport_size(original)
