"""Reminder emails: certificates that expire within CERTIFICATE_REMINDER_DAYS and updates due
within it, once per certificate and kind (core's ledger, SentEmail), in the learner's
language."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command

from certificates import services
from certificates.models import ReminderKind, ledger_kind
from core.mail import send_queued_emails
from core.models import QueuedEmail, SentEmail
from courses.models import ModuleVersion
from tests.courses.conftest import catalogue, make_module  # noqa: F401
from tests.factories import CertificateFactory, UserFactory
from tests.organisations import email_backends

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 2)


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def reminders(**filters) -> list[tuple[int, str, datetime.date]]:
    """The certificate reminders in core's ledger: (certificate id, kind, due on)."""
    kinds = [ledger_kind(kind) for kind in (ReminderKind.EXPIRING, ReminderKind.UPDATE_DUE)]
    return [
        (int(item), kind.removeprefix("certificate_"), datetime.date.fromisoformat(period))
        for item, kind, period in SentEmail.objects.filter(kind__in=kinds, **filters)
        .order_by("pk")
        .values_list("item", "kind", "period")
    ]


@pytest.fixture
def modules(catalogue):  # noqa: F811
    return (
        make_module(catalogue, "Rode vlaggen", lessons=1),
        make_module(catalogue, "Dwingende controle", lessons=1),
    )


@pytest.fixture(autouse=True)
def _reminder_settings(settings):
    settings.CERTIFICATE_REMINDER_DAYS = 60
    settings.CERTIFICATE_RENEWAL_WINDOW_DAYS = 60
    settings.WAGTAILADMIN_BASE_URL = "https://signaal.example"


def test_a_certificate_expiring_within_the_window_is_reminded_once_in_dutch(modules):
    red_flags, _control = modules
    learner = UserFactory(full_name="Noor Jansen", preferred_language="nl")
    certificate = CertificateFactory(user=learner, module=red_flags, expires_on=days(30))

    assert services.send_certificate_reminders(today=TODAY) == 1
    (email,) = mail.outbox
    assert email.to == [learner.email]
    assert email.subject == "[Signaal] Je Signaal-certificaten: actie nodig"
    assert "Beste Noor Jansen," in email.body
    assert "Deze certificaten verlopen binnenkort:" in email.body
    assert "Rode vlaggen (versie 1): geldig tot en met 1 april 2026." in email.body
    assert "Je kunt het nu vernieuwen" in email.body
    assert f"https://signaal.example{red_flags.url}" in email.body
    assert "https://signaal.example/mijn-certificaten/" in email.body
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html" and 'lang="nl"' in html and "Rode vlaggen" in html
    assert reminders(user=learner) == [(certificate.pk, ReminderKind.EXPIRING, days(30))]

    # A second run (the next hour, the next day) sends nothing.
    assert services.send_certificate_reminders(today=TODAY) == 0
    assert services.send_certificate_reminders(today=days(1)) == 0
    assert len(mail.outbox) == 1 and len(reminders()) == 1


def test_an_update_due_is_reminded_in_english_for_an_english_speaker(modules):
    red_flags, _control = modules
    ModuleVersion.objects.create(
        module=red_flags, number=2, update_required=True, update_due_on=days(20)
    )
    learner = UserFactory(full_name="Sam Smith", preferred_language="en")
    CertificateFactory(user=learner, module=red_flags, expires_on=days(400))

    assert services.send_certificate_reminders(today=TODAY) == 1
    (email,) = mail.outbox
    assert email.subject == "[Signaal] Your Signaal certificates: action needed"
    assert "Dear Sam Smith," in email.body
    assert "update needed before 22 March 2026" in email.body
    assert "expire soon" not in email.body
    ((_certificate, kind, _due_on),) = reminders()
    assert kind == ReminderKind.UPDATE_DUE
    assert services.send_certificate_reminders(today=days(5)) == 0


