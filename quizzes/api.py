"""What other apps may use of quizzes (besides its models): which signals learners miss
(for the organisations' quiz insight), a learner's quiz data, what keeps a quiz revision
from being published (the admin home's author panel), the graph of a quiz revision, and
the signals sent while learners play (for the learning records that xapi sends)."""

from . import scenario as rules
from .insight import signal_misses
from .selectors import personal_data, revision_problems, scenario_for_revision
from .signals import answer_recorded, attempt_started

__all__ = [
    "answer_recorded",
    "attempt_started",
    "personal_data",
    "revision_problems",
    "rules",
    "scenario_for_revision",
    "signal_misses",
]
