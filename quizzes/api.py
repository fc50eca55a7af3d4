"""What other apps may use of quizzes (besides its models): which signals learners miss
(for the organisations' quiz insight), a learner's quiz data, the graph of a quiz revision,
and the signals sent while learners play (for the learning records that xapi sends)."""

from . import scenario as rules
from .selectors import personal_data, scenario_for_revision, signal_misses
from .signals import answer_recorded, attempt_started

__all__ = [
    "answer_recorded",
    "attempt_started",
    "personal_data",
    "rules",
    "scenario_for_revision",
    "signal_misses",
]
