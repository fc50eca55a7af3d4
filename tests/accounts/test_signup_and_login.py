import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from accounts.models import User
from tests.factories import TEST_PASSWORD, UserFactory

SIGNUP = "/account/signup/"
LOGIN = "/account/login/"


def sign_up(client, email="anna@example.nl", full_name="  Anna   de Vries "):
    return client.post(
        SIGNUP,
        {
            "full_name": full_name,
            "email": email,
            "password1": TEST_PASSWORD,
            "password2": TEST_PASSWORD,
        },
    )


def confirmation_link(message) -> str:
    return re.search(r"https?://testserver(/account/confirm-email/[^\s]+/)", message.body).group(1)


@pytest.mark.django_db
def test_signup_stores_full_name_and_language_and_sends_a_verification_email(client, home_page):
    client.post("/taal/", {"language": "en", "next": "/"})
    response = sign_up(client)
    assert response.status_code == 302
    user = User.objects.get(email="anna@example.nl")
    assert user.full_name == "Anna de Vries"
    assert user.preferred_language == "en"
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["anna@example.nl"]


@pytest.mark.django_db
def test_signup_without_full_name_is_refused_and_creates_nothing(client, home_page):
    response = sign_up(client, full_name="   ")
    assert response.status_code == 200
    assert "full_name" in response.context["form"].errors
    assert not User.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_login_is_refused_until_the_email_address_is_verified(client, home_page):
    sign_up(client)
    client.logout()
    response = client.post(LOGIN, {"login": "anna@example.nl", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/account/confirm-email/"
    assert "_auth_user_id" not in client.session

    link = confirmation_link(mail.outbox[-1])
    client.post(link)
    assert EmailAddress.objects.get(email="anna@example.nl").verified
    response = client.post(LOGIN, {"login": "Anna@Example.nl", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(email="anna@example.nl").pk)


@pytest.mark.django_db
def test_failed_logins_are_rate_limited_per_account(client, home_page):
    user = UserFactory()
    for _attempt in range(5):
        response = client.post(LOGIN, {"login": user.email, "password": "wrong-password"})
        assert response.status_code == 200
    # Even the right password is refused while the limit holds.
    response = client.post(LOGIN, {"login": user.email, "password": TEST_PASSWORD})
    errors = response.context["form"].non_field_errors().as_data()
    assert [error.code for error in errors] == ["too_many_login_attempts"]
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_password_reset_sends_a_link_that_sets_a_new_password(client, home_page):
    user = UserFactory()
    client.post("/account/password/reset/", {"email": user.email})
    assert len(mail.outbox) == 1
    link = re.search(
        r"https?://testserver(/account/password/reset/key/[^\s]+/)", mail.outbox[0].body
    )
    response = client.get(link.group(1), follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link.group(1)
    response = client.post(
        form_url, {"password1": "een-nieuw-wachtwoord-7", "password2": "een-nieuw-wachtwoord-7"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("een-nieuw-wachtwoord-7")


@pytest.mark.django_db
def test_logout_needs_a_post_so_links_cannot_log_people_out(client, home_page):
    user = UserFactory()
    client.force_login(user)
    client.get("/account/logout/")
    assert "_auth_user_id" in client.session
    client.post("/account/logout/")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_signup_page_is_in_dutch_by_default(client, home_page):
    content = client.get(SIGNUP).content.decode()
    assert "Registreren" in content
    assert "Volledige naam" in content
