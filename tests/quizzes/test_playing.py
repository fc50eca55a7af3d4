"""Playing a scenario: the server walks the graph, saves every answer, and refuses
anything that does not fit with a clear message and no change."""

import pytest
from django.urls import reverse

from courses import services as course_services
from courses.models import Enrolment
from quizzes import selectors, services
from quizzes.models import QuizAnswer, QuizAttempt
from tests.courses.conftest import lessons_of
from tests.factories import UserFactory

from .conftest import choice_id, make_quiz, play_to_poor_end, quiz_data

pytestmark = pytest.mark.django_db


def snapshot(attempt: QuizAttempt):
    attempt.refresh_from_db()
    return (
        attempt.current_step,
        attempt.score,
        attempt.finished_at,
        list(attempt.answers.values_list("sequence", "step_key", "choice_ids")),
    )


def ids(quiz, step_key):
    return [choice.id for choice in quiz.scenario.step(step_key).choices]


def play_best(quiz, attempt):
    attempt = services.answer(
        attempt=attempt, step_key="start", choice_ids=[choice_id(quiz, "start", 0)]
    ).attempt
    signals = [c.id for c in quiz.scenario.step("signalen").choices if c.correct]
    attempt = services.answer(attempt=attempt, step_key="signalen", choice_ids=signals).attempt
    return services.answer(
        attempt=attempt, step_key="meldcode", choice_ids=ids(quiz, "meldcode")
    ).attempt


def test_best_path_passes_and_completes_the_module(quiz, module):
    learner = UserFactory()
    for lesson in lessons_of(module):
        course_services.complete_lesson(user=learner, lesson=lesson)
    enrolment = Enrolment.objects.get(user=learner, module=module)
    assert enrolment.completed_at is None, "lessons alone do not complete a module with a quiz"

    attempt = play_best(quiz, services.start_attempt(user=learner, quiz=quiz))

    assert attempt.is_finished and attempt.passed
    assert attempt.score == 7
    assert attempt.current_step == "einde-goed"
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None


def test_passing_before_the_lessons_completes_the_module_with_the_last_lesson(quiz, module):
    learner = UserFactory()
    play_best(quiz, services.start_attempt(user=learner, quiz=quiz))
    enrolment = Enrolment.objects.get(user=learner, module=module)
    assert enrolment.completed_at is None
    for lesson in lessons_of(module):
        enrolment = course_services.complete_lesson(user=learner, lesson=lesson)
    assert enrolment.completed_at is not None


def test_a_wrong_choice_takes_the_other_branch_and_scores_nothing(quiz):
    attempt = services.start_attempt(user=UserFactory(), quiz=quiz)
    result = services.answer(
        attempt=attempt, step_key="start", choice_ids=[choice_id(quiz, "start", 1)]
    )
    assert result.attempt.current_step == "gevolg"
    assert result.evaluation.score == 0
    assert result.answer.missed == ["poging-tot-verwurging"]
    assert "rode vlag" in result.evaluation.feedback[0][1]


def test_missing_two_signals_so_far_leads_to_the_escalation_step(quiz):
    attempt = services.start_attempt(user=UserFactory(), quiz=quiz)
    attempt = services.answer(
        attempt=attempt, step_key="start", choice_ids=[choice_id(quiz, "start", 1)]
    ).attempt  # misses verwurging
    attempt = services.answer(
        attempt=attempt, step_key="gevolg", choice_ids=[choice_id(quiz, "gevolg", 0)]
    ).attempt
    # Marks only the neutral sentence: misses both signals in the text.
    neutral = [c.id for c in quiz.scenario.step("signalen").choices if not c.correct]
    result = services.answer(attempt=attempt, step_key="signalen", choice_ids=neutral)
    assert result.attempt.current_step == "escalatie"
    assert result.evaluation.score == 0


def test_a_failed_attempt_does_not_pass(quiz):
    attempt = play_to_poor_end(quiz, UserFactory())
    assert attempt.is_finished
    assert attempt.passed is False
    assert attempt.current_step == "einde-zorg"
    assert not selectors.assessment_passed(attempt.enrolment)


def test_every_answer_is_saved_and_the_learner_resumes_at_the_same_step(quiz, client):
    learner = UserFactory()
    client.force_login(learner)
    client.post(quiz.url, {"action": "start"})
    attempt = QuizAttempt.objects.get(user=learner)
    client.post(
        quiz.url,
        {
            "action": "answer",
            "attempt": attempt.pk,
            "step": "start",
            "choice": choice_id(quiz, "start", 0),
        },
    )
    assert QuizAnswer.objects.filter(attempt=attempt).count() == 1

    # A new session (the laptop was closed): the same step is shown.
    client.logout()
    client.force_login(learner)
    page = client.get(quiz.url).content.decode()
    assert 'name="step" value="signalen"' in page
    assert "Goed: verwurging is een rode vlag." in page


