"""A learner works through a module over HTTP, as the browser (without JavaScript) does."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from courses.models import Enrolment, ReflectionAnswer, Sector
from tests.courses.conftest import lessons_of, make_module, plan_source
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def module(catalogue):
    return make_module(catalogue, "Rode vlaggen herkennen", lessons=3)


def test_lessons_need_a_login_and_the_catalogue_does_not(client, module):
    # The first lesson is a taster anyone may read (test_learner_experience.py).
    lesson = lessons_of(module)[1]
    assert client.get("/modules/").status_code == 200
    assert client.get(module.url).status_code == 200
    response = client.get(lesson.url)
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


def test_start_read_mark_done_and_resume(client, module):
    learner = UserFactory()
    client.force_login(learner)
    first, second, third = lessons_of(module)

    response = client.post(module.url)
    assert response["Location"] == first.url
    page = client.get(first.url)
    assert page.status_code == 200
    assert "Tekst van Les 1." in page.content.decode()  # the lesson reads without JavaScript

    response = client.post(first.url, {"action": "complete"})
    assert response["Location"] == second.url
    client.get(second.url)
    enrolment = Enrolment.objects.get(user=learner)
    assert enrolment.last_lesson_id == second.pk

    # A new session (closed laptop, logged out): the module page sends them back to lesson 2.
    client.logout()
    client.force_login(learner)
    assert client.post(module.url)["Location"] == second.url
    overview = client.get("/mijn-leren/").content.decode()
    assert "Rode vlaggen herkennen" in overview
    assert second.url in overview

    client.post(second.url, {"action": "complete"})
    response = client.post(third.url, {"action": "complete"}, follow=True)
    assert response.redirect_chain[-1][0] == module.url
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None
    assert "3 van 3 lessen gedaan" in response.content.decode()


def test_reflection_answers_are_private(client, module):
    lesson = lessons_of(module)[0]
    block_id = next(block.id for block in lesson.body if block.block_type == "reflection")
    author, other = UserFactory(), UserFactory()
    client.force_login(author)
    client.post(lesson.url, {"action": "reflect", "block_id": block_id, "answer": "Ik herken dit."})
    assert "Ik herken dit." in client.get(lesson.url).content.decode()
    client.force_login(other)
    assert "Ik herken dit." not in client.get(lesson.url).content.decode()


def test_bad_reflection_input_is_refused_with_a_message_and_changes_nothing(client, module):
    lesson = lessons_of(module)[0]
    client.force_login(UserFactory())
    response = client.post(
        lesson.url, {"action": "reflect", "block_id": "niet-bestaand", "answer": "x"}, follow=True
    )
    assert "kon niet worden opgeslagen" in response.content.decode()
    assert not ReflectionAnswer.objects.exists()
    response = client.post(lesson.url, {"action": "onbekend"}, follow=True)
    assert "niet mogelijk" in response.content.decode()


def test_lesson_page_query_count_does_not_grow_with_lessons(client, catalogue):
    small = make_module(catalogue, "Klein", lessons=2)
    large = make_module(catalogue, "Groot", lessons=9)
    client.force_login(UserFactory())
    for module in (small, large):
        client.get(lessons_of(module)[1].url)  # enrol and warm caches
    with CaptureQueriesContext(connection) as few:
        client.get(lessons_of(small)[1].url)
    with CaptureQueriesContext(connection) as many:
        client.get(lessons_of(large)[1].url)
    assert len(many) == len(few)


def test_module_page_shows_content_note_objectives_and_sources(client, module):
    module.content_note = "Deze module gaat over geweld."
    module.save_revision().publish()
    content = client.get(module.url).content.decode()
    assert "Deze module gaat over geweld." in content
    assert "Je kunt signalen herkennen." in content
    # The citation names the issuer, the title and the passage from the register entry.
    assert "Kabinet, <cite>Plan van aanpak</cite>, Kamerstuk (test) — §1.2" in content


def test_module_page_says_when_it_was_reviewed_and_will_be_again(client, catalogue):
    module = make_module(catalogue, "Met beoordeling", next_review=datetime.date(2031, 3, 4))
    content = client.get(module.url).content.decode()
    assert "Beoordeeld" in content
    assert "(volgende beoordeling 4 maart 2031)" in content
    assert "Volgende beoordeling: 4 maart 2031." in content


def test_module_page_shows_the_note_of_a_sector_with_other_rules(client, catalogue):
    module = make_module(catalogue, "Ook voor de eilanden", sectors=("caribisch-nederland",))
    note = Sector.objects.get(slug="caribisch-nederland").description
    assert note  # the taxonomy says the rules differ there
    content = client.get(module.url).content.decode()
    assert "<strong>Caribisch Nederland:</strong>" in content
    assert escape(note) in content


def test_lesson_page_shows_its_content_note_sources_and_the_reflection_warning(client, module):
    lesson = lessons_of(module)[0]
    lesson.content_note = "Deze les beschrijft wurging."
    lesson.sources = [
        {"type": "citation", "value": {"source": plan_source().pk, "passage": "Deel B, §3"}}
    ]
    lesson.save_revision().publish()
    client.force_login(UserFactory())
    content = client.get(lesson.url).content.decode()
    assert "Voordat je verder leest" in content
    assert "Deze les beschrijft wurging." in content
    assert content.index("Deze les beschrijft wurging.") < content.index("Tekst van Les 1.")
    assert "Bronnen bij deze les" in content
    assert "<cite>Plan van aanpak</cite>, Kamerstuk (test) — Deel B, §3" in content
    assert "Schrijf geen namen of andere gegevens op" in content


def test_a_lesson_without_note_or_sources_shows_neither_heading(client, module):
    client.force_login(UserFactory())
    content = client.get(lessons_of(module)[1].url).content.decode()
    assert "Voordat je verder leest" not in content
    assert "Bronnen bij deze les" not in content


def test_every_page_has_the_quick_exit_and_the_support_numbers(client, module):
    for url in ("/", "/modules/", module.url):
        content = client.get(url).content.decode()
        assert "data-quick-exit" in content
        assert "0800-2000" in content
        assert 'href="tel:112"' in content
        assert 'href="tel:08000188">0800-0188</a>' in content  # Centrum Seksueel Geweld
        assert 'href="tel:113">113</a>' in content  # 113 Zelfmoordpreventie
        assert "Raakt een casus of een les je?" in content  # support for professionals
