"""Course content from the files: the taxonomy, the source register, modules and lessons."""

from collections.abc import Callable

from django.db import transaction
from wagtail.models import Page

from .. import content_loader
from ..content_loader import ModuleContent
from ..models import CourseIndexPage, LessonPage, ModulePage, Sector, Source, Theme
from .engine import (
    Options,
    Outcome,
    Report,
    fields_of,
    snippet_sync,
    sync_page,
)

MODULE_FIELDS = (
    "title", "slug", "summary", "level", "estimated_minutes", "content_note",
    "learning_objectives", "sources", "content_owner", "last_reviewed", "next_review",
    "themes", "target_sectors", "accreditations",
)  # fmt: skip
LESSON_FIELDS = ("title", "slug", "summary", "content_note", "body", "sources")


def sync_taxonomy(*, report: Report, options: Options) -> None:
    taxonomy = content_loader.load_taxonomy_file()
    for theme in taxonomy["themes"]:
        snippet_sync(
            report=report,
            kind="theme",
            model=Theme,
            lookup={"slug": theme["slug"]},
            wanted={"name": theme["name"], "description": theme["description"]},
            current=lambda obj: fields_of(obj, ("name", "description")),
            options=options,
        )
    for sector in taxonomy["sectors"]:
        snippet_sync(
            report=report,
            kind="sector",
            model=Sector,
            lookup={"slug": sector["slug"]},
            wanted={"name": sector["name"], "description": sector.get("description", "")},
            current=lambda obj: fields_of(obj, ("name", "description")),
            options=options,
        )


SOURCE_FIELDS = (
    "kind", "issuer", "title", "date", "date_precision", "url", "reference", "checked_on",
    "internal_note",
)  # fmt: skip


def sync_sources(*, report: Report, options: Options) -> None:
    for entry in content_loader.read_source_file():
        snippet_sync(
            report=report,
            kind="source",
            model=Source,
            lookup={"key": entry["key"]},
            wanted=content_loader.source_fields(entry),
            current=lambda obj: fields_of(obj, SOURCE_FIELDS),
            options=options,
        )
    in_files = {entry["key"] for entry in content_loader.read_source_file()}
    for key in Source.objects.exclude(key__in=in_files).values_list("key", flat=True):
        report.add("source", key, Outcome.NOT_IN_FILES, "in the register, not in sources.yaml")


def _apply_change(data: dict) -> Callable[[Page, bool], None]:
    """A module file's `change` (a substantive change that starts a new module version)
    applies once: to the revision that takes the module from version `version - 1`."""
    change = data.get("change")

    def before_save(page: Page, created: bool) -> None:
        if created or not change or page.current_version != change["version"] - 1:
            return
        page.substantive_change = True
        page.change_note = change["note"].strip()
        page.update_required = bool(change.get("update_required", False))
        page.update_within_days = change.get("update_within_days", page.update_within_days)

    return before_save


def sync_module(
    *,
    report: Report,
    catalogue: CourseIndexPage,
    content: ModuleContent,
    options: Options,
) -> ModulePage | None:
    """The module first (a substantive change starts its new version), then its lessons
    in file order, so lessons published after it belong to that version."""
    data = content.data
    ids = content_loader.source_ids()
    module = sync_page(
        report=report,
        kind="module",
        parent=catalogue,
        model=ModulePage,
        built=content_loader.build_module(data, source_ids=ids),
        fields=MODULE_FIELDS,
        options=options,
        before_save=_apply_change(data),
    )
    created: list[tuple[int, LessonPage]] = []
    for index, lesson_data in enumerate(data["lessons"]):
        existed = module is not None and (
            LessonPage.objects.child_of(module).filter(slug=lesson_data["slug"]).exists()
        )
        lesson = sync_page(
            report=report,
            kind=f"lesson of {data['slug']}",
            parent=module,
            model=LessonPage,
            built=content_loader.build_lesson(lesson_data, source_ids=ids),
            fields=LESSON_FIELDS,
            options=options,
        )
        if lesson is not None and not existed:
            created.append((index, lesson))
    if module is not None:
        _place_new_lessons(module, data, created)
        in_files = {lesson["slug"] for lesson in data["lessons"]}
        for slug in (
            LessonPage.objects.child_of(module)
            .exclude(slug__in=in_files)
            .values_list("slug", flat=True)
        ):
            report.add(f"lesson of {data['slug']}", slug, Outcome.NOT_IN_FILES, "left as it is")
    return module


def _place_new_lessons(module: ModulePage, data: dict, created: list) -> None:
    # A new lesson is added last; move it before the next lesson the file lists.
    slugs = [lesson["slug"] for lesson in data["lessons"]]
    for index, lesson in created:
        following = list(LessonPage.objects.child_of(module).filter(slug__in=slugs[index + 1 :]))
        if not following:
            continue
        target = min(following, key=lambda page: slugs.index(page.slug))
        Page.objects.get(pk=lesson.pk).move(Page.objects.get(pk=target.pk), pos="left")


@transaction.atomic
def sync_courses(
    *,
    report: Report,
    catalogue: CourseIndexPage,
    options: Options,
    only: set[str] | None = None,
) -> dict[str, ModulePage | None]:
    """Taxonomy, source register and every module file (or those in `only`). Returns the
    modules by slug (None: a module a dry run would create)."""
    sync_taxonomy(report=report, options=options)
    sync_sources(report=report, options=options)
    modules = {}
    for content in content_loader.read_module_files():
        if only and content.data["slug"] not in only:
            continue
        modules[content.data["slug"]] = sync_module(
            report=report, catalogue=catalogue, content=content, options=options
        )
    return modules
