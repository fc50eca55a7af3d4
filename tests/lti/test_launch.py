"""Full LTI 1.3 launches over HTTP: the test LMS (tests/lti/platform.py) and Signaal's
live server, login initiation → authentication at the LMS → launch → module page; and
every launch that must be refused, with its reason."""

import time
from urllib.parse import parse_qs, urlsplit

import pytest

from accounts.models import User
from lti.models import LoginState, LtiIdentity, ResourceLaunch
from organisations.models import Membership
from tests.organisations.factories import OrganisationFactory

from .platform import LTI, new_key

pytestmark = pytest.mark.django_db(transaction=True)


def launch_claims(lms, tool_url, module, **fields):
    return lms.resource_link_claims(
        target_link_uri=f"{tool_url}/lti/launch/?module={module.pk}",
        **{"sub": "moodle-user-17", "email": "lotte@zorggroep.example.nl", **fields},
    )


def test_a_launch_signs_in_a_new_account_and_lands_on_the_module(
    browser, lms, tool_url, registered, module
):
    answer = browser.launch(launch_claims(lms, tool_url, module))

    assert answer.status_code == 302, answer.text
    assert answer.headers["Location"] == module.url
    page = browser.http.get(tool_url + module.url)
    assert page.status_code == 200
    assert module.title in page.text
    assert "Uitloggen" in page.text or "Log out" in page.text  # signed in
    # Framed by this LMS only: its origin in frame-ancestors, never '*', no DENY.
    policy = page.headers["Content-Security-Policy"]
    assert f"frame-ancestors {lms.issuer}" in policy
    assert "*" not in policy.split("frame-ancestors")[1].split(";")[0]
    assert "X-Frame-Options" not in page.headers

    identity = LtiIdentity.objects.get(issuer=lms.issuer, subject="moodle-user-17")
    user = identity.user
    assert user.email == "lotte@zorggroep.example.nl"
    assert user.full_name == "Lotte de Vries"
    assert not user.has_usable_password()
    memberships = list(Membership.objects.filter(user=user))
    assert [m.organisation for m in memberships] == [registered.organisation]
    launch = ResourceLaunch.objects.get(user=user)
    assert launch.lineitem_url == lms.lineitem_url(1)
    assert launch.module_id == module.pk


def test_a_second_launch_signs_in_the_same_account(browser, lms, tool_url, registered, module):
    browser.launch(launch_claims(lms, tool_url, module))
    again = type(browser)(tool_url, lms)  # another browser, same LMS user
    answer = again.launch(launch_claims(lms, tool_url, module))

    assert answer.status_code == 302
    assert User.objects.filter(lti_identities__subject="moodle-user-17").count() == 1
    assert Membership.objects.filter(organisation=registered.organisation).count() == 1


def test_a_page_not_launched_from_an_lms_may_not_be_framed(browser, tool_url, registered, module):
    page = browser.http.get(tool_url + module.url)
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"


