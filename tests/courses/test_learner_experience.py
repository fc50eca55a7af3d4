"""The learner's experience over HTTP (issue 19): the taster lesson records nothing, what a
learner typed in a reflection is saved by any action and while typing, 'Mijn leren' shows
progress and a first module, and courses' finish line is built from hooks."""

import pytest

from courses.models import Enrolment, ReflectionAnswer
from courses.selectors import learning
from tests.courses.conftest import catalogue, lessons_of, make_module  # noqa: F401
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def module(catalogue):  # noqa: F811
    return make_module(catalogue, "Rode vlaggen herkennen", lessons=2)


def reflection_id(lesson) -> str:
    return next(block.id for block in lesson.body if block.block_type == "reflection")


def test_a_visitor_reads_the_first_lesson_and_nothing_is_recorded(client, module):
    first, second = lessons_of(module)
    response = client.get(first.url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tekst van Les 1." in page
    assert "les-formulier" not in page  # nothing to submit
    assert "csrfmiddlewaretoken" not in page  # so shared caches may keep it
    assert Enrolment.objects.count() == 0
    assert client.get(second.url)["Location"].startswith("/account/login/")
    assert client.post(first.url, {"action": "complete"})["Location"].startswith("/account/login/")


def test_marking_done_saves_what_was_typed_in_the_reflection(client, module):
    learner = UserFactory()
    client.force_login(learner)
    first = lessons_of(module)[0]
    block = reflection_id(first)
    client.post(first.url, {"action": "complete", f"answer-{block}": "Niet apart bewaard."})
    assert ReflectionAnswer.objects.get(user=learner, lesson=first).answer == "Niet apart bewaard."


def test_saving_one_answer_confirms_it_next_to_that_answer(client, module):
    client.force_login(UserFactory())
    first = lessons_of(module)[0]
    block = reflection_id(first)
    response = client.post(first.url, {"action": f"reflect:{block}", f"answer-{block}": "Ja."})
    assert response["Location"] == f"{first.url}?opgeslagen={block}#reflectie-{block}"
    page = client.get(response["Location"]).content.decode()
    assert "Je antwoord is bewaard." in page.split(f'id="antwoord-{block}-status"')[1][:200]


def test_autosave_answers_json_and_refuses_an_unknown_block(client, module):
    learner = UserFactory()
    client.force_login(learner)
    first = lessons_of(module)[0]
    block = reflection_id(first)
    saved = client.post(first.url, {"action": "autosave", "block_id": block, "answer": "Eerst"})
    assert saved.json()["saved"] is True
    assert ReflectionAnswer.objects.get(user=learner).answer == "Eerst"
    refused = client.post(first.url, {"action": "autosave", "block_id": "x", "answer": "Nee"})
    assert refused.status_code == 400


def test_my_learning_shows_progress_and_where_to_continue(client, module):
    learner = UserFactory()
    client.force_login(learner)
    first, second = lessons_of(module)
    client.post(module.url)
    client.post(first.url, {"action": "complete"})
    page = client.get("/mijn-leren/").content.decode()
    assert "1 van 2 lessen gedaan" in page
    assert f'href="{second.url}"' in page


def test_a_new_learner_is_offered_a_first_basic_module(client, catalogue):  # noqa: F811
    make_module(catalogue, "Verdieping", level="verdieping", lessons=1)
    basis = make_module(catalogue, "Begin", level="basis", lessons=1)
    learner = UserFactory()
    assert learning.suggested_module(user=learner) == basis
    client.force_login(learner)
    assert "Begin met Begin" in client.get("/mijn-leren/").content.decode()


def test_the_finish_line_is_built_from_hooks_the_apps_above_register():
    from wagtail import hooks

    from courses.views import COMPLETION_PANELS_HOOK

    names = [fn.__module__ for fn in hooks.get_hooks(COMPLETION_PANELS_HOOK)]
    assert names == ["certificates.wagtail_hooks", "organisations.wagtail_hooks"]
