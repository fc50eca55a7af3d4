"""Load the reviewable course content in courses/content/ into Wagtail.

Content lives in YAML so a content expert can review it in a pull request; this module
checks it and turns it into pages. Used by load_demo and by the content tests."""

import datetime
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.db import transaction
from wagtail.models import Page

from .models import CourseIndexPage, LessonPage, Level, ModulePage, Sector, Theme

CONTENT_DIR = Path(__file__).resolve().parent / "content"
MODULE_KEYS = {
    "slug", "title", "summary", "level", "estimated_minutes", "themes", "target_sectors",
    "learning_objectives", "content_note", "sources", "lessons",
}  # fmt: skip
OPTIONAL_MODULE_KEYS = {"content_owner", "last_reviewed", "next_review", "accreditations"}
BLOCK_FIELDS = {
    "text": {"html"},
    "case_vignette": {"title", "text"},
    "red_flag": {"title", "text"},
    "key_points": {"points"},
    "reflection": {"prompt"},
}
DEFAULT_CONTENT_OWNER = "Redactie Signaal"
REVIEW_INTERVAL = datetime.timedelta(days=365)


class ContentError(ValueError):
    """The content files do not follow the schema; the message says where and what."""


@dataclass(frozen=True)
class ModuleContent:
    path: Path
    data: dict


def load_taxonomy_file(path: Path = CONTENT_DIR / "taxonomy.yaml") -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def read_module_files(directory: Path = CONTENT_DIR / "modules") -> list[ModuleContent]:
    """Every module file, in file-name order, checked against the schema."""
    taxonomy = load_taxonomy_file()
    theme_slugs = {theme["slug"] for theme in taxonomy["themes"]}
    sector_slugs = {sector["slug"] for sector in taxonomy["sectors"]}
    modules = []
    for path in sorted(directory.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        _check_module(path.name, data, theme_slugs, sector_slugs)
        modules.append(ModuleContent(path=path, data=data))
    return modules


def _check_module(name: str, data: dict, theme_slugs: set[str], sector_slugs: set[str]) -> None:
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
    for source in data["sources"]:
        if set(source) != {"document", "title", "section"}:
            raise ContentError(f"{name}: a source needs document, title and section: {source}")
    for lesson in data["lessons"]:
        for block in lesson["body"]:
            fields = BLOCK_FIELDS.get(block.get("type"))
            if fields is None or set(block) - {"type"} != fields:
                raise ContentError(f"{name}, lesson {lesson.get('slug')}: bad block {block}")


def _stream(block: dict) -> dict:
    kind = block["type"]
    if kind == "text":
        return {"type": "text", "value": block["html"]}
    return {"type": kind, "value": {key: value for key, value in block.items() if key != "type"}}


@transaction.atomic
def ensure_taxonomy() -> None:
    taxonomy = load_taxonomy_file()
    for theme in taxonomy["themes"]:
        Theme.objects.update_or_create(
            slug=theme["slug"],
            defaults={"name": theme["name"], "description": theme["description"]},
        )
    for sector in taxonomy["sectors"]:
        Sector.objects.update_or_create(slug=sector["slug"], defaults={"name": sector["name"]})


def ensure_catalogue(*, home: Page) -> CourseIndexPage:
    catalogue = CourseIndexPage.objects.child_of(home).first()
    if catalogue is None:
        catalogue = CourseIndexPage(
            title="Modules",
            slug="modules",
            intro=(
                "Modules voor professionals over rode vlaggen, intieme terreur, dwingende "
                "controle, gendersensitief werken, de meldcode en samenwerken aan veiligheid."
            ),
        )
        home.add_child(instance=catalogue)
        catalogue.save_revision().publish()
    return catalogue


@transaction.atomic
def ensure_module(
    *, catalogue: CourseIndexPage, content: ModuleContent, today: datetime.date
) -> ModulePage:
    """Create the module and its lessons from a content file, unless a module with that
    slug exists (then it is left as editors made it)."""
    data = content.data
    existing = ModulePage.objects.child_of(catalogue).filter(slug=data["slug"]).first()
    if existing:
        return existing
    last_reviewed = data.get("last_reviewed") or today
    module = ModulePage(
        live=False,
        title=data["title"],
        slug=data["slug"],
        summary=data["summary"].strip(),
        level=data["level"],
        estimated_minutes=data["estimated_minutes"],
        content_note=(data.get("content_note") or "").strip(),
        learning_objectives=[
            {"type": "objective", "value": text} for text in data["learning_objectives"]
        ],
        sources=[{"type": "source", "value": source} for source in data["sources"]],
        content_owner=data.get("content_owner") or DEFAULT_CONTENT_OWNER,
        last_reviewed=last_reviewed,
        next_review=data.get("next_review") or last_reviewed + REVIEW_INTERVAL,
    )
    module.themes = list(Theme.objects.filter(slug__in=data["themes"]))
    module.target_sectors = list(Sector.objects.filter(slug__in=data["target_sectors"]))
    catalogue.add_child(instance=module)
    for lesson_data in data["lessons"]:
        lesson = LessonPage(
            title=lesson_data["title"],
            slug=lesson_data["slug"],
            summary=lesson_data.get("summary", "").strip(),
            body=[_stream(block) for block in lesson_data["body"]],
        )
        module.add_child(instance=lesson)
        lesson.save_revision().publish()
    # Published last, so version 1 lists every lesson.
    module.save_revision().publish()
    return module
