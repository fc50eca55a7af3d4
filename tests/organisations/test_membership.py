"""Changing and ending memberships (history kept, audited, the last coordinator stays),
teams, and the forms on the person page."""

import datetime

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from organisations.models import AuditAction, AuditLogEntry, Membership, Role, Team
from organisations.services.invitations import invite
from organisations.services.memberships import MembershipError, end_membership

from .conftest import sign_in_with_mfa
from .factories import MembershipFactory, OrganisationFactory, RoleFactory, TeamFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(organisation):
    return MembershipFactory(organisation=organisation, team=TeamFactory(organisation=organisation))


def change(client, membership, **data):
    return client.post(
        reverse(
            "organisations:change_membership", args=[membership.organisation.slug, membership.pk]
        ),
        data,
    )


def end(client, membership, **data):
    return client.post(
        reverse("organisations:end_membership", args=[membership.organisation.slug, membership.pk]),
        data,
    )


def test_change_team_and_role_is_audited(coordinator_client, organisation, member, coordinator):
    team = TeamFactory(organisation=organisation, name="Team Zuid")
    role = RoleFactory(name="Casusregisseur", slug="casusregisseur")
    response = change(coordinator_client, member, team=team.pk, role=role.pk)
    assert response.status_code == 302
    assert response.url == reverse("organisations:person", args=[organisation.slug, member.pk])
    member.refresh_from_db()
    assert (member.team, member.role, member.is_coordinator) == (team, role, False)
    entry = AuditLogEntry.objects.get(action=AuditAction.CHANGED_MEMBERSHIP)
    assert entry.actor == coordinator and entry.detail["membership"] == member.pk
    assert entry.detail["changes"]["team"][1] == "Team Zuid"


def test_no_team_and_coordinator_rights(coordinator_client, member):
    change(coordinator_client, member, team="", role=member.role_id, is_coordinator="on")
    member.refresh_from_db()
    assert member.team is None and member.is_coordinator


def test_ending_keeps_the_row_and_its_history(coordinator_client, organisation, member):
    response = end(coordinator_client, member, confirm="on")
    assert response.status_code == 302
    assert response.url == reverse("organisations:people", args=[organisation.slug])
    member.refresh_from_db()
    assert member.ended_on == timezone.localdate()
    assert not Membership.objects.active().filter(pk=member.pk).exists()
    assert AuditLogEntry.objects.filter(action=AuditAction.ENDED_MEMBERSHIP).count() == 1
    # A new membership can start later; the ended one stays.
    again = MembershipFactory(user=member.user, organisation=organisation)
    assert Membership.objects.filter(user=member.user).count() == 2
    assert again.ended_on is None


def test_ending_needs_the_confirmation(coordinator_client, member):
    end(coordinator_client, member)
    member.refresh_from_db()
    assert member.ended_on is None


def test_an_ended_membership_no_longer_changes(coordinator_client, member):
    end_membership(membership=member, actor=member.user)
    response = change(coordinator_client, member, team="", role=member.role_id)
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.team is not None
    with pytest.raises(MembershipError):
        end_membership(membership=member, actor=member.user)


def test_the_last_coordinator_cannot_step_down(coordinator_client, organisation, coordinator):
    own = Membership.objects.get(user=coordinator, organisation=organisation)
    end(coordinator_client, own, confirm="on")
    change(coordinator_client, own, role=own.role_id)  # coordinator box left empty
    own.refresh_from_db()
    assert own.ended_on is None and own.is_coordinator
    page = coordinator_client.get(reverse("organisations:invite", args=[organisation.slug]))
    assert "laatste coördinator" in page.content.decode()
    assert not AuditLogEntry.objects.filter(
        action__in=[AuditAction.ENDED_MEMBERSHIP, AuditAction.CHANGED_MEMBERSHIP]
    ).exists()


def test_with_a_second_coordinator_one_may_step_down(coordinator_client, organisation, coordinator):
    MembershipFactory(organisation=organisation, is_coordinator=True)
    own = Membership.objects.get(user=coordinator, organisation=organisation)
    end(coordinator_client, own, confirm="on")
    own.refresh_from_db()
    assert own.ended_on == timezone.localdate()


def test_another_organisations_membership_is_not_found(coordinator_client, organisation):
    elsewhere = MembershipFactory(organisation=OrganisationFactory())
    url_change = reverse("organisations:change_membership", args=[organisation.slug, elsewhere.pk])
    url_end = reverse("organisations:end_membership", args=[organisation.slug, elsewhere.pk])
    assert coordinator_client.post(url_change, {"role": elsewhere.role_id}).status_code == 404
    assert coordinator_client.post(url_end, {"confirm": "on"}).status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.ended_on is None


