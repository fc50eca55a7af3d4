"""Reminders: learners' digests, coordinators' weekly summaries and the coordinator's
'remind now' button. Never the same reminder twice for the same item and period (core's
ledger, SentEmail); one the mail server does not take is queued and sent once when it is
back. Time is moved by passing `today`."""

import datetime
import smtplib

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from core.mail import send_queued_emails
from core.models import QueuedEmail, SentEmail
from organisations.compliance.coordinator_reminders import plan_reminders, send_planned
from organisations.compliance.reminder_mail import (
    send_coordinator_summaries,
    send_learner_digests,
)
from organisations.compliance.reminder_rules import ReminderRules
from organisations.compliance.reminders import Stage, iso_week, learner_period, stage_of
from organisations.models import AuditAction, AuditLogEntry

from . import email_backends
from .conftest import sign_in_with_mfa
from .factories import MembershipFactory, OrganisationFactory, certificate_for, requirement

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
FLAKY = "tests.organisations.email_backends.FlakyEmailBackend"


@pytest.fixture(autouse=True)
def _today():
    """TODAY is read again for every test: a suite that runs past midnight would otherwise
    compare the day of the import with the services' own today."""
    global TODAY  # noqa: PLW0603
    TODAY = timezone.localdate()


def days(number: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=number)


@pytest.fixture
def people(organisation, modules, coordinator):
    """Anna: 'Rode vlaggen' due in 20 days, 'Meldcode' overdue for 40 days. Bob: both
    done. The coordinator (a member for 10 days): 'Meldcode' due in 20 days. Carl: another
    organisation's member, 'Meldcode' overdue there; its coordinator has it done."""
    rode_vlaggen, meldcode = modules
    requirement(organisation, rode_vlaggen, due_within_days=90)
    requirement(organisation, meldcode, due_within_days=30)
    anna = MembershipFactory(
        organisation=organisation, started_on=days(-70), user__full_name="Anna Achterstand"
    ).user
    bob = MembershipFactory(
        organisation=organisation, started_on=days(-70), user__full_name="Bob Bijgewerkt"
    ).user
    certificate_for(bob, rode_vlaggen, issued_on=days(-5))
    certificate_for(bob, meldcode, issued_on=days(-5))
    other = OrganisationFactory(name="Andere Organisatie")
    requirement(other, meldcode, due_within_days=30)
    carl = MembershipFactory(
        organisation=other, started_on=days(-45), user__full_name="Carl Collega"
    ).user
    other_coordinator = MembershipFactory(
        organisation=other, is_coordinator=True, started_on=days(-1)
    ).user
    certificate_for(other_coordinator, meldcode, issued_on=days(-1))
    return {
        "anna": anna,
        "bob": bob,
        "carl": carl,
        "coordinator": coordinator,
        "other": other,
        "other_coordinator": other_coordinator,
    }


@pytest.fixture
def refused_for_anna(people, settings):
    """The mail server refuses Anna's email for now (a temporary refusal: tried again
    later) and takes the others'. Clear it to let hers through."""
    settings.EMAIL_BACKEND = "tests.organisations.email_backends.RefusingEmailBackend"
    email_backends.REFUSE_TO.clear()
    email_backends.REFUSE_TO.add(people["anna"].email)
    email_backends.REFUSAL[:] = [
        smtplib.SMTPRecipientsRefused({people["anna"].email: (451, b"try again later")})
    ]
    yield email_backends.REFUSAL
    email_backends.REFUSAL.clear()
    email_backends.REFUSE_TO.clear()


def mail_to(user) -> list:
    return [message for message in mail.outbox if message.to == [user.email]]


def test_each_person_gets_one_digest_with_their_own_items(people, organisation):
    counts = send_learner_digests(today=TODAY)

    anna, bob, carl = people["anna"], people["bob"], people["carl"]
    (digest,) = mail_to(anna)
    assert digest.subject == "[Signaal] Herinnering: je scholing op Signaal"
    assert "Hallo Anna Achterstand," in digest.body
    assert "Te laat" in digest.body
    assert "Meldcode (" + organisation.name + "): " in digest.body
    assert "Binnenkort afronden" in digest.body
    assert "Rode vlaggen" in digest.body
    assert "/mijn-leren/" in digest.body
    # Only her own organisation and items.
    assert "Andere Organisatie" not in digest.body
    assert "Carl Collega" not in digest.body
    assert not mail_to(bob)
    (carls,) = mail_to(carl)
    assert "Andere Organisatie" in carls.body and organisation.name not in carls.body
    # The coordinator of `organisation` is a member too: Meldcode due in 20 days.
    assert len(mail_to(people["coordinator"])) == 1
    assert counts.sent == 3 and counts.queued == 0
    assert set(SentEmail.objects.filter(user=anna).values_list("kind", "item", "period")) == {
        (
            "learner_digest",
            f"requirement:{_requirement_id(organisation, 'Meldcode')}:overdue",
            f"{days(-40).isoformat()}+w5",
        ),
        (
            "learner_digest",
            f"requirement:{_requirement_id(organisation, 'Rode vlaggen')}:due",
            # The reminder point reached: 30 days before the deadline (the default rules).
            f"{days(20).isoformat()}-30",
        ),
    }


