"""The admin's LRS connections (Organisaties → LRS connections): platform administrators
configure them; the secret is never shown back; the listing says how delivery goes;
editors see nothing."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from tests.auth import sign_in_with_mfa
from tests.factories import UserFactory
from xapi.models import LrsConfig, Statement

pytestmark = pytest.mark.django_db

SECRET = "zeer-geheim-wachtwoord-9876"


@pytest.fixture
def admin_client(client, home_page):
    sign_in_with_mfa(client, UserFactory(is_superuser=True))
    return client


def form(organisation, **changes) -> dict:
    return {
        "organisation": organisation.pk,
        "enabled": "on",
        "endpoint": "https://lrs.example.nl/xAPI/",
        "key": "signaal",
        "secret": SECRET,
        "version": "1.0.3",
        "actor": "pseudonym",
        "account_home_page": "",
    } | changes


def test_an_administrator_connects_an_lrs_and_never_sees_the_secret_again(
    admin_client, organisation
):
    response = admin_client.post(reverse("xapi_lrs:add"), form(organisation))
    assert response.status_code == 302, response.content.decode()[:3000]
    config = LrsConfig.objects.get(organisation=organisation)
    assert config.secret == SECRET and config.sends

    edit = admin_client.get(reverse("xapi_lrs:edit", args=[config.pk])).content.decode()
    assert SECRET not in edit
    assert "••••••76" in edit  # the last two characters, to recognise it

    # Saved without typing it again: the stored secret stays.
    response = admin_client.post(
        reverse("xapi_lrs:edit", args=[config.pk]), form(organisation, secret="", key="nieuw")
    )
    assert response.status_code == 302
    config.refresh_from_db()
    assert config.secret == SECRET and config.key == "nieuw"

    listing = admin_client.get(reverse("xapi_lrs:index")).content.decode()
    assert SECRET not in listing
    assert "0 afgeleverd, 0 wachtend, 0 geweigerd" in listing  # the admin speaks Dutch


def test_the_listing_shows_waiting_statements_and_the_last_error(
    admin_client, organisation, learner
):
    LrsConfig.objects.create(
        organisation=organisation,
        enabled=True,
        endpoint="https://lrs.example.nl/xAPI/",
        key="k",
        secret="s",
    )
    now = timezone.now()
    for n in range(3):
        Statement.objects.create(
            organisation=organisation,
            user=learner,
            verb="answered",
            payload={"n": n},
            timestamp=now,
            next_attempt_at=now,
            attempts=1,
            last_error="HTTP 503",
        )
    listing = admin_client.get(reverse("xapi_lrs:index")).content.decode()
    assert "0 afgeleverd, 3 wachtend, 0 geweigerd" in listing
    assert "HTTP 503" in listing


def test_an_lrs_needs_credentials_and_an_account_a_home_page(admin_client, organisation):
    response = admin_client.post(
        reverse("xapi_lrs:add"), form(organisation, secret="", actor="account")
    )
    assert response.status_code == 200
    assert not LrsConfig.objects.exists()
    page = response.content.decode()
    assert "Een LRS-adres heeft een sleutel en een geheim nodig." in page
    assert "Geef de homepage van de identity provider op" in page


def test_editors_see_no_lrs_connections(client, home_page):
    editor = UserFactory()
    editor.groups.add(Group.objects.get(name="Editors"))
    sign_in_with_mfa(client, editor)
    response = client.get(reverse("xapi_lrs:index"))
    assert response.status_code in (302, 403)
