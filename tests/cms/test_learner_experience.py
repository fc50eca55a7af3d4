"""The site shell for the learner (issue 19): search says what each hit is and forgives a
typing error; the signed-in home page leads somewhere; Dutch content is marked as Dutch in
English mode; the safe-use page; our own account emails and Dutch password messages."""

import re

import pytest
from django.core import mail

from cms.selectors import corrected_query
from tests.courses.conftest import catalogue, lessons_of, make_module  # noqa: F401
from tests.factories import TEST_PASSWORD, UserFactory
from tests.organisations.factories import MembershipFactory, requirement

pytestmark = pytest.mark.django_db


@pytest.fixture
def module(catalogue):  # noqa: F811
    return make_module(catalogue, "Rode vlaggen herkennen", lessons=2)


@pytest.mark.usefixtures("search_index")
def test_search_hits_say_their_kind_and_module(client, module):
    page = client.get("/zoeken/", {"q": "Les 2"}).content.decode()
    assert "Les · " in page
    assert "Rode vlaggen herkennen" in page


@pytest.mark.usefixtures("search_index")
def test_a_typing_error_is_corrected_and_said(client, module):
    assert corrected_query("vlaggem") == "vlaggen"
    assert corrected_query("vlaggen") == ""
    response = client.get("/zoeken/", {"q": "vlaggem"})
    assert response.context["results"].paginator.count >= 1
    assert "Resultaten voor “vlaggen”" in response.content.decode()


def test_the_signed_in_home_page_leads_to_continue_and_to_what_is_required(client, module):
    membership = MembershipFactory()
    requirement(membership.organisation, module, due_within_days=30)
    client.force_login(membership.user)
    page = client.get("/").content.decode()
    assert "Wat je organisatie van je vraagt" in page and module.title in page
    client.post(module.url)
    client.post(lessons_of(module)[0].url, {"action": "complete"})
    page = client.get("/").content.decode()
    assert "Verder waar je was" in page and "1 van 2 lessen gedaan" in page


def test_a_new_learner_without_an_organisation_gets_a_first_module(client, module):
    client.force_login(UserFactory())
    page = client.get("/").content.decode()
    assert "Begin met Rode vlaggen herkennen" in page


def test_english_mode_marks_content_as_dutch_and_says_so(client, module):
    client.post("/taal/", {"language": "en", "next": "/"})
    page = client.get(module.url).content.decode()
    assert '<html lang="en">' in page
    assert re.search(r'<h1 class="utrecht-heading-1" lang="nl">Rode vlaggen', page)
    assert "The course content is in Dutch only." in page
    dutch = client.get(module.url, HTTP_COOKIE="signaal_language=nl").content.decode()
    assert 'lang="nl">Rode vlaggen' not in dutch  # in Dutch the page's own lang says it


def test_the_safe_use_page_explains_clearing_the_history(client, home_page):
    page = client.get("/veilig-gebruik/").content.decode()
    assert "Je browsergeschiedenis wissen" in page
    assert "log je met Snel weg ook meteen uit" in page


def test_password_messages_are_dutch_and_say_je(client, home_page):
    response = client.post(
        "/account/signup/",
        {"full_name": "Anna", "email": "anna@example.nl", "password1": "kort", "password2": "kort"},
    )
    page = response.content.decode()
    assert "Dit wachtwoord is te kort" in page
    assert "This password" not in page
    assert "Uw wachtwoord" not in page


def test_the_verification_email_is_in_our_words_and_design(client, home_page):
    client.post(
        "/account/signup/",
        {
            "full_name": "Anna",
            "email": "anna@example.nl",
            "password1": TEST_PASSWORD,
            "password2": TEST_PASSWORD,
        },
    )
    email = mail.outbox[0]
    assert "Hallo van" not in email.body and "Hello from" not in email.body
    assert "Welkom bij Signaal" in email.body
    assert email.subject.endswith("Bevestig je e-mailadres")
    html = email.alternatives[0][0]
    assert "Bevestig mijn e-mailadres" in html and "#4a1b6a" in html
