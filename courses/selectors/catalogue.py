"""The catalogue: filters, facet counts and search, from Elasticsearch when it is configured
and answers, otherwise from the database; and what the search index holds for a module."""

import logging
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils.html import strip_tags
from elasticsearch import ApiError as ElasticsearchApiError
from elasticsearch import Elasticsearch
from elasticsearch import TransportError as ElasticsearchTransportError

from core.database import database_search_backend
from courses import search_index
from courses.models import LessonPage, Level, ModulePage, Sector, Theme
from courses.search_index import DURATION_BUCKETS

logger = logging.getLogger(__name__)

MAX_QUERY_LENGTH = 200


@dataclass(frozen=True)
class CatalogueFilters:
    query: str = ""
    themes: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    duration: str = ""

    @classmethod
    def from_querydict(
        cls, data, *, themes: list[Theme] | None = None, sectors: list[Sector] | None = None
    ) -> "CatalogueFilters":
        """Read filters from request.GET, dropping values that are not valid choices, so
        a hand-edited URL shows fewer filters rather than an error. Pass the themes and
        sectors when they are read anyway (the catalogue page shows them)."""
        theme_slugs = (
            {theme.slug for theme in themes}
            if themes is not None
            else set(Theme.objects.values_list("slug", flat=True))
        )
        sector_slugs = (
            {sector.slug for sector in sectors}
            if sectors is not None
            else set(Sector.objects.values_list("slug", flat=True))
        )
        return cls(
            query=" ".join(data.get("q", "").split())[:MAX_QUERY_LENGTH],
            themes=tuple(sorted(set(data.getlist("thema")) & theme_slugs)),
            levels=tuple(sorted(set(data.getlist("niveau")) & set(Level.values))),
            sectors=tuple(sorted(set(data.getlist("sector")) & sector_slugs)),
            duration=data.get("duur", "") if data.get("duur", "") in DURATION_BUCKETS else "",
        )

    @property
    def active(self) -> bool:
        return bool(self.query or self.themes or self.levels or self.sectors or self.duration)


@dataclass(frozen=True)
class Catalogue:
    modules: list[ModulePage]
    theme_counts: dict[str, int] = field(default_factory=dict)
    level_counts: dict[str, int] = field(default_factory=dict)
    sector_counts: dict[str, int] = field(default_factory=dict)
    duration_counts: dict[str, int] = field(default_factory=dict)


def _duration_q(bucket: str) -> Q:
    low, high = DURATION_BUCKETS[bucket]
    q = Q()
    if low is not None:
        q &= Q(estimated_minutes__gte=low)
    if high is not None:
        q &= Q(estimated_minutes__lt=high)
    return q


def _filtered_modules(
    filters: CatalogueFilters, *, skip: str = "", visible: QuerySet[ModulePage] | None = None
) -> QuerySet[ModulePage]:
    """Live modules matching every filter (AND between kinds, OR within one), except the
    kind named in skip: facet counts for a kind ignore that kind's own filter. `visible`:
    the live, public modules, when already built (public() reads the view restrictions)."""
    modules = ModulePage.objects.live().public() if visible is None else visible
    if filters.themes and skip != "themes":
        modules = modules.filter(themes__slug__in=filters.themes)
    if filters.levels and skip != "levels":
        modules = modules.filter(level__in=filters.levels)
    if filters.sectors and skip != "sectors":
        modules = modules.filter(target_sectors__slug__in=filters.sectors)
    if filters.duration and skip != "duration":
        modules = modules.filter(_duration_q(filters.duration))
    return modules.distinct()


def _text_matches(filters: CatalogueFilters) -> list[int] | None:
    """Module ids matching the search text (modules themselves, or through their
    lessons), or None when there is no text."""
    if not filters.query:
        return None
    # The database backend: this is the catalogue without Elasticsearch, also when
    # Elasticsearch is configured but did not answer.
    backend = database_search_backend()
    modules = ModulePage.objects.live().public().search(filters.query, backend=backend)
    lessons = LessonPage.objects.live().public().search(filters.query, backend=backend)
    module_ids = [module.pk for module in modules]
    lesson_paths = [lesson.path for lesson in lessons]
    parent_paths = {path[: -ModulePage.steplen] for path in lesson_paths}
    from_lessons = ModulePage.objects.filter(path__in=parent_paths).values_list("pk", flat=True)
    return module_ids + [pk for pk in from_lessons if pk not in module_ids]


