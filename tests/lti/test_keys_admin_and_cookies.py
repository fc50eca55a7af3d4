"""The tool's keys (JWKS, rotation), registering an LMS in the Wagtail admin, and what a
launch does with cookies and framing: SameSite=None; Secure for a launched session on
HTTPS, and the new-window page when the browser kept no cookie in the LMS's iframe."""

import re

import jwt
import pytest
import requests
from django.core.management import call_command
from django.urls import reverse

from lti.keys import jwks, signing_key
from lti.models import LoginState, Platform, RosterSync, ToolKey
from tests.auth import sign_in_with_mfa
from tests.factories import UserFactory
from tests.organisations.factories import OrganisationFactory, RoleFactory

from .conftest import assert_an_lms_dialog, register
from .platform import form_fields, new_login_hint
from .test_launch import launch_claims

pytestmark = pytest.mark.django_db

TOOL = "https://testserver"


def test_the_jwks_publishes_every_active_key_and_the_newest_signs(client):
    first = signing_key()
    call_command("rotate_lti_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115
    newest = signing_key()

    assert newest != first
    published = client.get("/lti/jwks.json").json()["keys"]
    assert {key["kid"] for key in published} == {first.kid, newest.kid}
    assert all(key["alg"] == "RS256" and key["use"] == "sig" for key in published)
    assert all("d" not in key for key in published)  # never the private part

    # What the newest key signs verifies against the published set.
    token = jwt.encode({"x": 1}, newest.private_key, algorithm="RS256", headers={"kid": newest.kid})
    key = jwt.PyJWKSet.from_dict({"keys": published})[newest.kid]
    assert jwt.decode(token, key.key, algorithms=["RS256"]) == {"x": 1}

    ToolKey.objects.filter(pk=first.pk).update(created_at=first.created_at.replace(year=2020))
    call_command("rotate_lti_keys", retire_older_than=30, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert first.kid not in {key["kid"] for key in jwks()["keys"]}


def test_the_admin_form_names_the_issuer_as_lmss_do(client, home_page):
    """The project's catalogue has "issuer" as a certificate's (uitgever) and comes first;
    the LMS form keeps the word the LMS shows."""
    sign_in_with_mfa(client, UserFactory(is_superuser=True))
    page = client.get(reverse("lti_platforms:add")).content.decode()
    assert re.search(r'<label[^>]*for="id_issuer"[^>]*>\s*Issuer\b', page), page[:3000]
    assert "Uitgever" not in page


def test_an_administrator_registers_an_lms_in_the_admin(client, home_page):
    sign_in_with_mfa(client, UserFactory(is_superuser=True))
    organisation, role = OrganisationFactory(), RoleFactory()
    form = {
        "name": "Canvas van de GGD",
        "organisation": organisation.pk,
        "member_role": role.pk,
        "issuer": "https://canvas.instructure.com",
        "client_id": "10000000000042",
        "deployment_ids": "12:8865aa05b4b79b64a91a86042e43af5ea8ae79eb\n13:abc",
        "auth_login_url": "https://sso.canvaslms.com/api/lti/authorize_redirect",
        "auth_token_url": "https://sso.canvaslms.com/login/oauth2/token",
        "auth_audience": "",
        "jwks_url": "https://sso.canvaslms.com/api/lti/security/jwks",
        "frame_origins": "https://ggd.instructure.com",
        "is_active": "on",
    }
    assert client.get(reverse("lti_platforms:index")).status_code == 200
    answer = client.post(reverse("lti_platforms:add"), form)

    assert answer.status_code == 302, answer.content.decode()[:2000]
    platform = Platform.objects.get()
    assert platform.organisation == organisation
    assert platform.deployment_id_list() == [
        "12:8865aa05b4b79b64a91a86042e43af5ea8ae79eb",
        "13:abc",
    ]
    assert platform.embedding_origins() == [
        "https://canvas.instructure.com",
        "https://ggd.instructure.com",
        "https://sso.canvaslms.com",
    ]

    bad = client.post(
        reverse("lti_platforms:add"),
        {**form, "client_id": "other", "frame_origins": "*", "deployment_ids": " "},
    )
    assert bad.status_code == 200
    assert Platform.objects.count() == 1


def test_member_sync_is_switched_on_per_lms_and_its_lists_are_read_only(client, home_page):
    sign_in_with_mfa(client, UserFactory(is_superuser=True))
    form = client.get(reverse("lti_platforms:add")).content.decode()
    assert "Cursusdeelnemers in de organisatie opnemen" in form
    (checkbox,) = re.findall(r'<input[^>]*name="sync_members"[^>]*>', form)
    assert "checked" not in checkbox  # off by default
    platform = Platform.objects.create(
        name="Moodle VT Utrecht",
        organisation=OrganisationFactory(),
        member_role=RoleFactory(),
        issuer="https://moodle.example.nl",
        client_id="c",
        auth_login_url="https://moodle.example.nl/auth",
        auth_token_url="https://moodle.example.nl/token",
        jwks_url="https://moodle.example.nl/jwks",
        deployment_ids="d",
    )
    assert platform.sync_members is False
    sync = RosterSync.objects.create(
        platform=platform,
        memberships_url="https://moodle.example.nl/CourseSection/7/memberships",
        context_title="Verplichte scholing 2026",
        status="done",
        counts={"added": 3, "already_members": 1, "not_on_signaal": 12, "left_course": 2},
    )

    listing = client.get(reverse("lti_roster_syncs:index"))
    assert listing.status_code == 200
    assert "Verplichte scholing 2026" in listing.content.decode()
    assert client.get(reverse("lti_roster_syncs:inspect", args=[sync.pk])).status_code == 200
    edit = client.get(reverse("lti_roster_syncs:edit", args=[sync.pk]))
    assert edit.status_code in {302, 403}


def test_an_editor_cannot_see_the_lms_registrations(client, home_page):
    sign_in_with_mfa(client, UserFactory())
    client.get("/beheer/")
    assert client.get(reverse("lti_platforms:index")).status_code in {302, 403}


def start(client, lms, module) -> tuple[dict, requests.Response]:
    claims = launch_claims(lms, TOOL, module)
    hint = new_login_hint()
    lms.launches[hint] = claims
    answer = client.get(
        "/lti/login/",
        lms.login_initiation_params(hint, claims[launch_target()]),
        secure=True,
    )
    assert answer.status_code == 302
    return answer, requests.get(answer["Location"], timeout=10)


def launch_target() -> str:
    return "https://purl.imsglobal.org/spec/lti/claim/target_link_uri"


def test_on_https_a_launched_session_keeps_its_cookies_in_the_lms_iframe(client, lms, module):
    platform = register(lms, TOOL)
    login, auth_page = start(client, lms, module)
    state_cookie = next(c for c in login.cookies.values() if c.key.startswith("lti_state_"))
    assert state_cookie["samesite"] == "None" and state_cookie["secure"]
    assert f"frame-ancestors {lms.issuer}" in login["Content-Security-Policy"]

    _, fields = form_fields(auth_page.text)
    answer = client.post("/lti/launch/", fields, secure=True)

    assert answer.status_code == 302
    session = answer.cookies["sessionid"]
    assert session["samesite"] == "None" and session["secure"] and session["httponly"]
    page = client.get(answer["Location"], secure=True)
    assert page.status_code == 200
    assert f"frame-ancestors {lms.issuer}" in page["Content-Security-Policy"]
    if "csrftoken" in page.cookies:
        assert page.cookies["csrftoken"]["samesite"] == "None"
    assert platform.pk == client.session["lti_platform_id"]


def test_without_the_state_cookie_the_launch_offers_a_new_window(client, lms, module):
    register(lms, TOOL)
    _, auth_page = start(client, lms, module)
    client.cookies.clear()  # the browser kept nothing in the iframe

    _, fields = form_fields(auth_page.text)
    answer = client.post("/lti/launch/", fields, secure=True)

    assert answer.status_code == 200
    page = answer.content.decode()
    assert 'target="_blank"' in page and "/lti/login/?iss=" in page
    assert "nieuw venster" in page
    assert_an_lms_dialog(page)
    assert "_auth_user_id" not in client.session
    # The new window starts a fresh login; this state was not used up.
    assert LoginState.objects.get().used_at is None
