"""Playing the test quiz (tests/quizzes/conftest.py, HAND_OM_DE_KEEL) as a learner does:
through the quiz page's form posts, after writing a reflection in the lesson."""

from courses import services as course_services
from tests.courses.conftest import lessons_of

REFLECTION = "Mijn buurvrouw Ilse herkent dit uit haar eigen huwelijk (geheim)"


def write_reflection(user, module) -> None:
    lesson = lessons_of(module)[0]
    block_id = next(block.id for block in lesson.body if block.block_type == "reflection")
    course_services.save_reflection(user=user, lesson=lesson, block_id=block_id, answer=REFLECTION)
    for each in lessons_of(module):
        course_services.complete_lesson(user=user, lesson=each)


def play(client, quiz, *, miss_first: bool = False) -> None:
    """start -> (doorvragen | gewone ruzie -> ik vraag nu wel door) -> signalen (one of the
    two signals marked) -> meldcode (right order): passed either way."""
    from quizzes.models import QuizAttempt

    client.post(quiz.url, {"action": "start"})
    attempt = QuizAttempt.objects.get(quiz=quiz, finished_at__isnull=True)
    scenario = quiz.scenario

    def answer(step: str, choices: list[str]) -> None:
        response = client.post(
            quiz.url,
            {"action": "answer", "attempt": attempt.pk, "step": step, "choice": choices},
        )
        assert response.status_code == 302

    if miss_first:
        answer("start", [scenario.step("start").choices[1].id])
        answer("gevolg", [scenario.step("gevolg").choices[0].id])
    else:
        answer("start", [scenario.step("start").choices[0].id])
    # Only the strangulation marked: 'dwangmatige-controle' is missed.
    answer("signalen", [scenario.step("signalen").choices[0].id])
    answer("meldcode", [choice.id for choice in scenario.step("meldcode").choices])