def test_the_attempt_keeps_its_revision_when_authors_edit_the_quiz(quiz):
    learner = UserFactory()
    attempt = services.start_attempt(user=learner, quiz=quiz)
    attempt = services.answer(
        attempt=attempt, step_key="start", choice_ids=[choice_id(quiz, "start", 0)]
    ).attempt
    first_revision = attempt.revision_id

    # The author rewrites the choice's score and feedback and publishes.
    edited = quiz_data(pass_mark=5)
    edited["steps"][0]["choices"][0]["score"] = 1
    edited["steps"][0]["choices"][0]["feedback"] = "Nieuwe feedback."
    from quizzes.content_loader import steps_stream

    quiz.steps = steps_stream(edited)
    quiz.save_revision().publish()
    selectors.scenario_for_revision.cache_clear()

    attempt = play_rest(quiz, attempt)
    assert attempt.revision_id == first_revision
    assert attempt.score == 7
    report = selectors.attempt_report(attempt)
    assert report.path[0].evaluation.feedback[0][1] == "Goed: verwurging is een rode vlag."
    # A new attempt plays the new revision.
    second = services.start_attempt(user=learner, quiz=quiz)
    assert second.revision_id != first_revision


def play_rest(quiz, attempt):
    signals = [c.id for c in quiz.scenario.step("signalen").choices if c.correct]
    attempt = services.answer(attempt=attempt, step_key="signalen", choice_ids=signals).attempt
    return services.answer(
        attempt=attempt, step_key="meldcode", choice_ids=ids(quiz, "meldcode")
    ).attempt


class TestRefusals:
    """Each refusal: a clear message, and the attempt exactly as it was."""

    def test_an_answer_for_a_step_that_is_not_the_current_one(self, quiz):
        attempt = services.start_attempt(user=UserFactory(), quiz=quiz)
        before = snapshot(attempt)
        with pytest.raises(services.QuizRefusal, match="niet de huidige vraag"):
            services.answer(attempt=attempt, step_key="meldcode", choice_ids=ids(quiz, "meldcode"))
        assert snapshot(attempt) == before

    def test_a_choice_from_another_step(self, quiz):
        attempt = services.start_attempt(user=UserFactory(), quiz=quiz)
        before = snapshot(attempt)
        with pytest.raises(services.QuizRefusal, match="hoort niet bij deze vraag"):
            services.answer(
                attempt=attempt, step_key="start", choice_ids=[choice_id(quiz, "gevolg", 0)]
            )
        assert snapshot(attempt) == before

    def test_a_choice_from_another_quiz(self, quiz, catalogue):
        from tests.courses.conftest import make_module

        other = make_quiz(make_module(catalogue, "Andere module"), quiz_data(module="andere"))
        attempt = services.start_attempt(user=UserFactory(), quiz=quiz)
        before = snapshot(attempt)
        with pytest.raises(services.QuizRefusal, match="hoort niet bij deze vraag"):
            services.answer(
                attempt=attempt, step_key="start", choice_ids=[choice_id(other, "start", 0)]
            )
        assert snapshot(attempt) == before

    def test_a_second_submit_of_the_same_answer(self, quiz):
        attempt = services.start_attempt(user=UserFactory(), quiz=quiz)
        chosen = [choice_id(quiz, "start", 0)]
        services.answer(attempt=attempt, step_key="start", choice_ids=chosen)
        before = snapshot(attempt)
        with pytest.raises(services.QuizRefusal, match="al beantwoord"):
            services.answer(attempt=attempt, step_key="start", choice_ids=chosen)
        assert snapshot(attempt) == before

    def test_an_answer_after_the_attempt_ended(self, quiz):
        attempt = play_best(quiz, services.start_attempt(user=UserFactory(), quiz=quiz))
        before = snapshot(attempt)
        with pytest.raises(services.QuizRefusal, match="afgelopen"):
            services.answer(
                attempt=attempt, step_key="einde-goed", choice_ids=[choice_id(quiz, "start", 0)]
            )
        assert snapshot(attempt) == before

    def test_two_choices_on_a_single_choice_step(self, quiz):
        attempt = services.start_attempt(user=UserFactory(), quiz=quiz)
        before = snapshot(attempt)
        with pytest.raises(services.QuizRefusal, match="Kies een van"):
            services.answer(attempt=attempt, step_key="start", choice_ids=ids(quiz, "start"))
        assert snapshot(attempt) == before

    def test_through_the_page_with_a_message(self, quiz, client):
        learner = UserFactory()
        client.force_login(learner)
        client.post(quiz.url, {"action": "start"})
        attempt = QuizAttempt.objects.get(user=learner)
        before = snapshot(attempt)
        response = client.post(
            quiz.url,
            {
                "action": "answer",
                "attempt": attempt.pk,
                "step": "start",
                "choice": "not-a-choice",
            },
            follow=True,
        )
        assert response.status_code == 200
        assert "hoort niet bij deze vraag" in response.content.decode()
        assert snapshot(attempt) == before

    def test_someone_elses_attempt(self, quiz, client):
        attempt = services.start_attempt(user=UserFactory(), quiz=quiz)
        before = snapshot(attempt)
        client.force_login(UserFactory())
        response = client.post(
            quiz.url,
            {
                "action": "answer",
                "attempt": attempt.pk,
                "step": "start",
                "choice": choice_id(quiz, "start", 0),
            },
            follow=True,
        )
        assert "Die poging bestaat niet." in response.content.decode()
        assert snapshot(attempt) == before
        # Nor can anyone else see its results.
        page = client.get(f"{quiz.url}?poging={attempt.pk}").content.decode()
        assert "Je resultaat" not in page

    def test_an_order_with_two_items_in_the_same_place(self, quiz, client):
        learner = UserFactory()
        client.force_login(learner)
        attempt = services.start_attempt(user=learner, quiz=quiz)
        attempt = services.answer(
            attempt=attempt, step_key="start", choice_ids=[choice_id(quiz, "start", 0)]
        ).attempt
        signals = [c.id for c in quiz.scenario.step("signalen").choices if c.correct]
        attempt = services.answer(attempt=attempt, step_key="signalen", choice_ids=signals).attempt
        before = snapshot(attempt)
        response = client.post(
            quiz.url,
            {"action": "answer", "attempt": attempt.pk, "step": "meldcode"}
            | {f"position-{item}": "1" for item in ids(quiz, "meldcode")},
            follow=True,
        )
        assert "dezelfde plaats" in response.content.decode()
        assert snapshot(attempt) == before

    def test_anonymous_visitors_are_sent_to_log_in(self, quiz, client):
        response = client.post(quiz.url, {"action": "start"})
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]
        assert not QuizAttempt.objects.exists()


