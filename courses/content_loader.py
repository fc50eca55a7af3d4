"""Read the reviewable course content in courses/content/ and turn it into Wagtail pages.

Content lives in YAML so a content expert can review it in a pull request; this module
checks it against the schema and builds the page fields from it. `load_demo` uses
`ensure_*` (create what is missing, leave the rest); `load_content` (courses.content_sync)
uses the same builders to load or update a site. Format: courses/content/README.md."""

import datetime
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.db import transaction
from wagtail.models import Page

from .models import (
    CourseIndexPage,
    DatePrecision,
    LessonPage,
    Level,
    ModuleAccreditation,
    ModulePage,
    Register,
    Sector,
    Source,
    SourceKind,
    Theme,
)

CONTENT_DIR = Path(__file__).resolve().parent / "content"
MODULE_KEYS = {
    "slug", "title", "summary", "level", "estimated_minutes", "themes", "target_sectors",
    "learning_objectives", "content_note", "sources", "lessons", "last_reviewed",
    "next_review",
}  # fmt: skip
OPTIONAL_MODULE_KEYS = {"content_owner", "accreditations", "change"}
LESSON_KEYS = {"slug", "title", "body"}
OPTIONAL_LESSON_KEYS = {"summary", "content_note", "sources"}
CHANGE_KEYS = {"version", "note"}
OPTIONAL_CHANGE_KEYS = {"update_required", "update_within_days"}
SOURCE_KEYS = {"key", "kind", "issuer", "title"}
OPTIONAL_SOURCE_KEYS = {"date", "date_precision", "url", "reference", "checked_on", "note"}
BLOCK_FIELDS = {
    "text": {"html"},
    "case_vignette": {"title", "text"},
    "red_flag": {"title", "text"},
    "key_points": {"points"},
    "reflection": {"prompt"},
}
DEFAULT_CONTENT_OWNER = "Redactie Signaal"


class ContentError(ValueError):
    """The content files do not follow the schema; the message says where and what."""


@dataclass(frozen=True)
class ModuleContent:
    path: Path
    data: dict


def _directory(directory: Path | None, name: str) -> Path:
    # Resolved at call time, so tests can point the loaders at a copy of the content.
    return directory if directory is not None else CONTENT_DIR / name


def load_taxonomy_file(path: Path | None = None) -> dict:
    path = path or CONTENT_DIR / "taxonomy.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def read_source_file(path: Path | None = None) -> list[dict]:
    """The source register's entries, checked."""
    path = path or CONTENT_DIR / "sources.yaml"
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))["sources"]
    seen = set()
    for entry in entries:
        name = f"{path.name}, {entry.get('key')}"
        missing = SOURCE_KEYS - set(entry)
        unknown = set(entry) - SOURCE_KEYS - OPTIONAL_SOURCE_KEYS
        if missing or unknown:
            raise ContentError(
                f"{name}: missing keys {sorted(missing)}, unknown keys {sorted(unknown)}"
            )
        if entry["key"] in seen:
            raise ContentError(f"{name}: the key is used twice")
        seen.add(entry["key"])
        if entry["kind"] not in SourceKind.values:
            raise ContentError(f"{name}: kind must be one of {SourceKind.values}")
        if entry.get("date_precision", "day") not in DatePrecision.values:
            raise ContentError(f"{name}: date_precision must be one of {DatePrecision.values}")
        for field in ("date", "checked_on"):
            if entry.get(field) is not None and not isinstance(entry[field], datetime.date):
                raise ContentError(f"{name}: {field} must be a date (YYYY-MM-DD)")
        if not (entry.get("url") or entry.get("reference")):
            raise ContentError(f"{name}: give a url or a reference")
    return entries


def source_fields(entry: dict) -> dict:
    """The register entry's model fields as the content file gives them."""
    return {
        "kind": entry["kind"],
        "issuer": entry["issuer"].strip(),
        "title": entry["title"].strip(),
        "date": entry.get("date"),
        "date_precision": entry.get("date_precision", DatePrecision.DAY),
        "url": entry.get("url") or "",
        "reference": (entry.get("reference") or "").strip(),
        "checked_on": entry.get("checked_on"),
        "internal_note": (entry.get("note") or "").strip(),
    }


