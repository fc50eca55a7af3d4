"""Request middleware: request ids, who may cache a response, the
Content-Security-Policy for the admin, the 503 page when the database is unavailable."""

import logging

from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, RawPostDataException
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control, patch_vary_headers

from .logs import current_request_id, request_id_from

logger = logging.getLogger(__name__)

ADMIN_PREFIX = "/beheer/"


class SignaalCSPMiddleware(CSPMiddleware):
    """Our strict policy everywhere; in the Wagtail admin, inline scripts and styles that
    Wagtail's editor still uses; framing by ourselves for the live preview panel, both for
    the admin's response and for the page rendered inside it."""

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if request.path_info.startswith(ADMIN_PREFIX) and parts.update is None:
            parts.update = {
                "script-src": [UNSAFE_INLINE],
                "style-src": [UNSAFE_INLINE],
                "img-src": ["blob:"],
            }
            parts.replace = {"frame-ancestors": ["'self'"]}
        elif getattr(request, "is_dummy", False):
            # Wagtail renders a preview by running the page's own request through the
            # middleware (a dummy request for the page's public URL); that response keeps
            # the page's strict policy, except that the admin's preview panel may frame it.
            parts.replace = {"frame-ancestors": ["'self'"]}
        return parts


class RequestIdMiddleware:
    """Gives every request an id (the proxy's `X-Request-ID` when it sends a well-formed
    one), puts it in every log line written while serving it (core.logs) and returns it in
    the `X-Request-ID` response header, which gunicorn's access log records too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get("X-Request-ID"))
        request.request_id = request_id
        token = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response.headers.setdefault("X-Request-ID", request_id)
        return response


# Only Wagtail's pages (home, catalogue, modules, ...) may be kept by shared caches.
PUBLIC_URL_NAMES = frozenset({"wagtail_serve"})
# Directives a personal response loses (private and no-store are then put first).
REPLACED_WHEN_PERSONAL = frozenset({"public", "private", "no-store", "max-age", "s-maxage"})


def is_personal(request: HttpRequest, response: HttpResponse) -> bool:
    """Whether the response belongs to one person (or browser) and may not be shared."""
    if request.method not in ("GET", "HEAD"):
        return True
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return True
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    # Any cookie set (session, CSRF, messages, language), or a CSRF token in the page.
    return bool(response.cookies) or bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))


class CacheHeadersMiddleware:
    """Who may keep a copy of a response. The rule, first match wins:

    1. Personal (`is_personal`: not GET/HEAD, a session cookie, a signed-in user, a cookie
       set, the CSRF token used): `private, no-store`, whatever the view said.
    2. The view set Cache-Control itself: kept (e.g. /healthz's never_cache).
    3. A Wagtail page answered 200: `public, max-age=PUBLIC_CACHE_SECONDS` (default 300),
       `Vary: Cookie` (the language cookie picks the language).
    4. Anything else (search, certificate verification, errors, redirects):
       `private, no-cache`.

    Placed outside the session, CSRF and messages middleware so that it sees the cookies
    they set."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if is_personal(request, response):
            # Drop anything that would allow storing; keep e.g. must-revalidate.
            kept = [
                directive
                for directive in (d.strip() for d in response.get("Cache-Control", "").split(","))
                if directive and directive.split("=")[0].lower() not in REPLACED_WHEN_PERSONAL
            ]
            response["Cache-Control"] = ", ".join(["private", "no-store", *kept])
            response.headers.pop("Expires", None)
        elif response.has_header("Cache-Control"):
            pass
        elif (
            response.status_code == 200
            and settings.PUBLIC_CACHE_SECONDS > 0
            and getattr(request.resolver_match, "url_name", None) in PUBLIC_URL_NAMES
        ):
            patch_cache_control(response, public=True, max_age=settings.PUBLIC_CACHE_SECONDS)
        else:
            patch_cache_control(response, private=True, no_cache=True)
        patch_vary_headers(response, ["Cookie"])
        return response


# What a lost or refused database connection raises (a restart, a failover, a killed
# backend, the server unreachable).
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def database_unavailable_response() -> HttpResponse:
    """The 'Even niet bereikbaar' page: 503 with Retry-After, no traceback. Rendered without
    the request, so that no context processor touches the database (or the session)."""
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    """A view whose database connection fails answers 503 with a friendly page instead of
    a server error. The transaction of that request was not committed, so nothing of it is
    stored; the next request opens a new connection (conn_health_checks, and Django closes
    a connection that raised at the end of the request). Failures outside views (e.g. the
    session read by a middleware) reach cms.views.server_error, which does the same."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, DATABASE_UNAVAILABLE):
            logger.warning(
                "Database unavailable: %s %s answered 503 (%s)",
                request.method,
                request.path,
                exception,
            )
            return database_unavailable_response()
        return None


FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_nul(*texts: str) -> bool:
    return any("\x00" in text for text in texts)


def request_has_nul(request: HttpRequest) -> bool:
    """Whether the path, a query parameter or a form field (not a file's contents) holds
    a NUL character."""
    if _has_nul(request.path, request.META.get("QUERY_STRING", "")):
        return True
    if any(_has_nul(key, *request.GET.getlist(key)) for key in request.GET):
        return True
    if request.method == "POST" and request.content_type in FORM_CONTENT_TYPES:
        try:
            return any(_has_nul(key, *request.POST.getlist(key)) for key in request.POST)
        except RawPostDataException:  # pragma: no cover - the body was read as a stream
            return False
    return False


def bad_input_response() -> HttpResponse:
    """400 'Ongeldige invoer', rendered without the request: no session, no database."""
    return HttpResponse(render_to_string("400.html"), status=400)


class RejectNulMiddleware:
    """A NUL character in any text of a request is answered with 400 before a session,
    a user or a view touches the database: PostgreSQL refuses NUL in text, and that
    DataError would be a 500. No form on the site accepts one, so nothing legitimate is
    lost; files may contain any byte and are not looked at."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request_has_nul(request):
            logger.info("Refused a request with a NUL character: %s", request.method)
            return bad_input_response()
        # A cookie with one is not the visitor's doing: ignore it and let the browser drop
        # it, rather than answer 400 to every page from then on.
        spoiled = [name for name, value in request.COOKIES.items() if _has_nul(name, value)]
        for name in spoiled:
            del request.COOKIES[name]
        response = self.get_response(request)
        for name in spoiled:
            if not _has_nul(name):
                response.delete_cookie(name)
        return response
