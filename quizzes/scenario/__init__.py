"""The scenario graph as plain data, and the rules that act on it: checking that a
scenario can be published, scoring an answer and choosing the next step.

One module per part: the graph itself (graph), the checks before publishing (checks), the
rules for playing (play) and the graph as a drawing's data (diagram). Callers use the rules
as one vocabulary
(`from quizzes import scenario as rules`, then `rules.Step`, `rules.problems`,
`rules.evaluate`), so this package's public API is defined here; import from the package,
not from its modules."""

from .checks import Problem, ProblemCode, best_score, problems, step_name
from .diagram import Diagram, Edge, Node, diagram, step_edges
from .graph import Branch, Choice, FeedbackTiming, Scenario, Step, StepKind
from .play import (
    AnswerError,
    Evaluation,
    Move,
    Play,
    PlayedAnswer,
    Remaining,
    best_answer,
    evaluate,
    next_step_key,
    remaining_questions,
    replay,
    take_step,
)

__all__ = [
    "AnswerError",
    "Branch",
    "Choice",
    "Diagram",
    "Edge",
    "Evaluation",
    "FeedbackTiming",
    "Node",
    "Move",
    "Play",
    "PlayedAnswer",
    "Problem",
    "ProblemCode",
    "Remaining",
    "Scenario",
    "Step",
    "StepKind",
    "best_answer",
    "best_score",
    "diagram",
    "evaluate",
    "next_step_key",
    "problems",
    "remaining_questions",
    "step_edges",
    "step_name",
    "replay",
    "take_step",
]
