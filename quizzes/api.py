"""What other apps may use of quizzes (besides its models): which signals learners miss
(for the organisations' quiz insight) and a learner's quiz data."""

from .selectors import personal_data, signal_misses

__all__ = ["personal_data", "signal_misses"]
