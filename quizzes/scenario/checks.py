"""Checks before publishing: everything that stops a scenario from being played from
start to an end (missing or unreachable steps, closed loops, an unreachable pass mark),
and the best score a learner can earn."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .graph import Scenario, Step, StepKind


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
                        "Step %(step)s cannot be reached from the start: no choice or "
                        "branch leads to it."
                    )
                    % {"step": step_name(step)},
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


def step_name(step: Step) -> str:
    """How a problem names a step: by its key and, when it has one, its title (what the
    author sees in the editor), e.g. `'eerste-melding' (Het eerste gesprek)`."""
    if step.title and step.title != step.key:
        return f"'{step.key}' ({step.title})"
    return f"'{step.key}'"


def _step_shape_problems(step: Step) -> Iterator[Problem]:
    key, name = step.key, step_name(step)
    if step.kind == StepKind.DECISION:
        if len(step.choices) < 2:
            yield Problem(
                ProblemCode.TOO_FEW_CHOICES,
                _("Step %(step)s needs at least two choices.") % {"step": name},
                key,
            )
        for number, choice in enumerate(step.choices, start=1):
            if not choice.next:
                yield Problem(
                    ProblemCode.DEAD_END,
                    _(
                        "Step %(step)s, choice %(number)s ('%(label)s'), does not say "
                        "which step comes next."
                    )
                    % {"step": name, "number": number, "label": choice.label},
                    key,
                )
    elif step.kind != StepKind.END:
        if not step.next:
            yield Problem(
                ProblemCode.DEAD_END,
                _("Step %(step)s is not an end step but does not say which step comes next.")
                % {"step": name},
                key,
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
                    StepKind.ORDER: _("Step %(step)s needs at least two items to put in order."),
                    StepKind.MULTIPLE_RESPONSE: _(
                        "Step %(step)s needs at least two options, one or more of them correct."
                    ),
                    StepKind.MARK_SIGNALS: _(
                        "Step %(step)s needs at least one sentence that is a signal and one "
                        "that is not."
                    ),
                }[step.kind]
                % {"step": name},
                key,
            )
    for branch in step.branches:
        if branch.min_missed < 1:
            yield Problem(
                ProblemCode.DEAD_END,
                _("A branch of step %(step)s must need at least one missed signal.")
                % {"step": name},
                key,
            )


def _missing_targets(scenario: Scenario, step: Step) -> Iterator[Problem]:
    for target in sorted(step.targets()):
        if target and scenario.step(target) is None:
            yield Problem(
                ProblemCode.MISSING_STEP,
                _("Step %(step)s leads to step '%(target)s', which does not exist.")
                % {"step": step_name(step), "target": target},
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
