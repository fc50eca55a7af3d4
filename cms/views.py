import sys
from urllib.parse import urlsplit

from django.contrib.auth.decorators import login_required
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST
from django.views.defaults import server_error as plain_server_error

from accounts.languages import SUPPORTED_LANGUAGES, remember_language
from core.database import database_is_reachable
from core.middleware import DATABASE_UNAVAILABLE, database_unavailable_response
from courses import api as courses

from .selectors import search_pages


def not_found(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    raise Http404


@require_GET
def security_txt(request: HttpRequest) -> HttpResponse:
    """RFC 9116: where to report a vulnerability (SECURITY_CONTACT); 404 until a deployment
    names a contact. Expires a year ahead, as the file is generated from the setting."""
    from django.conf import settings
    from django.utils import timezone

    if not settings.SECURITY_CONTACT:
        raise Http404
    expires = timezone.now().replace(microsecond=0) + timezone.timedelta(days=365)
    lines = [
        f"Contact: {settings.SECURITY_CONTACT}",
        f"Expires: {expires.isoformat().replace('+00:00', 'Z')}",
        "Preferred-Languages: nl, en",
        f"Canonical: {request.build_absolute_uri(request.path)}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    outcome = search_pages(query=request.GET.get("q", ""), page_number=request.GET.get("page"))
    return render(
        request,
        "cms/search.html",
        {
            "search_query": outcome.query,
            "results": outcome.results,
            "corrected": outcome.corrected,
        },
    )


@require_GET
def safe_use(request: HttpRequest) -> HttpResponse:
    """How to use Signaal safely: what quick exit does and does not do, and how to clear
    the browser's history afterwards (a Back press still returns to earlier pages)."""
    return render(request, "cms/safe_use.html")


@csrf_exempt
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch between Dutch and English and return to the page the person was on.

    The switch is on every page. For anonymous visitors its form carries no CSRF token, so
    that public pages hold nothing personal and shared caches may keep them
    (core.middleware.CacheHeadersMiddleware); a forged cross-site post could at most change
    a visitor's language, and one from another origin is refused. For signed-in people,
    whose choice is stored on their account, Django's CSRF check applies as usual."""
    if request.user.is_authenticated:
        return _switch_language_signed_in(request)
    origin = request.headers.get("Origin")
    if origin and urlsplit(origin).netloc != request.get_host():
        return HttpResponseForbidden()
    return _switch_language(request)


def _switch_language(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    language = request.POST.get("language", "")
    if language in SUPPORTED_LANGUAGES:
        remember_language(request, response, language)
    return response


_switch_language_signed_in = csrf_protect(_switch_language)


@never_cache
@require_GET
@login_required
def my_learning(request: HttpRequest) -> HttpResponse:
    """'Mijn leren': the learner's modules (courses) and what their organisations ask of
    them (the organisations template tag)."""
    overview = courses.my_learning(user=request.user)
    return TemplateResponse(
        request,
        "cms/my_learning.html",
        {
            "overview": overview,
            "suggested": (
                None if overview.in_progress else courses.suggested_module(user=request.user)
            ),
            "first_time": not overview.completed,
        },
    )


def healthz(request: HttpRequest) -> HttpResponse:
    if database_is_reachable():
        return JsonResponse({"status": "ok", "database": "ok"})
    return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: Django calls it while handling the exception, so sys.exc_info() names
    it. A database that is unavailable (also when a middleware, not a view, hit it) gets
    the 503 page; anything else the plain 500 page."""
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        return database_unavailable_response()
    return plain_server_error(request)
