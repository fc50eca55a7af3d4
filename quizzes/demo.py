"""Demo data for quizzes: every module's scenario quiz, the demo learner's pass, and
synthetic demo learners' attempts for the insight report."""

import random

from accounts.models import User
from courses.models import ModulePage

from . import content_loader, selectors, services
from . import scenario as rules
from .models import QuizAttempt, ScenarioQuizPage


def load_demo_quizzes(*, modules: list[ModulePage]) -> list[ScenarioQuizPage]:
    return content_loader.load_quizzes(modules)


def give_demo_attempts(*, learner: User, completed: ModulePage) -> QuizAttempt | None:
    """The learner passed the quiz of the module they completed (idempotent)."""
    quiz = selectors.module_quiz(completed)
    if quiz is None:
        return None
    passed = QuizAttempt.objects.filter(user=learner, quiz=quiz, passed=True).first()
    return passed or services.play_best_path(user=learner, quiz=quiz)


# Synthetic learners for the quiz insight report, which hides a quiz's figures until
# SMALL_GROUP_MINIMUM learners played it. Marked as demo in name and address (the demo's
# '.demo.signaal.test'), without a password: nobody signs in as them.
INSIGHT_LEARNERS = 8
INSIGHT_DOMAIN = "toetsinzicht.demo.signaal.test"


def give_demo_insight_attempts(
    *, quizzes: list[ScenarioQuizPage], learners: int = INSIGHT_LEARNERS
) -> int:
    """Attempts by synthetic demo learners at every quiz, along varied ways (some best,
    some missing signals and so taking the branches), so the insight report shows
    choices, signals and pass rates. Idempotent: a learner with attempts at a quiz gets
    no more there. Returns the number of attempts made."""
    made = 0
    for number in range(1, learners + 1):
        learner = _insight_learner(number)
        for quiz in quizzes:
            if QuizAttempt.objects.filter(user=learner, quiz=quiz).exists():
                continue
            # Seeded per learner and quiz: the same demo on every machine.
            generator = random.Random(f"{quiz.slug}:{number}")  # noqa: S311 (not security)
            made += _play(learner, quiz, generator, care=number / learners)
    return made


def _insight_learner(number: int) -> User:
    email = f"deelnemer-{number:02d}@{INSIGHT_DOMAIN}"
    learner = User.objects.filter(email=email).first()
    if learner is None:
        learner = User.objects.create_user(
            email=email, full_name=f"Demo-deelnemer {number:02d} (toetsinzicht)"
        )
        learner.set_unusable_password()
        learner.save(update_fields=["password"])
    return learner


def _play(learner: User, quiz: ScenarioQuizPage, generator: random.Random, *, care: float) -> int:
    """One attempt, answering each step well with probability `care`, else at random."""
    try:
        attempt = services.start_attempt(user=learner, quiz=quiz)
    except services.QuizRefusal:
        return 0
    scenario = selectors.scenario_for_revision(attempt.revision_id)
    while not attempt.is_finished:
        step = scenario.step(attempt.current_step)
        if generator.random() < care:
            chosen = rules.best_answer(step)
        elif step.kind == rules.StepKind.DECISION:
            chosen = [generator.choice(step.choices).id]
        elif step.kind == rules.StepKind.ORDER:
            chosen = [choice.id for choice in generator.sample(step.choices, len(step.choices))]
        else:
            chosen = [choice.id for choice in step.choices if generator.random() < 0.5]
            if not chosen and step.kind == rules.StepKind.MULTIPLE_RESPONSE:
                chosen = [step.choices[0].id]
        attempt = services.answer(attempt=attempt, step_key=step.key, choice_ids=chosen).attempt
    return 1
