"""Reads for scenario quizzes: the graph an attempt is played against, whether a learner
may start, what an attempt looked like, whether a module's assessment is passed (the
aggregated insight for authors and organisations: quizzes/insight.py)."""

import datetime
import functools
import random
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from wagtail.models import Revision

from accounts.models import User
from courses.api import Citation, citations
from courses.models import Enrolment, ModulePage

from . import scenario as rules
from .models import QuizAnswer, QuizAttempt, ScenarioQuizPage, Signal


@functools.lru_cache(maxsize=256)
def scenario_for_revision(revision_id: int) -> rules.Scenario:
    """The graph as it was in that revision. Revisions never change, so it is cached."""
    return Revision.objects.get(pk=revision_id).as_object().scenario


def revision_problems(revision_ids: list[int]) -> dict[int, list[str]]:
    """What keeps each quiz revision from being published (the publication check's
    messages), by revision id. Revisions never change, so the answers are kept in the
    cache: a list of drafts costs one cache read, and a revision is checked once."""
    language = get_language()
    keys = {f"quiz-revision-problems:{pk}:{language}": pk for pk in revision_ids}
    found = {keys[key]: value for key, value in cache.get_many(list(keys)).items()}
    missing = [pk for pk in revision_ids if pk not in found]
    checked = {
        pk: [problem.message for problem in rules.problems(scenario_for_revision(pk))]
        for pk in missing
    }
    cache.set_many(
        {key: checked[pk] for key, pk in keys.items() if pk in checked}, timeout=7 * 24 * 3600
    )
    return found | checked


def module_quiz(module: ModulePage) -> ScenarioQuizPage | None:
    return ScenarioQuizPage.objects.child_of(module).live().first()


def assessment_passed(enrolment: Enrolment) -> bool:
    """The module's assessment for this enrolment: passed when the module has no live quiz,
    or when one of the enrolment's attempts at it passed."""
    quiz = module_quiz(enrolment.module)
    if quiz is None:
        return True
    return enrolment.quiz_attempts.filter(quiz=quiz, passed=True).exists()


@dataclass(frozen=True)
class ModuleAssessment:
    quiz: ScenarioQuizPage
    passed: bool
    attempts: int


def module_assessment(
    *, module: ModulePage, enrolment: Enrolment | None
) -> ModuleAssessment | None:
    """The module's quiz and how the learner stands with it, for the module page."""
    quiz = module_quiz(module)
    if quiz is None:
        return None
    attempts = list(
        enrolment.quiz_attempts.filter(quiz=quiz).values_list("passed", flat=True)
        if enrolment
        else []
    )
    return ModuleAssessment(quiz=quiz, passed=any(attempts), attempts=len(attempts))


@dataclass(frozen=True)
class AttemptAllowance:
    may_start: bool
    used: int
    allowed: int
    reason: str = ""
    next_possible_at: datetime.datetime | None = None

    @property
    def remaining(self) -> int | None:
        return None if not self.allowed else max(0, self.allowed - self.used)


def attempt_allowance(
    *, user: User, quiz: ScenarioQuizPage, enrolment: Enrolment | None
) -> AttemptAllowance:
    attempts = (
        QuizAttempt.objects.filter(enrolment=enrolment, quiz=quiz)
        if enrolment
        else QuizAttempt.objects.none()
    )
    used = attempts.count()
    allowed = quiz.attempts_allowed
    if allowed and used >= allowed:
        return AttemptAllowance(
            False,
            used,
            allowed,
            ngettext(
                "You have used the %(count)d attempt this quiz allows.",
                "You have used all %(count)d attempts this quiz allows.",
                allowed,
            )
            % {"count": allowed}
            + " "
            + _("Ask your organisation's coordinator or the Signaal team for another chance."),
        )
    last = attempts.filter(finished_at__isnull=False).order_by("-finished_at").first()
    if last and quiz.wait_minutes:
        next_at = last.finished_at + datetime.timedelta(minutes=quiz.wait_minutes)
        if next_at > timezone.now():
            return AttemptAllowance(
                False,
                used,
                allowed,
                _("You can start a new attempt from %(moment)s.")
                % {"moment": date_format(timezone.localtime(next_at), "DATETIME_FORMAT")},
                next_at,
            )
    return AttemptAllowance(True, used, allowed)


def displayed_choices(attempt: QuizAttempt, step: rules.Step) -> list[rules.Choice]:
    """The choices in the order this learner sees them: shuffled per attempt when the
    quiz says so, the same order on every reload."""
    scenario = scenario_for_revision(attempt.revision_id)
    return shuffled_choices(step, shuffle=scenario.shuffle, seed=f"{attempt.pk}:{step.key}")


def shuffled_choices(step: rules.Step, *, shuffle: bool, seed: str) -> list[rules.Choice]:
    """The step's choices as shown: shuffled by `seed` when the quiz says so. Put-in-order
    items are always shuffled (in their given order the answer would be shown)."""
    choices = list(step.choices)
    if shuffle or step.kind == rules.StepKind.ORDER:
        generator = random.Random(seed)  # noqa: S311 (not security)
        generator.shuffle(choices)
        if step.kind == rules.StepKind.ORDER and choices == list(step.choices):
            choices.reverse()
    return choices


