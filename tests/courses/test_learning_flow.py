"""A learner works through a module over HTTP, as the browser (without JavaScript) does."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.models import Enrolment, ReflectionAnswer
from tests.courses.conftest import lessons_of, make_module
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
    assert "Plan van aanpak" in content


def test_every_page_has_the_quick_exit_and_the_support_numbers(client, module):
    for url in ("/", "/modules/", module.url):
        content = client.get(url).content.decode()
        assert "data-quick-exit" in content
        assert "0800-2000" in content
        assert 'href="tel:112"' in content
