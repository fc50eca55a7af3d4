"""Load or update a site's course content from the content files: `manage.py load_content`.

The YAML in the repository is the source of truth; the admin is where reviewers approve
what the files change. Each page becomes a new revision that goes to the review workflow
(or is published with `publish`). What was loaded is recorded (`LoadedContent` for pages,
`loaded_hash` on snippets), so that:

- running again with unchanged files changes nothing;
- a page or snippet edited in the admin since the last load is not overwritten: it is
  reported as a conflict, and only `force` overwrites it.

This module handles the taxonomy, the source register, modules and lessons; quizzes and
signals are in quizzes.content_sync, which uses the helpers here."""

import enum
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models, transaction
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.fields import StreamField
from wagtail.models import Page

from . import content_loader
from .content_loader import ModuleContent
from .models import CourseIndexPage, LessonPage, LoadedContent, ModulePage, Sector, Source, Theme

MODULE_FIELDS = (
    "title", "slug", "summary", "level", "estimated_minutes", "content_note",
    "learning_objectives", "sources", "content_owner", "last_reviewed", "next_review",
    "themes", "target_sectors", "accreditations",
)  # fmt: skip
LESSON_FIELDS = ("title", "slug", "summary", "content_note", "body", "sources")


class Outcome(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    OVERWRITTEN = "overwritten"  # changed in the admin, replaced because of `force`
    UNCHANGED = "unchanged"
    CONFLICT = "conflict"  # changed in the admin; left alone
    NOT_IN_FILES = "not in files"


@dataclass(frozen=True)
class Options:
    publish: bool = False
    force: bool = False
    dry_run: bool = False


@dataclass(frozen=True)
class Result:
    kind: str
    name: str
    outcome: Outcome
    detail: str = ""


@dataclass
class Report:
    results: list[Result] = field(default_factory=list)

    def add(self, kind: str, name: str, outcome: Outcome, detail: str = "") -> Outcome:
        self.results.append(Result(kind, name, outcome, detail))
        return outcome

    def count(self, outcome: Outcome) -> int:
        return sum(1 for result in self.results if result.outcome == outcome)

    @property
    def conflicts(self) -> list[Result]:
        return [result for result in self.results if result.outcome == Outcome.CONFLICT]

    @property
    def changed(self) -> bool:
        return any(
            result.outcome in (Outcome.CREATED, Outcome.UPDATED, Outcome.OVERWRITTEN)
            for result in self.results
        )


def digest(data) -> str:
    return hashlib.sha256(
        json.dumps(data, sort_keys=True, default=str, ensure_ascii=False).encode()
    ).hexdigest()


def _without_block_ids(value):
    # Block ids differ between a page built from a file and its revision; the content
    # does not.
    if isinstance(value, dict):
        if "type" in value and "value" in value:
            return {"type": value["type"], "value": _without_block_ids(value["value"])}
        return {key: _without_block_ids(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_without_block_ids(item) for item in value]
    return value


def _child_fields(child: models.Model) -> dict:
    return {
        child_field.name: getattr(child, child_field.name)
        for child_field in child._meta.concrete_fields
        if child_field.name not in ("id", "sort_order") and not isinstance(child_field, ParentalKey)
    }


def _plain_number(value):
    # 2 from a file and Decimal('2.0') from a revision are the same number of points.
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        return str(Decimal(str(value)).normalize())
    return value


def _field_value(page: Page, name: str):
    model_field = page._meta.get_field(name)
    value = getattr(page, name)
    if isinstance(model_field, StreamField):
        return _without_block_ids(value.get_prep_value())
    if isinstance(model_field, ParentalManyToManyField):
        return sorted(item.pk for item in value.all())
    if isinstance(model_field, models.ManyToOneRel):
        # Child relations (a module's accreditations): their own fields, in order.
        return [
            {key: _plain_number(item) for key, item in _child_fields(child).items()}
            for child in value.all()
        ]
    return value


def fingerprint(page: Page, fields: Iterable[str]) -> str:
    """A hash of the fields a content file sets, as they are on this page object."""
    return digest({name: _field_value(page, name) for name in fields})


def latest_content(page: Page) -> Page:
    """The page as its latest revision (draft, in review or live) has it."""
    revision = page.get_latest_revision()
    return revision.as_object() if revision else page


def _copy_fields(target: Page, source: Page, fields: Iterable[str]) -> None:
    for name in fields:
        model_field = target._meta.get_field(name)
        value = getattr(source, name)
        if isinstance(model_field, ParentalManyToManyField):
            setattr(target, name, list(value.all()))
        elif isinstance(model_field, models.ManyToOneRel):
            setattr(
                target, name, [child.__class__(**_child_fields(child)) for child in value.all()]
            )
        else:
            setattr(target, name, value)


def release(page: Page, revision, options: Options) -> str:
    """Publish the new revision, or send it to the review workflow (replacing a review
    still running for an earlier revision). Returns what happened, for the report."""
    if options.publish:
        revision.publish(log_action=True)
        return "published"
    workflow = page.get_workflow()
    if workflow is None:
        return "saved as a draft (no review workflow applies)"
    detail = "submitted for review"
    state = page.current_workflow_state
    if state is not None:
        state.cancel(user=None)
        detail = "submitted for review (the review of an earlier revision was cancelled)"
    workflow.start(page, None)
    return detail


def _record(page: Page, fingerprint_: str) -> None:
    LoadedContent.objects.update_or_create(
        page_id=page.pk,
        defaults={"fingerprint": fingerprint_, "revision_id": page.latest_revision_id},
    )


def _pending(page: Page) -> str:
    if page.current_workflow_state is not None:
        return "a revision awaits review"
    if not page.live:
        return "not published"
    if page.has_unpublished_changes:
        return "has unpublished changes"
    return ""


def sync_page(
    *,
    report: Report,
    kind: str,
    parent: Page | None,
    model: type[Page],
    built: Page,
    fields: tuple[str, ...],
    options: Options,
    before_save: Callable[[Page, bool], None] | None = None,
) -> Page | None:
    """Bring one page in line with `built` (made from its content file). Returns the page
    (None when it does not exist yet and this is a dry run). `before_save(page, created)`
    may set fields that are not compared, such as a module's 'substantive change'."""
    name = built.slug
    existing = model.objects.child_of(parent).filter(slug=built.slug).first() if parent else None
    wanted = fingerprint(built, fields)
    if existing is None:
        if options.dry_run or parent is None:
            report.add(kind, name, Outcome.CREATED, "would be created")
            return None
        built.live = False
        if before_save:
            before_save(built, True)
        parent.add_child(instance=built)
        revision = built.save_revision(log_action=True)
        _record(built, wanted)
        report.add(kind, name, Outcome.CREATED, release(built, revision, options))
        return built
    existing = existing.specific
    current = latest_content(existing)
    now = fingerprint(current, fields)
    record = LoadedContent.objects.filter(page_id=existing.pk).first()
    if now == wanted:
        if not options.dry_run and (record is None or record.fingerprint != now):
            _record(existing, now)
        report.add(kind, name, Outcome.UNCHANGED, _pending(existing))
        return existing
    edited_in_admin = record is None or record.fingerprint != now
    if edited_in_admin and not options.force:
        report.add(
            kind,
            name,
            Outcome.CONFLICT,
            "changed in the admin since it was last loaded (or not loaded by load_content); "
            "not overwritten: carry the change into the content files, or use --force",
        )
        return existing
    outcome = Outcome.OVERWRITTEN if edited_in_admin else Outcome.UPDATED
    if options.dry_run:
        report.add(kind, name, outcome, "would get a new revision")
        return existing
    _copy_fields(current, built, fields)
    if before_save:
        before_save(current, False)
    revision = current.save_revision(log_action=True)
    _record(current, wanted)
    report.add(kind, name, outcome, release(current, revision, options))
    return current


def snippet_sync(
    *,
    report: Report,
    kind: str,
    model: type[models.Model],
    lookup: dict,
    wanted: dict,
    current: Callable[[models.Model], dict],
    options: Options,
) -> models.Model | None:
    """Create or update a snippet (theme, sector, register entry, signal) from its content
    file entry. `wanted` are the model fields to set; `current(obj)` reads the same fields
    back in the same form, so the two can be compared."""
    name = next(iter(lookup.values()))
    wanted_hash = digest({key: _plain(value) for key, value in wanted.items()})
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        if options.dry_run:
            report.add(kind, name, Outcome.CREATED, "would be created")
            return None
        obj = model(**lookup, **wanted, loaded_hash=wanted_hash)
        obj.full_clean()
        obj.save()
        report.add(kind, name, Outcome.CREATED)
        return obj
    now_hash = digest({key: _plain(value) for key, value in current(obj).items()})
    if now_hash == wanted_hash:
        if not options.dry_run and obj.loaded_hash != now_hash:
            model.objects.filter(pk=obj.pk).update(loaded_hash=now_hash)
        report.add(kind, name, Outcome.UNCHANGED)
        return obj
    edited_in_admin = obj.loaded_hash != now_hash
    if edited_in_admin and not options.force:
        report.add(
            kind,
            name,
            Outcome.CONFLICT,
            "changed in the admin since it was last loaded; not overwritten: carry the "
            "change into the content files, or use --force",
        )
        return obj
    outcome = Outcome.OVERWRITTEN if edited_in_admin else Outcome.UPDATED
    if options.dry_run:
        report.add(kind, name, outcome, "would be updated")
        return obj
    for key, value in wanted.items():
        setattr(obj, key, value)
    obj.loaded_hash = wanted_hash
    obj.full_clean()
    obj.save()
    report.add(kind, name, outcome)
    return obj


def _plain(value):
    if isinstance(value, models.Model):
        return value.pk
    return value


def fields_of(obj: models.Model, names: Iterable[str]) -> dict:
    return {name: getattr(obj, name) for name in names}


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
