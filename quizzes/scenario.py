"""The scenario graph as plain data, and the rules that act on it: checking that a
scenario can be published, scoring an answer and choosing the next step.

No Django models here: the page's StreamField is turned into these frozen dataclasses
(quizzes.models.ScenarioQuizPage.scenario), so the rules can be tested on any graph,
including generated ones."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
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


# --- Checks before publishing -------------------------------------------------------------


class ProblemCode(enum.StrEnum):
    NO_STEPS = "no_steps"
    BAD_KEY = "bad_key"
    DUPLICATE_KEY = "duplicate_key"
    MISSING_STEP = "missing_step"
    UNREACHABLE = "unreachable"
    DEAD_END = "dead_end"
    CLOSED_CYCLE = "closed_cycle"
    TOO_FEW_CHOICES = "too_few_choices"
    NO_END = "no_end"
    PASS_MARK_UNREACHABLE = "pass_mark_unreachable"  # noqa: S105 (not a password)


@dataclass(frozen=True)
class Problem:
    code: ProblemCode
    message: str
    step: str = ""


def problems(scenario: Scenario) -> list[Problem]:
    """Everything that stops this scenario from being published, in words an author
    understands. An empty list means it can be played from start to an end."""
    found: list[Problem] = []
    if not scenario.steps:
        return [Problem(ProblemCode.NO_STEPS, _("The quiz has no steps."))]
    seen: set[str] = set()
    for step in scenario.steps:
        if not step.key or not all(ch.isalnum() or ch in "-_" for ch in step.key):
            found.append(
                Problem(
                    ProblemCode.BAD_KEY,
                    _(
                        "Step '%(title)s' needs a key of letters, digits and hyphens only "
                        "(now: '%(key)s')."
                    )
                    % {"title": step.title or step.key, "key": step.key},
                    step.key,
                )
            )
        if step.key in seen:
            found.append(
                Problem(
                    ProblemCode.DUPLICATE_KEY,
                    _("Two steps have the key '%(key)s'. Each step needs its own key.")
                    % {"key": step.key},
                    step.key,
                )
            )
        seen.add(step.key)
        found.extend(_step_shape_problems(step))
        found.extend(_missing_targets(scenario, step))
    if found:
        # The graph checks below assume every step is well formed and every link resolves.
        return found

    reachable = _reachable(scenario)
    for step in scenario.steps:
        if step.key not in reachable:
            found.append(
                Problem(
                    ProblemCode.UNREACHABLE,
                    _(
                        "Step '%(key)s' cannot be reached from the start: no choice or "
                        "branch leads to it."
                    )
                    % {"key": step.key},
                    step.key,
                )
            )
    if not any(step.is_end for step in scenario.steps if step.key in reachable):
        found.append(Problem(ProblemCode.NO_END, _("The quiz has no end step.")))
    found.extend(_closed_cycles(scenario, reachable))
    if found:
        return found

    best = best_score(scenario)
    if best is not None and scenario.pass_mark > best:
        found.append(
            Problem(
                ProblemCode.PASS_MARK_UNREACHABLE,
                _(
                    "The pass mark (%(pass_mark)s points) cannot be reached: the highest "
                    "score on any path is %(best)s points."
                )
                % {"pass_mark": scenario.pass_mark, "best": best},
            )
        )
    return found


def _step_shape_problems(step: Step) -> Iterator[Problem]:
    name = step.key
    if step.kind == StepKind.DECISION:
        if len(step.choices) < 2:
            yield Problem(
                ProblemCode.TOO_FEW_CHOICES,
                _("Step '%(key)s' needs at least two choices.") % {"key": name},
                name,
            )
        for number, choice in enumerate(step.choices, start=1):
            if not choice.next:
                yield Problem(
                    ProblemCode.DEAD_END,
                    _(
                        "Step '%(key)s', choice %(number)s ('%(label)s'), does not say "
                        "which step comes next."
                    )
                    % {"key": name, "number": number, "label": choice.label},
                    name,
                )
    elif step.kind != StepKind.END:
        if not step.next:
            yield Problem(
                ProblemCode.DEAD_END,
                _("Step '%(key)s' is not an end step but does not say which step comes next.")
                % {"key": name},
                name,
            )
        correct = sum(1 for choice in step.choices if choice.correct)
        too_few = {
            StepKind.ORDER: len(step.choices) < 2,
            StepKind.MULTIPLE_RESPONSE: correct < 1 or len(step.choices) < 2,
            StepKind.MARK_SIGNALS: correct < 1 or correct == len(step.choices),
        }[step.kind]
        if too_few:
            yield Problem(
                ProblemCode.TOO_FEW_CHOICES,
                {
                    StepKind.ORDER: _("Step '%(key)s' needs at least two items to put in order."),
                    StepKind.MULTIPLE_RESPONSE: _(
                        "Step '%(key)s' needs at least two options, one or more of them correct."
                    ),
                    StepKind.MARK_SIGNALS: _(
                        "Step '%(key)s' needs at least one sentence that is a signal and one "
                        "that is not."
                    ),
                }[step.kind]
                % {"key": name},
                name,
            )
    for branch in step.branches:
        if branch.min_missed < 1:
            yield Problem(
                ProblemCode.DEAD_END,
                _("A branch of step '%(key)s' must need at least one missed signal.")
                % {"key": name},
                name,
            )


def _missing_targets(scenario: Scenario, step: Step) -> Iterator[Problem]:
    for target in sorted(step.targets()):
        if target and scenario.step(target) is None:
            yield Problem(
                ProblemCode.MISSING_STEP,
                _("Step '%(key)s' leads to step '%(target)s', which does not exist.")
                % {"key": step.key, "target": target},
                step.key,
            )


def _reachable(scenario: Scenario) -> set[str]:
    seen = {scenario.start.key}
    todo = [scenario.start.key]
    while todo:
        for target in scenario.step(todo.pop()).targets():
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def _reaching_an_end(scenario: Scenario) -> set[str]:
    """Steps from which some end step can be reached."""
    ends = {step.key for step in scenario.steps if step.is_end}
    result = set(ends)
    changed = True
    while changed:
        changed = False
        for step in scenario.steps:
            if step.key not in result and step.targets() & result:
                result.add(step.key)
                changed = True
    return result


def _strongly_connected(scenario: Scenario) -> list[set[str]]:
    """Tarjan's algorithm, iteratively (scenarios are small but recursion limits are not)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[set[str]] = []
    counter = 0
    for root in (step.key for step in scenario.steps):
        if root in index:
            continue
        work = [(root, iter(sorted(scenario.step(root).targets())))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(scenario.step(child).targets()))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                components.append(component)
    return components


