"""The scenario graph as plain data: steps, their choices and branches, and the ways on
from each step.

No Django models here: the page's StreamField is turned into these frozen dataclasses
(quizzes.models.ScenarioQuizPage.scenario), so the rules can be tested on any graph,
including generated ones."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _


class StepKind(enum.StrEnum):
    DECISION = "decision"
    MULTIPLE_RESPONSE = "multiple_response"
    ORDER = "order"
    MARK_SIGNALS = "mark_signals"
    END = "end"


class FeedbackTiming(enum.StrEnum):
    PER_STEP = "per_step"
    AT_END = "at_end"


@dataclass(frozen=True)
class Choice:
    """A choice of a decision, an option of a multiple response, an item to put in order
    or a sentence of a case text. `correct` means: to be chosen (multiple response) or a
    signal (mark the signals)."""

    id: str
    label: str
    feedback: str = ""
    score: int = 0
    next: str = ""
    recognised: tuple[str, ...] = ()
    missed: tuple[str, ...] = ()
    correct: bool = False


@dataclass(frozen=True)
class Branch:
    """Go to `next` when at least `min_missed` distinct signals (of `signals`, or of any
    signal when empty) have been missed so far in the attempt."""

    min_missed: int
    next: str
    signals: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Step:
    key: str
    kind: StepKind
    title: str = ""
    case: str = ""
    narrative: str = ""
    choices: tuple[Choice, ...] = ()
    next: str = ""
    branches: tuple[Branch, ...] = ()
    points: int = 1
    penalty: int = 0
    feedback: str = ""
    signals: tuple[str, ...] = ()  # put-in-order: recognised when right, missed when not
    outcome: str = ""
    image_id: int | None = None
    image_alt: str = ""
    # Citations: (source register entry id, passage cited); shown with the feedback.
    sources: tuple[tuple[int, str], ...] = ()

    @property
    def is_end(self) -> bool:
        return self.kind == StepKind.END

    @property
    def kind_label(self) -> str:
        """The step's kind as authors know it from the editor's block menu."""
        return {
            StepKind.DECISION: _("Decision (one choice)"),
            StepKind.MULTIPLE_RESPONSE: _("Multiple response"),
            StepKind.ORDER: _("Put in order"),
            StepKind.MARK_SIGNALS: _("Mark the signals"),
            StepKind.END: _("End"),
        }[self.kind]

    def choice(self, choice_id: str) -> Choice | None:
        return next((choice for choice in self.choices if choice.id == choice_id), None)

    @property
    def max_score(self) -> int:
        if self.kind == StepKind.DECISION:
            return max((choice.score for choice in self.choices), default=0)
        if self.kind == StepKind.ORDER:
            return self.points * len(self.choices)
        if self.kind in (StepKind.MULTIPLE_RESPONSE, StepKind.MARK_SIGNALS):
            return self.points * sum(1 for choice in self.choices if choice.correct)
        return 0

    def moves(self) -> Iterator[tuple[int, str]]:
        """(score, next step key) for every way on from this step. Branches can follow
        any answer, so they are paired with every score an answer can earn."""
        if self.kind == StepKind.DECISION:
            gains = [(choice.score, choice.next) for choice in self.choices]
        elif self.is_end:
            gains = []
        else:
            gains = [(self.max_score, self.next)]
        yield from gains
        for branch in self.branches:
            for score, _next in gains:
                yield score, branch.next

    def targets(self) -> set[str]:
        return {target for _score, target in self.moves()}


@dataclass(frozen=True)
class Scenario:
    steps: tuple[Step, ...]
    pass_mark: int
    attempts_allowed: int = 0
    wait_minutes: int = 0
    shuffle: bool = False
    feedback: FeedbackTiming = FeedbackTiming.PER_STEP
    _by_key: dict[str, Step] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        for step in self.steps:
            self._by_key.setdefault(step.key, step)

    @property
    def start(self) -> Step | None:
        return self.steps[0] if self.steps else None

    def step(self, key: str) -> Step | None:
        return self._by_key.get(key)
