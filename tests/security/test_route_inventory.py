"""The route inventory: every URL pattern the project serves (Django's resolver, Wagtail's
and allauth's included routes too) is classified, and each class is walked as the people
who may not use it. A new route that is not classified fails `test_every_route_is_classified`.

Classes:
- PUBLIC: anyone, signed in or not (pages, search, certificate verification, the
  invitation link whose token is the secret).
- MACHINE: read by other systems (health check, Open Badges keys, issuer and status lists,
  the verification API).
- ENTRANCE: allauth's own sign-in, sign-up, reset and verification steps: the one way in.
- LEARNER: a signed-in person's own things; anonymous visitors go to the login.
- COORDINATOR: /organisaties/<slug>/...: that organisation's coordinators (and platform
  administrators) with a recent second factor; everyone else a 404 or the second-factor page.
- ADMIN: everything under /beheer/: people with admin access and a recent second factor.
- SIDE_DOOR: other login-like and password-reset views (Wagtail's): they send to allauth or
  answer 404, and never sign anyone in or send mail.
"""

import re
import time

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from certificates import keys
from organisations.models import ExportJob, ExportStatus, Invitation
from tests.auth import sign_in_with_mfa
from tests.courses.conftest import catalogue, make_module  # noqa: F401
from tests.factories import TEST_PASSWORD, CertificateFactory, UserFactory
from tests.organisations.factories import MembershipFactory, OrganisationFactory

PUBLIC, MACHINE, ENTRANCE, LEARNER, COORDINATOR, ADMIN, SIDE_DOOR = (
    "public",
    "machine",
    "entrance",
    "learner",
    "coordinator",
    "admin",
    "side door",
)

