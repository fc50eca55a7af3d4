"""How lti calls an LMS's services from the background (grades, member lists): a timeout
on every request, and the waits between attempts while the LMS is unreachable."""

import datetime

import requests

MAX_ATTEMPTS = 8
TIMEOUT_SECONDS = 10


def enqueue_attempt(task, item_id: int, *, run_after: datetime.datetime | None = None) -> None:
    """Enqueue an attempt (now, or at `run_after`). A task backend that cannot defer gets
    nothing: `send_lti_grades` picks the waiting item up when it is due."""
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return
        task = task.using(run_after=run_after)
    task.enqueue(item_id)


def backoff(attempts: int) -> datetime.timedelta:
    """1, 2, 4, ... minutes, at most six hours."""
    return datetime.timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


class TimeoutSession(requests.Session):
    def request(self, *args, **kwargs):
        kwargs.setdefault("timeout", TIMEOUT_SECONDS)
        return super().request(*args, **kwargs)
