"""Finding 1 of the penetration test: the only way in is allauth's login (rate limits,
email verification, the second factor). Wagtail's own login and password reset, reachable
through its URL includes, must not sign anyone in or send anything."""

import pytest
from django.core import mail

from tests.auth import log_in_with_code, recovery_codes
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_wagtails_front_end_login_sends_to_allauth_and_signs_nobody_in(
    client, home_page, coordinator_with_totp
):
    user = coordinator_with_totp.user
    response = client.get("/_util/login/?next=/organisaties/")
    assert response.status_code == 302
    assert response["Location"] == "/account/login/?next=/organisaties/"

    response = client.post("/_util/login/", {"username": user.email, "password": TEST_PASSWORD})
    assert not signed_in(client)
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


def test_a_locked_out_account_stays_out_through_every_login(client, home_page):
    user = UserFactory()
    for _ in range(5):
        client.post("/account/login/", {"login": user.email, "password": "fout-wachtwoord-1"})
    # allauth now refuses this account for a while, even with the right password.
    client.post("/account/login/", {"login": user.email, "password": TEST_PASSWORD})
    assert not signed_in(client)
    for path in ("/_util/login/", "/beheer/login/"):
        client.post(path, {"username": user.email, "password": TEST_PASSWORD})
        assert not signed_in(client)


def test_wagtails_password_reset_sends_to_allauth_and_mails_nothing(client, home_page):
    user = UserFactory(is_superuser=True)
    response = client.get("/beheer/password_reset/")
    assert response.status_code == 302
    assert response["Location"] == "/account/password/reset/"
    for _ in range(12):
        client.post("/beheer/password_reset/", {"email": user.email})
    assert mail.outbox == []
    for path in (
        "/beheer/password_reset/done/",
        "/beheer/password_reset/complete/",
        "/beheer/password_reset/confirm/MQ/abc-123/",
    ):
        assert client.get(path).status_code == 404, path


def test_allauths_password_reset_is_throttled_per_address(client, home_page):
    user = UserFactory()
    for _ in range(12):
        client.post("/account/password/reset/", {"email": user.email})
    assert 1 <= len(mail.outbox) <= 3


def test_a_session_without_the_second_factor_is_ended_for_an_account_that_has_one(
    client, home_page, coordinator_with_totp
):
    """However a password-only session came about (a side door we do not know of yet), it
    opens nothing for an account with an authenticator: not its recovery codes, not the
    coordinator area."""
    user = coordinator_with_totp.user
    client.force_login(user)  # password only: no 'mfa' step in the session
    response = client.get("/account/2fa/recovery-codes/")
    assert not signed_in(client)
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")
    client.force_login(user)
    response = client.get(f"/organisaties/{coordinator_with_totp.organisation.slug}/")
    assert not signed_in(client)


def test_recovery_codes_ask_for_the_second_factor_not_the_password(
    client, home_page, coordinator_with_totp
):
    user = coordinator_with_totp.user
    log_in_with_code(client, user)
    # Past allauth's five-minute window for sensitive actions, a password would do today.
    session = client.session
    for record in session["account_authentication_methods"]:
        record["at"] -= 3600
    session.save()
    response = client.get("/account/2fa/recovery-codes/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/2fa/reauthenticate/")
    response = client.get("/account/reauthenticate/?next=/account/2fa/recovery-codes/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/2fa/reauthenticate/")


def test_one_recovery_code_still_works_at_the_real_login(client, home_page, coordinator_with_totp):
    user = coordinator_with_totp.user
    code = recovery_codes(user)[0]
    client.post("/account/login/", {"login": user.email, "password": TEST_PASSWORD})
    client.post("/account/2fa/authenticate/", {"code": code})
    assert signed_in(client)


def test_security_txt_names_the_contact_once_a_deployment_sets_one(client, settings):
    assert client.get("/.well-known/security.txt").status_code == 404
    settings.SECURITY_CONTACT = "mailto:security@example.nl"
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    lines = response.content.decode().splitlines()
    assert "Contact: mailto:security@example.nl" in lines
    assert any(line.startswith("Expires: 20") and line.endswith("Z") for line in lines)


def test_the_admins_account_page_does_not_change_the_email_address_unverified(client, home_page):
    """Addresses change through allauth (a verification email); Wagtail's account page
    would set any address at once, which then counts for logins and invitations."""
    from tests.auth import sign_in_with_mfa

    editor = UserFactory(is_superuser=True, email="redacteur@example.nl")
    sign_in_with_mfa(client, editor)
    page = client.get("/beheer/account/")
    assert page.status_code == 200
    client.post(
        "/beheer/account/",
        {
            "name_email-email": "iemand-anders@example.nl",
            "name_email-full_name": "Rena Redacteur",
            "locale-preferred_language": "nl",
        },
    )
    editor.refresh_from_db()
    assert editor.email == "redacteur@example.nl"
    assert 'name="name_email-email"' not in page.content.decode()