# Routes outside /beheer/, by URL name (or by pattern where a route has no name).
CLASSES = {
    # Public pages and lookups
    "wagtail_serve": PUBLIC,
    "search": PUBLIC,
    "safe_use": PUBLIC,
    "set_language": PUBLIC,
    "certificate_verify_form": PUBLIC,
    "certificate_verify": PUBLIC,
    "wagtaildocs_serve": PUBLIC,
    "wagtaildocs_authenticate_with_password": PUBLIC,
    "wagtailcore_authenticate_with_password": PUBLIC,
    "organisations:accept_invitation": PUBLIC,
    # An inspector checks a compliance statement by its code (the code is the secret).
    "organisations:verify_statement": PUBLIC,
    "organisations:statement_jws": PUBLIC,
    # A learner's registration numbers in professional registers
    "registration_numbers": LEARNER,
    # LTI and SCORM: an LMS's launches and its learners' windows (lti); each checks its
    # own proof (signed id_token, signed link or chooser token, package key).
    "lti:login": PUBLIC,
    "lti:launch": PUBLIC,
    "lti:link_account": PUBLIC,
    "lti:deep_link_response": PUBLIC,
    "lti:register": PUBLIC,
    "lti:scorm_start": PUBLIC,
    "lti:scorm_status": PUBLIC,
    "lti:jwks": MACHINE,
    "lti:scorm_download": LEARNER,  # platform administrators only (403 for others)
    # Other systems
    "healthz": MACHINE,
    "security_txt": MACHINE,
    "open_badges_issuer": MACHINE,
    "open_badges_key": MACHINE,
    "open_badges_status_list": MACHINE,
    "certificate_verify_api": MACHINE,
    "open_badges_legacy_status_list": MACHINE,
    "open_badges_public_key": MACHINE,
    "open_badges_image": MACHINE,
    "open_badges_module_image": MACHINE,
    # allauth's way in
    "account_login": ENTRANCE,
    "account_logout": ENTRANCE,
    "account_signup": ENTRANCE,
    "account_inactive": ENTRANCE,
    "account_reset_password": ENTRANCE,
    "account_reset_password_done": ENTRANCE,
    "account_reset_password_from_key": ENTRANCE,
    "account_reset_password_from_key_done": ENTRANCE,
    "account_confirm_email": ENTRANCE,
    "account_email_verification_sent": ENTRANCE,
    "account_confirm_login_code": ENTRANCE,
    "mfa_authenticate": ENTRANCE,
    # ... and through an organisation's identity provider (identity, allauth's socialaccount)
    "identity_sign_in": ENTRANCE,
    "openid_connect_login": ENTRANCE,
    "openid_connect_callback": ENTRANCE,
    "identity_oidc_callback": ENTRANCE,
    "socialaccount_login_cancelled": ENTRANCE,
    "socialaccount_login_error": ENTRANCE,
    "socialaccount_signup": ENTRANCE,
    "saml_login": ENTRANCE,
    "saml_acs": ENTRANCE,
    "saml_finish_acs": ENTRANCE,
    "saml_sls": ENTRANCE,
    "saml_metadata": ENTRANCE,
    # A signed-in person's own things
    "my_learning": LEARNER,
    "my_certificates": LEARNER,
    "certificate_pdf": LEARNER,
    "certificate_open_badge": LEARNER,
    "certificate_baked_badge": LEARNER,
    "my_data": LEARNER,
    "my_data_download": LEARNER,
    "my_data_readable": LEARNER,
    "delete_account": LEARNER,
    "organisations:index": LEARNER,
    "second_factor_required": LEARNER,
    "account_email": LEARNER,
    "account_change_password": LEARNER,
    "account_set_password": LEARNER,
    "account_reauthenticate": LEARNER,
    "account_request_reauthentication_code": LEARNER,
    "account_confirm_reauthentication_code": LEARNER,
    "mfa_index": LEARNER,
    "mfa_reauthenticate": LEARNER,
    "mfa_activate_totp": LEARNER,
    "mfa_deactivate_totp": LEARNER,
    "mfa_view_recovery_codes": LEARNER,
    "mfa_generate_recovery_codes": LEARNER,
    "mfa_download_recovery_codes": LEARNER,
    "socialaccount_connections": LEARNER,
    # Other login-like views
    "wagtailcore_login": SIDE_DOOR,
    "wagtailcore_login_redirect": SIDE_DOOR,
}
COORDINATOR_PREFIX = "organisaties/<slug:slug>/"
ADMIN_PREFIX = "beheer/"
# Under /beheer/ but not admin pages: the icon sprite and the script translations, the
# same for everyone; and leaving.
ADMIN_OTHER = {
    "wagtailadmin_sprite": PUBLIC,
    "wagtailadmin_javascript_catalog": PUBLIC,
    "wagtailadmin_logout": ENTRANCE,
}
ADMIN_SIDE_DOORS = {
    "wagtailadmin_login",
    "wagtailadmin_login_redirect",
    "wagtailadmin_password_reset",
    "wagtailadmin_password_reset_redirect",
    "wagtailadmin_password_reset_done",
    "wagtailadmin_password_reset_confirm",
    "wagtailadmin_password_reset_complete",
}
# Unnamed routes, by pattern.
UNNAMED = {
    r"^beheer/password_reset/.+$": SIDE_DOOR,
    # allauth's old addresses of its social account pages: permanent redirects to the new.
    "account/social/login/cancelled/": ENTRANCE,
    "account/social/login/error/": ENTRANCE,
    "account/social/signup/": ENTRANCE,
    "account/social/connections/": ENTRANCE,
}


def all_routes():
    """(pattern as text, name with namespace) for every route the resolver serves."""

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner or "")
            else:
                assert isinstance(pattern, URLPattern)
                name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
                yield prefix + str(pattern.pattern), name

    return list(walk(get_resolver().url_patterns, "", ""))


def classify(route: str, name: str | None) -> str | None:
    if name in ADMIN_SIDE_DOORS:
        return SIDE_DOOR
    if name in ADMIN_OTHER:
        return ADMIN_OTHER[name]
    if route in UNNAMED:
        return UNNAMED[route]
    if route.startswith(ADMIN_PREFIX):
        return ADMIN
    if route.startswith(COORDINATOR_PREFIX):
        return COORDINATOR
    return CLASSES.get(name)


def test_every_route_is_classified():
    unclassified = [(route, name) for route, name in all_routes() if classify(route, name) is None]
    assert unclassified == [], (
        "Classify these routes in tests/security/test_route_inventory.py: public, machine, "
        "entrance, learner, coordinator, admin or side door."
    )


