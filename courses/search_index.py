"""Elasticsearch index and faceted catalogue search for course modules.

Kept free of Django models and Wagtail so the query bodies can be tested without a database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import elasticsearch_dsl
from elasticsearch import Elasticsearch
from elasticsearch.helpers import bulk
from elasticsearch_dsl import A, Integer, Keyword, Q, Search, Text
from elasticsearch_dsl.query import Query
from elasticsearch_dsl.response import Response

DUTCH = "dutch"
TEXT_FIELDS = ("title^3", "summary^2", "learning_objectives", "lesson_text")
THEME_FACET_SIZE = 100
LEVEL_FACET_SIZE = 10

# minutes: kort = < 30, middel = 30..59, lang = >= 60 ; (lower inclusive, upper exclusive)
DURATION_BUCKETS: dict[str, tuple[int | None, int | None]] = {
    "kort": (None, 30),
    "middel": (30, 60),
    "lang": (60, None),
}


@dataclass(frozen=True)
class ModuleSearchData:
    """What the search index needs to know about one module."""

    module_id: int
    title: str
    summary: str
    learning_objectives: list[str]
    lesson_text: str  # plain text of all lessons, concatenated
    themes: list[str]  # theme slugs, e.g. "rode-vlaggen"
    level: str  # "basis" | "verdieping" | "specialist"
    sectors: list[str]  # sector slugs
    estimated_minutes: int
    url: str


@dataclass(frozen=True)
class CatalogueSearchResult:
    """One page of catalogue hits plus the theme and level facet counts."""

    module_ids: list[int]  # relevance order, or title order when there is no query
    total: int
    theme_counts: dict[str, int]
    level_counts: dict[str, int]
    sector_counts: dict[str, int] = field(default_factory=dict)
    duration_counts: dict[str, int] = field(default_factory=dict)


class ModuleDocument(elasticsearch_dsl.Document):
    """One catalogue module as stored in Elasticsearch."""

    # Lowercased so the no-query listing sorts "aanpak" next to "Aanpak", not after "Z".
    title = Text(analyzer=DUTCH, fields={"raw": Keyword(normalizer="lowercase")})
    summary = Text(analyzer=DUTCH)
    learning_objectives = Text(analyzer=DUTCH, multi=True)
    lesson_text = Text(analyzer=DUTCH)
    themes = Keyword(multi=True)
    level = Keyword()
    sectors = Keyword(multi=True)
    estimated_minutes = Integer()
    url = Keyword(index=False)

    class Index:
        # A concrete default stops Index.document() from silently rebinding this class to
        # whichever index module_index() happens to build first; writes set meta.index anyway.
        name = "signaal-modules"


def module_index(name: str, *, shards: int = 1, replicas: int = 0) -> elasticsearch_dsl.Index:
    """Return the index definition (settings and ModuleDocument mapping) for ``name``."""
    index = elasticsearch_dsl.Index(name)
    index.settings(number_of_shards=shards, number_of_replicas=replicas)
    index.document(ModuleDocument)
    return index


def document_for(data: ModuleSearchData) -> ModuleDocument:
    """Build the ModuleDocument for one module, with the module id as document id."""
    return ModuleDocument(
        meta={"id": data.module_id},
        title=data.title,
        summary=data.summary,
        learning_objectives=list(data.learning_objectives),
        lesson_text=data.lesson_text,
        themes=list(data.themes),
        level=data.level,
        sectors=list(data.sectors),
        estimated_minutes=data.estimated_minutes,
        url=data.url,
    )


def duration_filter(duration: str) -> Query:
    """Return the estimated_minutes range query for a duration bucket key."""
    try:
        lower, upper = DURATION_BUCKETS[duration]
    except KeyError:
        known = ", ".join(sorted(DURATION_BUCKETS))
        raise ValueError(f"Unknown duration {duration!r}; expected one of: {known}") from None
    bounds: dict[str, int] = {}
    if lower is not None:
        bounds["gte"] = lower
    if upper is not None:
        bounds["lt"] = upper
    return Q("range", estimated_minutes=bounds)


def _all_of(filters: Sequence[Query]) -> Query:
    return Q("bool", filter=list(filters)) if filters else Q("match_all")


def _full_text(query: str) -> list[Query]:
    return [
        Q(
            "multi_match",
            query=query,
            fields=list(TEXT_FIELDS),
            type="best_fields",
            operator="and",
            analyzer=DUTCH,
        ),
        Q("match_phrase_prefix", title={"query": query}),
    ]


def build_catalogue_search(
    *,
    index: str,
    query: str = "",
    themes: Sequence[str] = (),
    levels: Sequence[str] = (),
    sectors: Sequence[str] = (),
    duration: str | None = None,
    size: int = 100,
) -> Search:
    """Build the faceted catalogue search: full text, filters, and theme/level facets."""
    query = query.strip()

    # Sector and duration narrow every count, so they belong in the main query.
    query_filters: list[Query] = []
    if sectors:
        query_filters.append(Q("terms", sectors=list(sectors)))
    if duration:
        query_filters.append(duration_filter(duration))

    if query:
        # Both clauses are "should" so the phrase prefix can match a half-typed word on its
        # own; with filters present ES would otherwise default minimum_should_match to 0.
        main = Q("bool", should=_full_text(query), minimum_should_match=1, filter=query_filters)
    elif query_filters:
        main = Q("bool", must=[Q("match_all")], filter=query_filters)
    else:
        main = Q("match_all")

    search = Search(index=index).query(main).source(False).extra(size=size)
    if not query:
        search = search.sort("title.raw")

    # Theme and level filters only apply after aggregation (post_filter), so each facet can
    # count with every filter except its own.
    theme_filter = Q("terms", themes=list(themes)) if themes else None
    level_filter = Q("terms", level=list(levels)) if levels else None
    post_filters = [f for f in (theme_filter, level_filter) if f is not None]
    if post_filters:
        search = search.post_filter(_all_of(post_filters))

    theme_facet = A("filter", filter=_all_of([level_filter] if level_filter else []))
    theme_facet.bucket("themes", "terms", field="themes", size=THEME_FACET_SIZE)
    level_facet = A("filter", filter=_all_of([theme_filter] if theme_filter else []))
    level_facet.bucket("levels", "terms", field="level", size=LEVEL_FACET_SIZE)
    search.aggs.bucket("theme_facet", theme_facet)
    search.aggs.bucket("level_facet", level_facet)

    # Sector and duration narrow the hits in the query itself; their own counts must not
    # apply their own filter, so they count over all documents (a global aggregation)
    # with every other filter repeated.
    text = [Q("bool", should=_full_text(query), minimum_should_match=1)] if query else []
    sector_filter = Q("terms", sectors=list(sectors)) if sectors else None
    duration_only = duration_filter(duration) if duration else None
    others = [theme_filter, level_filter]
    sector_facet = A("global")
    sector_facet.bucket(
        "scoped", "filter", filter=_all_of([*text, *(f for f in [*others, duration_only] if f)])
    ).bucket("sectors", "terms", field="sectors", size=THEME_FACET_SIZE)
    duration_facet = A("global")
    duration_facet.bucket(
        "scoped", "filter", filter=_all_of([*text, *(f for f in [*others, sector_filter] if f)])
    ).bucket(
        "durations",
        "range",
        field="estimated_minutes",
        keyed=True,
        ranges=[
            {"key": key}
            | ({"from": low} if low is not None else {})
            | ({"to": high} if high is not None else {})
            for key, (low, high) in DURATION_BUCKETS.items()
        ],
    )
    search.aggs.bucket("sector_facet", sector_facet)
    search.aggs.bucket("duration_facet", duration_facet)
    return search


def _bucket_counts(buckets: Iterable[Any]) -> dict[str, int]:
    return {bucket.key: bucket.doc_count for bucket in buckets}


def parse_catalogue_response(response: Response) -> CatalogueSearchResult:
    """Turn a catalogue search response into module ids, total and facet counts."""
    aggs = response.aggregations
    return CatalogueSearchResult(
        module_ids=[int(hit.meta.id) for hit in response],
        total=response.hits.total.value,
        theme_counts=_bucket_counts(aggs.theme_facet.themes.buckets),
        level_counts=_bucket_counts(aggs.level_facet.levels.buckets),
        sector_counts=_sector_counts(aggs),
        duration_counts=_duration_counts(aggs),
    )


def _sector_counts(aggs: Any) -> dict[str, int]:
    facet = getattr(aggs, "sector_facet", None)
    return _bucket_counts(facet.scoped.sectors.buckets) if facet else {}


def _duration_counts(aggs: Any) -> dict[str, int]:
    facet = getattr(aggs, "duration_facet", None)
    if not facet:
        return {}
    buckets = facet.scoped.durations.buckets.to_dict()
    return {key: bucket["doc_count"] for key, bucket in buckets.items()}


def run_catalogue_search(
    *, client: Elasticsearch, index: str, **filters: Any
) -> CatalogueSearchResult:
    """Run the catalogue search against ``client`` and parse the result."""
    response = build_catalogue_search(index=index, **filters).using(client).execute()
    return parse_catalogue_response(response)


def index_modules(
    *, client: Elasticsearch, index: str, modules: Iterable[ModuleSearchData]
) -> None:
    """Create ``index`` if missing, bulk-index ``modules`` into it and refresh it."""
    definition = module_index(index)
    if not definition.exists(using=client):
        definition.create(using=client)

    def actions() -> Iterable[dict[str, Any]]:
        for module in modules:
            document = document_for(module)
            document.meta.index = index
            yield document.to_dict(include_meta=True)

    bulk(client, actions())
    definition.refresh(using=client)
