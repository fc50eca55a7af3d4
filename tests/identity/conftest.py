import pytest

from identity.models import IdentityProvider
from tests.identity import idp
from tests.organisations.factories import OrganisationFactory, RoleFactory


@pytest.fixture(scope="session")
def oidc_idp(tmp_path_factory):
    """A real OpenID Connect provider for the whole run; it knows our callbacks on the test
    client's host (testserver)."""
    reason = idp.missing_reason()
    if reason:
        idp.skip_or_fail(reason)
    server = idp.start_oidc(["http://testserver"], tmp_path_factory.mktemp("oidc"))
    yield server
    idp.stop(server.process)


@pytest.fixture
def roles(db):
    return {
        "default": RoleFactory(name="Uitvoerend professional", slug="uitvoerend-professional"),
        "aandacht": RoleFactory(name="Aandachtsfunctionaris", slug="aandachtsfunctionaris"),
    }


def make_oidc_provider(issuer: str, *, organisation=None, key="zorgwest", **fields):
    organisation = organisation or OrganisationFactory(name="Zorggroep West", slug="zorgwest")
    values = {
        "name": "Zorggroep West",
        "protocol": IdentityProvider.Protocol.OIDC,
        "email_domains": "zorgwest.test",
        "role_claim": "signaal_role",
        "discovery_url": issuer,
        "client_id": idp.CLIENT_ID,
        "client_secret": idp.CLIENT_SECRET,
        **fields,
    }
    provider = IdentityProvider(organisation=organisation, key=key, **values)
    provider.full_clean()
    provider.save()
    return provider


@pytest.fixture(scope="session")
def saml_idp(tmp_path_factory):
    """A real SAML 2.0 IdP (pysaml2) for the whole run, knowing our SP on testserver."""
    reason = idp.saml_missing_reason()
    if reason:
        idp.skip_or_fail(reason)
    server = idp.start_saml(["http://testserver"], tmp_path_factory.mktemp("saml"))
    yield server
    idp.stop(server.process)


def make_saml_provider(metadata_url: str, *, default_role, **fields):
    values = {
        "name": "Zorggroep Oost",
        "protocol": IdentityProvider.Protocol.SAML,
        "email_domains": "zorgoost.test",
        "role_claim": "signaal_role",
        "saml_entity_id": metadata_url,
        "saml_metadata_url": metadata_url,
        **fields,
    }
    provider = IdentityProvider(
        organisation=OrganisationFactory(name="Zorggroep Oost", slug="zorgoost"),
        key=idp.SAML_KEY,
        default_role=default_role,
        **values,
    )
    provider.full_clean()
    provider.save()
    return provider