def test_the_inventory_names_no_route_that_is_gone():
    names = {name for _route, name in all_routes()}
    assert set(CLASSES) - names == set()
    assert ADMIN_SIDE_DOORS - names == set()
    assert set(ADMIN_OTHER) - names == set()


# --- Making a path of each route ----------------------------------------------------------

# Regular-expression routes, by pattern: an example path.
REGEX_EXAMPLES = {
    r"^beheer/password_reset/.+$": "/beheer/password_reset/done/",
    r"documenten/^(\d+)/(.*)$": "/documenten/999/geheim.pdf",
    r"account/^confirm-email/(?P<key>[-:\w]+)/$": "/account/confirm-email/onbekend-1/",
    r"account/^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$": (
        "/account/password/reset/key/1-onbekend/"
    ),
    r"^((?:[\w\-]+/)*)$": "/",
    # No sign-in service with this key: 404.
    "account/oidc/^(?P<provider_id>[^/]+)/login/": "/account/oidc/onbekend/login/",
    "account/oidc/^(?P<provider_id>[^/]+)/login/callback/": (
        "/account/oidc/onbekend/login/callback/"
    ),
    **{
        f"account/^saml/(?P<organization_slug>[^/]+)/{step}/": f"/account/saml/onbekend/{step}/"
        for step in ("acs", "acs/finish", "sls", "metadata", "login")
    },
}
CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def path_of(route: str, values: dict) -> str:
    if route in REGEX_EXAMPLES:
        return REGEX_EXAMPLES[route]
    if route.startswith(ADMIN_PREFIX) and "^" in route:
        # Wagtail's admin API and revision comparison: a matching example.
        route = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route)
        route = route.replace("^", "").replace("$", "").replace("\\", "")
        if ".*" in route:
            return "/" + ADMIN_PREFIX + "onbekend/"
    assert "^" not in route, f"add an example path for {route!r} to REGEX_EXAMPLES"

    def value(match):
        kind, name = match.group(1) or "str", match.group(2)
        if name in values:
            return str(values[name])
        return "1" if kind == "int" else "x"

    return "/" + CONVERTER.sub(value, route)


# --- The people who try them --------------------------------------------------------------


@pytest.fixture
def world(db, catalogue):  # noqa: F811
    """Two organisations, each with a coordinator; a learner with a certificate; a platform
    administrator. Everyone has an authenticator app enrolled where their role needs one."""
    organisation = OrganisationFactory(name="Veilig Thuis Doel")
    other = OrganisationFactory(name="Veilig Thuis Buur")
    member = MembershipFactory(organisation=organisation)
    coordinator = MembershipFactory(organisation=organisation, is_coordinator=True)
    other_coordinator = MembershipFactory(organisation=other, is_coordinator=True)
    job = ExportJob.objects.create(
        organisation=organisation,
        requested_by=coordinator.user,
        format="csv",
        status=ExportStatus.DONE,
    )
    job.file.save("mensen.csv", ContentFile(b"naam;status\n"))
    invitation = Invitation.objects.create(
        organisation=organisation,
        email="genodigde@doel.nl",
        role=member.role,
        expires_at=timezone.now() + timezone.timedelta(days=14),
    )
    module = make_module(catalogue, "Rode vlaggen", lessons=1)
    certificate = CertificateFactory(user=member.user, module=module)
    return {
        "organisation": organisation,
        "member": member,
        "coordinator": coordinator,
        "other_coordinator": other_coordinator,
        "admin": UserFactory(is_superuser=True),
        "values": {
            "slug": organisation.slug,
            "membership_id": member.pk,
            "job_id": job.pk,
            "invitation_id": invitation.pk,
            "fmt": "csv",
            "token": invitation.token,
            "code": certificate.code,
            "number": 1,
            "kid": keys.key_id(),
            "module_id": module.pk,
            "key": "no-such-package",
            "package_id": 1,
        },
    }


def routes_of(kind: str) -> list[tuple[str, str | None]]:
    return [(route, name) for route, name in all_routes() if classify(route, name) == kind]


def password_only(client, user) -> None:
    """Signed in with a password and no second factor."""
    client.force_login(user)
    session = client.session
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "email": user.email}
    ]
    session.save()


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/account/login/")


