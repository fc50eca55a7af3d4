"""Every URL of the coordinator area, walked as someone who may not enter it: refused, and
nothing about the organisation's people leaks or changes."""

import datetime

import pytest
from django.urls import URLPattern, reverse
from django.utils import timezone

from organisations import urls as organisation_urls
from organisations.models import ExportJob, Invitation, Membership, Team
from tests.factories import UserFactory

from .conftest import sign_in_with_mfa
from .factories import MembershipFactory, OrganisationFactory, TeamFactory

pytestmark = pytest.mark.django_db

# Outside the coordinator area on purpose: the list of one's own organisations and the
# invitation link (its token is the secret), and the page where an inspector checks a
# compliance statement by its code (figures only).
PUBLIC = {"index", "accept_invitation", "verify_statement", "statement_jws"}


def coordinator_urls(organisation, membership, job):
    values = {
        "slug": organisation.slug,
        "membership_id": membership.pk,
        "job_id": job.pk,
        "fmt": "csv",
        "token": "geen-upload",
        # The target's open invitation (any id where the caller has none).
        "invitation_id": Invitation.objects.filter(organisation=organisation)
        .values_list("pk", flat=True)
        .first()
        or 1,
    }
    for pattern in organisation_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        if pattern.name in PUBLIC:
            continue
        kwargs = {name: values[name] for name in pattern.pattern.converters}
        yield reverse(f"organisations:{pattern.name}", kwargs=kwargs)


@pytest.fixture
def target():
    organisation = OrganisationFactory(name="Veilig Thuis Doelregio")
    team = TeamFactory(organisation=organisation, name="Team Geheim")
    member = MembershipFactory(
        organisation=organisation,
        team=team,
        user=UserFactory(full_name="Geertruida Vertrouwelijk", email="geertruida@doel.nl"),
    )
    coordinator = MembershipFactory(organisation=organisation, is_coordinator=True)
    job = ExportJob.objects.create(
        organisation=organisation, requested_by=coordinator.user, format="csv"
    )
    Invitation.objects.create(
        organisation=organisation,
        email="genodigde@doel.nl",
        role=member.role,
        expires_at=timezone.now() + datetime.timedelta(days=14),
    )
    return organisation, member, coordinator, job


def state():
    return (
        list(Membership.objects.values_list("pk", "team_id", "role_id", "ended_on")),
        Invitation.objects.count(),
        list(Team.objects.values_list("pk", "name")),
        list(ExportJob.objects.values_list("pk", "status")),
    )


def assert_nothing_leaks(response):
    body = response.content.decode(errors="replace")
    for secret in ("Geertruida", "geertruida@doel.nl", "Team Geheim", "genodigde@doel.nl"):
        assert secret not in body


def walk(client, target, expected_status):
    organisation, member, _coordinator, job = target
    before = state()
    urls = list(coordinator_urls(organisation, member, job))
    assert len(urls) >= 10
    for url in urls:
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code in expected_status, (url, method, response.status_code)
            assert_nothing_leaks(response)
    assert state() == before


def test_anonymous_visitors_are_sent_to_the_login(client, target):
    organisation, member, _coordinator, job = target
    for url in coordinator_urls(organisation, member, job):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    walk(client, target, {302})


def test_a_coordinator_of_another_organisation_gets_not_found(client, target):
    other = MembershipFactory(organisation=OrganisationFactory(), is_coordinator=True)
    sign_in_with_mfa(client, other.user)
    walk(client, target, {404})


def test_a_plain_learner_gets_not_found(client, target):
    sign_in_with_mfa(client, UserFactory())
    walk(client, target, {404})


def test_a_member_who_is_not_a_coordinator_gets_not_found(client, target):
    organisation, *_rest = target
    colleague = MembershipFactory(organisation=organisation)
    sign_in_with_mfa(client, colleague.user)
    walk(client, target, {404})


def test_an_ended_coordinator_gets_not_found(client, target):
    import datetime

    organisation, *_rest = target
    former = MembershipFactory(
        organisation=organisation,
        is_coordinator=True,
        started_on=datetime.date(2025, 1, 1),
        ended_on=datetime.date(2026, 1, 1),
    )
    sign_in_with_mfa(client, former.user)
    walk(client, target, {404})


def test_the_coordinator_without_a_second_factor_is_asked_for_one(client, target):
    _organisation, _member, coordinator, _job = target
    client.force_login(coordinator.user)
    walk(client, target, {403})
    response = client.get(reverse("organisations:dashboard", args=[target[0].slug]))
    assert reverse("mfa_activate_totp") in response.content.decode()