def step_citations(scenario: rules.Scenario) -> dict[str, list[Citation]]:
    """Each step's citations by step key, in one query, for showing with the feedback."""
    cited = citations([ref for step in scenario.steps for ref in step.sources])
    by_id = {(citation.source.pk, citation.passage): citation for citation in cited}
    return {
        step.key: [by_id[ref] for ref in step.sources if ref in by_id]
        for step in scenario.steps
        if step.sources
    }


@dataclass(frozen=True)
class PathEntry:
    step: rules.Step
    answer: QuizAnswer
    evaluation: rules.Evaluation

    @property
    def chosen_labels(self) -> list[str]:
        return [self.step.choice(choice_id).label for choice_id in self.answer.choice_ids]


@dataclass(frozen=True)
class AttemptReport:
    attempt: QuizAttempt
    scenario: rules.Scenario
    path: list[PathEntry]
    end: rules.Step | None
    missed_signals: list[Signal]
    best_possible: int | None

    @property
    def last(self) -> PathEntry | None:
        return self.path[-1] if self.path else None


def attempt_report(attempt: QuizAttempt) -> AttemptReport:
    """The path the learner took, with the feedback on each answer as that revision gave
    it, and the signals to review (missed and not recognised later in the attempt)."""
    scenario = scenario_for_revision(attempt.revision_id)
    path = []
    for answer in attempt.answers.all():
        step = scenario.step(answer.step_key)
        path.append(PathEntry(step, answer, rules.evaluate(step, answer.choice_ids)))
    end = scenario.step(attempt.current_step) if attempt.is_finished else None
    return AttemptReport(
        attempt=attempt,
        scenario=scenario,
        path=path,
        end=end,
        missed_signals=signals_to_review(
            (entry.answer.missed, entry.answer.recognised) for entry in path
        ),
        # Only the results page shows it; not worth the search on every step.
        best_possible=rules.best_score(scenario) if attempt.is_finished else None,
    )


def signals_to_review(answers: Iterable[tuple[Iterable[str], Iterable[str]]]) -> list[Signal]:
    """The signals an attempt missed and did not recognise later on, in the order first
    missed, from its answers' (missed, recognised) signal slugs."""
    missed: dict[str, None] = {}
    recognised: set[str] = set()
    for missed_slugs, recognised_slugs in answers:
        missed.update(dict.fromkeys(missed_slugs))
        recognised.update(recognised_slugs)
    to_review = [slug for slug in missed if slug not in recognised]
    signals = {signal.slug: signal for signal in Signal.objects.filter(slug__in=to_review)}
    return [signals[slug] for slug in to_review if slug in signals]


@dataclass(frozen=True)
class QuizState:
    open_attempt: QuizAttempt | None
    finished: list[QuizAttempt]
    allowance: AttemptAllowance
    passed: bool


def quiz_state(*, user: User, quiz: ScenarioQuizPage) -> QuizState | None:
    if not user.is_authenticated:
        return None
    module = quiz.get_parent().specific
    enrolment = Enrolment.objects.filter(user=user, module=module).order_by("-started_at").first()
    attempts = list(
        QuizAttempt.objects.filter(user=user, quiz=quiz, enrolment=enrolment).order_by("number")
    )
    return QuizState(
        open_attempt=next((a for a in attempts if not a.is_finished), None),
        finished=[a for a in attempts if a.is_finished],
        allowance=attempt_allowance(user=user, quiz=quiz, enrolment=enrolment),
        passed=any(a.passed for a in attempts),
    )


def learner_attempt(*, user: User, quiz: ScenarioQuizPage, attempt_id) -> QuizAttempt | None:
    """One of the learner's own attempts at this quiz; None for anyone else's."""
    try:
        return QuizAttempt.objects.get(pk=int(attempt_id), user=user, quiz=quiz)
    except (QuizAttempt.DoesNotExist, TypeError, ValueError):
        return None


# Personal data (assembled by accounts.selectors.personal_data) ------------------------


def personal_data(user: User) -> dict:
    """The learner's quiz attempts for their data download: every answer as given, with
    the signals recognised and missed."""
    attempts = (
        QuizAttempt.objects.filter(user=user)
        .select_related("quiz")
        .prefetch_related("answers")
        .order_by("started_at", "pk")
    )
    return {
        "quiz_attempts": [
            {
                "quiz": attempt.quiz.title,
                "attempt": attempt.number,
                "started_at": attempt.started_at,
                "finished_at": attempt.finished_at,
                "score": attempt.score,
                "pass_mark": attempt.pass_mark,
                "passed": attempt.passed,
                "answers": [
                    {
                        "step": answer.step_key,
                        "choices": answer.choice_ids,
                        "score": answer.score,
                        "correct": answer.correct,
                        "signals_recognised": answer.recognised,
                        "signals_missed": answer.missed,
                        "answered_at": answer.answered_at,
                    }
                    for answer in attempt.answers.all()
                ],
            }
            for attempt in attempts
        ]
    }
