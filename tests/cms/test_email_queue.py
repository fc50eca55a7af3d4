"""The queue of emails the mail server did not take (core.mail.send_or_queue and
send_queued_emails): retried with growing waits, dropped when refused for good or too old,
never sent twice by overlapping runs."""

import datetime
import smtplib

import pytest
from django.core import mail
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.utils import timezone

from core import mail as services
from core.models import QueuedEmail
from tests.organisations import email_backends

pytestmark = pytest.mark.django_db

REFUSING = "tests.organisations.email_backends.RefusingEmailBackend"


@pytest.fixture
def refusing(settings):
    settings.EMAIL_BACKEND = REFUSING
    email_backends.REFUSAL.clear()
    yield email_backends.REFUSAL
    email_backends.REFUSAL.clear()


def message(to="iemand@voorbeeld.nl", subject="Onderwerp"):
    email = EmailMultiAlternatives(subject, "Tekst", to=[to], headers={"X-Signaal": "1"})
    email.attach_alternative("<p>Tekst</p>", "text/html")
    return email


def test_a_mail_that_goes_out_is_not_kept():
    assert services.send_or_queue(message(), kind="test") is True
    assert len(mail.outbox) == 1
    assert not QueuedEmail.objects.exists()


def test_a_queued_mail_is_sent_as_it_was(refusing):
    refusing.append(smtplib.SMTPServerDisconnected("gone"))
    assert services.send_or_queue(message(to="Iemand@Voorbeeld.nl"), kind="test") is False
    queued = QueuedEmail.objects.get()
    assert (queued.to_address, queued.key, queued.last_error) == (
        "iemand@voorbeeld.nl",
        "test:iemand@voorbeeld.nl",
        "SMTPServerDisconnected",
    )
    refusing.clear()
    services.send_queued_emails(now=queued.next_attempt_at)
    [sent] = mail.outbox
    assert (sent.subject, sent.body, sent.to) == ("Onderwerp", "Tekst", ["Iemand@Voorbeeld.nl"])
    assert sent.extra_headers == {"X-Signaal": "1"}
    assert list(sent.alternatives[0]) == ["<p>Tekst</p>", "text/html"]


def test_nothing_is_tried_before_its_time(refusing):
    refusing.append(ConnectionRefusedError())
    services.send_or_queue(message(), kind="test")
    refusing.clear()
    queued = QueuedEmail.objects.get()
    assert services.send_queued_emails(now=queued.created_at).sent == 0
    assert services.send_queued_emails(now=queued.next_attempt_at).sent == 1


def test_a_temporary_refusal_waits_longer_each_time(refusing):
    refusing.append(smtplib.SMTPDataError(451, b"try again later"))
    services.send_or_queue(message(), kind="test")
    waits = []
    for _ in range(6):
        queued = QueuedEmail.objects.get()
        run = services.send_queued_emails(now=queued.next_attempt_at)
        assert run.failed == 1 and run.sent == 0
        waits.append(QueuedEmail.objects.get().next_attempt_at - queued.next_attempt_at)
    minutes = [wait / datetime.timedelta(minutes=1) for wait in waits]
    assert minutes == [5, 15, 30, 60, 60, 60]
    assert QueuedEmail.objects.get().attempts == 7
    assert mail.outbox == []


def test_a_permanent_refusal_is_dropped_and_logged(refusing, caplog):
    refusing.append(ConnectionRefusedError())
    services.send_or_queue(message(), kind="test")
    refusing[:] = [smtplib.SMTPRecipientsRefused({"iemand@voorbeeld.nl": (550, b"no such")})]
    run = services.send_queued_emails(now=QueuedEmail.objects.get().next_attempt_at)
    assert run.dropped == 1 and not QueuedEmail.objects.exists()
    assert "refused it" in caplog.text and "iemand@voorbeeld.nl" not in caplog.text


def test_a_temporary_recipient_refusal_is_tried_again(refusing):
    refusing.append(ConnectionRefusedError())
    services.send_or_queue(message(), kind="test")
    refusing[:] = [smtplib.SMTPRecipientsRefused({"iemand@voorbeeld.nl": (452, b"full")})]
    run = services.send_queued_emails(now=QueuedEmail.objects.get().next_attempt_at)
    assert run.failed == 1 and QueuedEmail.objects.get().attempts == 2


def test_a_mail_older_than_the_retry_period_is_dropped(refusing, settings, caplog):
    refusing.append(ConnectionRefusedError())
    services.send_or_queue(message(), kind="test")
    refusing.clear()
    queued = QueuedEmail.objects.get()
    later = queued.created_at + datetime.timedelta(hours=settings.EMAIL_RETRY_HOURS, minutes=1)
    run = services.send_queued_emails(now=later)
    assert run.dropped == 1 and mail.outbox == []
    assert "dropped: not delivered" in caplog.text