def check_citations(name: str, citations: list, source_keys: set[str]) -> None:
    """Citations name a register entry by key and the passage cited in it."""
    for citation in citations:
        if not isinstance(citation, dict) or set(citation) != {"source", "passage"}:
            raise ContentError(f"{name}: a citation needs source and passage: {citation}")
        if citation["source"] not in source_keys:
            raise ContentError(f"{name}: unknown source {citation['source']!r}")
        if not str(citation["passage"]).strip():
            raise ContentError(f"{name}: a citation must name the passage: {citation}")


def read_module_files(
    directory: Path | None = None, *, source_keys: set[str] | None = None
) -> list[ModuleContent]:
    """Every module file, in file-name order, checked against the schema."""
    taxonomy = load_taxonomy_file()
    theme_slugs = {theme["slug"] for theme in taxonomy["themes"]}
    sector_slugs = {sector["slug"] for sector in taxonomy["sectors"]}
    if source_keys is None:
        source_keys = {entry["key"] for entry in read_source_file()}
    modules = []
    for path in sorted(_directory(directory, "modules").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        _check_module(path.name, data, theme_slugs, sector_slugs, source_keys)
        modules.append(ModuleContent(path=path, data=data))
    return modules


def _check_module(
    name: str, data: dict, theme_slugs: set[str], sector_slugs: set[str], source_keys: set[str]
) -> None:
    if not isinstance(data, dict):
        raise ContentError(f"{name}: not a module")
    missing = MODULE_KEYS - set(data)
    unknown = set(data) - MODULE_KEYS - OPTIONAL_MODULE_KEYS
    if missing or unknown:
        raise ContentError(
            f"{name}: missing keys {sorted(missing)}, unknown keys {sorted(unknown)}"
        )
    if data["level"] not in Level.values:
        raise ContentError(f"{name}: level must be one of {Level.values}")
    if bad := set(data["themes"]) - theme_slugs:
        raise ContentError(f"{name}: unknown themes {sorted(bad)}")
    if bad := set(data["target_sectors"]) - sector_slugs:
        raise ContentError(f"{name}: unknown sectors {sorted(bad)}")
    for field in ("last_reviewed", "next_review"):
        if not isinstance(data[field], datetime.date):
            raise ContentError(f"{name}: {field} must be a date (YYYY-MM-DD)")
    if data["next_review"] <= data["last_reviewed"]:
        raise ContentError(f"{name}: next_review must come after last_reviewed")
    if not data["sources"]:
        raise ContentError(f"{name}: a module must cite its sources")
    if not all(isinstance(text, str) for text in data["learning_objectives"]):
        raise ContentError(f"{name}: every learning objective must be text (quote it)")
    check_citations(name, data["sources"], source_keys)
    if "change" in data:
        change = data["change"]
        if set(change) - CHANGE_KEYS - OPTIONAL_CHANGE_KEYS or CHANGE_KEYS - set(change):
            raise ContentError(f"{name}: change needs version and note: {change}")
    slugs = set()
    for lesson in data["lessons"]:
        where = f"{name}, lesson {lesson.get('slug')}"
        if LESSON_KEYS - set(lesson) or set(lesson) - LESSON_KEYS - OPTIONAL_LESSON_KEYS:
            raise ContentError(
                f"{where}: needs slug, title and body; may have {OPTIONAL_LESSON_KEYS}"
            )
        if lesson["slug"] in slugs:
            raise ContentError(f"{where}: the slug is used twice")
        slugs.add(lesson["slug"])
        check_citations(where, lesson.get("sources") or [], source_keys)
        for block in lesson["body"]:
            fields = BLOCK_FIELDS.get(block.get("type"))
            if fields is None or set(block) - {"type"} != fields:
                raise ContentError(f"{where}: bad block {block}")
            # An unquoted 'text: more' in YAML is a mapping, not text: catch it here.
            values = block.get("points", []) + [block[key] for key in fields - {"points"}]
            if not all(isinstance(value, str) and value.strip() for value in values):
                raise ContentError(f"{where}: every text in a block must be text: {block}")


def _stream(block: dict) -> dict:
    kind = block["type"]
    if kind == "text":
        return {"type": "text", "value": block["html"]}
    return {"type": kind, "value": {key: value for key, value in block.items() if key != "type"}}


def citation_stream(citations: list, source_ids: dict[str, int]) -> list[dict]:
    return [
        {
            "type": "citation",
            "value": {
                "source": source_ids.get(item["source"]),
                "passage": str(item["passage"]).strip(),
            },
        }
        for item in citations or ()
    ]


def source_ids() -> dict[str, int]:
    return dict(Source.objects.values_list("key", "pk"))


def _accreditation(item: dict) -> ModuleAccreditation:
    """{register: <slug of a Register>, points, course_id, valid_until}: the register must
    exist (they are data, kept in the admin)."""
    register = Register.objects.filter(slug=item["register"]).first()
    if register is None:
        raise ContentError(
            f"accreditations: no register with slug {item['register']!r}; add it in the admin "
            "(Snippets, Professional registers) first"
        )
    return ModuleAccreditation(
        register=register,
        points=item["points"],
        course_id=str(item.get("course_id") or ""),
        valid_until=item.get("valid_until"),
    )


def build_module(data: dict, *, source_ids: dict[str, int]) -> ModulePage:
    """An unsaved module page with every field the content file gives."""
    module = ModulePage(
        title=data["title"],
        slug=data["slug"],
        summary=data["summary"].strip(),
        level=data["level"],
        estimated_minutes=data["estimated_minutes"],
        content_note=(data.get("content_note") or "").strip(),
        learning_objectives=[
            {"type": "objective", "value": text} for text in data["learning_objectives"]
        ],
        sources=citation_stream(data["sources"], source_ids),
        content_owner=data.get("content_owner") or DEFAULT_CONTENT_OWNER,
        last_reviewed=data["last_reviewed"],
        next_review=data["next_review"],
    )
    module.themes = list(Theme.objects.filter(slug__in=data["themes"]))
    module.target_sectors = list(Sector.objects.filter(slug__in=data["target_sectors"]))
    module.accreditations = [_accreditation(item) for item in data.get("accreditations") or ()]
    return module


def build_lesson(data: dict, *, source_ids: dict[str, int]) -> LessonPage:
    """An unsaved lesson page from its entry in a module file."""
    return LessonPage(
        title=data["title"],
        slug=data["slug"],
        summary=(data.get("summary") or "").strip(),
        content_note=(data.get("content_note") or "").strip(),
        body=[_stream(block) for block in data["body"]],
        sources=citation_stream(data.get("sources"), source_ids),
    )


@transaction.atomic
def ensure_taxonomy() -> None:
    taxonomy = load_taxonomy_file()
    for theme in taxonomy["themes"]:
        Theme.objects.update_or_create(
            slug=theme["slug"],
            defaults={"name": theme["name"], "description": theme["description"]},
        )
    for sector in taxonomy["sectors"]:
        Sector.objects.update_or_create(
            slug=sector["slug"],
            defaults={"name": sector["name"], "description": sector.get("description", "")},
        )


@transaction.atomic
def ensure_sources() -> dict[str, int]:
    """The register as the content file gives it (demo data); returns key -> id."""
    for entry in read_source_file():
        Source.objects.update_or_create(key=entry["key"], defaults=source_fields(entry))
    return source_ids()


def ensure_catalogue(*, home: Page) -> CourseIndexPage:
    catalogue = CourseIndexPage.objects.child_of(home).first()
    if catalogue is None:
        catalogue = CourseIndexPage(
            title="Modules",
            slug="modules",
            intro=(
                "Modules voor professionals over rode vlaggen, intieme terreur, dwingende "
                "controle, gendersensitief werken, de meldcode, beroepsgeheim, contact met "
                "plegers, acute situaties en samenwerken aan veiligheid."
            ),
        )
        home.add_child(instance=catalogue)
        catalogue.save_revision().publish()
    return catalogue


@transaction.atomic
def ensure_module(*, catalogue: CourseIndexPage, content: ModuleContent) -> ModulePage:
    """Create the module and its lessons from a content file, unless a module with that
    slug exists (then it is left as editors made it)."""
    data = content.data
    existing = ModulePage.objects.child_of(catalogue).filter(slug=data["slug"]).first()
    if existing:
        return existing
    ids = source_ids()
    module = build_module(data, source_ids=ids)
    module.live = False
    catalogue.add_child(instance=module)
    for lesson_data in data["lessons"]:
        lesson = build_lesson(lesson_data, source_ids=ids)
        module.add_child(instance=lesson)
        lesson.save_revision().publish()
    # Published last, so version 1 lists every lesson.
    module.save_revision().publish()
    return module
