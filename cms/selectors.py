"""Reads for the site shell: search and health."""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.db.models import QuerySet
from elasticsearch import ApiError as ElasticsearchApiError
from elasticsearch import TransportError as ElasticsearchTransportError
from wagtail.models import Page

logger = logging.getLogger(__name__)

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
    try:
        results = _search_page(query, page_number, backend="default")
    except (ElasticsearchTransportError, ElasticsearchApiError):
        if database_search_backend() == "default":
            raise
        logger.warning("Elasticsearch unreachable; site search falls back to the database")
        results = _search_page(query, page_number, backend=database_search_backend())
    return SearchOutcome(query=query, results=results)


def _search_page(query: str, page_number, *, backend: str) -> PaginatorPage:
    matches = Page.objects.live().public().specific().search(query, backend=backend)
    page = Paginator(matches, SEARCH_RESULTS_PER_PAGE).get_page(page_number)
    # Run the search here, not while the template renders, so a failure can fall back.
    page.object_list = list(page.object_list)
    return page


def database_search_backend() -> str:
    """The Wagtail search backend on the database: 'database' next to Elasticsearch
    (settings.WAGTAILSEARCH_BACKENDS), otherwise the default one."""
    return "database" if "database" in settings.WAGTAILSEARCH_BACKENDS else "default"


def database_is_reachable() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


# allauth's template prefix of the email that verifies an address (also "..._signup").
VERIFICATION_EMAIL_KIND = "account/email/email_confirmation"


def queued_emails_to(user) -> QuerySet:
    """Emails still waiting to be sent to the person, oldest first: anything to a verified
    address of theirs, and the verification emails to an address they have not verified
    yet. Other emails to an unverified address (an invitation, say) may be someone else's:
    anyone can sign up with an address they cannot read."""
    from allauth.account.models import EmailAddress
    from django.db.models import Q

    from cms.accounts.selectors import verified_addresses

    from .models import QueuedEmail

    verified = verified_addresses(user)
    claimed = {user.email.lower()} | {
        address.lower()
        for address in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    }
    return QueuedEmail.objects.filter(
        Q(to_address__in=verified)
        | Q(to_address__in=claimed - verified, kind__startswith=VERIFICATION_EMAIL_KIND)
    ).order_by("created_at")
