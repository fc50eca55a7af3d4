"""'Play as a learner' (issue 21.3): the author plays the draft quiz in Wagtail's preview,
from its first step, with feedback, branches and the result, and nothing is recorded."""

import html
import re
from urllib.parse import unquote

import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from certificates.models import Certificate
from courses.models import Enrolment, LessonCompletion
from quizzes import content_loader
from quizzes import scenario as rules
from quizzes.models import QuizAnswer, QuizAttempt, ScenarioQuizPage
from tests import registers
from tests.factories import UserFactory
from tests.quizzes.conftest import choice_id, make_quiz, quiz_data

pytestmark = pytest.mark.django_db


def play(quiz, query: dict, user):
    request = RequestFactory().get("/beheer/pages/1/edit/preview/", {"mode": "play", **query})
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    response = quiz.make_preview_request(original_request=request, preview_mode="play")
    assert response.status_code == 200
    return response.content.decode()


def token(content: str) -> str:
    found = re.search(r'name="play" value="([^"]+)"', content) or re.search(
        r'href="\?mode=play&amp;play=([^"&]+)', content
    )
    return unquote(html.unescape(found.group(1)))


def test_the_quiz_offers_play_as_a_learner_as_a_preview_mode():
    assert [mode for mode, _label in ScenarioQuizPage.preview_modes] == ["", "play"]


def test_an_author_plays_a_draft_through_a_branch_to_the_result_and_nothing_is_recorded(
    module,
):
    quiz = make_quiz(module, publish=False)  # a draft: never published
    author = UserFactory(is_superuser=True)
    writes = CaptureQueriesContext(connection)
    with writes:
        content = play(quiz, {}, author)
        assert "Nothing is recorded" in content or "Er wordt niets vastgelegd" in content
        assert "Het gesprek" in content and 'name="step" value="start"' in content

        # 'An ordinary quarrel': the strangulation is missed.
        answer = {"step": "start", "choice": choice_id(quiz, "start", 1)}
        content = play(quiz, {"play": token(content), **answer}, author)
        assert "Hiermee mis je een belangrijke rode vlag." in content  # per-step feedback
        content = play(quiz, {"play": token(content)}, author)  # continue
        assert "Een week later" in content
        answer = {"step": "gevolg", "choice": choice_id(quiz, "gevolg", 0)}
        content = play(quiz, {"play": token(content), **answer}, author)
        content = play(quiz, {"play": token(content)}, author)
        assert "Het verslag" in content
        # No signal marked: two missed, so the branch leads to the escalation.
        content = play(quiz, {"play": token(content), "step": "signalen"}, author)
        content = play(quiz, {"play": token(content)}, author)
        assert "Het gaat mis" in content
        content = play(
            quiz,
            {
                "play": token(content),
                "step": "escalatie",
                "choice": choice_id(quiz, "escalatie", 1),
            },
            author,
        )
        assert "Te laat." in content
        content = play(quiz, {"play": token(content)}, author)  # the result
    assert "Het patroon blijft." in content  # the poor end's outcome
    assert re.search(r"Niet gehaald|Not passed", content)
    assert "1 punten; 5 nodig" in content or "1 points; 5 needed" in content
    assert "Poging tot verwurging" in content  # to review
    assert not QuizAttempt.objects.exists() and not QuizAnswer.objects.exists()
    assert not Enrolment.objects.exists() and not LessonCompletion.objects.exists()
    assert not Certificate.objects.exists()
    changes = [
        query["sql"]
        for query in writes.captured_queries
        if query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        # The site's help lines are made on the first page any visitor sees.
        and "cms_safetysettings" not in query["sql"]
    ]
    assert changes == []


def test_a_tampered_or_stale_token_starts_again_and_a_wrong_answer_is_refused(module):
    quiz = make_quiz(module, publish=False)
    author = UserFactory(is_superuser=True)
    content = play(quiz, {"play": "bogus", "step": "gevolg", "choice": "x"}, author)
    assert "Het gesprek" in content  # a bad token is no answers: the first step
    content = play(quiz, {"step": "start", "choice": "not-a-choice"}, author)
    assert "Het gesprek" in content and 'role="alert"' in content

    first = play(quiz, {}, author)
    answered = play(
        quiz, {"play": token(first), "step": "start", "choice": choice_id(quiz, "start", 0)}, author
    )
    data = quiz_data()
    data["steps"][0]["key"] = "begin"  # the draft changes under the play
    quiz.steps = content_loader.unsaved_quiz_page(data, registers.ensure_sources()).steps
    del quiz.scenario
    content = play(quiz, {"play": token(answered)}, author)
    assert "opnieuw vanaf de eerste stap" in content or "from the first step" in content


def test_the_live_quiz_and_the_preview_share_the_rule_for_an_answer():
    step = rules.Step(
        key="a",
        kind=rules.StepKind.DECISION,
        choices=(
            rules.Choice(id="x", label="X", score=2, next="e", recognised=("s",)),
            rules.Choice(id="y", label="Y", score=0, next="e", missed=("s",)),
        ),
        branches=(rules.Branch(min_missed=1, next="b"),),
    )
    assert rules.take_step(step, ["y"], []).next_key == "b"
    assert rules.take_step(step, ["x"], []).next_key == "e"
    again = rules.take_step(step, ["x"], [("a", ())])
    assert again.counted is False and again.score == 0
