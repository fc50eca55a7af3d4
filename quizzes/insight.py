"""Insight for authors and organisations: how a quiz is played and which signals are
missed, aggregated over attempts and never per person; groups smaller than MINIMUM_GROUP
are not shown, so no one can be singled out."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from . import scenario as rules
from .models import QuizAnswer, QuizAttempt, ScenarioQuizPage, Signal

# Aggregates about fewer learners than this are not shown, so no one can be singled out.
MINIMUM_GROUP = settings.SMALL_GROUP_MINIMUM  # the one threshold: see settings


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
