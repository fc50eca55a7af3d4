"""A professional signs up, verifies their email, logs in, switches language and logs out,
in a real browser, with axe-core checking the pages they pass."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import User
from tests.e2e.conftest import assert_accessible
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_sign_up_verify_log_in_switch_language_and_log_out(page, live_server, site):
    mail.outbox.clear()
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    assert_accessible(page)

    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Registreren").click()
    assert_accessible(page)
    page.get_by_label("Volledige naam").fill("Fatima el Amrani")
    page.get_by_label("E-mail").fill("fatima@example.nl")
    page.get_by_label("Wachtwoord", exact=True).fill(TEST_PASSWORD)
    page.get_by_label("Wachtwoord (bevestigen)").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Registreren").click()

    page.wait_for_url(re.compile(r"/account/confirm-email/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Verifieer je e-mailadres")
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/account/confirm-email/\S+/)", mail.outbox[0].body).group(1)

    page.goto(link)
    page.get_by_role("button", name="Bevestig", exact=True).click()
    page.wait_for_url(re.compile(r"/account/login/"))

    assert_accessible(page)
    page.get_by_label("E-mail").fill("fatima@example.nl")
    page.get_by_label("Wachtwoord", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()
    page.wait_for_url(f"{live_server.url}/mijn-leren/")
    menu = page.get_by_role("navigation", name="Hoofdmenu")
    expect(menu.get_by_role("button", name="Uitloggen")).to_be_visible()

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    menu = page.get_by_role("navigation", name="Main menu")
    assert User.objects.get(email="fatima@example.nl").preferred_language == "en"

    menu.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server.url}/")
    menu = page.get_by_role("navigation", name="Main menu")
    expect(menu.get_by_role("link", name="Log in")).to_be_visible()
    # The language choice outlives the session.
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.csp_violations == []


@pytest.mark.usefixtures("search_index")  # a search page with results, not an empty one
def test_home_login_and_signup_pages_pass_axe_in_english_too(page, site):
    page.goto("/")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    for path in ("/", "/account/login/", "/account/signup/", "/zoeken/?q=femicide"):
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", "en")
        assert_accessible(page)
    assert page.csp_violations == []


def test_skip_link_is_the_first_stop_and_moves_focus_to_the_content(page, site):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_text("Direct naar de inhoud")
    expect(focused).not_to_have_css("outline-style", "none")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))


def test_a_wrong_password_shows_a_clear_message_and_no_login(page, site):
    User.objects.create_user(email="jan@example.nl", password=TEST_PASSWORD, full_name="Jan Jansen")
    page.goto("/account/login/")
    page.get_by_label("E-mail").fill("jan@example.nl")
    page.get_by_label("Wachtwoord", exact=True).fill("niet-het-wachtwoord")
    page.get_by_role("button", name="Aanmelden").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("wachtwoord is niet correct")
    assert_accessible(page)


def test_layout_works_on_a_small_screen(browser, live_server, site):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto("/")
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert overflow is False
    # The menu folds behind a 'Menu' button on a phone (issue 19: the header took 40% of it).
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_have_attribute("aria-expanded", "false")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("navigation", name="Hoofdmenu")).to_be_visible()
    context.close()


def test_sign_up_while_the_mail_server_is_down_and_verify_when_the_mail_follows(
    page, live_server, site, settings
):
    from core.mail import send_queued_emails
    from core.models import QueuedEmail
    from tests.organisations import email_backends

    settings.EMAIL_BACKEND = "tests.organisations.email_backends.FlakyEmailBackend"
    email_backends.FAIL_FOR.clear()
    email_backends.FAIL_FOR.add(email_backends.FAIL_ALL)
    mail.outbox.clear()
    try:
        page.goto("/account/signup/")
        page.get_by_label("Volledige naam").fill("Noor Bakker")
        page.get_by_label("E-mail").fill("noor@example.nl")
        page.get_by_label("Wachtwoord", exact=True).fill(TEST_PASSWORD)
        page.get_by_label("Wachtwoord (bevestigen)").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Registreren").click()
        page.wait_for_url(re.compile(r"/account/confirm-email/$"))
        # The person is told, in a message that passes axe, that the email will follow.
        notice = page.get_by_text("De e-mail kon nu niet worden verstuurd")
        expect(notice).to_be_visible()
        expect(notice).to_contain_text("automatisch")
        assert_accessible(page)
        assert mail.outbox == []
    finally:
        email_backends.FAIL_FOR.clear()

    # The mail server is back; the cron run sends the queued email, once.
    queued = QueuedEmail.objects.get()
    assert send_queued_emails(now=queued.next_attempt_at).sent == 1
    [message] = mail.outbox
    link = re.search(r"https?://[^/\s]+(/account/confirm-email/\S+/)", message.body).group(1)
    page.goto(link)
    page.get_by_role("button", name="Bevestig", exact=True).click()
    page.wait_for_url(re.compile(r"/account/login/"))
    page.get_by_label("E-mail").fill("noor@example.nl")
    page.get_by_label("Wachtwoord", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()
    page.wait_for_url(f"{live_server.url}/mijn-leren/")
    assert len(mail.outbox) == 1  # verified: no further verification email
    assert page.csp_violations == []
