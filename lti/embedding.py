"""Signaal inside an LMS's iframe (LTI launches).

The CSP's frame-ancestors stays 'none' everywhere, except: the LTI pages (login, launch,
chooser) may be framed by the registered platforms' origins, and a session that an LMS
launched may be framed by that platform's origins (the module pages it lands on). Never
'*'.

Cookies: a browser sends a SameSite=Lax cookie to an iframe of another site's page on no
request, so a session started by a launch would be lost at the first click. For such a
session (and only on HTTPS, or localhost) the session and CSRF cookies are sent as
SameSite=None; Secure.
Browsers that block third-party cookies altogether (Safari) get the new-window page at the
launch instead (lti.launch: no state cookie came back), and everything then happens in a
first-party window."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from .models import Platform

EMBED_SESSION_KEY = "lti_platform_id"
LTI_PREFIX = "/lti/"
ADMIN_PREFIX = "/beheer/"


def secure_context(request: HttpRequest) -> bool:
    """HTTPS, or http://localhost, which browsers treat as secure and where they accept
    Secure cookies (so that LTI can be tried against an LMS on a developer's machine)."""
    return request.is_secure() or request.get_host().rsplit(":", 1)[0] == "localhost"


def platform_origins(platform_id: int | None) -> list[str]:
    platforms = Platform.objects.filter(is_active=True)
    if platform_id is not None:
        platforms = platforms.filter(pk=platform_id)
    return sorted({origin for platform in platforms for origin in platform.embedding_origins()})


class LtiEmbeddingMiddleware:
    """Between the CSP middleware and the session middleware (so it sees the session's
    cookie on the way out and the CSP middleware sees what it sets)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path_info.startswith(ADMIN_PREFIX):
            return response
        session = getattr(request, "session", None)
        platform_id = session.get(EMBED_SESSION_KEY) if session is not None else None
        if platform_id is None and not request.path_info.startswith(LTI_PREFIX):
            return response
        origins = platform_origins(platform_id)
        if getattr(response, "_csp_replace", None) is not None:
            # The view chose its own framing (dynamic registration).
            origins = response._csp_replace.get("frame-ancestors", [])
        elif origins:
            response._csp_replace = {"frame-ancestors": origins}
        framed = [origin for origin in origins if origin != "'none'"]
        if framed and response.get("X-Frame-Options") == "DENY":
            del response["X-Frame-Options"]
        if platform_id is not None and secure_context(request):
            for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
                if name in response.cookies:
                    response.cookies[name]["samesite"] = "None"
                    response.cookies[name]["secure"] = True
        return response
