"""Authoring quizzes in the Wagtail admin: drafts may be incomplete, publishing a quiz
that cannot be played is refused with reasons an author understands."""

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import nested_form_data, rich_text

from quizzes.models import QuizNotPublishable, ScenarioQuizPage
from quizzes.services import play_best_path
from tests.auth import sign_in_with_mfa
from tests.factories import UserFactory

from .conftest import make_quiz, quiz_data

pytestmark = pytest.mark.django_db


def list_block(items: list[dict]) -> dict:
    data = {"count": len(items)}
    for index, value in enumerate(items):
        data[index] = {"value": value, "deleted": "", "order": index, "id": ""}
    return data


def stream(steps: list[tuple[str, dict]]) -> dict:
    data = {"count": len(steps)}
    for index, (kind, value) in enumerate(steps):
        data[index] = {"type": kind, "value": value, "deleted": "", "order": index, "id": ""}
    return data


def decision(key, choices):
    return (
        "decision",
        {
            "key": key,
            "case": "",
            "title": f"Stap {key}",
            "sources": list_block([]),
            "narrative": rich_text("<p>Wat doe je?</p>"),
            "image": "",
            "image_alt": "",
            "choices": list_block(
                [
                    {"label": label, "feedback": "Uitleg.", "score": str(score), "next": target}
                    for label, score, target in choices
                ]
            ),
            "branches": list_block([]),
        },
    )


def end(key):
    return (
        "end",
        {
            "key": key,
            "case": "",
            "title": "Afloop",
            "sources": list_block([]),
            "outcome": rich_text("<p>Klaar.</p>"),
        },
    )


def page_form(steps, *, pass_mark=2, action=None):
    data = nested_form_data(
        {
            "title": "Toets",
            "slug": "toets",
            "intro": "",
            "pass_mark": str(pass_mark),
            "attempts_allowed": "3",
            "wait_minutes": "0",
            "feedback_timing": "per_step",
            "steps": stream(steps),
            "sources": stream([]),
            "comments": {"TOTAL_FORMS": 0, "INITIAL_FORMS": 0, "MIN_NUM_FORMS": 0,
                         "MAX_NUM_FORMS": 1000},
        }
    )  # fmt: skip
    if action:
        data[action] = "1"
    return data


BROKEN = [
    decision("begin", [("Bellen", 2, "nergens"), ("Wachten", 0, "einde")]),
    end("einde"),
    end("los"),
]
GOOD = [decision("begin", [("Bellen", 2, "einde"), ("Wachten", 0, "einde")]), end("einde")]


@pytest.fixture
def admin_client(client):
    sign_in_with_mfa(client, UserFactory(is_superuser=True))
    return client


def add_url(module):
    return reverse("wagtailadmin_pages:add", args=["quizzes", "scenarioquizpage", module.pk])


def test_publishing_a_broken_quiz_is_refused_with_the_reasons(admin_client, module):
    response = admin_client.post(add_url(module), page_form(BROKEN, action="action-publish"))
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "Stap &#x27;begin&#x27; (Stap begin) leidt naar stap &#x27;nergens&#x27;, maar die "
        "bestaat niet." in page
    )
    assert not ScenarioQuizPage.objects.exists()


def test_a_broken_draft_can_be_saved_but_not_submitted_or_published(admin_client, module):
    response = admin_client.post(add_url(module), page_form(BROKEN))
    assert response.status_code == 302
    quiz = ScenarioQuizPage.objects.get()
    assert not quiz.live
    edit = reverse("wagtailadmin_pages:edit", args=[quiz.pk])
    for action in ("action-publish", "action-submit"):
        response = admin_client.post(edit, page_form(BROKEN, action=action))
        assert response.status_code == 200
        assert "maar die bestaat niet" in response.content.decode()
    quiz.refresh_from_db()
    assert not quiz.live


def test_an_unreachable_pass_mark_is_refused(admin_client, module):
    response = admin_client.post(
        add_url(module), page_form(GOOD, pass_mark=3, action="action-publish")
    )
    assert "De cesuur (3 punten) is niet te halen" in response.content.decode()


def test_a_playable_quiz_publishes(admin_client, module):
    response = admin_client.post(add_url(module), page_form(GOOD, action="action-publish"))
    assert response.status_code == 302
    quiz = ScenarioQuizPage.objects.get()
    assert quiz.live
    assert [step.key for step in quiz.scenario.steps] == ["begin", "einde"]


def test_every_way_of_publishing_checks_the_graph(module):
    data = quiz_data()
    data["steps"][0]["choices"][0]["next"] = "bestaat-niet"
    quiz = make_quiz(module, data, publish=False)
    with pytest.raises(QuizNotPublishable, match="bestaat niet"):
        quiz.get_latest_revision().publish()
    quiz.refresh_from_db()
    assert not quiz.live


def test_the_editor_preview_shows_the_whole_graph_and_records_nothing(quiz):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory

    request = RequestFactory().get("/beheer/")
    request.user = UserFactory(is_superuser=True)
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    response = quiz.make_preview_request(original_request=request)
    page = response.rendered_content
    assert response.status_code == 200
    assert "Voorbeeld voor auteurs" in page
    assert 'id="stap-escalatie"' in page
    assert not quiz.attempts.exists()


def test_the_quiz_editor_and_the_insight_report_open(admin_client, quiz):
    assert admin_client.get(reverse("wagtailadmin_pages:edit", args=[quiz.pk])).status_code == 200
    index = admin_client.get(reverse("quizzes_insight_index"))
    assert quiz.title in index.content.decode()
    assert admin_client.get(reverse("quizzes_insight", args=[quiz.pk])).status_code == 200


def test_insight_is_aggregated_and_hidden_for_small_groups(admin_client, quiz):
    url = reverse("quizzes_insight", args=[quiz.pk])
    for _learner in range(4):
        play_best_path(user=UserFactory(), quiz=quiz)
    page = admin_client.get(url).content.decode()
    assert "Minder dan 5 mensen" in page
    assert "Keuzes per stap" not in page

    play_best_path(user=UserFactory(full_name="Anna de Vries"), quiz=quiz)
    page = admin_client.get(url).content.decode()
    assert "Keuzes per stap" in page
    assert "Ik vraag door naar wat er gebeurde" in page
    assert "Anna de Vries" not in page
    assert "100%" in page


def test_insight_is_for_editors_of_the_quiz_only(client, quiz):
    client.force_login(UserFactory())
    url = reverse("quizzes_insight", args=[quiz.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/account/login/?next={url}"


def test_a_step_image_needs_alternative_text():
    from django.core.exceptions import ValidationError
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    from quizzes.blocks import DecisionStepBlock

    block = DecisionStepBlock()
    image = Image.objects.create(title="Voordeur", file=get_test_image_file())
    value = block.to_python(
        {
            "key": "begin",
            "title": "Begin",
            "narrative": "<p>Wat doe je?</p>",
            "image": image.pk,
            "image_alt": "",
            "choices": [
                {"label": "A", "feedback": "a", "score": 1, "next": "x"},
                {"label": "B", "feedback": "b", "score": 0, "next": "x"},
            ],
            "branches": [],
        }
    )
    with pytest.raises(ValidationError):
        block.clean(value)
    value["image_alt"] = "Een voordeur met een deurbel"
    block.clean(value)
