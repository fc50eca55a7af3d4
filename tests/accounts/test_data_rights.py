"""Data rights (AVG): the person's data download, deleting the account, audit log retention."""

import datetime
import json

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import models
from django.urls import reverse
from django.utils import timezone

from accounts import selectors as account_selectors
from accounts.models import User
from accounts.services import delete_account
from certificates.models import REMOVED_HOLDER, ReminderKind, ledger_kind
from core.models import SentEmail
from courses.models import Enrolment, LessonCompletion, ReflectionAnswer
from courses.services import complete_lesson
from organisations.api import purge_audit_log
from organisations.models import (
    AuditAction,
    AuditLogEntry,
    Invitation,
    Membership,
)
from quizzes.insight import quiz_insight
from quizzes.models import QuizAnswer, QuizAttempt
from quizzes.services import play_best_path
from tests.auth import sign_in_with_mfa
from tests.courses.conftest import catalogue, lessons_of, make_module  # noqa: F401
from tests.factories import TEST_PASSWORD, CertificateFactory, UserFactory
from tests.organisations.factories import MembershipFactory, OrganisationFactory, TeamFactory
from tests.quizzes.conftest import make_quiz, play_to_poor_end

pytestmark = pytest.mark.django_db


@pytest.fixture
def module(catalogue):  # noqa: F811
    return make_module(catalogue, "Rode vlaggen", lessons=2)


@pytest.fixture
def learner():
    user = UserFactory(full_name="Sanne de Vries", email="sanne@example.nl")
    EmailAddress.objects.create(user=user, email="sanne@werk.example.nl", verified=True)
    return user


def _everything_for(user, module, *, organisation=None):
    """Give the person a row in every table that holds personal data."""
    lesson = lessons_of(module)[0]
    complete_lesson(user=user, lesson=lesson)
    ReflectionAnswer.objects.create(
        user=user, lesson=lesson, block_id="vraag-1", answer=f"Mijn reflectie ({user.email})"
    )
    certificate = CertificateFactory(user=user, module=module)
    SentEmail.objects.create(
        user=user,
        kind=ledger_kind(ReminderKind.EXPIRING),
        item=str(certificate.pk),
        period=certificate.expires_on.isoformat(),
    )
    organisation = organisation or OrganisationFactory()
    membership = MembershipFactory(
        user=user, organisation=organisation, team=TeamFactory(organisation=organisation)
    )
    Invitation.objects.create(
        organisation=organisation,
        email=user.email,
        role=membership.role,
        expires_at=timezone.now() + datetime.timedelta(days=14),
    )
    SentEmail.objects.create(
        user=user, kind="learner_digest", item=f"requirement:{module.pk}:due", period="2026-01"
    )
    AuditLogEntry.objects.create(
        actor=user,
        actor_email=user.email,
        organisation=organisation,
        action=AuditAction.VIEWED_DASHBOARD,
    )
    Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": "GEHEIM-TOTP-SECRET"}
    )
    return certificate, membership


# --- Download ---------------------------------------------------------------------------


def test_download_holds_the_persons_data_and_nobody_elses(client, learner, module):
    certificate, _membership = _everything_for(learner, module)
    quiz = make_quiz(module)
    play_to_poor_end(quiz, learner)
    other = UserFactory(full_name="Piet Anders", email="piet@example.nl")
    _everything_for(other, module)
    play_to_poor_end(quiz, other)

    sign_in_with_mfa(client, learner)
    response = client.get(reverse("my_data_download"))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    text = response.content.decode()
    data = json.loads(text)
    account = data["account"]
    assert account["email"] == "sanne@example.nl"
    assert account["full_name"] == "Sanne de Vries"
    assert {a["email"] for a in account["email_addresses"]} == {
        "sanne@example.nl",
        "sanne@werk.example.nl",
    }
    assert account["two_factor"]["enabled"] is True
    assert "GEHEIM-TOTP-SECRET" not in text
    assert "password" not in text and "pbkdf2" not in text

    enrolments = data["courses"]["enrolments"]
    assert [e["module"] for e in enrolments] == ["Rode vlaggen"]
    assert len(enrolments[0]["lessons_done"]) == 1
    assert data["courses"]["reflection_answers"][0]["answer"].startswith("Mijn reflectie")
    attempt = data["quizzes"]["quiz_attempts"][0]
    assert attempt["answers"][0]["signals_missed"] == ["poging-tot-verwurging"]
    assert data["certificates"]["certificates"][0]["code"] == certificate.formatted_code
    assert data["certificates"]["certificates"][0]["status"] == "valid"
    assert data["certificates"]["certificates"][0]["reminders_sent"][0]["kind"] == "expiring"
    organisations = data["organisations"]
    assert len(organisations["memberships"]) == 1
    assert organisations["invitations"][0]["email"] == "sanne@example.nl"
    assert len(organisations["reminders"]) == 1
    assert organisations["audit_log"][0]["action"] == "viewed_dashboard"

    assert "piet" not in text.lower() and "Anders" not in text
    assert len(data["quizzes"]["quiz_attempts"]) == 1


