from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from .languages import SUPPORTED_LANGUAGES, remember_language
from .selectors import database_is_reachable, search_pages


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    outcome = search_pages(query=request.GET.get("q", ""), page_number=request.GET.get("page"))
    return render(
        request, "cms/search.html", {"search_query": outcome.query, "results": outcome.results}
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch between Dutch and English and return to the page the person was on."""
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


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    if database_is_reachable():
        return JsonResponse({"status": "ok", "database": "ok"})
    return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
