import pytest

from tests.factories import UserFactory
from tests.organisations.factories import MembershipFactory, OrganisationFactory


@pytest.fixture
def coordinator_with_totp(db):
    """A coordinator whose account has an authenticator app (TOTP) and recovery codes."""
    from tests.auth import give_totp

    membership = MembershipFactory(
        organisation=OrganisationFactory(name="Veilig Thuis Aanvalsregio"), is_coordinator=True
    )
    give_totp(membership.user)
    return membership


@pytest.fixture
def learner(db):
    return UserFactory()
