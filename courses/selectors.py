"""Reads for the catalogue, module and lesson pages, and 'Mijn leren'."""

import datetime
import logging
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import F, Prefetch, Q, QuerySet
from django.utils.html import strip_tags
from elasticsearch import ApiError as ElasticsearchApiError
from elasticsearch import Elasticsearch
from elasticsearch import TransportError as ElasticsearchTransportError

from accounts.models import User
from core.database import database_search_backend

from . import policies, search_index
from .models import (
    Enrolment,
    LessonPage,
    Level,
    ModulePage,
    ModuleVersion,
    ReflectionAnswer,
    Sector,
    Source,
    Theme,
)
from .search_index import DURATION_BUCKETS
from .services import required_lesson_ids

logger = logging.getLogger(__name__)

MAX_QUERY_LENGTH = 200


@dataclass(frozen=True)
class Citation:
    source: Source
    passage: str


def citations(refs: list[tuple[int, str]]) -> list[Citation]:
    """(source register id, passage) pairs as citations, in one query; a reference to an
    entry that no longer exists is left out."""
    sources = Source.objects.in_bulk({pk for pk, _passage in refs})
    return [Citation(sources[pk], passage) for pk, passage in refs if pk in sources]


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


def module_assessment(*, module: ModulePage, enrolment: Enrolment | None):
    """The module's scenario quiz and the learner's standing, or None without a quiz
    (the quizzes app's answer, registered with courses.policies)."""
    return policies.module_assessment(module=module, enrolment=enrolment)


def certificate_standing(*, user: User, module: ModulePage):
    """The learner's certificate for the module: is renewal open, may they take the short
    update path, is an update due. The one place courses asks about certificates (the
    certificates app's rules, registered with courses.policies: certificates builds on
    courses, not the other way round)."""
    return policies.certificate_standing(user=user, module=module)


def learner_enrolment(*, user: User, module: ModulePage) -> Enrolment | None:
    """The enrolment that shows on the module page: the open one, else the latest."""
    if not user.is_authenticated:
        return None
    return (
        Enrolment.objects.filter(user=user, module=module)
        .select_related("module_version", "last_lesson")
        # Explicit: PostgreSQL sorts NULLs last, SQLite first.
        .order_by(F("completed_at").desc(nulls_first=True), "-started_at")
        .first()
    )


@dataclass(frozen=True)
class CertificateOffer:
    """What the module page offers a learner about their certificate."""

    certificate: object | None  # certificates.models.Certificate
    renewal_open: bool
    # The version the learner updates from (on offer, or the update in progress).
    update_from: int | None
    update_due_on: datetime.date | None
    changes: list[ModuleVersion]  # the versions since update_from, with their notes
    today: datetime.date

    @property
    def update_overdue(self) -> bool:
        return self.update_due_on is not None and self.update_due_on < self.today

    @property
    def expired(self) -> bool:
        return self.certificate is not None and self.certificate.expires_on < self.today


def certificate_offer(
    *, user: User, module: ModulePage, enrolment: Enrolment | None
) -> CertificateOffer | None:
    """Renewal or update for the module page; None for visitors and learners without a
    certificate for the module."""
    if not user.is_authenticated:
        return None
    standing = certificate_standing(user=user, module=module)
    if standing.certificate is None:
        return None
    updating = enrolment is not None and enrolment.completed_at is None
    update_from = (
        enrolment.update_from_version
        if updating
        else standing.updatable_from(module.current_version)
    )
    changes = (
        list(module.versions.filter(number__gt=update_from).exclude(note="").order_by("number"))
        if update_from is not None
        else []
    )
    return CertificateOffer(
        certificate=standing.certificate,
        renewal_open=standing.renewal_open,
        update_from=update_from,
        update_due_on=standing.update_due_on,
        changes=changes,
        today=standing.today,
    )


@dataclass(frozen=True)
class LessonStep:
    lesson: LessonPage
    done: bool
    current: bool
    # False only on the short update path, for lessons that did not change.
    required: bool = True


@dataclass(frozen=True)
class ModuleOutline:
    steps: list[LessonStep]
    done: int
    total: int
    is_update: bool = False

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def next_step(self) -> LessonStep | None:
        """Where the learner goes on: the first required lesson not done yet."""
        return next((step for step in self.steps if step.required and not step.done), None)

    def neighbours(self, lesson: LessonPage) -> tuple[LessonPage | None, LessonPage | None]:
        """The previous and next lesson on the learner's path (on an update: the changed
        lessons only)."""
        path = [step for step in self.steps if step.required]
        ids = [step.lesson.pk for step in path]
        if lesson.pk not in ids:  # a draft lesson seen in preview, or one outside the update
            return None, None
        position = ids.index(lesson.pk)
        previous = path[position - 1].lesson if position > 0 else None
        following = path[position + 1].lesson if position + 1 < len(ids) else None
        return previous, following


