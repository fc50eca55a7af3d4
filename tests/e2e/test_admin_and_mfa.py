"""An editor works in the Wagtail admin, and a person sets up MFA, in a real browser."""

import re
import time

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from playwright.sync_api import expect

from accounts.services import ensure_verified_account
from tests.auth import totp_code
from tests.e2e.conftest import assert_accessible, log_in, look_at
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_editor_sets_up_the_second_factor_and_edits_the_home_page(page, live_server, site):
    """An editor without an authenticator app signs in with the password, is asked for a
    second factor before the admin, proves the address with a code by email, enrols the
    app, confirms once with its code, and edits a page."""
    editors, _created = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(Permission.objects.get(codename="access_admin"))
    from wagtail.models import GroupPagePermission

    GroupPagePermission.objects.get_or_create(
        group=editors, page=site, permission=Permission.objects.get(codename="change_page")
    )
    ensure_verified_account(
        email="redacteur@example.nl",
        full_name="Rena Redacteur",
        password=TEST_PASSWORD,
        group_names=("Editors",),
    )
    page.goto("/beheer/")
    page.wait_for_url(re.compile(r"/account/login/\?next=/beheer/"))
    page.get_by_label("E-mail").fill("redacteur@example.nl")
    page.get_by_label("Wachtwoord", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()

    # The password alone does not open the admin.
    page.wait_for_url(re.compile(r"/account/tweede-factor/"))
    expect(page.get_by_role("heading", name="Tweestapsverificatie nodig")).to_be_visible()
    assert_accessible(page)
    look_at(page, "second-factor-required")
    page.get_by_role("link", name=re.compile("Mail mij een code")).click()

    # A code by email first: a stolen password cannot enrol the attacker's app.
    page.wait_for_url(re.compile(r"/account/reauthenticate/code/"))
    assert_accessible(page)
    mail.outbox.clear()
    page.get_by_role("button", name="Code aanvragen").click()
    page.wait_for_url(re.compile(r"/account/reauthenticate/code/confirm/"))
    [message] = mail.outbox
    assert message.to == ["redacteur@example.nl"]
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", message.body, re.MULTILINE).group(1)
    assert_accessible(page)
    page.get_by_role("textbox").first.fill(code)
    page.get_by_role("button", name=re.compile("Bevestig")).click()

    page.wait_for_url(re.compile(r"/account/2fa/totp/activate/"))
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Activeer").click()
    page.wait_for_url(re.compile(r"/account/2fa/"))

    # Once, the code from the new app; then the admin opens.
    page.goto("/beheer/")
    page.wait_for_url(re.compile(r"/account/tweede-factor/"))
    page.get_by_role("link", name="Bevestig met je authenticatorcode").click()
    page.get_by_role("textbox").first.fill(totp_code(secret, time.time() + 30))
    page.get_by_role("button", name=re.compile("Bevestig")).click()
    page.wait_for_url(f"{live_server.url}/beheer/")

    page.goto(f"/beheer/pages/{site.pk}/edit/")
    page.get_by_role("textbox", name="Inleiding").fill("Nieuwe inleiding over rode vlaggen.")
    page.get_by_role("button", name="Bewaar concept").click()
    page.wait_for_load_state()
    site.refresh_from_db()
    assert site.get_latest_revision().as_object().intro == "Nieuwe inleiding over rode vlaggen."
    assert page.csp_violations == []


def test_a_person_turns_on_two_factor_authentication_and_saves_recovery_codes(page, site):
    ensure_verified_account(email="mfa@example.nl", full_name="Mila Fa", password=TEST_PASSWORD)
    log_in(page, "mfa@example.nl")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Mijn account"
    ).click()
    page.get_by_role("link", name="Tweestapsverificatie").click()
    assert_accessible(page)
    page.get_by_role("link", name="Activeer").click()
    # allauth asks for the password again before a security change.
    page.get_by_label("Wachtwoord", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Bevestig").click()

    qr = page.get_by_role("img")
    expect(qr.first).to_be_visible()
    assert_accessible(page)
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Activeer").click()
    page.wait_for_url(re.compile(r"/account/2fa/"))
    expect(page.get_by_text(re.compile("herstelcodes", re.I)).first).to_be_visible()
    assert page.csp_violations == []
