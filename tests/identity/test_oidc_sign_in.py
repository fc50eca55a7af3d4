"""Sign-in through an organisation's OpenID Connect provider, against a real one (npm
oidc-provider in a subprocess): just-in-time membership with the claimed role, linking on a
verified address only, the IdP's own domains only, and the refusals."""

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount

from accounts.models import User
from organisations.models import AuditLogEntry, Membership
from tests.factories import UserFactory
from tests.identity import idp
from tests.identity.conftest import make_oidc_provider
from tests.organisations.factories import MembershipFactory, OrganisationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.subprocess]


@pytest.fixture
def zorgwest(oidc_idp, roles):
    return make_oidc_provider(oidc_idp.issuer, default_role=roles["default"])


def test_new_person_gets_account_and_membership_with_claimed_role(client, zorgwest, roles):
    response = idp.oidc_sign_in(client, "anna@zorgwest.test", "anna")

    assert response.status_code == 302, response.content.decode()
    user = User.objects.get(email="anna@zorgwest.test")
    assert user.full_name == "Anna de Vries"
    assert EmailAddress.objects.get(user=user).verified
    assert not user.has_usable_password()
    membership = Membership.objects.get(user=user)
    assert membership.organisation == zorgwest.organisation
    assert membership.role == roles["aandacht"]
    assert not membership.is_coordinator
    assert AuditLogEntry.objects.filter(
        organisation=zorgwest.organisation, detail__joined_through_sign_in="zorgwest"
    ).exists()
    assert int(client.session["_auth_user_id"]) == user.pk


def test_missing_role_claim_gives_default_role(client, zorgwest, roles):
    idp.oidc_sign_in(client, "bram@zorgwest.test", "bram")

    membership = Membership.objects.get(user__email="bram@zorgwest.test")
    assert membership.role == roles["default"]


def test_existing_account_with_verified_address_is_linked_and_keeps_membership(
    client, zorgwest, roles
):
    user = UserFactory(email="anna@zorgwest.test")
    elsewhere = MembershipFactory(user=user, organisation=OrganisationFactory())
    existing = MembershipFactory(
        user=user, organisation=zorgwest.organisation, role=roles["default"], is_coordinator=True
    )

    response = idp.oidc_sign_in(client, "anna@zorgwest.test", "anna")

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk
    assert SocialAccount.objects.get(user=user).provider == "zorgwest"
    # The coordinator's decisions stand; no second membership, none elsewhere touched.
    assert list(Membership.objects.filter(user=user).order_by("pk")) == [elsewhere, existing]
    existing.refresh_from_db()
    assert existing.role == roles["default"] and existing.is_coordinator
    user.refresh_from_db()
    assert user.has_usable_password()


def test_unverified_address_at_idp_is_refused(client, zorgwest):
    UserFactory(email="carla@zorgwest.test")

    response = idp.oidc_sign_in(client, "carla@zorgwest.test", "carla")

    assert response.status_code == 403
    assert b"bevestigde niet dat je e-mailadres geverifieerd is" in response.content
    assert "_auth_user_id" not in client.session
    assert not SocialAccount.objects.exists()


def test_idp_asserting_another_domain_is_refused(client, zorgwest, roles):
    # Zorggroep Oost's person has an account; Zorggroep West's IdP claims their address.
    victim = UserFactory(email="dirk@zorgoost.test")

    response = idp.oidc_sign_in(client, "bram@zorgwest.test", "dirk")

    assert response.status_code == 403
    assert b"mag alleen adressen van zorgwest.test inloggen" in response.content
    assert "_auth_user_id" not in client.session
    assert not SocialAccount.objects.filter(user=victim).exists()
    assert not Membership.objects.filter(user=victim).exists()


def test_wrong_audience_is_refused_with_clear_message(client, oidc_idp, roles):
    make_oidc_provider(
        oidc_idp.issuer,
        key="zorgwest-wrong",
        default_role=roles["default"],
        client_id=idp.WRONG_AUDIENCE_CLIENT_ID,
    )

    response = idp.oidc_sign_in(client, "anna@zorgwest.test", "anna")

    assert response.status_code == 403
    assert b"verkeerde audience" in response.content
    assert not User.objects.filter(email="anna@zorgwest.test").exists()


def test_idp_down_between_its_login_and_our_callback(client, roles, tmp_path):
    # An IdP of its own, stopped after the person signed in there and before we redeem the
    # code: the token request fails, and the person is told so.
    reason = idp.missing_reason()
    if reason:
        idp.skip_or_fail(reason)
    server = idp.start_oidc(["http://testserver"], tmp_path)
    try:
        make_oidc_provider(server.issuer, default_role=roles["default"])
        back = idp.through_idp(
            idp.start_at_idp(client, "anna@zorgwest.test"), "anna", until="http://testserver/"
        )
    finally:
        idp.stop(server.process)

    response = client.get(back.removeprefix("http://testserver"))

    assert response.status_code == 503
    assert "Zorggroep West reageert nu niet" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(email="anna@zorgwest.test").exists()
