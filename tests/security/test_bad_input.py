"""Finding 6: a NUL byte in a request's path, query or form fields is answered with 400
before anything reaches the database (PostgreSQL refuses NUL in text and the DataError used
to become a 500); a cookie with one is ignored."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.auth import sign_in_with_mfa
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NUL_URLS = [
    "/zoeken/?q=%00",
    "/zoeken/?q=a%00b&page=1",
    "/modules/?q=%00",
    "/modules/?thema=%00",
    "/uitnodiging/%00/",
    "/certificaten/verifieer/%00/",
    "/certificaten/verifieer/?code=AB%00CD",
    "/certificaten/ABCD%00/pdf/",
    "/certificaten/ABCD%00/open-badge.jwt",
    "/mijn-leren/?x%00=1",
    "/%00/",
]


@pytest.mark.parametrize("url", NUL_URLS)
def test_a_nul_byte_in_the_url_is_a_400_and_touches_no_database(client, home_page, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 400, url
    assert len(queries) == 0, [q["sql"] for q in queries]
    assert "niet toegestaan" in response.content.decode()


def test_a_signed_in_coordinators_search_and_export_with_a_nul_byte(client, home_page):
    from tests.organisations.factories import MembershipFactory

    membership = MembershipFactory(is_coordinator=True)
    sign_in_with_mfa(client, membership.user)
    base = f"/organisaties/{membership.organisation.slug}"
    for url in (
        f"{base}/mensen/?q=%00",
        f"{base}/export/csv/?q=Jan%00",
        f"{base}/mensen/?team=%00",
    ):
        assert client.get(url).status_code == 400, url
    assert client.get(f"{base}/mensen/?q=Jan").status_code == 200


def test_a_nul_byte_in_a_form_field_changes_nothing(client, home_page):
    user = UserFactory()
    response = client.post("/account/login/", {"login": user.email + "\x00", "password": "x"})
    assert response.status_code == 400
    response = client.post(
        "/account/signup/",
        {
            "full_name": "Nul\x00Byte",
            "email": "nul@example.nl",
            "password1": "een-lang-wachtwoord-99",
            "password2": "een-lang-wachtwoord-99",
        },
    )
    assert response.status_code == 400
    assert not UserFactory._meta.model.objects.filter(email="nul@example.nl").exists()


def test_a_cookie_with_a_nul_byte_is_ignored_and_dropped(client, home_page):
    client.cookies["sessionid"] = "abc\x00def"
    response = client.get("/")
    assert response.status_code == 200
    assert response.cookies["sessionid"]["max-age"] == 0


def test_ordinary_input_passes(client, home_page):
    assert client.get("/zoeken/?q=meldcode").status_code == 200
    # An unknown code is a 404 page with a message, not a 400.
    assert client.get("/certificaten/verifieer/?code=ABCD").status_code == 404
