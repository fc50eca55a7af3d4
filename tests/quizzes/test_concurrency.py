"""A double submit that reaches the server twice at the same moment is saved once: the
attempt row lock makes the second request wait and then see the step has moved on."""

import threading

import pytest
from django.db import connections

from quizzes import services
from quizzes.models import QuizAnswer
from tests.factories import UserFactory

from .conftest import choice_id


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submits_of_the_same_answer_save_one(quiz):
    attempt = services.start_attempt(user=UserFactory(), quiz=quiz)
    chosen = [choice_id(quiz, "start", 0)]
    barrier = threading.Barrier(2)
    outcomes = []

    def submit():
        try:
            barrier.wait()
            services.answer(attempt=attempt, step_key="start", choice_ids=chosen)
            outcomes.append("saved")
        except services.QuizRefusal:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["refused", "saved"]
    assert QuizAnswer.objects.filter(attempt=attempt).count() == 1
    attempt.refresh_from_db()
    assert attempt.current_step == "signalen"
    assert attempt.score == 2
