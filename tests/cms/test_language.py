import pytest

from tests.factories import UserFactory


@pytest.mark.django_db
def test_dutch_is_the_default_even_when_the_browser_prefers_english(client, home_page):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "nl"
    assert '<html lang="nl">' in response.content.decode()
    assert "Inloggen" in response.content.decode()


@pytest.mark.django_db
def test_switching_to_english_is_remembered_and_returns_to_the_page(client, home_page):
    response = client.post("/taal/", {"language": "en", "next": "/zoeken/"})
    assert response.status_code == 302
    assert response["Location"] == "/zoeken/"
    page = client.get("/zoeken/")
    assert page["Content-Language"] == "en"
    assert "Log in" in page.content.decode()


@pytest.mark.django_db
def test_a_logged_in_persons_choice_is_stored_on_their_account(client, home_page):
    user = UserFactory(preferred_language="nl")
    client.force_login(user)
    client.post("/taal/", {"language": "en", "next": "/"})
    user.refresh_from_db()
    assert user.preferred_language == "en"
    # A new browser without the cookie still gets the person's language after login.
    client.cookies.clear()
    client.force_login(user)
    assert client.get("/")["Content-Language"] == "en"


@pytest.mark.django_db
def test_language_switch_never_redirects_to_another_site(client, home_page):
    response = client.post("/taal/", {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_unknown_language_changes_nothing(client, home_page):
    response = client.post("/taal/", {"language": "xx", "next": "/"})
    assert response.status_code == 302
    assert "signaal_language" not in response.cookies
    assert client.get("/")["Content-Language"] == "nl"


@pytest.mark.django_db
def test_language_switch_only_accepts_post(client):
    assert client.get("/taal/?language=en").status_code == 405
