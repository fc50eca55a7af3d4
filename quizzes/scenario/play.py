"""Playing a scenario: scoring an answer, choosing the next step, the best answer, and how
many questions are left from a step."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .graph import Choice, Scenario, Step, StepKind


class AnswerError(ValueError):
    """The answer does not fit the step; the message says why, for the learner."""


@dataclass(frozen=True)
class Evaluation:
    score: int
    max_score: int
    recognised: tuple[str, ...]
    missed: tuple[str, ...]
    correct: bool
    feedback: tuple[tuple[str, str], ...]  # (label, feedback) per relevant choice


def evaluate(step: Step, choice_ids: Iterable[str]) -> Evaluation:
    """Score one answer to one step. choice_ids are the ids the learner chose, in their
    order for a put-in-order step. Raises AnswerError when they do not fit the step."""
    chosen = list(choice_ids)
    own = {choice.id for choice in step.choices}
    if any(choice_id not in own for choice_id in chosen):
        raise AnswerError(_("That choice does not belong to this question."))
    if len(set(chosen)) != len(chosen):
        raise AnswerError(_("Each choice can be given only once."))
    if step.kind == StepKind.END:
        raise AnswerError(_("This step has no question to answer."))

    if step.kind == StepKind.DECISION:
        if len(chosen) != 1:
            raise AnswerError(_("Choose one of the options."))
        choice = step.choice(chosen[0])
        best = step.max_score
        return Evaluation(
            score=choice.score,
            max_score=best,
            recognised=choice.recognised,
            missed=choice.missed,
            correct=choice.score == best,
            feedback=((choice.label, choice.feedback),),
        )

    if step.kind == StepKind.ORDER:
        if len(chosen) != len(step.choices):
            raise AnswerError(_("Put every item in a place of its own."))
        right_places = sum(
            1 for given, expected in zip(chosen, step.choices, strict=True) if given == expected.id
        )
        all_right = right_places == len(step.choices)
        order = tuple((choice.label, "") for choice in step.choices)
        return Evaluation(
            score=step.points * right_places,
            max_score=step.max_score,
            recognised=step.signals if all_right else (),
            missed=() if all_right else step.signals,
            correct=all_right,
            feedback=((_("The right order"), step.feedback), *order),
        )

    # Multiple response and mark-the-signals: choose the correct ones, avoid the others.
    if step.kind == StepKind.MULTIPLE_RESPONSE and not chosen:
        raise AnswerError(_("Choose at least one option."))
    picked = set(chosen)
    found = [choice for choice in step.choices if choice.correct and choice.id in picked]
    overlooked = [choice for choice in step.choices if choice.correct and choice.id not in picked]
    false_alarms = [choice for choice in step.choices if not choice.correct and choice.id in picked]
    score = max(0, step.points * len(found) - step.penalty * len(false_alarms))
    return Evaluation(
        score=score,
        max_score=step.max_score,
        recognised=_signals_of(found),
        missed=_signals_of(overlooked),
        correct=not overlooked and not false_alarms,
        feedback=tuple(
            (choice.label, choice.feedback)
            for choice in step.choices
            if choice.id in picked or choice.correct
        ),
    )


def _signals_of(choices: Iterable[Choice]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(signal for choice in choices for signal in choice.recognised))


def next_step_key(step: Step, choice_ids: Iterable[str], missed_so_far: set[str]) -> str:
    """Where the learner goes after answering `step`: the first branch whose condition the
    attempt's missed signals (this answer included) meet, else the chosen way on."""
    for branch in step.branches:
        relevant = missed_so_far & branch.signals if branch.signals else missed_so_far
        if len(relevant) >= branch.min_missed:
            return branch.next
    if step.kind == StepKind.DECISION:
        return step.choice(next(iter(choice_ids))).next
    return step.next


@dataclass(frozen=True)
class Move:
    """One answer taken: its evaluation, whether it counts (a step answered again in the
    same attempt counts once), the points it adds and where the learner goes next."""

    evaluation: Evaluation
    counted: bool
    score: int
    next_key: str