def test_the_pages_need_a_login(client):
    for name in ("my_data", "my_data_download", "delete_account"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


def test_my_data_page_links_download_and_deletion(client, learner):
    sign_in_with_mfa(client, learner)
    page = client.get(reverse("my_data")).content.decode()
    assert reverse("my_data_download") in page
    assert reverse("delete_account") in page


def _user_links():
    """Every ForeignKey/OneToOneField to the user model, as 'app_label.Model.field'."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    return {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.local_fields
        if isinstance(field, models.ForeignKey) and field.related_model is user_model
    }


def test_every_link_to_the_user_is_exported_or_excluded_with_a_reason():
    links = _user_links()
    exported, excluded = account_selectors.EXPORTED, account_selectors.EXCLUDED
    assert not (exported.keys() & excluded.keys())
    missing = links - exported.keys() - excluded.keys()
    assert not missing, (
        f"New links to the user model: {sorted(missing)}. Add each to the data download "
        "(accounts.selectors.EXPORTED) or to EXCLUDED with the reason, and decide what "
        "accounts.services.delete_account does with it."
    )
    assert not (exported.keys() | excluded.keys()) - links, "stale entries"
    assert all(reason.strip() for reason in excluded.values())


def test_every_exported_link_has_its_part_in_the_download(learner):
    data = account_selectors.personal_data(learner)
    for part in account_selectors.EXPORTED.values():
        section, key = part.split(".")
        assert key in data[section], part


# --- Deletion ---------------------------------------------------------------------------


def _delete(client, user, password=TEST_PASSWORD):
    return client.post(
        reverse("delete_account"), {"password": password, "confirm": "on"}, follow=True
    )


def test_deletion_asks_for_the_password_and_the_tick(client, learner):
    sign_in_with_mfa(client, learner)
    response = client.post(reverse("delete_account"), {"password": "verkeerd", "confirm": "on"})
    assert response.status_code == 400
    response = client.post(reverse("delete_account"), {"password": TEST_PASSWORD})
    assert response.status_code == 400
    learner.refresh_from_db()
    assert learner.removed_at is None and learner.is_active


def test_mfa_users_delete_with_their_password_too(client, learner):
    Authenticator.objects.create(user=learner, type=Authenticator.Type.TOTP, data={})
    sign_in_with_mfa(client, learner)
    response = _delete(client, learner)
    assert response.status_code == 200
    learner.refresh_from_db()
    assert learner.is_removed
    assert not Authenticator.objects.filter(user=learner).exists()


def test_deletion_removes_personal_data_and_login(client, learner, module):
    certificate, membership = _everything_for(learner, module)
    invited = AuditLogEntry.objects.create(
        actor=UserFactory(),
        action=AuditAction.INVITED,
        detail={"invitation": 1, "email": "sanne@werk.example.nl", "refreshed": False},
    )
    other_client = type(client)()
    sign_in_with_mfa(other_client, learner)  # a second session, on another device
    sign_in_with_mfa(client, learner)

    response = _delete(client, learner)

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    learner.refresh_from_db()
    assert learner.is_removed and not learner.is_active
    assert learner.full_name == ""
    assert "sanne" not in learner.email
    assert not learner.has_usable_password()
    assert not EmailAddress.objects.filter(user=learner).exists()
    assert not Authenticator.objects.filter(user=learner).exists()
    assert not ReflectionAnswer.objects.filter(user=learner).exists()
    assert not SentEmail.objects.filter(user=learner).exists()
    assert not Invitation.objects.filter(email__icontains="sanne").exists()
    for session in Session.objects.all():
        assert session.get_decoded().get("_auth_user_id") != str(learner.pk)
    entry = AuditLogEntry.objects.get(action=AuditAction.VIEWED_DASHBOARD)
    assert (entry.actor_id, entry.actor_email) == (None, "")
    invited.refresh_from_db()
    assert invited.detail["email"] == "" and invited.actor_id is not None
    # Nothing with the name or either address is left in the database rows we keep.
    assert not User.objects.filter(full_name__icontains="Sanne").exists()
    assert not AuditLogEntry.objects.filter(actor_email__icontains="sanne").exists()

    # Login is impossible: with the old address and with the placeholder one.
    client.logout()
    for email in ("sanne@example.nl", learner.email):
        client.post(reverse("account_login"), {"login": email, "password": TEST_PASSWORD})
        assert "_auth_user_id" not in client.session
    assert other_client.get(reverse("my_data")).status_code == 302


def test_certificate_stays_verifiable_as_removed_account(client, learner, module):
    certificate = CertificateFactory(user=learner, module=module)
    delete_account(user=learner)

    certificate.refresh_from_db()
    assert certificate.user_id is None
    assert certificate.holder_name == REMOVED_HOLDER
    response = client.get(reverse("certificate_verify", args=[certificate.code]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "verwijderd account" in page
    assert "Sanne" not in page and "sanne@" not in page
    assert "Rode vlaggen" in page


def test_quiz_insight_and_completion_counts_stay_after_deletion(learner, module):
    quiz = make_quiz(module)
    people = [learner] + [UserFactory() for _ in range(5)]
    for person in people[:3]:
        play_to_poor_end(quiz, person)
    for person in people[3:]:
        play_best_path(user=person, quiz=quiz)
    for person in people:
        for lesson in lessons_of(module):
            complete_lesson(user=person, lesson=lesson)
    before = quiz_insight(quiz)
    counts_before = (
        Enrolment.objects.filter(module=module).count(),
        Enrolment.objects.filter(module=module, completed_at__isnull=False).count(),
        LessonCompletion.objects.count(),
        QuizAnswer.objects.count(),
    )

    delete_account(user=learner)

    after = quiz_insight(quiz)
    assert (after.attempts, after.finished, after.passed, after.learners) == (
        before.attempts,
        before.finished,
        before.passed,
        before.learners,
    )
    assert [(s.signal.slug, s.missed, s.learners) for s in after.signals] == [
        (s.signal.slug, s.missed, s.learners) for s in before.signals
    ]
    assert counts_before == (
        Enrolment.objects.filter(module=module).count(),
        Enrolment.objects.filter(module=module, completed_at__isnull=False).count(),
        LessonCompletion.objects.count(),
        QuizAnswer.objects.count(),
    )
    assert QuizAttempt.objects.filter(user=learner).exists()  # the anonymous placeholder


def test_coordinator_sees_the_membership_ended_without_the_name(client, learner):
    organisation = OrganisationFactory()
    coordinator = MembershipFactory(organisation=organisation, is_coordinator=True).user
    membership = MembershipFactory(user=learner, organisation=organisation)

    delete_account(user=learner)

    membership.refresh_from_db()
    assert membership.ended_on == timezone.localdate()
    assert not Membership.objects.active().filter(pk=membership.pk).exists()
    sign_in_with_mfa(client, coordinator)
    url = reverse("organisations:person", args=[organisation.slug, membership.pk])
    page = client.get(url).content.decode()
    assert "verwijderd account" in page
    assert "Sanne" not in page and "sanne@" not in page and "account.invalid" not in page
    assert "beëindigd" in page.lower()
    people = client.get(reverse("organisations:people", args=[organisation.slug]))
    assert "verwijderd account" not in people.content.decode()  # active members only
    assert AuditLogEntry.objects.filter(
        organisation=organisation,
        action=AuditAction.ENDED_MEMBERSHIP,
        detail__account_removed=True,
    ).exists()


def test_the_only_coordinator_can_delete_and_is_warned(client, learner):
    organisation = OrganisationFactory(name="Veilig Thuis Test")
    MembershipFactory(user=learner, organisation=organisation, is_coordinator=True)
    sign_in_with_mfa(client, learner)
    page = client.get(reverse("delete_account")).content.decode()
    assert "Veilig Thuis Test" in page

    _delete(client, learner)

    assert not Membership.objects.active().filter(organisation=organisation).exists()


def test_a_membership_that_had_not_started_never_becomes_active(learner):
    later = timezone.localdate() + datetime.timedelta(days=30)
    membership = MembershipFactory(user=learner, started_on=later)
    delete_account(user=learner)
    membership.refresh_from_db()
    assert membership.ended_on == later
    for day in (timezone.localdate(), later, later + datetime.timedelta(days=1)):
        assert not Membership.objects.active(on=day).filter(pk=membership.pk).exists()


def test_deleting_twice_changes_nothing_more(learner):
    delete_account(user=learner)
    learner.refresh_from_db()
    removed_at = learner.removed_at
    delete_account(user=learner)
    learner.refresh_from_db()
    assert learner.removed_at == removed_at


# --- Retention --------------------------------------------------------------------------


def test_purge_keeps_newer_audit_log_entries(settings, capsys):
    settings.AUDIT_LOG_RETENTION_DAYS = 30
    now = timezone.now()
    old = AuditLogEntry.objects.create(
        action=AuditAction.VIEWED_PEOPLE, at=now - datetime.timedelta(days=31)
    )
    recent = AuditLogEntry.objects.create(
        action=AuditAction.VIEWED_PEOPLE, at=now - datetime.timedelta(days=29)
    )

    call_command("purge_audit_log")

    assert "1 entries" in capsys.readouterr().out
    assert not AuditLogEntry.objects.filter(pk=old.pk).exists()
    assert AuditLogEntry.objects.filter(pk=recent.pk).exists()
    assert purge_audit_log() == 0


@pytest.fixture
def platform_admin(client):
    sign_in_with_mfa(client, UserFactory(is_superuser=True, full_name="Beheerder Bea"))
    return client


def _removed_as_by_the_person(learner, certificate, membership):
    learner.refresh_from_db()
    assert learner.is_removed and not learner.is_active and learner.full_name == ""
    assert not EmailAddress.objects.filter(user=learner).exists()
    assert not ReflectionAnswer.objects.filter(user=learner).exists()
    certificate.refresh_from_db()
    assert (certificate.user_id, certificate.holder_name) == (None, REMOVED_HOLDER)
    membership.refresh_from_db()
    assert membership.ended_on == timezone.localdate()
    # The anonymised history stays: enrolments and lesson progress keep counting.
    assert Enrolment.objects.filter(user=learner).exists()
    assert LessonCompletion.objects.filter(enrolment__user=learner).exists()


def test_deleting_a_user_in_the_admin_removes_the_account_like_the_person_does(
    platform_admin, learner, module
):
    certificate, membership = _everything_for(learner, module)
    url = reverse("wagtailusers_users:delete", args=[learner.pk])

    confirm = platform_admin.get(url)
    assert confirm.status_code == 200
    assert "een certificaat staat dan op naam van een verwijderd account" in (
        confirm.content.decode()
    )
    assert User.objects.get(pk=learner.pk).full_name == "Sanne de Vries"  # nothing yet

    response = platform_admin.post(url, follow=True)

    assert response.redirect_chain[-1][0] == reverse("wagtailusers_users:index")
    assert "Het account van &#x27;Sanne de Vries&#x27; is verwijderd" in response.content.decode()
    _removed_as_by_the_person(learner, certificate, membership)
    verification = platform_admin.get(
        reverse("certificate_verify", args=[certificate.code])
    ).content.decode()
    assert "Sanne" not in verification


def test_the_admins_bulk_delete_removes_each_account_the_same_way(platform_admin, module):
    people = [
        UserFactory(full_name="Sanne de Vries", email="sanne@example.nl"),
        UserFactory(full_name="Kees Jansen", email="kees@example.nl"),
    ]
    kept = UserFactory(full_name="Noor Bakker")
    held = [_everything_for(person, module) for person in people]
    url = reverse("wagtail_bulk_action", args=["accounts", "user", "delete"])
    query = "?" + "&".join(f"id={person.pk}" for person in people)

    response = platform_admin.post(url + query, {"next": reverse("wagtailusers_users:index")})

    assert response.status_code == 302
    for person, (certificate, membership) in zip(people, held, strict=True):
        _removed_as_by_the_person(person, certificate, membership)
    kept.refresh_from_db()
    assert kept.is_active and kept.full_name == "Noor Bakker"


def test_emails_waiting_to_be_sent_are_in_the_download_and_go_with_the_account(
    client, learner, settings
):
    from core.models import QueuedEmail
    from tests.organisations import email_backends

    settings.EMAIL_BACKEND = "tests.organisations.email_backends.RefusingEmailBackend"
    email_backends.REFUSAL[:] = [ConnectionRefusedError()]
    try:
        # One to the second (verified) address, one to somebody else, and to an address
        # still being verified its verification email and an invitation: that address may
        # be someone else's, so only the verification email is the person's.
        unverified = EmailAddress.objects.create(user=learner, email="Sanne@Nieuw.example.nl")
        for address in ("sanne@werk.example.nl", "ander@example.nl"):
            queue_email(address)
        queue_email(unverified.email, kind="account/email/email_confirmation")
        queue_email(unverified.email, kind="organisations/invitation")
    finally:
        email_backends.REFUSAL.clear()

    data = account_selectors.personal_data(learner)
    waiting = data["account"]["emails_waiting_to_be_sent"]
    assert sorted((item["to"], item["kind"]) for item in waiting) == [
        ("sanne@nieuw.example.nl", "account/email/email_confirmation"),
        ("sanne@werk.example.nl", "test"),
    ]
    delete_account(user=learner)
    assert sorted(QueuedEmail.objects.values_list("to_address", "kind")) == [
        ("ander@example.nl", "test"),
        ("sanne@nieuw.example.nl", "organisations/invitation"),
    ]


def queue_email(address: str, kind: str = "test") -> None:
    from django.core.mail import EmailMessage

    from core.mail import send_or_queue

    send_or_queue(EmailMessage("Onderwerp", "Tekst", to=[address]), kind=kind)