def catalogue(filters: CatalogueFilters) -> Catalogue:
    """The catalogue's modules and facet counts: from Elasticsearch when it is configured
    and answers, otherwise from the database in a fixed number of queries."""
    if use_elasticsearch():
        try:
            return _catalogue_from_elasticsearch(filters)
        except ElasticsearchException:
            logger.warning("Elasticsearch unreachable; catalogue falls back to the database")
    return _catalogue_from_database(filters)


def _catalogue_from_elasticsearch(filters: CatalogueFilters) -> Catalogue:
    result = search_index.run_catalogue_search(
        client=elasticsearch_client(),
        index=module_index_name(),
        query=filters.query,
        themes=filters.themes,
        levels=filters.levels,
        sectors=filters.sectors,
        duration=filters.duration or None,
    )
    by_id = {
        module.pk: module
        for module in ModulePage.objects.live()
        .public()
        .filter(pk__in=result.module_ids)
        .prefetch_related(Prefetch("themes", queryset=Theme.objects.order_by("name")))
    }
    return Catalogue(
        modules=[by_id[pk] for pk in result.module_ids if pk in by_id],
        theme_counts=result.theme_counts,
        level_counts=result.level_counts,
        sector_counts=result.sector_counts,
        duration_counts=result.duration_counts,
    )


def elasticsearch_client() -> Elasticsearch:
    return Elasticsearch(settings.ELASTICSEARCH_URL, request_timeout=5)


def module_index_name() -> str:
    return f"{settings.ELASTICSEARCH_INDEX}-modules"


def module_search_data(module: ModulePage) -> search_index.ModuleSearchData:
    """What the search index holds for a module: its texts, lessons and classification."""
    lessons = LessonPage.objects.child_of(module).live()
    lesson_text = " ".join(
        strip_tags(str(block.render())) for lesson in lessons for block in lesson.body
    )
    return search_index.ModuleSearchData(
        module_id=module.pk,
        title=module.title,
        summary=module.summary,
        learning_objectives=[block.value for block in module.learning_objectives],
        lesson_text=" ".join(lesson_text.split()),
        themes=list(module.themes.values_list("slug", flat=True)),
        level=module.level,
        sectors=list(module.target_sectors.values_list("slug", flat=True)),
        estimated_minutes=module.estimated_minutes,
        url=module.url or "",
    )


def _catalogue_from_database(filters: CatalogueFilters) -> Catalogue:
    matches = _text_matches(filters)
    # One read of the view restrictions for the list and both facet counts.
    visible = ModulePage.objects.live().public()

    def narrowed(queryset: QuerySet[ModulePage]) -> QuerySet[ModulePage]:
        return queryset if matches is None else queryset.filter(pk__in=matches)

    modules = list(
        narrowed(_filtered_modules(filters, visible=visible))
        .prefetch_related(
            Prefetch("themes", queryset=Theme.objects.order_by("name")), "target_sectors"
        )
        .order_by("path")
    )
    if matches is not None:
        rank = {pk: position for position, pk in enumerate(matches)}
        modules.sort(key=lambda module: rank[module.pk])
    theme_counts = Counter(
        slug
        for _pk, slug in narrowed(_filtered_modules(filters, skip="themes", visible=visible))
        .order_by()
        .values_list("pk", "themes__slug")
        .distinct()
    )
    level_counts = Counter(
        level
        for _pk, level in narrowed(_filtered_modules(filters, skip="levels", visible=visible))
        .order_by()
        .values_list("pk", "level")
        .distinct()
    )
    sector_counts = Counter(
        slug
        for _pk, slug in narrowed(_filtered_modules(filters, skip="sectors", visible=visible))
        .order_by()
        .values_list("pk", "target_sectors__slug")
        .distinct()
        if slug
    )
    minutes = narrowed(_filtered_modules(filters, skip="duration", visible=visible)).values_list(
        "estimated_minutes", flat=True
    )
    duration_counts = Counter(duration_bucket(value) for value in minutes)
    return Catalogue(
        modules=modules,
        theme_counts=dict(theme_counts),
        level_counts=dict(level_counts),
        sector_counts=dict(sector_counts),
        duration_counts=dict(duration_counts),
    )


def duration_bucket(minutes: int) -> str:
    """The duration filter (DURATION_BUCKETS) a module of this many minutes falls in."""
    for key, (low, high) in DURATION_BUCKETS.items():
        if (low is None or minutes >= low) and (high is None or minutes < high):
            return key
    return ""


def use_elasticsearch() -> bool:
    return bool(settings.ELASTICSEARCH_URL)


ElasticsearchException = (ElasticsearchTransportError, ElasticsearchApiError)