def test_while_the_server_is_unreachable_the_run_stops_without_counting(refusing):
    refusing.append(ConnectionRefusedError())
    for number in range(3):
        services.send_or_queue(message(to=f"p{number}@voorbeeld.nl"), kind="test")
    later = timezone.now() + datetime.timedelta(minutes=2)
    run = services.send_queued_emails(now=later)
    assert (run.sent, run.failed, run.waiting) == (0, 0, 3)
    assert set(QueuedEmail.objects.values_list("attempts", flat=True)) == {1}
    refusing.clear()
    assert services.send_queued_emails(now=later).sent == 3
    assert sorted(m.to[0] for m in mail.outbox) == [f"p{n}@voorbeeld.nl" for n in range(3)]


def test_one_refused_mail_does_not_hold_up_the_others(refusing):
    refusing.append(ConnectionRefusedError())
    services.send_or_queue(message(to="eerst@voorbeeld.nl"), kind="test")
    services.send_or_queue(message(to="daarna@voorbeeld.nl"), kind="test")
    refusing[:] = [smtplib.SMTPDataError(451, b"try again later")]
    email_backends.REFUSE_TO.add("eerst@voorbeeld.nl")
    try:
        run = services.send_queued_emails(now=timezone.now() + datetime.timedelta(minutes=2))
    finally:
        email_backends.REFUSE_TO.clear()
    assert (run.sent, run.failed) == (1, 1)
    assert [m.to for m in mail.outbox] == [["daarna@voorbeeld.nl"]]
    assert QueuedEmail.objects.get().to_address == "eerst@voorbeeld.nl"


def test_a_mail_with_an_attachment_is_not_queued(refusing):
    refusing.append(ConnectionRefusedError())
    email = EmailMessage("Bijlage", "Tekst", to=["iemand@voorbeeld.nl"])
    email.attach("a.txt", "inhoud", "text/plain")
    with pytest.raises(ConnectionRefusedError):
        services.send_or_queue(email, kind="test")
    assert not QueuedEmail.objects.exists()


def test_a_batch_stops_trying_once_the_server_is_unreachable(settings, monkeypatch):
    """An import's invitations during an outage: the first failure that says the server is
    unreachable queues the rest without a connection attempt (and a timeout) for each."""
    settings.EMAIL_BACKEND = "tests.organisations.email_backends.FlakyEmailBackend"
    email_backends.FAIL_FOR.clear()
    email_backends.FAIL_FOR.add(email_backends.FAIL_ALL)
    attempts = []
    real_send = EmailMessage.send

    def counting_send(self, *args, **kwargs):
        attempts.append(self.to[0])
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", counting_send)
    batch = [(message(to=f"p{n}@voorbeeld.nl"), f"batch:{n}") for n in range(5)]
    try:
        assert services.send_or_queue_each(batch, kind="test") == 0
    finally:
        email_backends.FAIL_FOR.clear()
    monkeypatch.undo()
    assert attempts == ["p0@voorbeeld.nl"]
    assert QueuedEmail.objects.count() == 5
    assert services.send_queued_emails(now=timezone.now() + datetime.timedelta(minutes=2)).sent == 5
    assert len(mail.outbox) == 5


def test_a_batch_goes_on_after_one_refused_email(refusing):
    refusing.append(smtplib.SMTPDataError(451, b"try again later"))
    email_backends.REFUSE_TO.add("p1@voorbeeld.nl")
    try:
        batch = [(message(to=f"p{n}@voorbeeld.nl"), f"batch:{n}") for n in range(3)]
        assert services.send_or_queue_each(batch, kind="test") == 2
    finally:
        email_backends.REFUSE_TO.clear()
    assert sorted(m.to[0] for m in mail.outbox) == ["p0@voorbeeld.nl", "p2@voorbeeld.nl"]
    assert QueuedEmail.objects.get().key == "batch:1"


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_overlapping_runs_send_each_mail_once(settings):
    settings.EMAIL_BACKEND = REFUSING
    email_backends.REFUSAL[:] = [ConnectionRefusedError()]
    for number in range(4):
        services.send_or_queue(message(to=f"p{number}@voorbeeld.nl"), kind="test")
    email_backends.REFUSAL.clear()
    later = timezone.now() + datetime.timedelta(minutes=2)
    runs = []
    # The first run holds its row locked while it sends; the second skips that one.
    email_backends.overlapping_runs(
        lambda: runs.append(services.send_queued_emails(now=later)), settings=settings
    )
    assert sum(r.sent for r in runs) == 4
    assert sorted(m.to[0] for m in mail.outbox) == [f"p{n}@voorbeeld.nl" for n in range(4)]
    assert not QueuedEmail.objects.exists()
