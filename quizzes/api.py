"""What other apps may use of quizzes (besides its models): which signals learners miss
(for the organisations' quiz insight), a learner's quiz data, and what keeps a quiz
revision from being published (the admin home's author panel)."""

from .selectors import personal_data, revision_problems, signal_misses

__all__ = ["personal_data", "revision_problems", "signal_misses"]