def test_one_email_lists_both_kinds_and_later_certificates_get_their_own_reminder(modules):
    red_flags, control = modules
    ModuleVersion.objects.create(
        module=control, number=2, update_required=True, update_due_on=days(10)
    )
    learner = UserFactory(preferred_language="nl")
    CertificateFactory(user=learner, module=red_flags, expires_on=days(59))
    CertificateFactory(user=learner, module=control, expires_on=days(50))

    assert services.send_certificate_reminders(today=TODAY) == 1
    body = mail.outbox[0].body
    assert "Rode vlaggen" in body and "Dwingende controle" in body
    assert "update nodig vóór 12 maart 2026" in body
    assert len(reminders()) == 3  # two expiring, one update due

    # A renewal is a new certificate: it is reminded about in its own time.
    renewed = CertificateFactory(user=learner, module=red_flags, cycle=2, expires_on=days(700))
    assert services.send_certificate_reminders(today=days(700 - 60)) == 1
    assert len(reminders(item=str(renewed.pk))) == 1


def test_no_reminder_for_revoked_long_expired_far_off_renewed_or_inactive(modules):
    red_flags, _control = modules
    admin = UserFactory(is_superuser=True)
    revoked = CertificateFactory(module=red_flags, expires_on=days(30))
    services.revoke(certificate=revoked, by=admin, reason="Fraude")
    CertificateFactory(module=red_flags, expires_on=days(-200))  # expired long ago
    CertificateFactory(module=red_flags, expires_on=days(-1))  # expired yesterday
    CertificateFactory(module=red_flags, expires_on=days(61))  # not yet within the window
    renewed = CertificateFactory(module=red_flags, expires_on=days(30))
    CertificateFactory(user=renewed.user, module=red_flags, cycle=2, expires_on=days(760))
    CertificateFactory(user=UserFactory(is_active=False), module=red_flags, expires_on=days(30))

    assert services.send_certificate_reminders(today=TODAY) == 0
    assert mail.outbox == [] and not reminders()


def test_an_update_deadline_after_the_window_or_already_met_sends_nothing(modules):
    red_flags, _control = modules
    ModuleVersion.objects.create(
        module=red_flags, number=2, update_required=True, update_due_on=days(90)
    )
    CertificateFactory(module=red_flags, expires_on=days(400))  # deadline not yet near
    CertificateFactory(module=red_flags, module_version=2, expires_on=days(400))  # updated
    assert services.send_certificate_reminders(today=TODAY) == 0
    assert services.send_certificate_reminders(today=days(30)) == 1


def test_a_reminder_the_mail_server_did_not_take_is_queued_and_sent_once(modules, settings):
    red_flags, _control = modules
    certificate = CertificateFactory(module=red_flags, expires_on=days(30))
    settings.EMAIL_BACKEND = "tests.organisations.email_backends.FlakyEmailBackend"
    email_backends.FAIL_FOR.clear()
    email_backends.FAIL_FOR.add(email_backends.FAIL_ALL)
    try:
        assert services.send_certificate_reminders(today=TODAY) == 0
        # Recorded and queued: the next hourly run does not make a second one.
        assert services.send_certificate_reminders(today=TODAY) == 0
    finally:
        email_backends.FAIL_FOR.clear()
    assert reminders() == [(certificate.pk, ReminderKind.EXPIRING, days(30))]
    assert mail.outbox == [] and QueuedEmail.objects.count() == 1

    later = QueuedEmail.objects.get().next_attempt_at
    assert send_queued_emails(now=later).sent == 1
    assert services.send_certificate_reminders(today=TODAY) == 0
    assert send_queued_emails(now=later).sent == 0
    assert [email.to for email in mail.outbox] == [[certificate.user.email]]
    assert "Rode vlaggen" in mail.outbox[0].body


def test_the_hourly_cron_command_sends_each_certificate_reminder_once(modules):
    red_flags, _control = modules
    certificate = CertificateFactory(module=red_flags, expires_on=datetime.date.today())
    call_command("send_reminders", stdout=io.StringIO())
    assert [email.to for email in mail.outbox] == [[certificate.user.email]]
    call_command("send_reminders", stdout=io.StringIO())
    assert len(mail.outbox) == 1
