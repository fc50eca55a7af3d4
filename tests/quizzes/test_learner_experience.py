"""The quiz as a learner meets it (issue 19): the feedback on each answer first, with a
way on; progress through a branching scenario; points in the singular."""

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from quizzes import scenario as rules
from quizzes import selectors
from quizzes import services as quiz_services
from tests.courses.conftest import lessons_of  # noqa: F401
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_remaining_questions_counts_the_shortest_and_longest_way(quiz):
    scenario = quiz.scenario
    # start -> signalen -> meldcode -> end (3), or via gevolg/escalatie (4, or 2 to a poor end).
    assert rules.remaining_questions(scenario, "start") == rules.Remaining(2, 5)
    assert rules.remaining_questions(scenario, "meldcode") == rules.Remaining(1, 1)
    assert rules.remaining_questions(scenario, "einde-goed") == rules.Remaining(0, 0)


def test_an_answer_leads_to_its_feedback_and_then_on(client, quiz):
    learner = UserFactory()
    client.force_login(learner)
    client.post(quiz.url, {"action": "start"})
    attempt = quiz_services.start_attempt(user=learner, quiz=quiz)
    choice = quiz.scenario.step("start").choices[0].id
    response = client.post(
        quiz.url,
        {"action": "answer", "attempt": attempt.pk, "step": "start", "choice": choice},
    )
    assert response["Location"] == f"{quiz.url}?feedback=1#feedback"
    page = client.get(f"{quiz.url}?feedback=1").content.decode()
    assert 'id="feedback"' in page and "autofocus" in page
    assert "Verder naar vraag 2" in page
    assert "Antwoord versturen" not in page  # the next question waits
    # An old address shows the question, never stale feedback.
    assert "Antwoord versturen" in client.get(f"{quiz.url}?feedback=7").content.decode()


def test_points_are_counted_in_the_singular_too(quiz):
    learner = UserFactory()
    attempt = quiz_services.start_attempt(user=learner, quiz=quiz)
    for key in ("start", "signalen"):
        step = quiz.scenario.step(key)
        attempt = quiz_services.answer(
            attempt=attempt, step_key=key, choice_ids=rules.best_answer(step)
        ).attempt
    report = selectors.attempt_report(attempt)
    entry = report.path[0]
    one_point = type(entry)(entry.step, entry.answer, rules.Evaluation(**{
        **entry.evaluation.__dict__, "max_score": 1
    }))  # fmt: skip
    entry.answer.score = 0
    with translation.override("nl"):
        html = render_to_string("quizzes/includes/evaluation.html", {"entry": one_point})
    assert "0 van 1 punt." in html
