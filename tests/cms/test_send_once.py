"""core.mail.send_once and its ledger (SentEmail): an email about an item for a period goes
once, also when it is asked for again, when two runs overlap, and when the mail server is
down (then it is queued and sent once by send_queued_emails)."""

import datetime
import smtplib

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from core.mail import Sent, mail_connection, send_once, send_queued_emails
from core.models import QueuedEmail, SentEmail
from tests.factories import UserFactory
from tests.organisations import email_backends

pytestmark = pytest.mark.django_db

FLAKY = "tests.organisations.email_backends.FlakyEmailBackend"


@pytest.fixture
def server_down(settings):
    settings.EMAIL_BACKEND = FLAKY
    email_backends.FAIL_FOR.clear()
    email_backends.FAIL_FOR.add(email_backends.FAIL_ALL)
    yield email_backends.FAIL_FOR
    email_backends.FAIL_FOR.clear()


def message(user, subject="Herinnering"):
    email = EmailMultiAlternatives(subject, "Tekst", to=[user.email])
    email.attach_alternative("<p>Tekst</p>", "text/html")
    return email


def once(user, *about, subject="Herinnering", **kwargs):
    return send_once(message(user, subject), user_id=user.pk, about=about, **kwargs)


def test_the_same_item_and_period_twice_sends_one_email():
    user = UserFactory()
    assert once(user, ("test_due", "item:1", "2026-03")) is Sent.SENT
    assert once(user, ("test_due", "item:1", "2026-03")) is Sent.ALREADY
    assert len(mail.outbox) == 1
    assert not QueuedEmail.objects.exists()
    row = SentEmail.objects.get()
    assert (row.user, row.kind, row.item, row.period) == (user, "test_due", "item:1", "2026-03")
    # Another period, item, kind or person is another email.
    assert once(user, ("test_due", "item:1", "2026-04")) is Sent.SENT
    assert once(user, ("test_due", "item:2", "2026-03")) is Sent.SENT
    assert once(user, ("test_other", "item:1", "2026-03")) is Sent.SENT
    assert once(UserFactory(), ("test_due", "item:1", "2026-03")) is Sent.SENT
    assert len(mail.outbox) == 5


def test_an_email_about_something_recorded_already_is_not_sent_nor_recorded():
    user = UserFactory()
    once(user, ("test_due", "item:1", "2026-03"))
    assert once(user, ("test_due", "item:2", "2026-03"), ("test_due", "item:1", "2026-03")) is (
        Sent.ALREADY
    )
    assert len(mail.outbox) == 1
    assert SentEmail.objects.count() == 1


def test_the_email_goes_out_as_it_was_built():
    user = UserFactory()
    once(user, ("test_due", "item:1", "2026-03"), subject="Onderwerp")
    (sent,) = mail.outbox
    assert (sent.subject, sent.body, sent.to) == ("Onderwerp", "Tekst", [user.email])
    assert list(sent.alternatives[0]) == ["<p>Tekst</p>", "text/html"]


def test_with_the_mail_server_down_it_is_queued_and_sent_once_later(server_down):
    user = UserFactory()
    assert once(user, ("test_due", "item:1", "2026-03")) is Sent.QUEUED
    # Asked again during the outage (the next hourly run): still one.
    assert once(user, ("test_due", "item:1", "2026-03")) is Sent.ALREADY
    assert mail.outbox == []
    assert SentEmail.objects.count() == 1
    queued = QueuedEmail.objects.get()
    assert (queued.attempts, queued.last_error) == (1, "ConnectionRefusedError")

    # Not before its time, and not while the server is still down.
    assert send_queued_emails().sent == 0
    assert send_queued_emails(now=queued.next_attempt_at).waiting == 1
    server_down.clear()
    assert send_queued_emails(now=queued.next_attempt_at).sent == 1
    assert send_queued_emails(now=queued.next_attempt_at).sent == 0
    assert once(user, ("test_due", "item:1", "2026-03")) is Sent.ALREADY
    assert [email.to for email in mail.outbox] == [[user.email]]


def test_a_batch_stops_trying_once_the_server_is_unreachable(settings, monkeypatch):
    settings.EMAIL_BACKEND = "tests.organisations.email_backends.RefusingEmailBackend"
    email_backends.REFUSAL[:] = [smtplib.SMTPServerDisconnected("gone")]
    tries = []
    original = email_backends.RefusingEmailBackend.send_messages

    def counted(self, messages):
        tries.append(len(messages))
        return original(self, messages)

    monkeypatch.setattr(email_backends.RefusingEmailBackend, "send_messages", counted)
    users = [UserFactory() for _ in range(3)]
    try:
        with mail_connection() as connection:
            outcomes = [
                once(user, ("test_due", "item:1", "2026-03"), mail=connection) for user in users
            ]
    finally:
        email_backends.REFUSAL.clear()
    assert outcomes == [Sent.QUEUED] * 3
    assert len(tries) == 1  # the first one proved the server unreachable
    assert QueuedEmail.objects.count() == 3 and SentEmail.objects.count() == 3
    later = timezone.now() + datetime.timedelta(minutes=2)
    assert send_queued_emails(now=later).sent == 3
    assert sorted(email.to[0] for email in mail.outbox) == sorted(u.email for u in users)


def test_nothing_to_record_or_an_attachment_is_refused():
    user = UserFactory()
    with pytest.raises(ValueError):
        once(user)
    with_attachment = message(user)
    with_attachment.attach("a.txt", "x", "text/plain")
    with pytest.raises(ValueError):
        send_once(with_attachment, user_id=user.pk, about=[("test_due", "item:1", "2026-03")])
    assert not SentEmail.objects.exists() and mail.outbox == []


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_parallel_runs_send_one_email(settings):
    users = [UserFactory() for _ in range(3)]
    outcomes = []

    def run():
        with mail_connection() as connection:
            for user in users:
                outcomes.append(once(user, ("test_due", "item:1", "2026-03"), mail=connection))

    # The second run starts while the first is sending to the first person (recorded,
    # committed, its queued row locked).
    email_backends.overlapping_runs(run, settings=settings)

    assert sorted(outcomes) == sorted([Sent.SENT] * 3 + [Sent.ALREADY] * 3)
    assert sorted(email.to[0] for email in mail.outbox) == sorted(u.email for u in users)
    assert SentEmail.objects.count() == 3
    assert not QueuedEmail.objects.exists()