def test_attempts_allowed_and_waiting_time(module):
    quiz = make_quiz(module, quiz_data(attempts_allowed=1))
    learner = UserFactory()
    play_to_poor_end(quiz, learner)
    with pytest.raises(services.QuizRefusal, match="de 1 poging gebruikt"):
        services.start_attempt(user=learner, quiz=quiz)
    assert QuizAttempt.objects.filter(user=learner).count() == 1


def test_waiting_time_between_attempts(module):
    quiz = make_quiz(module, quiz_data(wait_minutes=60))
    learner = UserFactory()
    play_to_poor_end(quiz, learner)
    with pytest.raises(services.QuizRefusal, match="een nieuwe poging starten"):
        services.start_attempt(user=learner, quiz=quiz)


def test_starting_twice_gives_the_same_open_attempt(quiz):
    learner = UserFactory()
    assert services.start_attempt(user=learner, quiz=quiz) == services.start_attempt(
        user=learner, quiz=quiz
    )


def test_shuffled_choices_keep_their_order_on_reload(module):
    quiz = make_quiz(module, quiz_data(shuffle=True))
    attempt = services.start_attempt(user=UserFactory(), quiz=quiz)
    step = quiz.scenario.step("start")
    first = selectors.displayed_choices(attempt, step)
    assert first == selectors.displayed_choices(attempt, step)
    assert sorted(c.id for c in first) == sorted(c.id for c in step.choices)


def test_results_show_score_path_feedback_and_what_to_review(quiz, client):
    learner = UserFactory()
    attempt = play_to_poor_end(quiz, learner)
    client.force_login(learner)
    page = client.get(f"{quiz.url}?poging={attempt.pk}").content.decode()
    assert "Niet gehaald" in page
    assert "0 punten; 5 nodig om te halen" in page
    assert "Hiermee mis je een belangrijke rode vlag." in page  # feedback per choice
    assert "Het patroon blijft." in page  # the end's outcome
    assert "Wat je nog eens kunt bekijken" in page
    assert "Poging tot verwurging" in page


def test_the_intro_shows_the_content_note_and_sources_and_feedback_cites_the_step(module, client):
    data = quiz_data(content_note="De casus beschrijft een poging tot verwurging.")
    data["steps"][0]["sources"] = [
        {"source": "utrecht-raadsbrief-femicide-2025", "passage": "Aanpak femicide"}
    ]
    quiz = make_quiz(module, data)
    client.force_login(UserFactory())

    intro = client.get(quiz.url).content.decode()
    assert "De casus beschrijft een poging tot verwurging." in intro
    assert "Bronnen bij deze toets" in intro
    assert "Plan van aanpak ‘Stop femicide!’" in intro
    assert "Bijlage bij Kamerstuk 28 345, nr. 278 — Deel A, §3.2" in intro

    client.post(quiz.url, {"action": "start"})
    step = client.get(quiz.url).content.decode()
    assert "Bronnen bij deze toets" not in step  # not while the learner plays
    attempt = QuizAttempt.objects.get(quiz=quiz)
    feedback = client.post(
        quiz.url,
        {"action": "answer", "attempt": attempt.pk, "step": "start",
         "choice": choice_id(quiz, "start", 0)},
        follow=True,
    ).content.decode()  # fmt: skip
    assert "Goed: verwurging is een rode vlag." in feedback
    assert "Bron: " in feedback
    assert "— Aanpak femicide" in feedback