def _requirement_id(organisation, title: str) -> int:
    return organisation.framework.requirements.get(module__title=title).pk


def test_a_digest_comes_in_the_persons_language(people):
    anna = people["anna"]
    anna.preferred_language = "en"
    anna.save()

    send_learner_digests(today=TODAY)

    (digest,) = mail_to(anna)
    assert digest.subject == "[Signaal] Reminder: your training on Signaal"
    assert "Hello Anna Achterstand," in digest.body
    assert "Overdue" in digest.body and "To finish soon" in digest.body


def test_the_second_run_sends_nothing_new(people):
    send_learner_digests(today=TODAY)
    sent = len(mail.outbox)

    again = send_learner_digests(today=TODAY)
    later_that_week = send_learner_digests(today=days(3))

    assert len(mail.outbox) == sent
    assert again.sent == later_that_week.sent == 0


def test_overdue_is_reminded_again_after_a_week_and_due_becomes_overdue(people):
    anna = people["anna"]
    send_learner_digests(today=TODAY)
    # Day 40 after the deadline was week 5; day 42 starts week 6, but the last reminder
    # was two days ago: at most one a week.
    send_learner_digests(today=days(2))
    send_learner_digests(today=days(6))
    assert len(mail_to(anna)) == 1

    send_learner_digests(today=days(7))
    first, second = mail_to(anna)
    assert "Meldcode" in second.body
    assert "Rode vlaggen" not in second.body  # its due reminder went out already

    # 'Rode vlaggen' was due on day 20: overdue from day 21.
    send_learner_digests(today=days(21))
    third = mail_to(anna)[2]
    assert "Rode vlaggen" in third.body and "de uiterste datum was" in third.body
    assert "Meldcode" in third.body  # week 8 of Meldcode, a week after the last one


def test_a_new_certificate_ends_the_reminders(people, modules):
    anna = people["anna"]
    rode_vlaggen, meldcode = modules
    send_learner_digests(today=TODAY)
    certificate_for(anna, meldcode, issued_on=TODAY)
    certificate_for(anna, rode_vlaggen, issued_on=TODAY)

    send_learner_digests(today=days(7))

    assert len(mail_to(anna)) == 1


def test_coordinators_get_their_own_organisations_overdue_people_weekly(people):
    coordinator, other_coordinator = people["coordinator"], people["other_coordinator"]

    counts = send_coordinator_summaries(today=TODAY)

    (summary,) = mail_to(coordinator)
    assert "Weekoverzicht" in summary.subject
    assert "Anna Achterstand" in summary.body
    assert "1 van de 3 mensen is te laat." in summary.body
    # Full names: the coordinators' own (random) names may contain 'Carl' or 'Bob'.
    assert "Carl Collega" not in summary.body and "Bob Bijgewerkt" not in summary.body
    (others,) = mail_to(other_coordinator)
    assert "Carl Collega" in others.body and "Anna Achterstand" not in others.body
    assert counts.sent == 2
    # Once per ISO week.
    monday = TODAY - datetime.timedelta(days=TODAY.weekday())
    send_coordinator_summaries(today=monday + datetime.timedelta(days=6))
    assert len(mail_to(coordinator)) == 1
    send_coordinator_summaries(today=monday + datetime.timedelta(days=7))
    assert len(mail_to(coordinator)) == 2


def test_no_summary_without_overdue_people(people, modules):
    rode_vlaggen, meldcode = modules
    certificate_for(people["carl"], meldcode, issued_on=TODAY)

    send_coordinator_summaries(today=TODAY)

    assert not mail_to(people["other_coordinator"])
    assert len(mail_to(people["coordinator"])) == 1


