"""Platform administrators' views of people's data in the admin (/beheer/) are audited
(issue 16, finding 9b): listings, details and edit pages of user accounts, memberships,
invitations, certificates and the audit log itself. Each view writes one VIEWED_IN_ADMIN
entry naming the people shown, so their data download can list it."""

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from organisations.models import AuditAction, AuditLogEntry, Invitation
from organisations.services.audit import record_audit
from organisations.services.invitations import invite
from tests.factories import CertificateFactory, UserFactory

from .conftest import sign_in_with_mfa
from .factories import MembershipFactory, RoleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client, home_page):
    user = UserFactory(is_superuser=True, full_name="Beheerder Bea")
    sign_in_with_mfa(client, user)
    return user


@pytest.fixture
def person(organisation):
    user = UserFactory(full_name="Gerda Geheim", email="gerda@example.nl")
    MembershipFactory(user=user, organisation=organisation)
    return user


def viewed(admin) -> list[AuditLogEntry]:
    return list(
        AuditLogEntry.objects.filter(actor=admin, action=AuditAction.VIEWED_IN_ADMIN)
        .prefetch_related("subjects")
        .order_by("pk")
    )


def subjects(entry) -> set[int]:
    return {subject.user_id for subject in entry.subjects.all()}


def test_user_accounts_listing_search_and_edit(client, admin, person):
    listing = client.get(reverse("wagtailusers_users:index"), {"q": "gerda"})
    assert listing.status_code == 200 and "Gerda Geheim" in listing.content.decode()
    results = client.get(reverse("wagtailusers_users:index_results"), {"q": "gerda"})
    assert results.status_code == 200
    edit = client.get(reverse("wagtailusers_users:edit", args=[person.pk]))
    assert edit.status_code == 200

    index, index_results, edit_entry = viewed(admin)
    assert index.detail["view"] == "index" and index.detail["model"] == "accounts.user"
    assert index.detail["filters"]["q"] == "gerda"
    assert subjects(index) == subjects(index_results) == {person.pk}
    assert edit_entry.detail == {"model": "accounts.user", "view": "edit", "object": person.pk}
    assert subjects(edit_entry) == {person.pk}
    assert edit_entry.organisation is None


def test_memberships_invitations_and_their_details(client, admin, person, organisation):
    membership = person.memberships.get()
    assert client.get(reverse("organisations_memberships:index")).status_code == 200
    assert (
        client.get(reverse("organisations_memberships:edit", args=[membership.pk])).status_code
        == 200
    )
    invited = UserFactory(email="uitgenodigd@example.nl")
    EmailAddress.objects.create(user=invited, email="ander@example.nl", verified=False)
    coordinator = MembershipFactory(organisation=organisation, is_coordinator=True).user
    invitation = invite(
        organisation=organisation,
        email="uitgenodigd@example.nl",
        role=RoleFactory(),
        invited_by=coordinator,
    )
    unowned = invite(
        organisation=organisation,
        email="ander@example.nl",
        role=RoleFactory(),
        invited_by=coordinator,
    )
    assert client.get(reverse("organisations_invitations:index")).status_code == 200
    assert (
        client.get(reverse("organisations_invitations:inspect", args=[invitation.pk])).status_code
        == 200
    )
    assert (
        client.get(reverse("organisations_invitations:inspect", args=[unowned.pk])).status_code
        == 200
    )

    members, member_edit, invitations, inspect, inspect_unowned = viewed(admin)
    assert subjects(members) == {person.pk}
    assert subjects(member_edit) == {person.pk}
    assert member_edit.organisation == organisation
    assert member_edit.detail["object"] == membership.pk
    # An invitation is about the person who owns the (verified) address, if anyone does.
    assert subjects(invitations) == {invited.pk}
    assert subjects(inspect) == {invited.pk} and inspect.organisation == organisation
    assert subjects(inspect_unowned) == set()
    assert Invitation.objects.count() == 2


def test_certificates_and_the_audit_log_itself(client, admin, person, modules):
    certificate = CertificateFactory(user=person, module=modules[0])
    assert client.get(reverse("certificates:index")).status_code == 200
    assert client.get(reverse("certificates:inspect", args=[certificate.pk])).status_code == 200
    coordinator_entry = record_audit(
        actor=UserFactory(full_name="Carla"),
        organisation=None,
        action=AuditAction.VIEWED_PERSON,
        subjects=[person.pk],
    )
    assert client.get(reverse("organisations_audit_log:index")).status_code == 200
    assert (
        client.get(
            reverse("organisations_audit_log:inspect", args=[coordinator_entry.pk])
        ).status_code
        == 200
    )

    certificates, certificate_inspect, log, log_inspect = viewed(admin)
    assert subjects(certificates) == {person.pk}
    assert subjects(certificate_inspect) == {person.pk}
    assert certificate_inspect.detail == {
        "model": "certificates.certificate",
        "view": "inspect",
        "object": certificate.pk,
    }
    # Who did it (the actor) and whom it was about.
    assert {coordinator_entry.actor_id, person.pk} <= subjects(log)
    assert subjects(log_inspect) == {coordinator_entry.actor_id, person.pk}


def test_pages_without_people_are_not_audited(client, admin, organisation):
    assert client.get(reverse("organisations_roles:index")).status_code == 200
    assert client.get(reverse("organisations_organisations:index")).status_code == 200
    assert viewed(admin) == []
