import time

import pytest

from tests.courses.conftest import catalogue, make_module  # noqa: F401

from .factories import MembershipFactory, OrganisationFactory


def sign_in_with_mfa(client, user) -> None:
    """Log the client in as allauth does after a password and an authenticator code: the
    coordinator area asks for the 'mfa' step in the session."""
    client.force_login(user)
    session = client.session
    now = time.time()
    session["account_authentication_methods"] = [
        {"method": "password", "at": now, "email": user.email},
        {"method": "mfa", "at": now, "type": "totp"},
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


@pytest.fixture
def organisation(db):
    return OrganisationFactory()


@pytest.fixture
def coordinator(organisation):
    return MembershipFactory(organisation=organisation, is_coordinator=True).user


@pytest.fixture
def coordinator_client(client, coordinator):
    sign_in_with_mfa(client, coordinator)
    return client


@pytest.fixture
def modules(catalogue):  # noqa: F811
    return [
        make_module(catalogue, "Rode vlaggen", lessons=1),
        make_module(catalogue, "Meldcode", lessons=1),
    ]