def _closed_cycles(scenario: Scenario, reachable: set[str]) -> Iterator[Problem]:
    """A loop that a learner can enter but never leave towards an end."""
    can_finish = _reaching_an_end(scenario)
    for component in _strongly_connected(scenario):
        if not component & reachable or component & can_finish:
            continue
        first = next(key for key in (s.key for s in scenario.steps) if key in component)
        if len(component) > 1 or first in scenario.step(first).targets():
            yield Problem(
                ProblemCode.CLOSED_CYCLE,
                _(
                    "Steps %(steps)s form a loop with no way out to an end step. Give one "
                    "of them a choice that leads on."
                )
                % {"steps": ", ".join(f"'{key}'" for key in sorted(component))},
                first,
            )
        # A step outside any loop that cannot finish only leads into such a loop, which
        # is reported itself.


def best_score(scenario: Scenario, *, budget: int = 200_000) -> int | None:
    """The highest total score on any way from the start to an end, where a step scores
    the first time it is answered. None when the scenario is too tangled to search within
    the budget (then publishing is not refused on this ground)."""
    cyclic: set[str] = set()
    for component in _strongly_connected(scenario):
        only = next(iter(component))
        if len(component) > 1 or only in scenario.step(only).targets():
            cyclic |= component
    memo: dict[tuple[str, frozenset[str]], int] = {}
    on_path: set[tuple[str, frozenset[str]]] = set()
    unreachable = -1
    remaining = [budget]

    def value(key: str, visited: frozenset[str]) -> tuple[int, bool]:
        state = (key, visited)
        if state in memo:
            return memo[state], True
        if state in on_path:
            # Coming back to the same step having scored nothing new gains nothing.
            return unreachable, False
        remaining[0] -= 1
        if remaining[0] < 0:
            raise _OutOfBudget
        step = scenario.step(key)
        if step.is_end:
            return 0, True
        on_path.add(state)
        first_visit = key not in visited
        after = visited | {key} if key in cyclic else visited
        best, exact = unreachable, True
        for score, target in step.moves():
            rest, rest_exact = value(target, after)
            exact = exact and rest_exact
            if rest != unreachable:
                best = max(best, (score if first_visit else 0) + rest)
        on_path.discard(state)
        if exact:
            memo[state] = best
        return best, exact

    try:
        best, _exact = value(scenario.start.key, frozenset())
    except _OutOfBudget:
        return None
    return best if best != unreachable else 0


class _OutOfBudget(Exception):
    pass


# --- Playing -------------------------------------------------------------------------------


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
