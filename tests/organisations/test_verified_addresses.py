"""Only verified addresses are a person's own (issue 16, finding 2): someone who signs up
with an address they cannot read must not see or accept invitations to it, nor be matched
to it by an import. Through HTTP, on the accounts as allauth's sign-up leaves them."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts import selectors
from accounts.models import User
from organisations.models import AuditAction, AuditLogEntry, Invitation, Membership
from organisations.services.invitations import InvitationError, accept_invitation, invite
from tests.factories import TEST_PASSWORD, UserFactory

from .conftest import sign_in_with_mfa
from .factories import MembershipFactory, OrganisationFactory, RoleFactory

pytestmark = pytest.mark.django_db

TARGET = "doelwit@voorbeeld.nl"


def sign_up(client, email: str, full_name: str = "Iemand Anders") -> User:
    """Sign up as anyone can, with an address the person may not be able to read: the
    address stays unverified. The session is then given directly, as a side door into
    a session would (allauth itself refuses a login until the address is verified)."""
    response = client.post(
        reverse("account_signup"),
        {
            "full_name": full_name,
            "email": email,
            "password1": TEST_PASSWORD,
            "password2": TEST_PASSWORD,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email=email)
    assert not EmailAddress.objects.get(user=user).verified
    client.force_login(user)
    return user


@pytest.fixture
def coordinator_invitation(home_page):
    """Another organisation invites the address as its coordinator."""
    organisation = OrganisationFactory(name="Veilig Thuis Elders")
    inviter = MembershipFactory(organisation=organisation, is_coordinator=True).user
    return invite(
        organisation=organisation,
        email=TARGET,
        role=RoleFactory(),
        invited_by=inviter,
        is_coordinator=True,
    )


def accept_url(invitation) -> str:
    return reverse("organisations:accept_invitation", args=[invitation.token])


def test_an_unverified_login_address_cannot_accept_and_is_told_to_verify(
    client, coordinator_invitation
):
    person = sign_up(client, TARGET)

    page = client.get(accept_url(coordinator_invitation))
    assert page.status_code == 403
    text = page.content.decode()
    assert "Bevestig eerst je e-mailadres" in text
    assert "Er is niets veranderd" in text
    assert "Uitnodiging accepteren" not in text  # no button to accept

    response = client.post(accept_url(coordinator_invitation))
    assert response.status_code == 403
    assert "Bevestig eerst je e-mailadres" in response.content.decode()
    assert not Membership.objects.filter(user=person).exists()
    coordinator_invitation.refresh_from_db()
    assert coordinator_invitation.accepted_at is None
    assert not AuditLogEntry.objects.filter(action=AuditAction.ACCEPTED_INVITATION).exists()


def test_the_service_refuses_an_unverified_address(client, coordinator_invitation):
    person = sign_up(client, TARGET)
    with pytest.raises(InvitationError) as refused:
        accept_invitation(invitation=coordinator_invitation, user=person)
    assert refused.value.reason == "unverified"
    assert not Membership.objects.filter(user=person).exists()


def test_an_unverified_second_address_cannot_accept(client, coordinator_invitation):
    person = UserFactory(email="eigen@voorbeeld.nl")
    EmailAddress.objects.create(user=person, email=TARGET, verified=False)
    client.force_login(person)

    response = client.post(accept_url(coordinator_invitation))

    assert response.status_code == 403
    assert "Bevestig eerst je e-mailadres" in response.content.decode()
    assert not Membership.objects.filter(user=person).exists()


def test_after_verifying_the_address_the_invitation_can_be_accepted(client, coordinator_invitation):
    person = sign_up(client, TARGET)
    EmailAddress.objects.filter(user=person).update(verified=True)

    response = client.post(accept_url(coordinator_invitation))

    assert response.status_code == 302
    membership = Membership.objects.get(user=person)
    assert membership.is_coordinator


def test_my_learning_lists_invitations_to_verified_addresses_only(client, coordinator_invitation):
    person = sign_up(client, TARGET)

    page = client.get(reverse("my_learning")).content.decode()
    assert accept_url(coordinator_invitation) not in page
    assert "Veilig Thuis Elders" not in page

    EmailAddress.objects.filter(user=person).update(verified=True)
    page = client.get(reverse("my_learning")).content.decode()
    assert accept_url(coordinator_invitation) in page


def test_the_invitation_email_does_not_take_the_name_of_an_unverified_account(
    client, home_page, django_capture_on_commit_callbacks
):
    """The greeting and language come from the account only when it owns the address."""
    sign_up(client, TARGET, full_name="Klik Hier Voor Je Prijs")
    User.objects.filter(email=TARGET).update(preferred_language="en")
    organisation = OrganisationFactory()
    coordinator = MembershipFactory(organisation=organisation, is_coordinator=True).user
    mail.outbox.clear()
    sign_in_with_mfa(client, coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("organisations:invite", args=[organisation.slug]),
            {"email": TARGET, "full_name": "Dana Doelwit", "role": RoleFactory().pk},
        )

    assert response.status_code == 302
    [message] = mail.outbox
    assert "Beste Dana Doelwit" in message.body  # Dutch, the coordinator's name for them
    assert "Klik Hier" not in message.body


def test_the_import_does_not_take_an_unverified_account_for_the_person(
    client, home_page, django_capture_on_commit_callbacks
):
    from tests.organisations.importing import import_file

    squatter = sign_up(client, TARGET)
    organisation = OrganisationFactory()
    coordinator = MembershipFactory(organisation=organisation, is_coordinator=True).user
    role = RoleFactory(name="Uitvoerend professional", slug="uitvoerend-professional")
    sign_in_with_mfa(client, coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = import_file(client, organisation, f"e-mail;rol\n{TARGET};{role.name}\n".encode())

    assert response.status_code == 302
    assert not Membership.objects.filter(user=squatter).exists()
    assert Invitation.objects.filter(organisation=organisation, email=TARGET).exists()


def test_one_selector_says_which_addresses_a_person_owns():
    person = UserFactory(email="eigen@voorbeeld.nl")
    EmailAddress.objects.create(user=person, email="werk@voorbeeld.nl", verified=True)
    EmailAddress.objects.create(user=person, email="niet-bevestigd@voorbeeld.nl")
    assert selectors.verified_addresses(person) == {"eigen@voorbeeld.nl", "werk@voorbeeld.nl"}
    unverified = UserFactory(email="nieuw@voorbeeld.nl", verified=False)
    assert selectors.verified_addresses(unverified) == set()
    assert selectors.owners_of_addresses(
        ["WERK@voorbeeld.nl", "niet-bevestigd@voorbeeld.nl", "nieuw@voorbeeld.nl", "x@y.nl"]
    ) == {"werk@voorbeeld.nl": person.pk}