def test_a_digest_the_mail_server_did_not_take_is_queued_and_sent_once(people, refused_for_anna):
    counts = send_learner_digests(today=TODAY)
    # The next hourly run, while the server still refuses, makes no second one.
    again = send_learner_digests(today=TODAY)
    refused_for_anna.clear()

    # The others got theirs; Anna's is recorded and waits in the queue.
    assert (counts.sent, counts.queued) == (2, 1)
    assert (again.sent, again.queued) == (0, 0)
    assert not mail_to(people["anna"])
    assert mail_to(people["carl"])
    assert SentEmail.objects.filter(user=people["anna"]).count() == 2
    (queued,) = QueuedEmail.objects.all()
    assert queued.to_address == people["anna"].email.lower()

    assert send_queued_emails(now=queued.next_attempt_at).sent == 1
    assert send_learner_digests(today=TODAY).sent == 0
    assert send_queued_emails(now=queued.next_attempt_at).sent == 0
    (annas,) = mail_to(people["anna"])
    assert "Meldcode" in annas.body and "Rode vlaggen" in annas.body


def test_the_command_reports_counts_and_queued_reminders(people, settings):
    from io import StringIO

    from django.core.management.base import CommandError

    settings.EMAIL_BACKEND = FLAKY
    email_backends.FAIL_FOR.clear()
    email_backends.FAIL_FOR.add(email_backends.FAIL_ALL)
    try:
        out = StringIO()
        with pytest.raises(CommandError):
            call_command("send_reminders", stdout=out)
        assert "Learner digests: 0 sent, 3 queued" in out.getvalue()
        assert "Coordinator summaries: 0 sent, 2 queued" in out.getvalue()
    finally:
        email_backends.FAIL_FOR.clear()
    assert not mail.outbox and QueuedEmail.objects.count() == 5

    out = StringIO()
    call_command("send_reminders", stdout=out)
    assert "Learner digests: 0 sent, 0 queued" in out.getvalue()
    assert "Coordinator summaries: 0 sent, 0 queued" in out.getvalue()
    QueuedEmail.objects.update(next_attempt_at=timezone.now())
    call_command("send_queued_email", stdout=StringIO())
    assert len(mail.outbox) == 5 and not QueuedEmail.objects.exists()


# --- The coordinator's button -------------------------------------------------------------


def test_remind_now_shows_a_preview_then_sends_to_the_overdue_and_due_people_once_a_day(
    people, organisation, client
):
    sign_in_with_mfa(client, people["coordinator"])
    url = reverse("organisations:remind", args=[organisation.slug])

    # The dashboard's button opens the preview: who gets it and the text; nothing is sent.
    preview = client.get(url, {"terug": "dashboard"})
    assert preview.status_code == 200
    body = preview.content.decode()
    assert "Wie krijgt hem: 2 mensen" in body
    assert "Anna Achterstand" in body and "Bob Bijgewerkt" not in body
    assert f"Een herinnering van {organisation.name}" in body  # the subject
    assert "Je coördinator bij " + organisation.name in body  # the text
    assert not mail.outbox

    response = client.post(url, {"terug": "dashboard"}, follow=True)

    assert response.redirect_chain[-1][0] == reverse(
        "organisations:dashboard", args=[organisation.slug]
    )
    # Anna (overdue) and the coordinator (due in 20 days); not Bob, not Carl.
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == sorted([people["anna"].email, people["coordinator"].email])
    (annas,) = mail_to(people["anna"])
    assert annas.subject == f"[Signaal] Een herinnering van {organisation.name}"
    assert "Je coördinator bij " + organisation.name in annas.body
    # The confirmation names the people.
    names = sorted(["Anna Achterstand", people["coordinator"].full_name])
    assert f"Herinneringen verstuurd aan {names[0]} en {names[1]}." in response.content.decode()
    # One audit entry per person reminded, with who sent it and what it was about.
    entries = AuditLogEntry.objects.filter(action=AuditAction.SENT_REMINDER)
    assert entries.count() == 2
    assert {entry.actor for entry in entries} == {people["coordinator"]}
    annas_entry = entries.get(subjects__user=people["anna"])
    assert annas_entry.detail["selection"] == "everyone"
    assert set(annas_entry.detail["requirements"]) == {
        _requirement_id(organisation, "Meldcode"),
        _requirement_id(organisation, "Rode vlaggen"),
    }

    again = client.post(url, follow=True)
    assert len(mail.outbox) == 2
    page = again.content.decode()
    assert "Er is geen herinnering verstuurd." in page
    assert f"Niet verstuurd aan {names[0]} en {names[1]}: vandaag al herinnerd" in page