def test_an_address_verified_on_signaal_is_linked_only_after_signing_in_and_consent(
    browser, lms, tool_url, registered, module
):
    from tests.factories import TEST_PASSWORD, UserFactory

    owner = UserFactory(email="lotte@zorggroep.example.nl")
    answer = browser.launch(launch_claims(lms, tool_url, module))

    assert answer.status_code == 302
    assert answer.headers["Location"] == "/lti/koppelen/"
    assert not LtiIdentity.objects.exists()  # never silently
    consent = browser.http.get(tool_url + "/lti/koppelen/")
    assert "Moodle van Zorggroep Oost" in consent.text
    assert not User.objects.filter(lti_identities__isnull=False).exists()

    # Sign in to the existing account (allauth), then confirm.
    login_page = browser.http.get(tool_url + "/account/login/?next=/lti/koppelen/")
    token = browser.http.cookies["csrftoken"]
    signed_in = browser.http.post(
        tool_url + "/account/login/?next=/lti/koppelen/",
        data={"login": owner.email, "password": TEST_PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": tool_url + "/account/login/"},
    )
    assert login_page.status_code == 200 and signed_in.status_code == 200
    token = browser.http.cookies["csrftoken"]
    linked = browser.http.post(
        tool_url + "/lti/koppelen/",
        data={"action": "link", "csrfmiddlewaretoken": token},
        headers={"Referer": tool_url + "/lti/koppelen/"},
        allow_redirects=False,
    )

    assert linked.status_code == 302 and linked.headers["Location"] == module.url
    assert LtiIdentity.objects.get(subject="moodle-user-17").user == owner
    assert User.objects.count() == 1


def test_membership_only_in_the_platforms_own_organisation(
    browser, lms, tool_url, registered, module
):
    from tests.factories import UserFactory
    from tests.organisations.factories import MembershipFactory

    elsewhere = MembershipFactory(organisation=OrganisationFactory(), user=UserFactory())
    LtiIdentity.objects.create(
        platform=registered, issuer=lms.issuer, subject="moodle-user-17", user=elsewhere.user
    )
    browser.launch(launch_claims(lms, tool_url, module))

    organisations = set(
        Membership.objects.filter(user=elsewhere.user).values_list("organisation", flat=True)
    )
    assert organisations == {elsewhere.organisation_id, registered.organisation_id}


# -- refused launches ---------------------------------------------------------------------


def login_request(browser, lms, tool_url, module) -> dict:
    """Start a login; what the tool asked the LMS (state, nonce, redirect URI)."""
    answer = browser.start_login(launch_claims(lms, tool_url, module))
    assert answer.status_code == 302
    return {k: v[0] for k, v in parse_qs(urlsplit(answer.headers["Location"]).query).items()}


def post_launch(browser, asked: dict, id_token: str):
    return browser.http.post(
        asked["redirect_uri"],
        data={"id_token": id_token, "state": asked["state"]},
        allow_redirects=False,
    )


def assert_refused(answer, reason: str, text: str, status: int = 403):
    assert answer.status_code == status, answer.text
    assert answer.headers["X-LTI-Refusal"] == reason
    assert text in answer.text
    assert not User.objects.exists()
    assert not ResourceLaunch.objects.exists()


def test_wrong_audience_is_refused(browser, lms, tool_url, registered, module):
    asked = login_request(browser, lms, tool_url, module)
    claims = launch_claims(lms, tool_url, module)
    token = lms.id_token(claims, nonce=asked["nonce"], aud="another-tool", azp="another-tool")
    assert_refused(post_launch(browser, asked, token), "audience", "client id")


def test_a_reused_launch_and_a_reused_nonce_are_refused(browser, lms, tool_url, registered, module):
    asked = login_request(browser, lms, tool_url, module)
    claims = launch_claims(lms, tool_url, module)
    token = lms.id_token(claims, nonce=asked["nonce"])
    assert post_launch(browser, asked, token).status_code == 302
    User.objects.all().delete()
    ResourceLaunch.objects.all().delete()

    # The same form post again (a replay).
    assert_refused(post_launch(browser, asked, token), "replayed", "al gebruikt")
    # A new login, but the token carries the old nonce.
    fresh = login_request(browser, lms, tool_url, module)
    replayed = lms.id_token(claims, nonce=asked["nonce"])
    assert_refused(post_launch(browser, fresh, replayed), "nonce", "nonce")


def test_an_expired_token_is_refused_and_small_clock_skew_is_not(
    browser, lms, tool_url, registered, module
):
    claims = launch_claims(lms, tool_url, module)
    asked = login_request(browser, lms, tool_url, module)
    now = int(time.time())
    old = lms.id_token(claims, nonce=asked["nonce"], iat=now - 900, exp=now - 300)
    assert_refused(post_launch(browser, asked, old), "expired", "verlopen")

    # The LMS's clock 30 seconds ahead: within the bounded skew.
    asked = login_request(browser, lms, tool_url, module)
    ahead = lms.id_token(claims, nonce=asked["nonce"], iat=now + 30, exp=now + 330)
    assert post_launch(browser, asked, ahead).status_code == 302


def test_an_unknown_deployment_is_refused(browser, lms, tool_url, registered, module):
    asked = login_request(browser, lms, tool_url, module)
    claims = launch_claims(lms, tool_url, module)
    claims[LTI + "deployment_id"] = "deployment-nobody-registered"
    token = lms.id_token(claims, nonce=asked["nonce"])
    assert_refused(post_launch(browser, asked, token), "deployment", "deployment")


def test_a_bad_signature_is_refused(browser, lms, tool_url, registered, module):
    asked = login_request(browser, lms, tool_url, module)
    claims = launch_claims(lms, tool_url, module)
    forged = lms.id_token(claims, nonce=asked["nonce"], key=new_key())  # same kid, other key
    assert_refused(post_launch(browser, asked, forged), "signature", "handtekening")


def test_an_unknown_state_and_an_unregistered_lms_are_refused(
    browser, lms, tool_url, registered, module
):
    asked = login_request(browser, lms, tool_url, module)
    token = lms.id_token(launch_claims(lms, tool_url, module), nonce=asked["nonce"])
    assert_refused(post_launch(browser, {**asked, "state": "state-made-up"}, token), "state", "")

    params = lms.login_initiation_params("someone", f"{tool_url}/lti/launch/")
    answer = browser.http.get(
        tool_url + "/lti/login/", params={**params, "client_id": "nope"}, allow_redirects=False
    )
    assert_refused(answer, "unknown_platform", "niet geregistreerd", status=400)
    assert LoginState.objects.count() == 1  # the refused initiation stored nothing


def test_a_switched_off_account_is_not_signed_in(browser, lms, tool_url, registered, module):
    from tests.factories import UserFactory

    user = UserFactory(is_active=False)
    LtiIdentity.objects.create(
        platform=registered, issuer=lms.issuer, subject="moodle-user-17", user=user
    )
    answer = browser.launch(launch_claims(lms, tool_url, module))
    assert answer.status_code == 403 and answer.headers["X-LTI-Refusal"] == "inactive"
    assert "staat uit" in answer.text
    assert not ResourceLaunch.objects.exists()
