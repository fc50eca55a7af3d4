"""Issue 20.1, the coordinator's front door: after the password and the second factor a
coordinator lands on their organisation's dashboard (on the chooser when they coordinate
several), and every page's header leads there; a learner sees neither."""

import time

import pytest

from tests.auth import TOTP_SECRET, give_totp, log_in_with_code, totp_code
from tests.factories import TEST_PASSWORD, UserFactory

from .factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def header_of(client) -> str:
    page = client.get("/mijn-certificaten/").content.decode()
    return page[page.index('id="signaal-nav"') : page.index("</nav>")]


def test_a_coordinator_lands_on_the_dashboard_and_the_header_leads_there(client, organisation):
    organisation.name = "Veilig Thuis Regio Utrecht"
    organisation.save()
    coordinator = MembershipFactory(organisation=organisation, is_coordinator=True).user
    give_totp(coordinator)
    response = log_in_with_code(client, coordinator)
    assert response["Location"] == f"/organisaties/{organisation.slug}/"
    assert client.get(response["Location"]).status_code == 200
    header = header_of(client)
    assert f'href="/organisaties/{organisation.slug}/"' in header
    assert "Veilig Thuis Regio Utrecht" in header


def test_a_coordinator_of_several_lands_on_the_chooser(client, organisation):
    coordinator = MembershipFactory(organisation=organisation, is_coordinator=True).user
    MembershipFactory(organisation=OrganisationFactory(), user=coordinator, is_coordinator=True)
    give_totp(coordinator)
    response = log_in_with_code(client, coordinator)
    assert response["Location"] == "/organisaties/"
    assert 'href="/organisaties/">Organisaties</a>' in header_of(client).replace(
        '<span class="signaal-visually-hidden">Coördinatorgedeelte: </span>', ""
    )


def test_a_named_page_wins_and_learners_go_to_my_learning(client, organisation):
    coordinator = MembershipFactory(organisation=organisation, is_coordinator=True).user
    give_totp(coordinator)
    response = client.post(
        "/account/login/?next=/modules/", {"login": coordinator.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    response = client.post(response["Location"], {"code": totp_code(TOTP_SECRET, time.time() + 30)})
    assert response["Location"] == "/modules/"
    learner = UserFactory()
    MembershipFactory(organisation=organisation, user=learner)  # staff, not a coordinator
    client.logout()
    response = client.post("/account/login/", {"login": learner.email, "password": TEST_PASSWORD})
    assert response["Location"] == "/mijn-leren/"
    assert "/organisaties/" not in header_of(client)


def test_an_ended_coordinator_lands_like_a_learner(client, organisation):
    import datetime

    from django.utils import timezone

    former = MembershipFactory(
        organisation=organisation,
        is_coordinator=True,
        ended_on=timezone.localdate() - datetime.timedelta(days=1),
    ).user
    response = client.post("/account/login/", {"login": former.email, "password": TEST_PASSWORD})
    assert response["Location"] == "/mijn-leren/"
