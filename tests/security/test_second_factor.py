"""Findings 4 and 7: the admin and the coordinator area need a second factor passed
recently in this session; a privileged account enrols one only after proving it reads its
verified address; privileged sessions time out; learners stay signed in only when they ask."""

import re
import time

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.test import override_settings

from tests.auth import give_totp, log_in_with_code, sign_in_with_mfa, totp_code
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(db):
    return UserFactory(is_superuser=True)


def log_in_with_password(client, user):
    response = client.post("/account/login/", {"login": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def age_session(client, seconds: float) -> None:
    """Move every authentication step and the last privileged activity into the past."""
    session = client.session
    for record in session.get("account_authentication_methods", []):
        record["at"] -= seconds
    if "signaal_privileged_seen_at" in session:
        session["signaal_privileged_seen_at"] -= seconds
    session.save()


def test_the_admin_asks_an_administrator_without_a_second_factor_to_set_one_up(
    client, home_page, administrator
):
    log_in_with_password(client, administrator)
    for path in ("/beheer/", "/beheer/users/", "/beheer/certificaten/", "/beheer/pages/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/account/tweede-factor/?next="), path
    page = client.get("/account/tweede-factor/?next=/beheer/")
    assert page.status_code == 200
    assert page.context["needs_email_proof"] is True


def test_a_privileged_account_enrols_an_authenticator_only_after_a_code_by_email(
    client, home_page, administrator
):
    log_in_with_password(client, administrator)
    response = client.get("/account/2fa/totp/activate/?next=/beheer/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/reauthenticate/code/")
    # A password alone, even freshly re-entered, does not open the enrolment.
    client.post("/account/reauthenticate/", {"password": TEST_PASSWORD})
    response = client.get("/account/2fa/totp/activate/")
    assert response["Location"].startswith("/account/reauthenticate/code/")
    assert not Authenticator.objects.filter(user=administrator).exists()

    # The code goes to the verified address; typing it opens the enrolment.
    mail.outbox.clear()
    client.post(response["Location"], {"recipient": administrator.email})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [administrator.email]
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mail.outbox[0].body, re.MULTILINE).group(1)
    client.post("/account/reauthenticate/code/confirm/", {"code": code})
    page = client.get("/account/2fa/totp/activate/")
    assert page.status_code == 200
    secret = page.context["form"].secret
    client.post("/account/2fa/totp/activate/", {"code": totp_code(secret)})
    assert Authenticator.objects.filter(user=administrator, type="totp").exists()

    # Still signed in; the admin asks once for a code from the new app.
    response = client.get("/beheer/")
    assert response["Location"].startswith("/account/tweede-factor/")
    client.post("/account/2fa/reauthenticate/", {"code": totp_code(secret, time.time() + 30)})
    assert client.get("/beheer/").status_code == 200


def test_a_learner_enrols_an_authenticator_with_the_password(client, home_page):
    learner = UserFactory()
    log_in_with_password(client, learner)
    response = client.get("/account/2fa/totp/activate/")
    assert response["Location"].startswith("/account/reauthenticate/?")
    client.post(response["Location"], {"password": TEST_PASSWORD})
    assert client.get("/account/2fa/totp/activate/").status_code == 200


def test_a_coordinator_without_an_authenticator_must_prove_the_address_too(
    client, home_page, coordinator_with_totp
):
    from tests.organisations.factories import MembershipFactory

    coordinator = MembershipFactory(
        organisation=coordinator_with_totp.organisation, is_coordinator=True
    ).user
    log_in_with_password(client, coordinator)
    page = client.get(f"/organisaties/{coordinator_with_totp.organisation.slug}/")
    assert page.status_code == 403
    assert page.context["needs_email_proof"] is True
    response = client.get("/account/2fa/totp/activate/")
    assert response["Location"].startswith("/account/reauthenticate/code/")


def test_the_admin_opens_after_the_second_factor(client, home_page, administrator):
    give_totp(administrator)
    log_in_with_code(client, administrator)
    assert client.get("/beheer/").status_code == 200
    assert client.get("/beheer/users/").status_code == 200


def test_privileged_work_asks_again_after_30_idle_minutes(
    client, home_page, administrator, coordinator_with_totp
):
    give_totp(administrator)
    log_in_with_code(client, administrator)
    assert client.get("/beheer/").status_code == 200
    age_session(client, 29 * 60)
    assert client.get("/beheer/").status_code == 200  # activity: the clock starts again
    age_session(client, 29 * 60)
    assert client.get("/beheer/").status_code == 200
    age_session(client, 31 * 60)
    response = client.get("/beheer/")
    assert response["Location"].startswith("/account/tweede-factor/")
    page = client.get(response["Location"])
    assert page.context["expired"] is True

    client.logout()
    log_in_with_code(client, coordinator_with_totp.user)
    area = f"/organisaties/{coordinator_with_totp.organisation.slug}/"
    assert client.get(area).status_code == 200
    age_session(client, 31 * 60)
    assert client.get(area).status_code == 403


def test_privileged_work_asks_again_12_hours_after_the_second_factor(
    client, home_page, administrator
):
    give_totp(administrator)
    log_in_with_code(client, administrator)
    session = client.session
    for record in session["account_authentication_methods"]:
        record["at"] -= 12 * 3600 + 60
    session["signaal_privileged_seen_at"] = time.time()  # busy all along
    session.save()
    response = client.get("/beheer/")
    assert response["Location"].startswith("/account/tweede-factor/")


@override_settings(PRIVILEGED_SESSION_IDLE_MINUTES=5)
def test_the_idle_timeout_is_a_setting(client, home_page, administrator):
    sign_in_with_mfa(client, administrator)
    assert client.get("/beheer/").status_code == 200
    age_session(client, 6 * 60)
    assert client.get("/beheer/").status_code == 302


def test_a_learner_stays_signed_in_after_closing_the_browser_only_with_remember_me(
    client, home_page
):
    learner = UserFactory()
    client.post("/account/login/", {"login": learner.email, "password": TEST_PASSWORD})
    assert client.session.get_expire_at_browser_close()
    client.logout()
    client.post(
        "/account/login/",
        {"login": learner.email, "password": TEST_PASSWORD, "remember": "on"},
    )
    assert not client.session.get_expire_at_browser_close()
    assert client.session.get_expiry_age() == 14 * 24 * 3600


def test_passwords_need_twelve_characters(client, home_page):
    response = client.post(
        "/account/signup/",
        {
            "full_name": "Nieuwe Professional",
            "email": "nieuw@example.nl",
            "password1": "kort-ww-1x",
            "password2": "kort-ww-1x",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["password1"]
    assert not UserFactory._meta.model.objects.filter(email="nieuw@example.nl").exists()
