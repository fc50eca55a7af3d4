"""How many invitations an organisation may send a day, and that every invited address is
in the audit log (issue 16, finding 8). Through HTTP as a coordinator."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.services import delete_account
from organisations.models import AuditAction, AuditLogEntry, Invitation
from organisations.selectors.invitations import invitations_left_today
from organisations.services import invitations
from tests.factories import UserFactory

from .factories import MembershipFactory, OrganisationFactory, RoleFactory
from .importing import import_file

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_quota(settings):
    settings.INVITATIONS_PER_ORGANISATION_PER_DAY = 3


@pytest.fixture
def role():
    return RoleFactory(name="Aandachtsfunctionaris", slug="aandachtsfunctionaris")


def invite(client, organisation, email, role):
    return client.post(
        reverse("organisations:invite", args=[organisation.slug]),
        {"email": email, "role": role.pk},
    )


def upload(client, organisation, addresses, role):
    content = "e-mail;rol\n" + "".join(f"{address};{role.name}\n" for address in addresses)
    return import_file(client, organisation, content.encode())


def state(organisation):
    return (
        sorted(
            Invitation.objects.filter(organisation=organisation).values_list("email", "expires_at")
        ),
        AuditLogEntry.objects.filter(organisation=organisation)
        .exclude(action=AuditAction.VIEWED_DASHBOARD)
        .count(),
    )


def test_single_invitations_stop_at_the_daily_limit(
    coordinator_client, organisation, role, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            assert (
                invite(coordinator_client, organisation, f"p{n}@voorbeeld.nl", role).status_code
                == 302
            )
    assert len(mail.outbox) == 3
    before = state(organisation)

    with django_capture_on_commit_callbacks(execute=True):
        response = invite(coordinator_client, organisation, "p3@voorbeeld.nl", role)

    assert response.status_code == 200
    text = response.content.decode()
    assert "3 uitnodigingen per dag" in text and "vandaag nog 0" in text
    assert state(organisation) == before
    assert len(mail.outbox) == 3


def test_inviting_again_counts_too(coordinator_client, organisation, role):
    for _n in range(3):
        assert (
            invite(coordinator_client, organisation, "zelfde@voorbeeld.nl", role).status_code == 302
        )
    response = invite(coordinator_client, organisation, "zelfde@voorbeeld.nl", role)
    assert response.status_code == 200
    assert "vandaag nog 0" in response.content.decode()


def test_an_import_beyond_what_remains_today_changes_nothing(
    coordinator_client, organisation, role, django_capture_on_commit_callbacks
):
    assert invite(coordinator_client, organisation, "eerst@voorbeeld.nl", role).status_code == 302
    mail.outbox.clear()
    before = state(organisation)

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(
            coordinator_client,
            organisation,
            ["a@voorbeeld.nl", "b@voorbeeld.nl", "c@voorbeeld.nl"],
            role,
        )

    assert response.status_code == 400
    text = response.content.decode()
    assert "Er is niets geïmporteerd" in text
    assert "3 uitnodigingen" in text and "vandaag nog 2" in text
    assert state(organisation) == before
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(
            coordinator_client, organisation, ["a@voorbeeld.nl", "b@voorbeeld.nl"], role
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 2


def test_the_limit_is_per_organisation_and_per_day(coordinator_client, organisation, role):
    other = OrganisationFactory()
    other_coordinator = MembershipFactory(organisation=other, is_coordinator=True).user
    for n in range(3):
        invitations.invite(
            organisation=other, email=f"x{n}@voorbeeld.nl", role=role, invited_by=other_coordinator
        )
    # Yesterday's invitations of this organisation no longer count.
    for n in range(3):
        invitations.invite(
            organisation=organisation,
            email=f"gisteren{n}@voorbeeld.nl",
            role=role,
            invited_by=other_coordinator,
        )
    yesterday = timezone.now() - datetime.timedelta(days=1)
    AuditLogEntry.objects.filter(organisation=organisation).update(at=yesterday)

    assert invite(coordinator_client, organisation, "vandaag@voorbeeld.nl", role).status_code == 302
    assert invitations_left_today(organisation) == 2
    assert invitations_left_today(other) == 0


def test_the_import_records_each_invited_address_and_deletion_blanks_it(
    coordinator_client, organisation, role, coordinator
):
    response = upload(coordinator_client, organisation, ["a@voorbeeld.nl", "b@voorbeeld.nl"], role)
    assert response.status_code == 302
    entries = AuditLogEntry.objects.filter(organisation=organisation, action=AuditAction.INVITED)
    assert sorted(entry.detail["email"] for entry in entries) == [
        "a@voorbeeld.nl",
        "b@voorbeeld.nl",
    ]
    assert {entry.actor for entry in entries} == {coordinator}
    assert all(entry.detail["import"] for entry in entries)

    person = UserFactory(email="a@voorbeeld.nl")
    delete_account(user=person)
    assert sorted(entry.detail["email"] for entry in entries.all()) == ["", "b@voorbeeld.nl"]


def test_the_name_in_the_greeting_is_bounded(coordinator_client, organisation, role):
    response = coordinator_client.post(
        reverse("organisations:invite", args=[organisation.slug]),
        {"email": "lang@voorbeeld.nl", "role": role.pk, "full_name": "x" * 201},
    )
    assert response.status_code == 200
    assert not Invitation.objects.exists()
