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