def module_outline(
    *, module: ModulePage, enrolment: Enrolment | None, current: LessonPage | None = None
) -> ModuleOutline:
    """The module's live lessons in order, with what the learner has done; two queries
    (more on an update, whose required lessons come from the completion rule)."""
    lessons = list(
        LessonPage.objects.child_of(module)
        .live()
        .order_by("path")
        .only("id", "title", "slug", "path", "url_path", "summary", "depth")
    )
    done_ids = (
        set(enrolment.lesson_completions.values_list("lesson_id", flat=True))
        if enrolment
        else set()
    )
    is_update = enrolment is not None and enrolment.update_from_version is not None
    required_ids = set(required_lesson_ids(enrolment)) if is_update else None
    steps = [
        LessonStep(
            lesson=lesson,
            done=lesson.pk in done_ids,
            current=current is not None and lesson.pk == current.pk,
            required=required_ids is None or lesson.pk in required_ids,
        )
        for lesson in lessons
    ]
    path = [step for step in steps if step.required]
    return ModuleOutline(
        steps=steps,
        done=sum(step.done for step in path),
        total=len(path),
        is_update=is_update,
    )


def is_taster(lesson: LessonPage) -> bool:
    """A module's first live lesson: visitors may read it without an account."""
    first = (
        LessonPage.objects.child_of(lesson.get_parent()).live().order_by("path").only("pk").first()
    )
    return first is not None and first.pk == lesson.pk


def reflection_answers(*, user: User, lesson: LessonPage) -> dict[str, str]:
    if not user.is_authenticated:
        return {}
    return dict(
        ReflectionAnswer.objects.filter(user=user, lesson=lesson).values_list("block_id", "answer")
    )


@dataclass(frozen=True)
class Progress:
    """A module in progress as the learner's overviews show it: how far along, and the
    lesson to continue with."""

    enrolment: Enrolment
    outline: ModuleOutline

    @property
    def continue_with(self) -> LessonPage | None:
        """The lesson they were reading when it is not done yet; else the first lesson
        still to do; else the last one they read."""
        last = self.enrolment.last_lesson
        done = {step.lesson.pk for step in self.outline.steps if step.done}
        if last is not None and last.pk not in done:
            return last
        step = self.outline.next_step
        return step.lesson if step else last


@dataclass(frozen=True)
class LearningOverview:
    in_progress: list[Progress]
    completed: list[Enrolment]


def my_learning(*, user: User) -> LearningOverview:
    """What the learner is working on (with their progress) and what they finished, most
    recent first. Two queries per module in progress (its outline): a learner has a few."""
    enrolments = list(
        Enrolment.objects.filter(user=user)
        .select_related("module", "module_version", "last_lesson")
        .order_by("-last_activity_at")
    )
    return LearningOverview(
        in_progress=[
            Progress(e, module_outline(module=e.module, enrolment=e))
            for e in enrolments
            if e.completed_at is None
        ],
        completed=sorted(
            (e for e in enrolments if e.completed_at), key=lambda e: e.completed_at, reverse=True
        ),
    )


def suggested_module(*, user: User) -> ModulePage | None:
    """A first module for someone who has not started one: the first basic-level module
    in the catalogue's order that they have not enrolled in (else the first module)."""
    modules = ModulePage.objects.live().public().order_by("path")
    if user.is_authenticated:
        modules = modules.exclude(enrolments__user=user)
    return modules.filter(level=Level.BASIS).first() or modules.first()


def modules_due_for_review(*, on) -> QuerySet[ModulePage]:
    """Modules whose next review date has passed or falls on or before the given date."""
    return ModulePage.objects.filter(next_review__lte=on).order_by("next_review", "title")


# Personal data (assembled by accounts.selectors.personal_data) ------------------------


def personal_data(user: User) -> dict:
    """The learner's own part of courses for their data download: enrolments with the
    lessons done, and their reflection answers."""
    enrolments = (
        Enrolment.objects.filter(user=user)
        .select_related("module", "module_version")
        .prefetch_related("lesson_completions")
        .order_by("started_at", "pk")
    )
    lesson_titles = dict(
        LessonPage.objects.filter(
            pk__in={
                completion.lesson_id
                for enrolment in enrolments
                for completion in enrolment.lesson_completions.all()
            }
            | set(ReflectionAnswer.objects.filter(user=user).values_list("lesson_id", flat=True))
        ).values_list("pk", "title")
    )
    return {
        "enrolments": [
            {
                "module": enrolment.module.title,
                "module_version": enrolment.module_version.number,
                "update_from_version": enrolment.update_from_version,
                "started_at": enrolment.started_at,
                "completed_at": enrolment.completed_at,
                "last_activity_at": enrolment.last_activity_at,
                "lessons_done": [
                    {
                        "lesson": lesson_titles.get(completion.lesson_id, ""),
                        "completed_at": completion.completed_at,
                    }
                    for completion in sorted(
                        enrolment.lesson_completions.all(), key=lambda c: c.completed_at
                    )
                ],
            }
            for enrolment in enrolments
        ],
        "reflection_answers": [
            {
                "lesson": lesson_titles.get(answer.lesson_id, ""),
                "question": answer.block_id,
                "answer": answer.answer,
                "updated_at": answer.updated_at,
            }
            for answer in ReflectionAnswer.objects.filter(user=user).order_by("updated_at", "pk")
        ],
    }
