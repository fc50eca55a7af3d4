"""Request middleware: language choice and the Content-Security-Policy for the admin."""

from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from .languages import language_for_request

ADMIN_PREFIX = "/beheer/"


class PreferredLanguageMiddleware:
    """Activates the language a person chose: their account setting when logged in, else
    the language cookie, else Dutch. The browser's Accept-Language is deliberately not
    used: Signaal is Dutch first, English only when asked for."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = language_for_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        # The language depends on the cookie or the session's user.
        patch_vary_headers(response, ["Cookie"])
        return response


class SignaalCSPMiddleware(CSPMiddleware):
    """Our strict policy everywhere; in the Wagtail admin, inline scripts and styles that
    Wagtail's editor still uses, and framing by ourselves for the live preview panel."""

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if request.path_info.startswith(ADMIN_PREFIX) and parts.update is None:
            parts.update = {
                "script-src": [UNSAFE_INLINE],
                "style-src": [UNSAFE_INLINE],
                "img-src": ["blob:"],
            }
            parts.replace = {"frame-ancestors": ["'self'"]}
        return parts
