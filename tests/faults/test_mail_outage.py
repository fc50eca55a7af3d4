"""The mail server failing. Reminders (organisations and certificates) are covered in
tests/organisations/test_reminders.py and tests/certificates/test_reminders.py, the ledger
they go through (core.mail.send_once) in tests/cms/test_send_once.py: recorded and queued,
sent once when the server is back, never twice. Here: the emails sent inside a request
(verification at sign-up and login, password reset, invitations). One the server does not
take is queued and sent by `send_queued_email` once the server is back: nothing lost, and
never twice (also when it was asked for again during the outage)."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import User
from core.mail import send_queued_emails
from core.models import QueuedEmail
from organisations.models import Invitation
from tests.factories import TEST_PASSWORD
from tests.organisations import email_backends
from tests.organisations.factories import RoleFactory

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


def confirmation_path(message) -> str:
    return re.search(r"https?://testserver(/account/confirm-email/[^\s]+/)", message.body).group(1)


def test_sign_up_with_the_mail_server_down_sends_the_mail_later_once(
    client, home_page, mail_server_down, caplog
):
    response = sign_up(client)
    assert response.status_code == 200  # not a server error
    page = response.content.decode()
    assert "kon nu niet worden verstuurd" in page and "automatisch" in page
    user = User.objects.get(email="anna@example.nl")
    assert not EmailAddress.objects.get(user=user).verified
    assert mail.outbox == []
    queued = QueuedEmail.objects.get()
    assert queued.kind == "account/email/email_confirmation_signup"
    assert "could not be sent now" in caplog.text
    assert "anna@example.nl" not in caplog.text  # logs name the kind, not the person

    # Still down at the first retry: it waits, nothing is counted as an attempt.
    run = send_queued_emails(now=queued.next_attempt_at)
    assert (run.sent, run.waiting) == (0, 1)
    assert QueuedEmail.objects.get().attempts == 1

    mail_server_back()
    run = send_queued_emails(now=queued.next_attempt_at)
    assert run.sent == 1 and not QueuedEmail.objects.exists()
    [message] = mail.outbox
    assert message.to == ["anna@example.nl"]
    assert "/account/confirm-email/" in message.body
    assert send_queued_emails(now=queued.next_attempt_at).sent == 0  # never twice

    client.post(confirmation_path(message))
    assert EmailAddress.objects.get(user=user).verified


def test_asking_again_during_the_outage_still_sends_one_mail(client, home_page, mail_server_down):
    sign_up(client)
    response = log_in(client)  # the server is still down: a new verification mail
    assert response.status_code == 200
    assert QueuedEmail.objects.count() == 1  # the newer one replaced the first
    mail_server_back()
    send_queued_emails(now=QueuedEmail.objects.get().next_attempt_at)
    assert len(mail.outbox) == 1
    # The newest link is the one sent, and it works.
    client.post(confirmation_path(mail.outbox[0]))
    assert EmailAddress.objects.get(email="anna@example.nl").verified


def test_logging_in_after_the_outage_sends_at_once_and_drops_the_queued_one(
    client, home_page, mail_server_down
):
    sign_up(client)
    queued = QueuedEmail.objects.get()
    mail_server_back()
    log_in(client)
    assert len(mail.outbox) == 1
    assert not QueuedEmail.objects.exists()
    assert send_queued_emails(now=queued.next_attempt_at).sent == 0
    assert len(mail.outbox) == 1


def test_a_password_reset_during_the_outage_arrives_later(client, home_page, mail_server_down):
    sign_up(client)
    QueuedEmail.objects.all().delete()
    response = client.post("/account/password/reset/", {"email": "anna@example.nl"}, follow=True)
    assert response.status_code == 200
    queued = QueuedEmail.objects.get()
    assert queued.kind == "account/email/password_reset_key"
    mail_server_back()
    send_queued_emails(now=queued.next_attempt_at)
    [message] = mail.outbox
    assert "/account/password/reset/key/" in message.body


def test_the_command_reports_and_fails_while_mail_waits(client, home_page, mail_server_down):
    sign_up(client)
    QueuedEmail.objects.update(next_attempt_at=QueuedEmail.objects.get().created_at)
    with pytest.raises(CommandError):
        call_command("send_queued_email")
    mail_server_back()
    call_command("send_queued_email")
    assert len(mail.outbox) == 1


# --- Invitations ----------------------------------------------------------------------------


@pytest.fixture
def role(db):
    return RoleFactory()


def invite(coordinator_client, organisation, role, capture, email="nieuw@voorbeeld.nl"):
    with capture(execute=True):
        return coordinator_client.post(
            reverse("organisations:invite", args=[organisation.slug]),
            {"email": email, "full_name": "Nieuwe Collega", "role": role.pk},
        )


def test_an_invitation_during_the_outage_is_sent_later_once(
    coordinator_client,
    organisation,
    role,
    mail_server_down,
    django_capture_on_commit_callbacks,
):
    response = invite(coordinator_client, organisation, role, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    queued = QueuedEmail.objects.get()
    assert queued.key == f"invitation:{invitation.pk}"
    # Inviting the address again while the server is down: still one email waiting.
    invite(coordinator_client, organisation, role, django_capture_on_commit_callbacks)
    assert QueuedEmail.objects.count() == 1

    mail_server_back()
    send_queued_emails(now=QueuedEmail.objects.get().next_attempt_at)
    [message] = mail.outbox
    assert message.to == ["nieuw@voorbeeld.nl"]
    assert reverse("organisations:accept_invitation", args=[invitation.token]) in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and 'lang="nl"' in html


def test_a_withdrawn_invitation_is_not_sent_after_the_outage(
    coordinator_client,
    organisation,
    role,
    mail_server_down,
    django_capture_on_commit_callbacks,
):
    invite(coordinator_client, organisation, role, django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get()
    coordinator_client.post(
        reverse("organisations:withdraw_invitation", args=[organisation.slug, invitation.pk])
    )
    assert not Invitation.objects.exists()
    assert not QueuedEmail.objects.exists()
    mail_server_back()
    assert send_queued_emails().sent == 0
    assert mail.outbox == []
