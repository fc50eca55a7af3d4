"""Which language a request is served in, and how a choice is remembered."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from accounts.services import SUPPORTED_LANGUAGES, set_preferred_language


def language_for_request(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if (
        user is not None
        and user.is_authenticated
        and user.preferred_language in SUPPORTED_LANGUAGES
    ):
        return user.preferred_language
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if cookie in SUPPORTED_LANGUAGES:
        return cookie
    return settings.LANGUAGE_CODE


def remember_language(request: HttpRequest, response: HttpResponse, language: str) -> None:
    """Store the choice in a cookie and, for a logged-in person, on their account, so it
    follows them to other devices."""
    if language not in SUPPORTED_LANGUAGES:
        raise ValueError(f"Unsupported language: {language!r}")
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=True,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        set_preferred_language(user=user, language=language)
