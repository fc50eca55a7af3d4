"""Reads for scenario quizzes: the graph an attempt is played against, whether a learner
may start, what an attempt looked like, whether a module's assessment is passed, and the
aggregated insight for authors and organisations."""

import datetime
import functools
import random
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
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

# Aggregates about fewer learners than this are not shown, so no one can be singled out.
MINIMUM_GROUP = settings.SMALL_GROUP_MINIMUM  # the one threshold: see settings


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


# --- Insight: aggregated, never per person ----------------------------------------------


@dataclass(frozen=True)
class ChoiceCount:
    label: str
    count: int
    share: int  # percent of the answers to the step


@dataclass(frozen=True)
class StepInsight:
    step: rules.Step
    answers: int
    choices: list[ChoiceCount]


@dataclass(frozen=True)
class SignalInsight:
    signal: Signal
    missed: int
    recognised: int
    learners: int

    @property
    def miss_rate(self) -> int:
        total = self.missed + self.recognised
        return round(100 * self.missed / total) if total else 0


@dataclass(frozen=True)
class QuizInsight:
    attempts: int
    finished: int
    passed: int
    learners: int
    steps: list[StepInsight] = field(default_factory=list)
    signals: list[SignalInsight] = field(default_factory=list)
    hidden: bool = False

    @property
    def pass_rate(self) -> int:
        return round(100 * self.passed / self.finished) if self.finished else 0


def quiz_insight(quiz: ScenarioQuizPage, *, minimum_group: int = MINIMUM_GROUP) -> QuizInsight:
    """For authors: how a quiz is played, aggregated over all attempts. Choices are
    counted by their stable ids, so figures from older revisions add up; labels come from
    the live revision. With fewer learners than minimum_group only the totals show."""
    attempts = QuizAttempt.objects.filter(quiz=quiz)
    totals = _attempt_totals(attempts)
    if totals["learners"] < minimum_group:
        return QuizInsight(**totals, hidden=True)
    answers = QuizAnswer.objects.filter(attempt__quiz=quiz)
    scenario = quiz.scenario
    per_choice: dict[str, Counter] = defaultdict(Counter)
    per_step: Counter = Counter()
    for step_key, choice_ids in answers.values_list("step_key", "choice_ids").iterator():
        per_step[step_key] += 1
        per_choice[step_key].update(choice_ids)
    steps = []
    for step in scenario.steps:
        if step.is_end:
            continue
        count = per_step[step.key]
        steps.append(
            StepInsight(
                step=step,
                answers=count,
                choices=[
                    ChoiceCount(
                        label=choice.label,
                        count=per_choice[step.key][choice.id],
                        share=round(100 * per_choice[step.key][choice.id] / count) if count else 0,
                    )
                    for choice in step.choices
                ],
            )
        )
    return QuizInsight(
        **totals, steps=steps, signals=signal_misses(attempts, minimum_group=minimum_group)
    )


def _attempt_totals(attempts: QuerySet[QuizAttempt]) -> dict:
    return attempts.aggregate(
        attempts=Count("pk"),
        finished=Count("pk", filter=Q(finished_at__isnull=False)),
        passed=Count("pk", filter=Q(passed=True)),
        learners=Count("user", distinct=True),
    )


def signal_misses(
    attempts: QuerySet[QuizAttempt], *, minimum_group: int = MINIMUM_GROUP
) -> list[SignalInsight]:
    """Per signal, how often the given attempts missed and recognised it, most missed
    first. The organisations app passes its members' attempts to show where their
    knowledge gaps are. A signal seen by fewer than minimum_group learners is left out."""
    missed: Counter = Counter()
    recognised: Counter = Counter()
    learners: dict[str, set[int]] = defaultdict(set)
    rows = QuizAnswer.objects.filter(attempt__in=attempts).values_list(
        "attempt__user_id", "missed", "recognised"
    )
    for user_id, missed_slugs, recognised_slugs in rows.iterator():
        for slug in missed_slugs:
            missed[slug] += 1
            learners[slug].add(user_id)
        for slug in recognised_slugs:
            recognised[slug] += 1
            learners[slug].add(user_id)
    shown = [slug for slug, users in learners.items() if len(users) >= minimum_group]
    signals = Signal.objects.in_bulk(shown, field_name="slug")
    result = [
        SignalInsight(
            signal=signals[slug],
            missed=missed[slug],
            recognised=recognised[slug],
            learners=len(learners[slug]),
        )
        for slug in shown
        if slug in signals
    ]
    return sorted(result, key=lambda item: (-item.miss_rate, -item.missed, item.signal.name))


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
