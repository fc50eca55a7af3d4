"""Reads for the site shell: search and health."""

from dataclasses import dataclass

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from wagtail.models import Page

SEARCH_RESULTS_PER_PAGE = 10
MAX_QUERY_LENGTH = 200


@dataclass(frozen=True)
class SearchOutcome:
    query: str
    results: PaginatorPage | None


def search_pages(*, query: str, page_number: str | int | None = 1) -> SearchOutcome:
    """Full-text search over live, public pages with the configured Wagtail backend."""
    query = " ".join(query.split())[:MAX_QUERY_LENGTH]
    if not query:
        return SearchOutcome(query="", results=None)
    matches = Page.objects.live().public().specific().search(query)
    paginator = Paginator(matches, SEARCH_RESULTS_PER_PAGE)
    return SearchOutcome(query=query, results=paginator.get_page(page_number))


def database_is_reachable() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False
