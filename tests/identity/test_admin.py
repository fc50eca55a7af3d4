"""Platform administrators configure organisation sign-in in the admin; nobody else sees it."""

import pytest
from allauth.socialaccount.models import SocialApp
from django.contrib.auth.models import Group, Permission

from identity.models import IdentityProvider
from tests.auth import sign_in_with_mfa
from tests.factories import UserFactory
from tests.organisations.factories import OrganisationFactory

pytestmark = pytest.mark.django_db
ADD = "/beheer/organisatie-inloggen/new/"


def form(organisation, role, **fields):
    return {
        "organisation": organisation.pk,
        "name": "Zorggroep West",
        "key": "zorgwest",
        "protocol": "openid_connect",
        "active": "on",
        "email_domains": "zorgwest.test",
        "role_claim": "signaal_role",
        "default_role": role.pk,
        "discovery_url": "https://login.example.test/tenant/v2.0",
        "client_id": "signaal",
        "client_secret": "geheim",
        "saml_entity_id": "",
        "saml_metadata_url": "",
        "saml_metadata_xml": "",
        **fields,
    }


def test_administrator_adds_an_idp_and_its_social_app_follows(client, roles):
    organisation = OrganisationFactory()
    sign_in_with_mfa(client, UserFactory(is_superuser=True))

    response = client.post(ADD, form(organisation, roles["default"], required="on"))

    assert response.status_code == 302, response.content.decode()[:3000]
    provider = IdentityProvider.objects.get()
    assert (provider.organisation, provider.required, provider.enforces_mfa) == (
        organisation,
        True,
        False,
    )
    app = SocialApp.objects.get(provider_id="zorgwest")
    assert app.settings["server_url"] == "https://login.example.test/tenant/v2.0"


def test_bad_settings_change_nothing(client, roles):
    organisation = OrganisationFactory()
    sign_in_with_mfa(client, UserFactory(is_superuser=True))

    response = client.post(
        ADD, form(organisation, roles["default"], protocol="saml", saml_metadata_xml="<nee/>")
    )

    assert response.status_code == 200
    assert "Nodig voor SAML." in response.content.decode()
    assert not IdentityProvider.objects.exists()
    assert not SocialApp.objects.exists()


def test_editors_and_coordinators_do_not_see_it(client):
    editor = UserFactory()
    editors = Group.objects.create(name="Redactie (test)")
    editors.permissions.add(Permission.objects.get(codename="access_admin"))
    editor.groups.add(editors)
    sign_in_with_mfa(client, editor)

    assert client.get("/beheer/organisatie-inloggen/").status_code in (302, 403)
    assert client.get(ADD).status_code in (302, 403)
    assert "organisatie-inloggen" not in client.get("/beheer/").content.decode()
