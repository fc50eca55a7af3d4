"""What other apps may use of lti: the URLs an LMS administrator pastes (for cms's
pages) and whether a session was launched from an LMS."""

from .embedding import EMBED_SESSION_KEY


def launched_from_lms(request) -> bool:
    session = getattr(request, "session", None)
    return session is not None and session.get(EMBED_SESSION_KEY) is not None


__all__ = ["launched_from_lms"]