def test_remind_now_is_only_for_the_organisations_own_coordinators(people, organisation, client):
    url = reverse("organisations:remind", args=[organisation.slug])
    sign_in_with_mfa(client, people["other_coordinator"])
    assert client.post(url).status_code == 404
    assert client.get(url).status_code == 404
    assert not mail.outbox

    client.force_login(people["anna"])  # a learner
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert not mail.outbox

    sign_in_with_mfa(client, people["coordinator"])
    assert client.put(url).status_code == 405
    assert not mail.outbox


def test_remind_now_during_an_outage_is_queued_recorded_and_sent_once(
    people, organisation, client, refused_for_anna
):
    sign_in_with_mfa(client, people["coordinator"])
    url = reverse("organisations:remind", args=[organisation.slug])
    response = client.post(url, {"terug": "dashboard"}, follow=True)
    refused_for_anna.clear()

    page = response.content.decode()
    assert f"Herinnering verstuurd aan {people['coordinator'].full_name}." in page
    assert (
        "De mailserver nam de herinnering aan Anna Achterstand nu niet aan; die wordt "
        "automatisch verstuurd zodra de mailserver weer werkt."
    ) in page
    # Recorded like a sent one: in the audit log, and not sent again today.
    assert AuditLogEntry.objects.filter(
        action=AuditAction.SENT_REMINDER, subjects__user=people["anna"]
    ).exists()
    again = client.post(url, follow=True).content.decode()
    assert "vandaag al herinnerd" in again
    assert not mail_to(people["anna"])

    (queued,) = QueuedEmail.objects.all()
    send_queued_emails(now=queued.next_attempt_at)
    (annas,) = mail_to(people["anna"])
    assert annas.subject == f"[Signaal] Een herinnering van {organisation.name}"


def test_remind_now_does_not_change_the_cron_digest(people, organisation):
    send_planned(plan_reminders(organisation), actor=people["coordinator"])
    counts = send_learner_digests(today=TODAY)
    # The digest's periods are its own: Anna still gets her digest.
    assert len(mail_to(people["anna"])) == 2
    assert counts.sent == 3


# --- Overlapping runs ---------------------------------------------------------------------


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_overlapping_runs_send_once(people, settings):
    results = []
    # The first run has recorded the person it is sending to (committed, with the email in
    # the queue, locked while it is sent); the second starts then, finds that person
    # recorded and sends to the others the first one has not recorded yet.
    email_backends.overlapping_runs(
        lambda: results.append(send_learner_digests(today=TODAY)), settings=settings, pause=0.5
    )

    assert sum(result.sent for result in results) == 3
    assert len(mail.outbox) == 3
    assert sorted(len(mail_to(people[name])) for name in ("anna", "carl", "coordinator")) == [
        1,
        1,
        1,
    ]


def test_stage_rule_follows_the_compliance_statuses():
    from organisations.compliance.rule import RequirementStatus, Status

    assert stage_of(RequirementStatus(Status.OVERDUE, days(-1)), today=TODAY) == (Stage.OVERDUE)
    assert stage_of(RequirementStatus(Status.EXPIRED, days(-1)), today=TODAY) == (Stage.OVERDUE)
    assert stage_of(RequirementStatus(Status.DUE, days(30)), today=TODAY) == (Stage.DUE)
    assert stage_of(RequirementStatus(Status.IN_PROGRESS, days(30)), today=TODAY) == (Stage.DUE)
    assert stage_of(RequirementStatus(Status.IN_PROGRESS, days(31)), today=TODAY) is None
    assert stage_of(RequirementStatus(Status.UPDATE_DUE, days(10)), today=TODAY) == (Stage.DUE)
    # Before a deadline: from the largest of the rules' days before it (30 by default).
    assert stage_of(RequirementStatus(Status.EXPIRING, days(50)), today=TODAY) is None
    assert stage_of(RequirementStatus(Status.EXPIRING, days(30)), today=TODAY) == Stage.EXPIRING
    sixty = ReminderRules(days_before=(60, 14))
    assert stage_of(RequirementStatus(Status.EXPIRING, days(50)), today=TODAY, rules=sixty) == (
        Stage.EXPIRING
    )
    assert stage_of(RequirementStatus(Status.NOT_STARTED, days(60)), today=TODAY, rules=sixty) == (
        Stage.DUE
    )
    for status in (Status.NOT_STARTED, Status.COMPLIANT):
        assert stage_of(RequirementStatus(status, days(100)), today=TODAY) is None
    assert learner_period(Stage.OVERDUE, days(-13), today=TODAY) == (f"{days(-13).isoformat()}+w1")
    assert iso_week(datetime.date(2027, 1, 1)) == "2026-W53"
