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


def test_a_message_has_one_dutch_wording_in_every_catalogue():
    """Django merges the catalogues, the project's (LOCALE_PATHS) first and then the apps'
    in INSTALLED_APPS order, so a msgid translated differently in two of them shows only
    one wording, whatever the app meant (a certificate's 'valid until' once lost its
    'tot en met' that way). Use a msgctxt where two meanings share an English text."""
    import gettext
    from pathlib import Path

    from django.conf import settings

    catalogues = {}
    for mo in sorted(Path(settings.BASE_DIR).glob("*/locale/nl/LC_MESSAGES/django.mo")):
        with mo.open("rb") as file:
            catalogues[mo.parts[-5]] = gettext.GNUTranslations(file)._catalog
    assert {"cms", "organisations", "lti", "xapi", "identity"} <= set(catalogues)
    wordings: dict = {}
    for app, catalogue in catalogues.items():
        for msgid, msgstr in catalogue.items():
            if msgid:  # "" is the header
                wordings.setdefault(msgid, {}).setdefault(msgstr, []).append(app)
    clashes = {msgid: found for msgid, found in wordings.items() if len(found) > 1}
    assert clashes == {}
