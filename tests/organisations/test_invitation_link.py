"""Issue 20.6: accepting an invitation took five steps (create an account, verify the
email, log in, open the link again, accept). The link now carries the person through
sign-up or login back to the acceptance, and signing up from it with the invited address
needs no verification email: the link was sent only to that address. Any other address
is verified as always."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts.models import User
from organisations.models import Membership
from organisations.services.invitations import invite
from tests.factories import TEST_PASSWORD, UserFactory

from .factories import MembershipFactory, OrganisationFactory, RoleFactory

pytestmark = pytest.mark.django_db

INVITED = "nieuw.lid@voorbeeld.nl"


@pytest.fixture
def invitation(home_page):
    organisation = OrganisationFactory(name="Veilig Thuis Proef")
    inviter = MembershipFactory(organisation=organisation, is_coordinator=True).user
    return invite(organisation=organisation, email=INVITED, role=RoleFactory(), invited_by=inviter)


def link(invitation) -> str:
    return reverse("organisations:accept_invitation", args=[invitation.token])


def sign_up(client, email: str, next_url: str):
    return client.post(
        f"{reverse('account_signup')}?next={next_url}",
        {
            "full_name": "Nieuw Lid",
            "email": email,
            "password1": TEST_PASSWORD,
            "password2": TEST_PASSWORD,
        },
    )


def test_signing_up_from_the_link_with_the_invited_address_lands_on_the_acceptance(
    client, invitation
):
    page = client.get(link(invitation))
    assert page.status_code == 200
    text = page.content.decode()
    signup = f"{reverse('account_signup')}?next={link(invitation)}"
    assert signup in text
    mail.outbox.clear()

    answer = sign_up(client, INVITED.upper(), link(invitation))

    # Signed in and straight back at the invitation: no verification email, no login.
    assert answer.status_code == 302 and answer.url == link(invitation)
    assert mail.outbox == []
    person = User.objects.get(email__iexact=INVITED)
    assert EmailAddress.objects.get(user=person).verified
    ready = client.get(answer.url)
    assert ready.context["state"] == "ready"
    accepted = client.post(link(invitation))
    assert accepted.status_code == 302
    assert Membership.objects.filter(user=person, organisation=invitation.organisation).exists()


def test_signing_up_from_the_link_with_another_address_still_verifies_by_email(client, invitation):
    client.get(link(invitation))
    mail.outbox.clear()

    answer = sign_up(client, "iemand.anders@voorbeeld.nl", link(invitation))

    assert answer.status_code == 302 and "confirm-email" in answer.url
    person = User.objects.get(email="iemand.anders@voorbeeld.nl")
    assert list(EmailAddress.objects.filter(user=person).values_list("email", "verified")) == [
        ("iemand.anders@voorbeeld.nl", False)
    ]
    assert [message.to for message in mail.outbox] == [["iemand.anders@voorbeeld.nl"]]
    # Nor does the vouching outlive that sign-up: the invited address later is verified
    # by email too.
    client.logout()
    answer = sign_up(client, INVITED, link(invitation))
    assert "confirm-email" in answer.url
    assert not EmailAddress.objects.get(email=INVITED).verified
    assert not Membership.objects.filter(organisation=invitation.organisation, user=person)


def test_signing_up_without_the_link_verifies_by_email(client, invitation):
    answer = sign_up(client, INVITED, "/")
    assert "confirm-email" in answer.url
    assert not EmailAddress.objects.get(email=INVITED).verified


def test_an_expired_or_used_invitation_does_not_vouch(client, invitation):
    from datetime import timedelta

    from django.utils import timezone

    invitation.expires_at = timezone.now() - timedelta(minutes=1)
    invitation.save()
    assert client.get(link(invitation)).status_code == 410
    answer = sign_up(client, INVITED, link(invitation))
    assert "confirm-email" in answer.url
    assert not EmailAddress.objects.get(email=INVITED).verified


def test_an_existing_account_logs_in_from_the_link_and_comes_back(client, invitation):
    UserFactory(email=INVITED)
    page = client.get(link(invitation))
    login = f"{reverse('account_login')}?next={link(invitation)}"
    assert login in page.content.decode()
    answer = client.post(
        f"{reverse('account_login')}?next={link(invitation)}",
        {"login": INVITED, "password": TEST_PASSWORD},
    )
    assert answer.status_code == 302 and answer.url == link(invitation)
    assert client.get(answer.url).context["state"] == "ready"
