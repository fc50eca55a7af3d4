import pytest

from tests.auth import sign_in_with_mfa
from tests.courses.conftest import catalogue, make_module  # noqa: F401

from .factories import MembershipFactory, OrganisationFactory


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
