"""The scenario graph as plain data, and the rules that act on it: checking that a
scenario can be published, scoring an answer and choosing the next step.

One module per part: the graph itself (graph), the checks before publishing (checks) and
the rules for playing (play). Callers use the rules as one vocabulary
(`from quizzes import scenario as rules`, then `rules.Step`, `rules.problems`,
`rules.evaluate`), so this package's public API is defined here; import from the package,
not from its modules."""

from .checks import Problem, ProblemCode, best_score, problems
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
    "Evaluation",
    "FeedbackTiming",
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
    "evaluate",
    "next_step_key",
    "problems",
    "remaining_questions",
    "replay",
    "take_step",
]
