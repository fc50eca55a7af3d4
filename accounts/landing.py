"""Where a person lands after signing in (when the sign-in link named no page): the first
answer of the apps that registered one, else LOGIN_REDIRECT_URL ('Mijn leren'). The
organisations app registers the coordinator's dashboard, so accounts never imports it."""

from collections.abc import Callable

_landings: list[Callable] = []


def register(landing: Callable) -> None:
    """`landing(user)` returns a path for this person, or None to let the next one answer."""
    if landing not in _landings:
        _landings.append(landing)


def landing_for(user) -> str | None:
    for landing in _landings:
        path = landing(user)
        if path:
            return path
    return None
