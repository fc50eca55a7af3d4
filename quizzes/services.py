"""Writes for scenario quizzes: starting an attempt and answering. The server walks the
graph; the browser only says which choices were made."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from courses import services as course_services

from . import scenario as rules
from . import selectors, signals
from .models import QuizAnswer, QuizAttempt, ScenarioQuizPage


class QuizRefusal(Exception):
    """The request cannot be carried out; nothing was changed. str() is for the learner."""


@transaction.atomic
def start_attempt(*, user: User, quiz: ScenarioQuizPage) -> QuizAttempt:
    """The learner's open attempt at this quiz, or a new one on the live revision when the
    quiz settings allow it. Double clicks and parallel requests give the same attempt."""
    open_attempt = QuizAttempt.objects.filter(
        user=user, quiz=quiz, finished_at__isnull=True
    ).first()
    if open_attempt:
        return open_attempt
    module = quiz.get_parent().specific
    enrolment = course_services.start_module(user=user, module=module)
    allowance = selectors.attempt_allowance(user=user, quiz=quiz, enrolment=enrolment)
    if not allowance.may_start:
        raise QuizRefusal(allowance.reason)
    # Read fresh: the page object may predate the latest publication.
    revision_id = (
        ScenarioQuizPage.objects.filter(pk=quiz.pk, live=True)
        .values_list("live_revision_id", flat=True)
        .first()
    )
    if revision_id is None:
        raise QuizRefusal(_("This quiz is not available at the moment."))
    scenario = selectors.scenario_for_revision(revision_id)
    try:
        with transaction.atomic():
            attempt = QuizAttempt.objects.create(
                user=user,
                quiz=quiz,
                revision_id=revision_id,
                enrolment=enrolment,
                number=allowance.used + 1,
                current_step=scenario.start.key,
                pass_mark=scenario.pass_mark,
            )
    except IntegrityError:
        return QuizAttempt.objects.get(user=user, quiz=quiz, finished_at__isnull=True)
    signals.attempt_started.send(sender=QuizAttempt, attempt=attempt)
    return attempt


@dataclass(frozen=True)
class AnswerResult:
    attempt: QuizAttempt
    answer: QuizAnswer
    evaluation: rules.Evaluation


def answer(*, attempt: QuizAttempt, step_key: str, choice_ids: list[str]) -> AnswerResult:
    """Record the learner's answer to the current step, score it and move on.

    Refused, with nothing changed, when the attempt has ended, the step is not the
    current one (including a second submit of an answer already given) or a choice does
    not belong to the step."""
    with transaction.atomic():
        # The lock makes a double submit wait and then see the step has moved on.
        locked = QuizAttempt.objects.select_for_update().get(pk=attempt.pk)
        if locked.is_finished:
            raise QuizRefusal(_("This attempt has ended. Your answers were saved."))
        if step_key != locked.current_step:
            # Compared here, not in SQL: the key is whatever the form sent (a NUL byte
            # would make PostgreSQL fail the request).
            if step_key in set(locked.answers.values_list("step_key", flat=True)):
                raise QuizRefusal(
                    _("You have already answered this question. Continue with the next one.")
                )
            raise QuizRefusal(_("That question is not the current question of this attempt."))
        scenario = selectors.scenario_for_revision(locked.revision_id)
        step = scenario.step(step_key)
        earlier = list(locked.answers.values_list("step_key", "missed"))
        try:
            move = rules.take_step(step, choice_ids, earlier)
        except rules.AnswerError as error:
            raise QuizRefusal(str(error)) from error
        evaluation, next_key = move.evaluation, move.next_key

        new_answer = QuizAnswer.objects.create(
            attempt=locked,
            sequence=len(earlier) + 1,
            step_key=step_key,
            choice_ids=list(choice_ids),
            score=move.score,
            counted=move.counted,
            correct=evaluation.correct,
            recognised=list(evaluation.recognised),
            missed=list(evaluation.missed),
            next_step=next_key,
        )
        locked.score += new_answer.score
        locked.current_step = next_key
        fields = ["score", "current_step"]
        if scenario.step(next_key).is_end:
            locked.finished_at = timezone.now()
            locked.passed = locked.score >= locked.pass_mark
            fields += ["finished_at", "passed"]
        locked.save(update_fields=fields)
        signals.answer_recorded.send(sender=QuizAnswer, attempt=locked, answer=new_answer)
        if locked.passed:
            # Passing is a requirement of the module: it may complete it now.
            course_services.refresh_completion(enrolment=locked.enrolment)
    return AnswerResult(attempt=locked, answer=new_answer, evaluation=evaluation)


def play_best_path(*, user: User, quiz: ScenarioQuizPage) -> QuizAttempt:
    """Play an attempt with a full-score answer at every step (demo data and tests)."""
    attempt = start_attempt(user=user, quiz=quiz)
    scenario = selectors.scenario_for_revision(attempt.revision_id)
    while not attempt.is_finished:
        step = scenario.step(attempt.current_step)
        attempt = answer(
            attempt=attempt, step_key=step.key, choice_ids=rules.best_answer(step)
        ).attempt
    return attempt
