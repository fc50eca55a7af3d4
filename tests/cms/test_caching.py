"""Who may keep a copy of a response (core.middleware.CacheHeadersMiddleware): anonymous
Wagtail pages are public for a short while; anything personal never is."""

import pytest
from django.test import Client

from tests.courses.conftest import catalogue, make_module  # noqa: F401 (fixture)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def directives(response) -> set[str]:
    return {part.strip() for part in response["Cache-Control"].split(",")}


def vary(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Vary", "").split(",")}


def assert_public(response):
    assert response.status_code == 200
    assert directives(response) == {"public", "max-age=300"}
    assert "cookie" in vary(response)
    assert not response.cookies
    assert "csrfmiddlewaretoken" not in response.content.decode()


def assert_personal(response):
    assert {"private", "no-store"} <= directives(response)
    assert "public" not in directives(response)
    assert not any(d.startswith(("max-age", "s-maxage")) for d in directives(response))


def test_anonymous_home_and_catalogue_are_public_for_five_minutes(client, catalogue):  # noqa: F811
    assert_public(client.get("/"))
    assert_public(client.get(catalogue.url))
    # Filters and search in the catalogue are part of the URL, so they may be kept too.
    assert_public(client.get(catalogue.url, {"q": "signalen"}))


def test_head_requests_follow_the_same_rule(client, catalogue):  # noqa: F811
    assert directives(client.head(catalogue.url)) == {"public", "max-age=300"}


def test_the_language_cookie_keeps_pages_public_but_they_vary_on_it(client, catalogue):  # noqa: F811
    client.cookies["signaal_language"] = "en"
    response = client.get(catalogue.url)
    assert_public(response)
    assert response["Content-Language"] == "en"


def test_signed_in_pages_are_private_and_never_stored(client, catalogue):  # noqa: F811
    client.force_login(UserFactory())
    for url in ("/", catalogue.url, "/mijn-leren/", "/mijn-certificaten/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_personal(response)


def test_a_session_cookie_makes_a_page_private_even_for_an_anonymous_visitor(client, catalogue):  # noqa: F811
    client.cookies["sessionid"] = "not-a-real-session"
    assert_personal(client.get(catalogue.url))


def test_pages_with_a_csrf_token_are_private(client, catalogue):  # noqa: F811
    # The login form carries a CSRF token and sets its cookie.
    login = client.get("/account/login/")
    assert "csrfmiddlewaretoken" in login.content.decode()
    assert_personal(login)


def test_an_anonymous_module_page_is_public_and_offers_a_login_link(client, catalogue):  # noqa: F811
    module = make_module(catalogue, "Dwingende controle")
    page = client.get(module.url)
    assert_public(page)
    assert f'href="/account/login/?next={module.url}"' in page.content.decode()
    # Signed in, the same page carries the 'start' form and is private.
    client.force_login(UserFactory())
    signed_in = client.get(module.url)
    assert "csrfmiddlewaretoken" in signed_in.content.decode()
    assert_personal(signed_in)


def test_a_page_that_sets_a_cookie_is_private(client, home_page):
    response = client.post("/taal/", {"language": "en", "next": "/"})
    assert response.cookies
    assert_personal(response)


def test_post_responses_are_never_cacheable(client, catalogue):  # noqa: F811
    module = make_module(catalogue, "Rode vlaggen")
    for url in (module.url, catalogue.url, "/zoeken/"):
        response = client.post(url, {})
        assert_personal(response)
    client.force_login(UserFactory())
    assert_personal(client.post(module.url, {}))


def test_other_anonymous_responses_are_private(client, home_page):
    # Search, certificate verification (rate limited, noindex), errors.
    for url in ("/zoeken/?q=geweld", "/certificaten/verifieer/", "/bestaat-niet/"):
        response = client.get(url)
        assert directives(response) >= {"private"}, url
        assert "public" not in directives(response), url


def test_a_views_own_cache_control_is_kept_unless_the_response_is_personal(client, home_page):
    assert "no-cache" in directives(client.get("/healthz"))
    assert directives(client.get("/certificaten/open-badges/status/0.jwt")) == {
        "public",
        "max-age=300",
    }
    client.force_login(UserFactory())
    assert_personal(client.get("/certificaten/open-badges/status/0.jwt"))


def test_anonymous_visitors_switch_language_without_a_csrf_token(home_page):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/taal/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies["signaal_language"].value == "en"
    # ... but not from another site.
    forged = client.post(
        "/taal/", {"language": "en", "next": "/"}, HTTP_ORIGIN="https://evil.example"
    )
    assert forged.status_code == 403


def test_signed_in_people_need_the_csrf_token_to_switch_language(home_page):
    user = UserFactory(preferred_language="nl")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post("/taal/", {"language": "en", "next": "/"}).status_code == 403
    user.refresh_from_db()
    assert user.preferred_language == "nl"
    page = client.get("/")
    token = page.content.decode().split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = client.post("/taal/", {"language": "en", "next": "/", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.preferred_language == "en"


def test_every_response_carries_a_request_id(client, home_page):
    first, second = client.get("/"), client.get("/")
    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]
    # A well-formed id from the proxy is kept, anything else replaced.
    assert client.get("/", HTTP_X_REQUEST_ID="lb-1234abcd")["X-Request-ID"] == "lb-1234abcd"
    assert client.get("/", HTTP_X_REQUEST_ID="bad id\n")["X-Request-ID"] != "bad id\n"
