"""What quizzes tells apps above it about play, without knowing them (the xapi app sends
learning records from these). Both are sent inside the writing transaction; a receiver
that talks to the outside world defers that to `transaction.on_commit`."""

from django.dispatch import Signal

# A new attempt was created (not sent for the open attempt returned again). Arguments:
# attempt.
attempt_started = Signal()

# An answer was recorded; `attempt` is saved with its new score, step and, when this
# answer reached an end, `finished_at` and `passed`. Arguments: attempt, answer.
answer_recorded = Signal()