def leads_to_login(client, response) -> bool:
    """A redirect to allauth's login, directly or through Wagtail's /beheer/login/ (its
    catch-all view names that URL; it redirects to allauth's)."""
    if response.status_code == 302 and response["Location"].startswith("/beheer/login/"):
        response = client.get(response["Location"])
    return is_login_redirect(response)


def as_actor(client, world, actor: str) -> None:
    client.logout()
    if actor == "anonymous":
        return
    users = {
        "learner": world["member"].user,
        "coordinator": world["coordinator"].user,
        "other coordinator": world["other_coordinator"].user,
        "administrator": world["admin"],
    }
    role, _, how = actor.partition(" with ")
    user = users[role]
    if how == "second factor":
        sign_in_with_mfa(client, user)
    else:
        password_only(client, user)


# What an anonymous visitor gets from each example path.
PUBLIC_ANONYMOUS = {
    "wagtail_serve": 200,
    "search": 200,
    "safe_use": 200,
    "set_language": 405,  # POST only
    "certificate_verify_form": 200,
    "certificate_verify": 200,
    "wagtaildocs_serve": 404,  # no such document
    "wagtaildocs_authenticate_with_password": 404,  # no such restriction
    "wagtailcore_authenticate_with_password": 404,
    "organisations:accept_invitation": 200,
    "organisations:verify_statement": 404,  # no statement with this code
    "organisations:statement_jws": 404,
    "lti:login": 400,  # no LMS named
    "lti:launch": 405,  # the LMS's form post only
    "lti:link_account": 403,  # no launch waiting for consent
    "lti:deep_link_response": 405,
    "lti:register": 400,  # not a registration link
    "lti:scorm_start": 403,  # no such package
    "lti:scorm_status": 403,
    "wagtailadmin_sprite": 200,
    "wagtailadmin_javascript_catalog": 200,
}
ENTRANCE_ANONYMOUS = {
    "account_login": 200,
    "account_logout": 302,
    "account_inactive": 200,
    "account_signup": 200,
    "account_email_verification_sent": 200,
    "account_reset_password": 200,
    "account_reset_password_done": 200,
    "account_reset_password_from_key": 200,  # says the link is invalid
    "account_reset_password_from_key_done": 200,
    "account_confirm_email": 200,  # says the link is invalid
    "account_confirm_login_code": 302,  # no login pending: back to the login
    "mfa_authenticate": 302,  # no login pending: back to the login
    "wagtailadmin_logout": 302,  # to the login
    "identity_sign_in": 200,
    "openid_connect_login": 404,  # no such sign-in service
    "openid_connect_callback": 404,
    "identity_oidc_callback": 404,  # allauth's callback behind it: no such service
    "socialaccount_login_cancelled": 200,
    "socialaccount_login_error": 401,  # allauth: "the sign-in did not succeed"
    "socialaccount_signup": 302,  # no sign-in pending: back to the login
    "saml_login": 404,  # no such sign-in service
    "saml_acs": 302,  # to its finish step, which answers 404
    "saml_finish_acs": 404,
    "saml_sls": 404,
    "saml_metadata": 404,
    None: 301,  # allauth's old addresses
}


def test_public_routes_are_open_to_everyone_alike(client, world):
    routes = routes_of(PUBLIC)
    assert {name for _route, name in routes} == set(PUBLIC_ANONYMOUS)
    for route, name in routes:
        path = path_of(route, world["values"])
        as_actor(client, world, "anonymous")
        assert client.get(path).status_code == PUBLIC_ANONYMOUS[name], path
        as_actor(client, world, "learner")
        response = client.get(path)
        if name == "organisations:accept_invitation":
            # Signed in as someone the invitation is not for: refused, nothing shown.
            assert response.status_code == 403
            assert "genodigde@doel.nl" not in response.content.decode()
        else:
            assert response.status_code == PUBLIC_ANONYMOUS[name], path


def test_machine_routes_answer_anyone(client, world, settings):
    settings.SECURITY_CONTACT = "mailto:security@example.nl"
    for route, _name in routes_of(MACHINE):
        assert client.get(path_of(route, world["values"])).status_code == 200, route


