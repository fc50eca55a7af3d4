"""The scenario as a drawing's data: steps as nodes, choices, 'next' links and branches as
edges, and the publication problems on the steps they are about.

One home for what the editor's map, the checks beside it and the insight report draw
(quizzes/static/quizzes/scenario-map.js lays it out): the problems are the publication
check's own (`problems`), never a second opinion."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.utils.translation import gettext as _

from .checks import Problem, problems
from .graph import Scenario, Step, StepKind


@dataclass(frozen=True)
class Node:
    key: str
    title: str
    kind: str
    kind_label: str
    max_score: int
    is_start: bool
    is_end: bool
    # This step's publication problems, in the check's words.
    problems: tuple[str, ...] = ()
    # A link target that no step has: drawn so the author sees where the link goes.
    missing: bool = False


@dataclass(frozen=True)
class Edge:
    id: str  # stable within one drawing: step key + what it is (choice id, "next", branch n)
    source: str
    target: str
    kind: str  # "choice", "next" or "branch"
    label: str
    score: int | None = None
    min_missed: int | None = None


@dataclass(frozen=True)
class Diagram:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    problems: tuple[Problem, ...]

    def as_json(self) -> dict:
        return {
            "nodes": [asdict(node) for node in self.nodes],
            "edges": [asdict(edge) for edge in self.edges],
            "problems": [
                {"code": str(problem.code), "message": problem.message, "step": problem.step}
                for problem in self.problems
            ],
        }


def diagram(scenario: Scenario) -> Diagram:
    """Nodes, edges and the publication problems of this scenario."""
    found = tuple(problems(scenario))
    by_step: dict[str, list[str]] = {}
    for problem in found:
        if problem.step:
            by_step.setdefault(problem.step, []).append(problem.message)
    nodes: list[Node] = []
    edges: list[Edge] = []
    known = {step.key for step in scenario.steps}
    missing: dict[str, None] = {}
    for index, step in enumerate(scenario.steps):
        nodes.append(
            Node(
                key=step.key,
                title=step.title,
                kind=str(step.kind),
                kind_label=step.kind_label,
                max_score=step.max_score,
                is_start=index == 0,
                is_end=step.is_end,
                problems=tuple(by_step.get(step.key, ())),
            )
        )
        for edge in step_edges(step):
            # An edge with no target yet is kept: the outline says it leads nowhere.
            if edge.target and edge.target not in known:
                missing[edge.target] = None
            edges.append(edge)
    for key in missing:
        nodes.append(
            Node(
                key=key,
                title=_("Does not exist"),
                kind="missing",
                kind_label=_("Missing step"),
                max_score=0,
                is_start=False,
                is_end=False,
                missing=True,
            )
        )
    return Diagram(nodes=tuple(nodes), edges=tuple(edges), problems=found)


def step_edges(step: Step) -> list[Edge]:
    """The ways on from one step, in the order the editor shows them (choices or the
    step's 'next', then its branches). A target of "" is a link not filled in yet."""
    edges: list[Edge] = []
    if step.kind == StepKind.DECISION:
        for number, choice in enumerate(step.choices, start=1):
            edges.append(
                Edge(
                    id=f"{step.key}:choice:{choice.id or number}",
                    source=step.key,
                    target=choice.next,
                    kind="choice",
                    label=choice.label or _("Choice %(number)s") % {"number": number},
                    score=choice.score,
                )
            )
    elif not step.is_end:
        edges.append(
            Edge(
                id=f"{step.key}:next",
                source=step.key,
                target=step.next,
                kind="next",
                label=_("Next"),
                score=step.max_score,
            )
        )
    for number, branch in enumerate(step.branches, start=1):
        edges.append(
            Edge(
                id=f"{step.key}:branch:{number}",
                source=step.key,
                target=branch.next,
                kind="branch",
                label=_("%(count)s or more signals missed") % {"count": branch.min_missed},
                min_missed=branch.min_missed,
            )
        )
    return edges
