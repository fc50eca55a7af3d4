"""How lti calls an LMS's services from the background (grades, member lists): a timeout
on every request, and the waits between attempts while the LMS is unreachable."""

import datetime

import requests

MAX_ATTEMPTS = 8
TIMEOUT_SECONDS = 10


def backoff(attempts: int) -> datetime.timedelta:
    """1, 2, 4, ... minutes, at most six hours."""
    return datetime.timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


class TimeoutSession(requests.Session):
    def request(self, *args, **kwargs):
        kwargs.setdefault("timeout", TIMEOUT_SECONDS)
        return super().request(*args, **kwargs)
