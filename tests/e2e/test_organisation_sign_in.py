"""Signing in with the organisation's own account, in a real browser, against a real
OpenID Connect provider (npm oidc-provider, started for the run): the person lands in the
right organisation with the claimed role; an IdP that does not answer and an address of no
organisation get a clear message."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from identity.models import IdentityProvider
from organisations.models import Membership, Organisation
from tests.e2e.conftest import assert_accessible, look_at
from tests.identity import idp
from tests.organisations.factories import OrganisationFactory, RoleFactory

pytestmark = [pytest.mark.e2e, pytest.mark.subprocess, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="session")
def live_oidc_idp(live_server, tmp_path_factory):
    reason = idp.missing_reason()
    if reason:
        idp.skip_or_fail(reason)
    server = idp.start_oidc([live_server.url], tmp_path_factory.mktemp("oidc-live"))
    yield server
    idp.stop(server.process)


@pytest.fixture(scope="session")
def live_saml_idp(live_server, tmp_path_factory):
    reason = idp.saml_missing_reason()
    if reason:
        idp.skip_or_fail(reason)
    server = idp.start_saml([live_server.url], tmp_path_factory.mktemp("saml-live"))
    yield server
    idp.stop(server.process)


def configure(discovery_url: str) -> tuple[IdentityProvider, dict]:
    roles = {
        "default": RoleFactory(name="Uitvoerend professional", slug="uitvoerend-professional"),
        "aandacht": RoleFactory(name="Aandachtsfunctionaris", slug="aandachtsfunctionaris"),
    }
    OrganisationFactory(name="Zorggroep Oost", slug="zorgoost")
    provider = IdentityProvider(
        organisation=OrganisationFactory(name="Zorggroep West", slug="zorgwest"),
        key="zorgwest",
        name="Zorggroep West",
        protocol=IdentityProvider.Protocol.OIDC,
        email_domains="zorgwest.test",
        role_claim="signaal_role",
        default_role=roles["default"],
        discovery_url=discovery_url,
        client_id=idp.CLIENT_ID,
        client_secret=idp.CLIENT_SECRET,
    )
    provider.full_clean()
    provider.save()
    return provider, roles


def to_organisation_sign_in(page) -> None:
    page.goto("/account/login/")
    page.get_by_role("link", name="Inloggen met je organisatie").click()
    page.wait_for_url(re.compile(r"/account/organisatie/$"))


def test_oidc_sign_in_lands_in_the_right_organisation(page, live_server, site, live_oidc_idp):
    provider, roles = configure(live_oidc_idp.issuer)
    page.goto("/account/login/")
    assert_accessible(page)
    look_at(page, "login-with-organisation-link")

    to_organisation_sign_in(page)
    assert_accessible(page)
    look_at(page, "organisation-sign-in")
    page.get_by_label("Je werk-e-mailadres").fill("anna@zorgwest.test")
    page.get_by_role("button", name="Verder").click()

    # The organisation's own sign-in page (oidc-provider's development login; it asks for a
    # web font that cannot load here, so wait for its document, not for 'load').
    page.wait_for_url(
        re.compile(rf"^{re.escape(live_oidc_idp.issuer)}/interaction/"),
        wait_until="domcontentloaded",
    )
    page.locator("input[name=login]").fill("anna")
    page.locator("input[name=password]").fill("wachtwoord-bij-de-organisatie")
    page.locator("button[type=submit]").click()

    page.wait_for_url(f"{live_server.url}/mijn-leren/")
    menu = page.get_by_role("navigation", name="Hoofdmenu")
    expect(menu.get_by_role("button", name="Uitloggen")).to_be_visible()
    user = User.objects.get(email="anna@zorgwest.test")
    [membership] = Membership.objects.filter(user=user)
    assert membership.organisation == provider.organisation
    assert membership.role == roles["aandacht"]
    assert page.csp_violations == []


def test_idp_down_and_unknown_domain_get_a_clear_message(page, live_server, site):
    configure("http://127.0.0.1:9")  # nothing answers there

    to_organisation_sign_in(page)
    page.get_by_label("Je werk-e-mailadres").fill("iemand@nergens.test")
    page.get_by_role("button", name="Verder").click()
    expect(page.get_by_text("Er is geen inloggen via de organisatie voor adressen")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Je werk-e-mailadres").fill("anna@zorgwest.test")
    page.get_by_role("button", name="Verder").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Je bent niet ingelogd")
    expect(page.get_by_role("alert")).to_contain_text("Zorggroep West reageert nu niet")
    assert_accessible(page)
    look_at(page, "organisation-sign-in-refused")
    assert not User.objects.filter(email="anna@zorgwest.test").exists()
    assert page.csp_violations == []


def test_a_password_reset_for_a_required_domain_points_to_the_organisation(
    page, live_server, site, mailoutbox
):
    provider, _roles = configure("http://127.0.0.1:9")
    provider.required = True
    provider.save()

    page.goto("/account/password/reset/")
    page.get_by_label(re.compile("e-?mail", re.IGNORECASE)).fill("bram@zorgwest.test")
    page.get_by_role("button", name=re.compile("wachtwoord", re.IGNORECASE)).click()

    # The address field's own error, the field marked invalid, with the way to sign in.
    field = page.get_by_role("textbox", name="E-mail")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("laat medewerkers inloggen via een eigen inlogdienst")).to_be_visible()
    assert_accessible(page)
    look_at(page, "password-reset-refused-for-idp-domain")
    page.get_by_role("main").get_by_role("link", name="Inloggen met je organisatie").click()
    page.wait_for_url(re.compile(r"/account/organisatie/$"))
    assert mailoutbox == []
    assert page.csp_violations == []


def test_saml_sign_in_lands_in_the_right_organisation(page, live_server, site, live_saml_idp):
    _west, roles = configure("http://127.0.0.1:9")
    oost = IdentityProvider(
        organisation=Organisation.objects.get(slug="zorgoost"),
        key=idp.SAML_KEY,
        name="Zorggroep Oost",
        protocol=IdentityProvider.Protocol.SAML,
        email_domains="zorgoost.test",
        role_claim="signaal_role",
        default_role=roles["default"],
        saml_entity_id=live_saml_idp.metadata_url,
        saml_metadata_url=live_saml_idp.metadata_url,
    )
    oost.full_clean()
    oost.save()

    to_organisation_sign_in(page)
    page.get_by_label("Je werk-e-mailadres").fill("eva@zorgoost.test")
    page.get_by_role("button", name="Verder").click()

    # The SAML IdP's own login page (pysaml2, tests/identity/saml_idp.py).
    page.wait_for_url(re.compile(rf"^{re.escape(live_saml_idp.base)}/sso/redirect"))
    page.get_by_label("Login").fill("eva")
    page.get_by_label("Password").fill("wachtwoord-bij-de-organisatie")
    page.get_by_role("button", name="Sign in at the IdP").click()

    # Its signed answer is posted back to our ACS (by its page's script or its button).
    page.wait_for_url(f"{live_server.url}/mijn-leren/")
    menu = page.get_by_role("navigation", name="Hoofdmenu")
    expect(menu.get_by_role("button", name="Uitloggen")).to_be_visible()
    user = User.objects.get(email="eva@zorgoost.test")
    [membership] = Membership.objects.filter(user=user)
    assert membership.organisation == oost.organisation
    assert membership.role == roles["aandacht"]
    assert page.csp_violations == []