def test_the_entrance_is_open_and_leads_only_into_allauth(client, world):
    routes = routes_of(ENTRANCE)
    assert {name for _route, name in routes} == set(ENTRANCE_ANONYMOUS)
    for route, name in routes:
        path = path_of(route, world["values"])
        response = client.get(path)
        assert response.status_code == ENTRANCE_ANONYMOUS[name], path
        if response.status_code == 302:
            assert response["Location"].startswith(("/account/login/", "/")), path
        assert "_auth_user_id" not in client.session


def test_learner_routes_send_anonymous_visitors_to_the_login(client, world):
    for route, _name in routes_of(LEARNER):
        path = path_of(route, world["values"])
        response = client.get(path)
        assert is_login_redirect(response), path
        assert "next=" in response["Location"], path


def test_a_learners_own_pages_open_and_anothers_certificate_does_not(client, world):
    as_actor(client, world, "learner")
    for name in ("my_learning", "my_certificates", "my_data", "my_data_download"):
        [route] = [route for route, route_name in all_routes() if route_name == name]
        assert client.get(path_of(route, world["values"])).status_code == 200, name
    code = world["values"]["code"]
    assert client.get(f"/certificaten/{code}/open-badge.jwt").status_code == 200
    as_actor(client, world, "coordinator")
    assert client.get(f"/certificaten/{code}/pdf/").status_code == 404
    assert client.get(f"/certificaten/{code}/open-badge.jwt").status_code == 404


@pytest.mark.parametrize("method", ["get", "post"])
def test_coordinator_routes_are_for_the_organisations_coordinators_with_a_second_factor(
    client, world, method
):
    routes = routes_of(COORDINATOR)
    assert len(routes) >= 14
    for route, _name in routes:
        path = path_of(route, world["values"])
        as_actor(client, world, "anonymous")
        assert is_login_redirect(getattr(client, method)(path)), path
        for actor in ("learner", "other coordinator with second factor"):
            as_actor(client, world, actor)
            response = getattr(client, method)(path)
            assert response.status_code == 404, (actor, path)
            assert "Veilig Thuis Doel" not in response.content.decode()
        for actor in ("coordinator", "administrator"):
            as_actor(client, world, actor)
            response = getattr(client, method)(path)
            assert response.status_code == 403, (actor, path)
            assert response.templates[0].name == "accounts/second_factor_required.html"
        if method == "get":
            as_actor(client, world, "coordinator with second factor")
            response = client.get(path)
            assert response.status_code not in (403, 404), path
            assert not is_login_redirect(response), path


def test_admin_routes_need_admin_access_and_a_second_factor(client, world):
    from django.contrib.auth.models import Group, Permission

    editor = UserFactory()
    editors = Group.objects.create(name="Redactie (test)")
    editors.permissions.add(Permission.objects.get(codename="access_admin"))
    editor.groups.add(editors)
    paths = [path_of(route, world["values"]) for route, _name in routes_of(ADMIN)]
    assert len(paths) > 250
    for actor in ("anonymous", "learner", "coordinator with second factor"):
        as_actor(client, world, actor)
        for path in paths:
            response = client.get(path)
            assert leads_to_login(client, response), (actor, path, response.status_code)
    for user in (world["admin"], editor):
        password_only(client, user)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 302, (user, path)
            assert response["Location"].startswith("/account/tweede-factor/?next="), path
    as_actor(client, world, "administrator with second factor")
    for path in ("/beheer/", "/beheer/users/", "/beheer/certificaten/", "/beheer/pages/"):
        assert client.get(path).status_code == 200, path


def test_side_doors_sign_nobody_in_and_send_nothing(client, world):
    user = world["admin"]
    routes = routes_of(SIDE_DOOR)
    assert len(routes) >= 9
    for route, _name in routes:
        path = path_of(route, world["values"])
        for method, data in (
            ("get", {}),
            ("post", {"username": user.email, "password": TEST_PASSWORD, "email": user.email}),
        ):
            client.logout()
            response = getattr(client, method)(path, data)
            assert "_auth_user_id" not in client.session, path
            if response.status_code == 302:
                assert response["Location"].startswith(
                    ("/account/login/", "/account/password/reset/")
                ), path
            else:
                assert response.status_code == 404, (path, response.status_code)
    assert mail.outbox == []