def test_changes_are_post_only(coordinator_client, member):
    url = reverse("organisations:end_membership", args=[member.organisation.slug, member.pk])
    assert coordinator_client.get(url).status_code == 405


def test_a_coordinator_of_another_organisation_gets_404(client, member):
    other = MembershipFactory(organisation=OrganisationFactory(), is_coordinator=True).user
    sign_in_with_mfa(client, other)
    assert end(client, member, confirm="on").status_code == 404
    member.refresh_from_db()
    assert member.ended_on is None


# --- Teams ----------------------------------------------------------------------------------


def test_teams_add_and_rename(coordinator_client, organisation, member):
    url = reverse("organisations:teams", args=[organisation.slug])
    page = coordinator_client.get(url)
    assert page.status_code == 200 and member.team.name in page.content.decode()
    assert coordinator_client.post(url, {"nieuw-name": "Team Oost"}).status_code == 302
    team = Team.objects.get(organisation=organisation, name="Team Oost")
    duplicate = coordinator_client.post(url, {"nieuw-name": "team oost"})
    assert duplicate.status_code == 400 and "bestaat al" in duplicate.content.decode()
    assert coordinator_client.post(url, {"team": team.pk, "name": "Team West"}).status_code == 302
    team.refresh_from_db()
    assert team.name == "Team West"


def test_renaming_another_organisations_team_is_not_found(coordinator_client, organisation):
    elsewhere = TeamFactory(name="Hun team")
    url = reverse("organisations:teams", args=[organisation.slug])
    assert (
        coordinator_client.post(url, {"team": elsewhere.pk, "name": "Van ons"}).status_code == 404
    )
    elsewhere.refresh_from_db()
    assert elsewhere.name == "Hun team"


def test_a_team_without_members_is_deleted_and_its_history_kept(
    coordinator_client, organisation, member
):
    url = reverse("organisations:teams", args=[organisation.slug])
    team = member.team
    end_membership(membership=member, actor=member.user)  # history in the team
    future = MembershipFactory(
        organisation=organisation,
        team=TeamFactory(organisation=organisation, name="Team Later"),
        started_on=timezone.localdate() + datetime.timedelta(days=7),
    )
    invitation = invite(
        organisation=organisation,
        email="nieuw@voorbeeld.nl",
        role=member.role,
        team=team,
        invited_by=member.user,
    )
    page = coordinator_client.get(url).content.decode()
    assert f'name="delete" value="{team.pk}"' in page

    response = coordinator_client.post(url, {"delete": team.pk}, follow=True)

    assert f"Team {team.name} is verwijderd." in response.content.decode()
    assert not Team.objects.filter(pk=team.pk).exists()
    member.refresh_from_db()
    assert member.team is None and member.ended_on is not None  # the history stays
    invitation.refresh_from_db()
    assert invitation.team is None
    # A member who starts later still counts: that team stays.
    refused = coordinator_client.post(url, {"delete": future.team_id}, follow=True)
    assert "heeft nog 1 lid" in refused.content.decode()
    assert Team.objects.filter(pk=future.team_id).exists()


def test_a_team_with_members_or_of_another_organisation_is_not_deleted(
    coordinator_client, organisation, member
):
    url = reverse("organisations:teams", args=[organisation.slug])
    assert (
        f'name="delete" value="{member.team_id}"'
        not in coordinator_client.get(url).content.decode()
    )
    response = coordinator_client.post(url, {"delete": member.team_id}, follow=True)
    assert "heeft nog 1 lid" in response.content.decode()
    elsewhere = TeamFactory(name="Hun team")
    assert coordinator_client.post(url, {"delete": elsewhere.pk}).status_code == 404
    assert coordinator_client.post(url, {"delete": "x"}).status_code == 404
    assert Team.objects.filter(pk__in=[member.team_id, elsewhere.pk]).count() == 2


# --- The forms on the person page -----------------------------------------------------------


def test_membership_actions_include(organisation, member):
    request = RequestFactory().get("/")
    html = render_to_string(
        "organisations/includes/membership_actions.html",
        {
            "organisation": organisation,
            "membership": member,
            "teams": Team.objects.filter(organisation=organisation),
            "roles": Role.objects.all(),
        },
        request=request,
    )
    assert reverse("organisations:change_membership", args=[organisation.slug, member.pk]) in html
    assert reverse("organisations:end_membership", args=[organisation.slug, member.pk]) in html
    assert f'<option value="{member.team_id}" selected>' in html
    assert 'name="confirm" required' in html
    member.ended_on = timezone.localdate()
    html = render_to_string(
        "organisations/includes/membership_actions.html",
        {"organisation": organisation, "membership": member, "teams": [], "roles": []},
        request=request,
    )
    assert "wijzigen/" not in html and "beëindigd" in html
