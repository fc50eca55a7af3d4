"""Sign-in through an organisation's SAML 2.0 IdP, against a real one (pysaml2 in a
subprocess, signing with xmlsec1): just-in-time membership with the role attribute, and no
sign-in without a verified address."""

import pytest
from allauth.socialaccount.models import SocialAccount

from accounts.models import User
from organisations.models import Membership
from tests.factories import UserFactory
from tests.identity import idp
from tests.identity.conftest import make_saml_provider

pytestmark = [pytest.mark.django_db, pytest.mark.subprocess]


def test_saml_sign_in_creates_account_and_membership_with_role(client, saml_idp, roles):
    provider = make_saml_provider(saml_idp.metadata_url, default_role=roles["default"])

    response = idp.saml_sign_in(client, "eva@zorgoost.test", "eva")

    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(email="eva@zorgoost.test")
    assert user.full_name == "Eva Mulder"
    assert int(client.session["_auth_user_id"]) == user.pk
    [membership] = Membership.objects.filter(user=user)
    assert (membership.organisation, membership.role) == (provider.organisation, roles["aandacht"])
    assert SocialAccount.objects.get(user=user).provider == idp.SAML_KEY


def test_saml_metadata_xml_instead_of_url(client, saml_idp, roles):
    import requests

    xml = requests.get(saml_idp.metadata_url, timeout=5).text
    make_saml_provider(
        saml_idp.metadata_url,
        default_role=roles["default"],
        saml_metadata_url="",
        saml_metadata_xml=xml,
    )

    response = idp.saml_sign_in(client, "eva@zorgoost.test", "eva")

    assert response.status_code == 302
    assert Membership.objects.filter(user__email="eva@zorgoost.test").exists()


def test_saml_without_verified_address_is_refused(client, saml_idp, roles):
    make_saml_provider(saml_idp.metadata_url, default_role=roles["default"])
    UserFactory(email="frits@zorgoost.test")

    response = idp.saml_sign_in(client, "frits@zorgoost.test", "frits")

    assert response.status_code == 403
    assert b"bevestigde niet dat je e-mailadres geverifieerd is" in response.content
    assert "_auth_user_id" not in client.session
    assert not SocialAccount.objects.exists()
