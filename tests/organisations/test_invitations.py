"""Inviting by email and accepting: the right account accepts once, before expiry; anything
else gets a clear page and changes nothing."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from organisations.models import AuditAction, AuditLogEntry, Invitation, Membership
from organisations.services.invitations import InvitationError, accept_invitation, invite
from tests.factories import UserFactory

from .factories import MembershipFactory, OrganisationFactory, RoleFactory, TeamFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def role():
    return RoleFactory(name="Aandachtsfunctionaris", slug="aandachtsfunctionaris")


@pytest.fixture
def team(organisation):
    return TeamFactory(organisation=organisation, name="Team Noord")


def invite_through_page(client, organisation, **data):
    return client.post(reverse("organisations:invite", args=[organisation.slug]), data)


def test_inviting_creates_an_invitation_and_sends_a_dutch_email(
    coordinator_client, organisation, coordinator, role, team, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite_through_page(
            coordinator_client,
            organisation,
            email="Nieuwe.Collega@Voorbeeld.nl",
            full_name="Nieuwe Collega",
            team=team.pk,
            role=role.pk,
            is_coordinator="on",
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "nieuwe.collega@voorbeeld.nl"
    assert (invitation.team, invitation.role, invitation.is_coordinator) == (team, role, True)
    assert invitation.invited_by == coordinator
    assert invitation.expires_at > timezone.now() + datetime.timedelta(days=13)
    [message] = mail.outbox
    assert message.to == ["nieuwe.collega@voorbeeld.nl"]
    assert "Uitnodiging" in message.subject and organisation.name in message.subject
    link = reverse("organisations:accept_invitation", args=[invitation.token])
    assert link in message.body and "Beste Nieuwe Collega" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and link in html and 'lang="nl"' in html
    entry = AuditLogEntry.objects.get(action=AuditAction.INVITED)
    assert entry.detail["email"] == "nieuwe.collega@voorbeeld.nl"
    page = coordinator_client.get(reverse("organisations:invite", args=[organisation.slug]))
    assert "nieuwe.collega@voorbeeld.nl" in page.content.decode()  # open invitations


def test_a_known_person_who_prefers_english_gets_english(
    organisation, coordinator, role, django_capture_on_commit_callbacks
):
    UserFactory(email="english@voorbeeld.nl", preferred_language="en")
    with django_capture_on_commit_callbacks(execute=True):
        invite(
            organisation=organisation,
            email="english@voorbeeld.nl",
            role=role,
            invited_by=coordinator,
        )
    assert mail.outbox[0].subject.startswith("[Signaal] Invitation to join")


def test_inviting_again_refreshes_the_open_invitation(organisation, coordinator, role, team):
    first = invite(
        organisation=organisation, email="a@voorbeeld.nl", role=role, invited_by=coordinator
    )
    Invitation.objects.filter(pk=first.pk).update(expires_at=timezone.now())
    again = invite(
        organisation=organisation,
        email="A@voorbeeld.nl",
        role=role,
        team=team,
        invited_by=coordinator,
    )
    assert Invitation.objects.count() == 1
    assert again.pk == first.pk and again.token == first.token
    assert again.team == team and again.expires_at > timezone.now() + datetime.timedelta(days=13)
    assert AuditLogEntry.objects.filter(action=AuditAction.INVITED).count() == 2


def test_a_current_member_cannot_be_invited(coordinator_client, organisation, role):
    member = MembershipFactory(organisation=organisation)
    response = invite_through_page(
        coordinator_client, organisation, email=member.user.email, role=role.pk
    )
    assert response.status_code == 200
    assert "al lid" in response.content.decode()
    assert not Invitation.objects.exists()


def test_a_team_of_another_organisation_is_refused(coordinator_client, organisation, role):
    elsewhere = TeamFactory()
    response = invite_through_page(
        coordinator_client, organisation, email="x@voorbeeld.nl", role=role.pk, team=elsewhere.pk
    )
    assert response.status_code == 200
    assert not Invitation.objects.exists()


@pytest.fixture
def invitation(organisation, coordinator, role, team):
    return invite(
        organisation=organisation,
        email="uitgenodigd@voorbeeld.nl",
        role=role,
        team=team,
        invited_by=coordinator,
    )


def accept_url(invitation):
    return reverse("organisations:accept_invitation", args=[invitation.token])


def test_the_invited_person_accepts_and_becomes_a_member(client, invitation, team, role):
    person = UserFactory(email="uitgenodigd@voorbeeld.nl")
    client.force_login(person)
    page = client.get(accept_url(invitation))
    assert page.status_code == 200
    text = page.content.decode()
    assert invitation.organisation.name in text and "Team Noord" in text
    assert "Aandachtsfunctionaris" in text
    response = client.post(accept_url(invitation))
    assert response.status_code == 302 and response.url == reverse("my_learning")
    membership = Membership.objects.get(user=person, organisation=invitation.organisation)
    assert (membership.team, membership.role, membership.ended_on) == (team, role, None)
    assert membership.started_on == timezone.localdate()
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    entry = AuditLogEntry.objects.get(action=AuditAction.ACCEPTED_INVITATION)
    assert (entry.actor, entry.organisation) == (person, invitation.organisation)
    assert entry.detail == {
        "invitation": invitation.pk,
        "membership": membership.pk,
        "team": "Team Noord",
        "role": "Aandachtsfunctionaris",
        "coordinator": False,
    }


def test_accepting_updates_a_current_membership(invitation, team, role):
    person = UserFactory(email="uitgenodigd@voorbeeld.nl")
    current = MembershipFactory(user=person, organisation=invitation.organisation)
    accept_invitation(invitation=invitation, user=person)
    assert Membership.objects.filter(user=person).count() == 1
    current.refresh_from_db()
    assert (current.team, current.role) == (team, role)


def test_a_verified_second_address_may_accept(client, invitation):
    person = UserFactory(email="prive@voorbeeld.nl")
    EmailAddress.objects.create(user=person, email="uitgenodigd@voorbeeld.nl", verified=True)
    client.force_login(person)
    assert client.post(accept_url(invitation)).status_code == 302


def test_a_visitor_is_led_to_log_in_or_sign_up(client, invitation):
    page = client.get(accept_url(invitation))
    assert page.status_code == 200
    text = page.content.decode()
    next_param = f"?next={accept_url(invitation)}"
    assert reverse("account_login") + next_param in text
    assert reverse("account_signup") + next_param in text
    assert "uitgenodigd@voorbeeld.nl" not in text  # masked: u•••@voorbeeld.nl
    assert client.post(accept_url(invitation)).status_code == 200
    assert not Membership.objects.filter(user__email="uitgenodigd@voorbeeld.nl").exists()


def test_the_wrong_account_changes_nothing(client, invitation):
    other = UserFactory(email="iemand.anders@voorbeeld.nl")
    client.force_login(other)
    response = client.post(accept_url(invitation))
    assert response.status_code == 403
    assert "Er is niets veranderd" in response.content.decode()
    assert not Membership.objects.filter(user=other).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_an_expired_invitation_changes_nothing(client, invitation):
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    client.force_login(UserFactory(email="uitgenodigd@voorbeeld.nl"))
    response = client.post(accept_url(invitation))
    assert response.status_code == 410
    assert "verlopen" in response.content.decode()
    assert not Membership.objects.filter(user__email="uitgenodigd@voorbeeld.nl").exists()


def test_a_used_invitation_cannot_be_used_again(client, invitation):
    person = UserFactory(email="uitgenodigd@voorbeeld.nl")
    accept_invitation(invitation=invitation, user=person)
    Membership.objects.filter(user=person).update(ended_on=timezone.localdate())
    client.force_login(person)
    response = client.post(accept_url(invitation))
    assert response.status_code == 410
    assert "al geaccepteerd" in response.content.decode()
    assert Membership.objects.get(user=person).ended_on == timezone.localdate()
    with pytest.raises(InvitationError, match="used"):
        accept_invitation(invitation=invitation, user=person)


def test_an_unknown_token_is_not_found(client):
    response = client.get(reverse("organisations:accept_invitation", args=["onzin"]))
    assert response.status_code == 404
    assert "niet geldig" in response.content.decode()


def test_my_learning_lists_open_invitations(client, invitation):
    person = UserFactory(email="uitgenodigd@voorbeeld.nl")
    client.force_login(person)
    page = client.get(reverse("my_learning")).content.decode()
    assert "Uitnodigingen" in page
    assert accept_url(invitation) in page


def withdraw_url(invitation):
    return reverse(
        "organisations:withdraw_invitation", args=[invitation.organisation.slug, invitation.pk]
    )


def test_the_coordinator_withdraws_an_invitation_and_its_link_stops_working(
    coordinator_client, coordinator, client, invitation
):
    page = coordinator_client.get(
        reverse("organisations:invite", args=[invitation.organisation.slug])
    )
    assert "Uitnodiging aan uitgenodigd@voorbeeld.nl intrekken" in page.content.decode()

    response = coordinator_client.post(withdraw_url(invitation), follow=True)

    assert "De uitnodiging aan uitgenodigd@voorbeeld.nl is ingetrokken" in response.content.decode()
    assert not Invitation.objects.filter(pk=invitation.pk).exists()
    entry = AuditLogEntry.objects.get(action=AuditAction.WITHDREW_INVITATION)
    assert (entry.actor, entry.organisation) == (coordinator, invitation.organisation)
    assert entry.detail == {"invitation": invitation.pk, "email": "uitgenodigd@voorbeeld.nl"}
    person = UserFactory(email="uitgenodigd@voorbeeld.nl")
    client.force_login(person)
    assert client.get(accept_url(invitation)).status_code == 404
    assert client.post(accept_url(invitation)).status_code == 404
    assert not Membership.objects.filter(user=person).exists()


def test_an_accepted_or_withdrawn_invitation_cannot_be_withdrawn(coordinator_client, invitation):
    person = UserFactory(email="uitgenodigd@voorbeeld.nl")
    accept_invitation(invitation=invitation, user=person)

    response = coordinator_client.post(withdraw_url(invitation), follow=True)

    assert "al aangenomen" in response.content.decode()
    assert Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=False).exists()
    assert not AuditLogEntry.objects.filter(action=AuditAction.WITHDREW_INVITATION).exists()
    assert coordinator_client.get(withdraw_url(invitation)).status_code == 405
    Invitation.objects.filter(pk=invitation.pk).delete()
    assert coordinator_client.post(withdraw_url(invitation)).status_code == 404


def test_another_organisations_invitation_cannot_be_withdrawn(
    coordinator_client, organisation, role
):
    elsewhere = invite(
        organisation=OrganisationFactory(name="Elders"),
        email="elders@voorbeeld.nl",
        role=role,
        invited_by=UserFactory(),
    )
    through_mine = reverse(
        "organisations:withdraw_invitation", args=[organisation.slug, elsewhere.pk]
    )
    assert coordinator_client.post(through_mine).status_code == 404
    assert Invitation.objects.filter(pk=elsewhere.pk).exists()


def test_the_role_is_chosen_not_defaulted(coordinator_client, organisation, role):
    """Issue 20.8: the role decides which modules apply, so the form asks for it."""
    page = coordinator_client.get(f"/organisaties/{organisation.slug}/uitnodigen/")
    assert page.status_code == 200
    content = page.content.decode()
    assert '<option value="" selected>Kies een rol</option>' in content
    assert "---------" not in content
    assert "hangt af van de rol" in content
