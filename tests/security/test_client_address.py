"""Finding 5: behind the reverse proxy every request came from the proxy's address, so all
visitors shared one rate-limit bucket (11 strangers' failed logins locked out a real user).
Every limit counts the client address behind TRUSTED_PROXY_COUNT proxies, and the
certificate lookup checks its limit before the database."""

import pytest
from django.db import connection
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext

from core.client_address import client_address, rate_limit_key
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.5"


def from_client(client, address: str | None):
    """Requests as the proxy forwards them: from the proxy, with the client's address
    appended to X-Forwarded-For."""
    headers = {"REMOTE_ADDR": PROXY}
    if address:
        headers["HTTP_X_FORWARDED_FOR"] = address
    return headers


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_strangers_failing_to_log_in_do_not_lock_out_someone_else(client, home_page):
    person = UserFactory()
    for number in range(11):
        client.post(
            "/account/login/",
            {"login": f"iemand{number}@example.nl", "password": "fout-wachtwoord-1"},
            **from_client(client, f"203.0.113.{number + 1}"),
        )
    response = client.post(
        "/account/login/",
        {"login": person.email, "password": TEST_PASSWORD},
        **from_client(client, "198.51.100.7"),
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_one_client_is_still_limited_whatever_it_claims_to_be(client, home_page):
    """A client may send its own X-Forwarded-For; the proxy appends the real address, and
    only that one is counted."""
    for number in range(11):
        client.post(
            "/account/login/",
            {"login": f"iemand{number}@example.nl", "password": "fout-wachtwoord-1"},
            **from_client(client, f"192.0.2.{number}, 203.0.113.9"),
        )
    person = UserFactory()
    response = client.post(
        "/account/login/",
        {"login": person.email, "password": TEST_PASSWORD},
        **from_client(client, "192.0.2.200, 203.0.113.9"),
    )
    assert "_auth_user_id" not in client.session
    errors = response.context["form"].errors.as_data()["__all__"]
    assert [error.code for error in errors] == ["too_many_login_attempts"]


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_certificate_lookups_are_limited_per_client_before_the_database(client, home_page):
    for _ in range(30):
        assert (
            client.get(
                "/certificaten/verifieer/ABCD/", **from_client(client, "203.0.113.1")
            ).status_code
            == 404
        )
    with CaptureQueriesContext(connection) as queries:
        response = client.get(
            "/certificaten/verifieer/ABCDEFGHJKMNPQRST/", **from_client(client, "203.0.113.1")
        )
    assert response.status_code == 429
    assert not [q for q in queries if "certificates_certificate" in q["sql"]]
    # Someone else behind the same proxy is not affected.
    response = client.get("/certificaten/verifieer/ABCD/", **from_client(client, "203.0.113.2"))
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("count", "remote", "forwarded", "expected"),
    [
        (0, "203.0.113.1", "", "203.0.113.1"),
        (0, "10.0.0.5", "198.51.100.1", "10.0.0.5"),  # no proxy: the header is the client's word
        (1, "10.0.0.5", "198.51.100.1", "198.51.100.1"),
        (1, "10.0.0.5", "6.6.6.6, 198.51.100.1", "198.51.100.1"),
        (2, "10.0.0.6", "6.6.6.6, 198.51.100.1, 10.0.0.5", "198.51.100.1"),
        (2, "10.0.0.6", "198.51.100.1", "10.0.0.6"),  # too short: bypassed a proxy
        (1, "10.0.0.5", "niet-een-adres", "10.0.0.5"),
        (1, "10.0.0.5", "[2001:db8::1]:4711", "2001:db8::1"),
    ],
)
def test_the_client_address(count, remote, forwarded, expected):
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(TRUSTED_PROXY_COUNT=count):
        assert client_address(request) == expected


def test_an_ipv6_client_counts_as_its_64_network():
    request = RequestFactory().get("/", REMOTE_ADDR="2001:db8:1:2:aaaa::1")
    assert rate_limit_key(request) == "2001:db8:1:2::"
