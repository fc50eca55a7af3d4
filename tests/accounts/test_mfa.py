"""Every person can protect their account with an authenticator app (TOTP) and recovery codes."""

import time

import pytest
from allauth.mfa.models import Authenticator

from tests.auth import totp_code
from tests.factories import TEST_PASSWORD, UserFactory


def open_totp_activation(client, user) -> str:
    """Log in, confirm the password again as allauth asks before security changes, and
    return the secret shown on the activation page."""
    client.post("/account/login/", {"login": user.email, "password": TEST_PASSWORD})
    response = client.get("/account/2fa/totp/activate/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/reauthenticate/")
    client.post(response["Location"], {"password": TEST_PASSWORD})
    page = client.get("/account/2fa/totp/activate/")
    assert page.status_code == 200
    return page.context["form"].secret


@pytest.mark.django_db
def test_a_person_activates_totp_and_then_needs_a_code_to_log_in(client, home_page):
    user = UserFactory()
    secret = open_totp_activation(client, user)

    response = client.post("/account/2fa/totp/activate/", {"code": "000000"})
    assert response.status_code == 200
    assert not Authenticator.objects.filter(user=user).exists()

    response = client.post("/account/2fa/totp/activate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists()

    client.post("/account/logout/")
    response = client.post("/account/login/", {"login": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/account/2fa/authenticate/"
    assert "_auth_user_id" not in client.session

    response = client.post("/account/2fa/authenticate/", {"code": "123456"})
    assert "_auth_user_id" not in client.session
    # A code from the next time window avoids reusing the one used for activation.
    response = client.post(
        "/account/2fa/authenticate/", {"code": totp_code(secret, time.time() + 30)}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_a_recovery_code_works_once_instead_of_the_app(client, home_page):
    user = UserFactory()
    secret = open_totp_activation(client, user)
    client.post("/account/2fa/totp/activate/", {"code": totp_code(secret)})
    codes_page = client.get("/account/2fa/recovery-codes/")
    codes = codes_page.context["unused_codes"]
    assert len(codes) == 10

    client.post("/account/logout/")
    client.post("/account/login/", {"login": user.email, "password": TEST_PASSWORD})
    client.post("/account/2fa/authenticate/", {"code": codes[0]})
    assert client.session["_auth_user_id"] == str(user.pk)

    client.post("/account/logout/")
    client.post("/account/login/", {"login": user.email, "password": TEST_PASSWORD})
    client.post("/account/2fa/authenticate/", {"code": codes[0]})
    assert "_auth_user_id" not in client.session