def take_step(
    step: Step, choice_ids: Iterable[str], earlier: Iterable[tuple[str, Iterable[str]]]
) -> Move:
    """Answer `step` after the `earlier` answers of the attempt, given as (step key, signals
    missed). The one rule for an answer: the live quiz records its result, the author's
    'play as a learner' preview only shows it. Raises AnswerError like evaluate."""
    chosen = list(choice_ids)
    evaluation = evaluate(step, chosen)
    earlier = list(earlier)
    counted = all(key != step.key for key, _missed in earlier)
    missed_so_far = {signal for _key, missed in earlier for signal in missed}
    missed_so_far.update(evaluation.missed)
    return Move(
        evaluation=evaluation,
        counted=counted,
        score=evaluation.score if counted else 0,
        next_key=next_step_key(step, chosen, missed_so_far),
    )


@dataclass(frozen=True)
class PlayedAnswer:
    step: Step
    choice_ids: tuple[str, ...]
    move: Move


@dataclass(frozen=True)
class Play:
    """A play of the scenario from its start, held nowhere but here."""

    answers: tuple[PlayedAnswer, ...]
    current: Step
    score: int
    pass_mark: int

    @property
    def finished(self) -> bool:
        return self.current.is_end

    @property
    def passed(self) -> bool:
        return self.finished and self.score >= self.pass_mark


def replay(scenario: Scenario, answers: Iterable[tuple[str, Iterable[str]]]) -> Play:
    """Walk the scenario from its start through the given (step key, choice ids) answers
    with take_step. Raises AnswerError when an answer is not for the step the walk is at
    (e.g. the draft changed since) or does not fit it."""
    current = scenario.start
    if current is None:
        raise AnswerError(_("This quiz has no steps yet."))
    played: list[PlayedAnswer] = []
    score = 0
    for step_key, choice_ids in answers:
        if current.is_end or step_key != current.key:
            raise AnswerError(_("That question is not the current question of this attempt."))
        earlier = [(entry.step.key, entry.move.evaluation.missed) for entry in played]
        move = take_step(current, choice_ids, earlier)
        played.append(PlayedAnswer(current, tuple(choice_ids), move))
        score += move.score
        following = scenario.step(move.next_key)
        if following is None:
            raise AnswerError(_("This quiz cannot be played to an end yet."))
        current = following
    return Play(answers=tuple(played), current=current, score=score, pass_mark=scenario.pass_mark)


def best_answer(step: Step) -> list[str]:
    """The ids of a full-score answer (used by the demo learner and the tests)."""
    if step.kind == StepKind.DECISION:
        return [max(step.choices, key=lambda choice: choice.score).id]
    if step.kind == StepKind.ORDER:
        return [choice.id for choice in step.choices]
    return [choice.id for choice in step.choices if choice.correct]


# --- Progress for the learner ---------------------------------------------------------------


@dataclass(frozen=True)
class Remaining:
    """How many questions are left from a step, this one included: `fewest` on the
    shortest way to an end, `most` on the longest (None when a loop makes it unbounded)."""

    fewest: int
    most: int | None


def remaining_questions(scenario: Scenario, key: str) -> Remaining:
    """Questions still to answer from step `key` (an end step: none). A branching
    scenario has no fixed length, so the page says 'at least' when the ways differ."""
    step = scenario.step(key)
    if step is None or step.is_end:
        return Remaining(0, 0)
    fewest = _fewest_to_end(scenario, key)
    return Remaining(fewest, _most_to_end(scenario, key))


def _fewest_to_end(scenario: Scenario, key: str) -> int:
    # Breadth first over answers; a step that never reaches an end counts as one question.
    seen, layer, depth = {key}, [key], 0
    while layer:
        following = []
        for current in layer:
            step = scenario.step(current)
            if step is None or step.is_end:
                return depth
            for target in step.targets() - seen:
                seen.add(target)
                following.append(target)
        layer, depth = following, depth + 1
    return max(depth, 1)


def _most_to_end(scenario: Scenario, key: str) -> int | None:
    """The longest way to an end in answers, or None when a loop is reachable. Depth first
    with colours (a step met again while open is a loop) and memoised lengths, so a dense
    graph costs one visit per step."""
    longest: dict[str, int] = {}
    open_steps: set[str] = set()

    def visit(current: str) -> int | None:
        step = scenario.step(current)
        if step is None or step.is_end:
            return 0
        if current in longest:
            return longest[current]
        if current in open_steps:
            return None
        open_steps.add(current)
        best = 0
        for target in sorted(step.targets()):
            rest = visit(target)
            if rest is None:
                return None
            best = max(best, rest)
        open_steps.discard(current)
        longest[current] = best + 1
        return best + 1

    return visit(key)
