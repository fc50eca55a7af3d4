"""The 'Organisaties' admin: platform administrators maintain roles, frameworks,
organisations, teams and memberships; editors see none of it (no people data)."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from organisations.models import AuditLogEntry, Role
from tests.auth import sign_in_with_mfa
from tests.factories import UserFactory

from .factories import MembershipFactory, TeamFactory, requirement

pytestmark = pytest.mark.django_db

VIEWSETS = [
    "organisations_organisations",
    "organisations_teams",
    "organisations_memberships",
    "organisations_invitations",
    "organisations_roles",
    "organisations_frameworks",
    "organisations_audit_log",
]


@pytest.fixture
def people(organisation):
    team = TeamFactory(organisation=organisation, name="Team Noord")
    return MembershipFactory(
        organisation=organisation, team=team, user=UserFactory(full_name="Gerda Geheim")
    )


@pytest.fixture
def admin_client(client, home_page):
    sign_in_with_mfa(client, UserFactory(is_superuser=True))
    return client


@pytest.fixture
def editor_client(client, home_page):
    editor = UserFactory()
    editor.groups.add(Group.objects.get(name="Editors"))
    sign_in_with_mfa(client, editor)
    return client


def test_administrators_reach_every_list(admin_client, people):
    for name in VIEWSETS:
        response = admin_client.get(reverse(f"{name}:index"))
        assert response.status_code == 200, name
    memberships = admin_client.get(
        reverse("organisations_memberships:index"), {"organisation": people.organisation_id}
    )
    assert "Gerda Geheim" in memberships.content.decode()
    menu = admin_client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Organisaties" in menu
    assert reverse("organisations_memberships:index") in menu


def test_administrators_edit_a_framework_with_its_requirements(admin_client, organisation, modules):
    requirement(organisation, modules[0])
    url = reverse("organisations_frameworks:edit", args=[organisation.framework.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert "requirements-TOTAL_FORMS" in page.content.decode()
    add = admin_client.post(
        reverse("organisations_roles:add"),
        {"name": "Ervaringsdeskundige", "slug": "ervaringsdeskundige", "description": ""},
    )
    assert add.status_code == 302
    assert Role.objects.filter(slug="ervaringsdeskundige").exists()


def test_the_audit_log_is_read_only(admin_client, organisation):
    entry = AuditLogEntry.objects.create(organisation=organisation, action="exported")
    assert (
        admin_client.get(reverse("organisations_audit_log:inspect", args=[entry.pk])).status_code
        == 200
    )
    for view in ("edit", "delete"):
        response = admin_client.get(reverse(f"organisations_audit_log:{view}", args=[entry.pk]))
        # Wagtail refuses by sending the user back to the dashboard.
        assert (response.status_code, response["Location"]) == (302, "/beheer/"), view
    response = admin_client.get(reverse("organisations_audit_log:add"))
    assert (response.status_code, response["Location"]) == (302, "/beheer/")
    assert AuditLogEntry.objects.filter(pk=entry.pk).exists()


def test_editors_see_nothing_of_it(editor_client, people):
    menu = editor_client.get(reverse("wagtailadmin_home"))
    assert menu.status_code == 200
    assert reverse("organisations_memberships:index") not in menu.content.decode()
    for name in VIEWSETS:
        response = editor_client.get(reverse(f"{name}:index"))
        assert (response.status_code, response["Location"]) == (302, "/beheer/"), name
        assert "Gerda Geheim" not in response.content.decode()
    edit = editor_client.get(reverse("organisations_memberships:edit", args=[people.pk]))
    assert (edit.status_code, edit["Location"]) == (302, "/beheer/")
