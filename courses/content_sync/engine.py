"""The loading machinery every kind of content shares: outcomes and the report, the
fingerprint of what was loaded, revisions sent to review or published, and the sync of a
page or a snippet with conflict detection. (courses.content_sync's docstring says what
it is for.)"""

import enum
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.fields import StreamField
from wagtail.models import Page

from ..models import LoadedContent


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
