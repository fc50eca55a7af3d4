"""Organisation sign-in without the IdP's cooperation: the address form, refused password
logins for required domains, an IdP that does not answer, the admin's configuration rules,
the IdP's assurance as second factor (against the real IdP), and the person's data."""

import pytest
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.core.exceptions import ValidationError

from accounts import selectors as account_selectors
from accounts.services import delete_account
from identity.models import IdentityProvider
from tests.factories import TEST_PASSWORD, UserFactory
from tests.identity import idp
from tests.identity.conftest import make_oidc_provider
from tests.organisations.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db
CLOSED = "http://127.0.0.1:9"  # discard port: nothing answers


def test_unknown_domain_is_told_to_use_the_password(client, roles):
    make_oidc_provider(CLOSED, default_role=roles["default"])

    response = client.post("/account/organisatie/", {"email": "iemand@elders.test"})

    assert response.status_code == 400
    assert "Er is geen inloggen via de organisatie voor adressen die eindigen op @elders.test" in (
        response.content.decode()
    )


def test_idp_down_gives_a_clear_message_and_signs_nobody_in(client, roles):
    make_oidc_provider(CLOSED, default_role=roles["default"])

    response = client.post("/account/organisatie/", {"email": "anna@zorgwest.test"})

    assert response.status_code == 503
    assert "Zorggroep West reageert nu niet" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.subprocess
def test_the_address_leads_to_its_organisations_idp(client, oidc_idp, roles):
    make_oidc_provider(oidc_idp.issuer, default_role=roles["default"])

    url = idp.start_at_idp(client, "Anna@ZorgWest.test")

    assert url.startswith(f"{oidc_idp.issuer}/auth?")
    assert f"client_id={idp.CLIENT_ID}" in url
    assert "code_challenge=" in url  # PKCE
    # The form still posts to this site only (the page moves on, no redirect after a post).
    response = client.get("/account/organisatie/")
    assert "form-action 'self';" in response["Content-Security-Policy"]


@pytest.mark.parametrize("required", [True, False])
def test_password_login_is_refused_for_a_required_domain(client, roles, required):
    make_oidc_provider(CLOSED, default_role=roles["default"], required=required)
    UserFactory(email="bram@zorgwest.test")

    response = client.post(
        "/account/login/", {"login": "bram@zorgwest.test", "password": TEST_PASSWORD}
    )

    if required:
        assert response.status_code == 200
        assert "laat medewerkers inloggen via een eigen inlogdienst" in response.content.decode()
        assert '<a href="/account/organisatie/">Inloggen met je organisatie</a>' in (
            response.content.decode()
        )
        assert "_auth_user_id" not in client.session
    else:
        assert response.status_code == 302
        assert "_auth_user_id" in client.session


def test_password_sign_up_is_refused_for_a_required_domain(client, roles):
    make_oidc_provider(CLOSED, default_role=roles["default"], required=True)

    response = client.post(
        "/account/signup/",
        {
            "full_name": "Bram Jansen",
            "email": "bram@zorgwest.test",
            "password1": TEST_PASSWORD,
            "password2": TEST_PASSWORD,
        },
    )

    assert "laat medewerkers inloggen via een eigen inlogdienst" in response.content.decode()
    assert not account_selectors.owners_of_addresses(["bram@zorgwest.test"])


def test_password_reset_is_refused_for_a_required_domain(client, roles, mailoutbox):
    """A password of no use (login refuses it) is not offered either: the reset form says
    where to sign in and sends nothing, and a link mailed before the domain became required
    sets no password."""
    provider = make_oidc_provider(CLOSED, default_role=roles["default"], required=False)
    user = UserFactory(email="bram@zorgwest.test")
    client.post("/account/password/reset/", {"email": "bram@zorgwest.test"})
    [earlier] = mailoutbox
    link = next(word for word in earlier.body.split() if "/account/password/reset/key/" in word)
    provider.required = True
    provider.save()

    response = client.post("/account/password/reset/", {"email": "Bram@ZorgWest.test"})

    assert response.status_code == 200
    assert "laat medewerkers inloggen via een eigen inlogdienst" in response.content.decode()
    assert len(mailoutbox) == 1
    form_url = client.get(link.removeprefix("http://testserver"), follow=True)
    response = client.post(
        form_url.redirect_chain[-1][0] if form_url.redirect_chain else link,
        {"password1": "een-ander-wachtwoord-7", "password2": "een-ander-wachtwoord-7"},
    )
    assert "laat medewerkers inloggen via een eigen inlogdienst" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


def test_a_domain_belongs_to_one_idp_and_settings_are_checked(roles):
    make_oidc_provider(CLOSED, default_role=roles["default"])
    other = IdentityProvider(
        organisation=OrganisationFactory(),
        key="ander",
        name="Ander",
        protocol=IdentityProvider.Protocol.OIDC,
        email_domains="@ZorgWest.test, elders.test",
        default_role=roles["default"],
    )
    with pytest.raises(ValidationError) as error:
        other.full_clean()
    assert "Een andere inlogdienst geldt al voor zorgwest.test." in str(error.value)
    assert set(error.value.message_dict) >= {"discovery_url", "client_id", "client_secret"}


def test_the_social_app_follows_the_provider(roles):
    provider = make_oidc_provider(CLOSED, default_role=roles["default"])
    app = SocialApp.objects.get(provider_id="zorgwest")
    assert (app.provider, app.client_id, app.settings["server_url"]) == (
        "openid_connect",
        idp.CLIENT_ID,
        CLOSED,
    )
    provider.active = False
    provider.save()
    assert not SocialApp.objects.filter(provider_id="zorgwest").exists()
    provider.active = True
    provider.save()
    provider.delete()
    assert not SocialApp.objects.exists()


@pytest.mark.subprocess
@pytest.mark.parametrize("enforces_mfa", [True, False])
def test_idp_mfa_counts_as_second_factor_for_its_own_organisation_only(
    client, oidc_idp, roles, enforces_mfa
):
    provider = make_oidc_provider(
        oidc_idp.issuer, default_role=roles["default"], enforces_mfa=enforces_mfa
    )
    user = UserFactory(email="anna@zorgwest.test")
    MembershipFactory(user=user, organisation=provider.organisation, is_coordinator=True)
    other = MembershipFactory(user=user, is_coordinator=True).organisation

    idp.oidc_sign_in(client, "anna@zorgwest.test", "anna")

    own = client.get(f"/organisaties/{provider.organisation.slug}/")
    assert own.status_code == (200 if enforces_mfa else 403)
    if not enforces_mfa:
        assert own.templates[0].name == "accounts/second_factor_required.html"
    elsewhere = client.get(f"/organisaties/{other.slug}/")
    assert elsewhere.status_code == 403
    assert elsewhere.templates[0].name == "accounts/second_factor_required.html"
    # The admin never takes an organisation's word for it.
    user.is_superuser = True
    user.save()
    assert client.get("/beheer/")["Location"].startswith("/account/tweede-factor/")


@pytest.mark.subprocess
def test_linked_account_is_in_the_download_and_goes_with_the_account(client, oidc_idp, roles):
    make_oidc_provider(oidc_idp.issuer, default_role=roles["default"])
    idp.oidc_sign_in(client, "bram@zorgwest.test", "bram")
    user = SocialAccount.objects.get().user

    [linked] = account_selectors.personal_data(user)["identity"]["linked_accounts"]
    assert (linked["sign_in_service"], linked["organisation"], linked["id_at_organisation"]) == (
        "Zorggroep West",
        "Zorggroep West",
        "bram",
    )

    delete_account(user=user)
    assert not SocialAccount.objects.exists()
