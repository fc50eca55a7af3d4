"""The project's URLs plus /__bare__/ (a tiny response: the load test's ceiling)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from cms.urls import handler500  # noqa: F401 (the project's 500/503 handler)
from cms.urls import urlpatterns as project_urlpatterns


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


# Before the project's patterns: Wagtail's catch-all would otherwise answer 404.
urlpatterns = [path("__bare__/", bare, name="load_bare"), *project_urlpatterns]
