"""The mail server failing. Reminders (organisations and certificates) are covered in
tests/organisations/test_reminders.py and tests/certificates/test_reminders.py: nothing is
marked as sent, the next run sends, never twice. Here: the verification email at sign-up
and at login, which allauth sends inside the request."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from cms.accounts.models import User
from tests.factories import TEST_PASSWORD
from tests.organisations import email_backends

pytestmark = pytest.mark.django_db

FLAKY = "tests.organisations.email_backends.FlakyEmailBackend"
SIGNUP = "/account/signup/"
LOGIN = "/account/login/"


@pytest.fixture
def mail_server_down(settings):
    settings.EMAIL_BACKEND = FLAKY
    email_backends.FAIL_FOR.clear()
    email_backends.FAIL_FOR.add(email_backends.FAIL_ALL)
    yield
    email_backends.FAIL_FOR.clear()


def mail_server_back():
    email_backends.FAIL_FOR.clear()


def sign_up(client, email="anna@example.nl"):
    return client.post(
        SIGNUP,
        {
            "full_name": "Anna de Vries",
            "email": email,
            "password1": TEST_PASSWORD,
            "password2": TEST_PASSWORD,
        },
        follow=True,
    )


def log_in(client, email="anna@example.nl"):
    return client.post(LOGIN, {"login": email, "password": TEST_PASSWORD}, follow=True)


def test_sign_up_with_the_mail_server_down_lets_the_mail_be_sent_again(
    client, home_page, mail_server_down, caplog
):
    response = sign_up(client)
    assert response.status_code == 200  # not a server error
    assert "kon nu niet worden verstuurd" in response.content.decode()
    user = User.objects.get(email="anna@example.nl")
    assert not EmailAddress.objects.get(user=user).verified
    assert mail.outbox == []
    assert "could not be sent" in caplog.text

    # Later, with the server back: logging in (as the page says) sends the mail, once.
    mail_server_back()
    log_in(client)
    assert [message.to for message in mail.outbox] == [["anna@example.nl"]]
    log_in(client)
    assert len(mail.outbox) == 1, "no second mail within the rate limit"

    link = re.search(r"https?://testserver(/account/confirm-email/[^\s]+/)", mail.outbox[0].body)
    client.post(link.group(1))
    assert EmailAddress.objects.get(user=user).verified


def test_a_failed_login_resend_can_be_asked_for_again(client, home_page, mail_server_down):
    sign_up(client)
    response = log_in(client)  # the server is still down
    assert response.status_code == 200
    assert mail.outbox == []
    mail_server_back()
    log_in(client)
    assert len(mail.outbox) == 1
