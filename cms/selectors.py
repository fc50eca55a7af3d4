"""Reads for the site shell: search and health."""

import logging
import re
from dataclasses import dataclass
from difflib import get_close_matches

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.utils.translation import gettext as _
from elasticsearch import ApiError as ElasticsearchApiError
from elasticsearch import TransportError as ElasticsearchTransportError
from wagtail.models import Page

from core.database import database_search_backend

logger = logging.getLogger(__name__)

SEARCH_RESULTS_PER_PAGE = 10
MAX_QUERY_LENGTH = 200


@dataclass(frozen=True)
class SearchHit:
    """A result as the list shows it: the page, what kind of page it is, and the module
    a lesson or quiz belongs to (bare titles said too little)."""

    page: Page
    kind: str
    module: Page | None = None


@dataclass(frozen=True)
class SearchOutcome:
    query: str
    results: PaginatorPage | None
    # When nothing matched the words as typed: the corrected words that did match.
    corrected: str = ""


def search_pages(*, query: str, page_number: str | int | None = 1) -> SearchOutcome:
    """Full-text search over live, public pages with the configured Wagtail backend. When
    nothing matches, a typing error is corrected against the words of the page titles and
    summaries ('vlagen' finds 'vlaggen') and that search is shown instead, saying so."""
    query = " ".join(query.split())[:MAX_QUERY_LENGTH]
    if not query:
        return SearchOutcome(query="", results=None)
    results = _search_with_fallback(query, page_number)
    if results.paginator.count == 0:
        corrected = corrected_query(query)
        if corrected and corrected != query:
            again = _search_with_fallback(corrected, page_number)
            if again.paginator.count:
                return SearchOutcome(query=query, results=again, corrected=corrected)
    return SearchOutcome(query=query, results=results)


def _search_with_fallback(query: str, page_number) -> PaginatorPage:
    try:
        return _search_page(query, page_number, backend="default")
    except (ElasticsearchTransportError, ElasticsearchApiError):
        if database_search_backend() == "default":
            raise
        logger.warning("Elasticsearch unreachable; site search falls back to the database")
        return _search_page(query, page_number, backend=database_search_backend())


def _search_page(query: str, page_number, *, backend: str) -> PaginatorPage:
    matches = Page.objects.live().public().specific().search(query, backend=backend)
    page = Paginator(matches, SEARCH_RESULTS_PER_PAGE).get_page(page_number)
    # Run the search here, not while the template renders, so a failure can fall back.
    page.object_list = _hits(list(page.object_list))
    return page


def _hits(pages: list[Page]) -> list[SearchHit]:
    """Each page with its kind and, for lessons and quizzes, its module (one query)."""
    from courses.models import CourseIndexPage, LessonPage, ModulePage
    from quizzes.models import ScenarioQuizPage

    kinds = {
        ModulePage: _("Module"),
        LessonPage: _("Lesson"),
        ScenarioQuizPage: _("Scenario quiz"),
        CourseIndexPage: _("Module overview"),
    }
    in_module = [p for p in pages if isinstance(p, LessonPage | ScenarioQuizPage)]
    parents = {
        module.path: module
        for module in ModulePage.objects.filter(
            path__in={p.path[: -Page.steplen] for p in in_module}
        ).only("id", "title", "path", "url_path")
    }
    return [
        SearchHit(
            page=p,
            kind=str(kinds.get(type(p), _("Page"))),
            module=parents.get(p.path[: -Page.steplen]) if p in in_module else None,
        )
        for p in pages
    ]


def corrected_query(query: str) -> str:
    """The query with each word that is in no title or summary replaced by the closest
    word that is (difflib's ratio of at least 0.75); '' when nothing changes."""
    vocabulary = _search_vocabulary()
    words = query.lower().split()
    corrected = [
        word
        if word in vocabulary
        else next(iter(get_close_matches(word, vocabulary, 1, 0.75)), word)
        for word in words
    ]
    return " ".join(corrected) if corrected != words else ""


def _search_vocabulary() -> set[str]:
    """The words of live, public page titles and search descriptions, and module and
    lesson summaries (a few hundred pages: one query each)."""
    from courses.models import LessonPage, ModulePage

    texts = list(Page.objects.live().public().values_list("title", "search_description")) + list(
        ModulePage.objects.live().values_list("summary", "title")
    )
    texts += list(LessonPage.objects.live().values_list("summary", "title"))
    return {
        word
        for pair in texts
        for text in pair
        for word in re.findall(r"[^\W\d_]{3,}", (text or "").lower())
    }


@dataclass(frozen=True)
class LearnerHome:
    """What a signed-in person's home page leads to: the module to continue, what their
    organisations still ask (with deadlines), and a first module when nothing is going on."""

    in_progress: list  # courses.selectors.learning.Progress, most recent first
    required: list  # organisations.api.LearnerRequirement, most urgent first
    required_more: int
    has_organisation: bool
    suggested: object | None  # courses.models.ModulePage
    first_time: bool


HOME_REQUIRED_SHOWN = 3


def learner_home(user) -> LearnerHome:
    """The signed-in home page. The cms package may read every app: this is where the
    learner's modules (courses) and their organisations' requirements meet."""
    from courses import api as courses
    from organisations import api as organisations

    overview = courses.my_learning(user=user)
    requirements = organisations.learner_requirements(user)
    required = organisations.still_required(user, requirements=requirements)
    suggested = None
    if not overview.in_progress and not required:
        suggested = courses.suggested_module(user=user)
    return LearnerHome(
        in_progress=overview.in_progress[:2],
        required=required[:HOME_REQUIRED_SHOWN],
        required_more=max(0, len(required) - HOME_REQUIRED_SHOWN),
        has_organisation=bool(requirements),
        suggested=suggested,
        first_time=not overview.in_progress and not overview.completed,
    )
