import datetime

import pytest
from wagtail.models import Page

from courses import content_loader
from courses.models import CourseIndexPage, LessonPage, ModulePage, Sector, Source, Theme
from tests import registers


@pytest.fixture
def catalogue(home_page) -> CourseIndexPage:
    registers.ensure_taxonomy()
    return content_loader.ensure_catalogue(home=home_page)


def plan_source() -> Source:
    """A register entry for modules built in tests to cite."""
    source, _created = Source.objects.get_or_create(
        key="plan-van-aanpak-test",
        defaults={
            "kind": "policy_document",
            "issuer": "Kabinet",
            "title": "Plan van aanpak",
            "reference": "Kamerstuk (test)",
        },
    )
    return source


def make_module(
    parent: Page,
    title: str,
    *,
    themes: tuple[str, ...] = ("rode-vlaggen",),
    level: str = "basis",
    minutes: int = 45,
    sectors: tuple[str, ...] = ("politie",),
    lessons: int = 3,
    summary: str = "Een module voor professionals.",
    next_review: datetime.date | None = None,
) -> ModulePage:
    """A published module with published lessons, built as an editor would."""
    today = datetime.date.today()
    module = ModulePage(
        live=False,
        title=title,
        summary=summary,
        level=level,
        estimated_minutes=minutes,
        learning_objectives=[{"type": "objective", "value": "Je kunt signalen herkennen."}],
        sources=[{"type": "citation", "value": {"source": plan_source().pk, "passage": "§1.2"}}],
        content_owner="Redactie",
        last_reviewed=today,
        next_review=next_review or today + datetime.timedelta(days=365),
    )
    module.themes = list(Theme.objects.filter(slug__in=themes))
    module.target_sectors = list(Sector.objects.filter(slug__in=sectors))
    parent.add_child(instance=module)
    for number in range(1, lessons + 1):
        add_lesson(module, f"Les {number}")
    module.save_revision().publish()
    module.refresh_from_db()
    return module


def light_module(parent: Page, title: str, *, slug: str = "") -> ModulePage:
    """A live module page without lessons, revisions or publishing, for tests that need a
    module to point at (requirements, frameworks) and test neither the module nor its
    publication. make_module builds one as an editor would."""
    today = datetime.date.today()
    module = ModulePage(
        live=True,
        title=title,
        slug=slug,
        summary="Een module voor professionals.",
        level="basis",
        estimated_minutes=45,
        content_owner="Redactie",
        last_reviewed=today,
        next_review=today + datetime.timedelta(days=365),
    )
    parent.add_child(instance=module)
    return module


def add_lesson(module: ModulePage, title: str, *, publish: bool = True) -> LessonPage:
    lesson = LessonPage(
        title=title,
        live=publish,  # publish=False: a draft, as an author's unpublished new lesson
        body=[
            {"type": "text", "value": f"<p>Tekst van {title}.</p>"},
            {"type": "reflection", "value": {"prompt": "Wat herken je hiervan?"}},
        ],
    )
    module.add_child(instance=lesson)
    if publish:
        lesson.save_revision().publish()
    lesson.refresh_from_db()
    return lesson


def lessons_of(module: ModulePage) -> list[LessonPage]:
    return list(LessonPage.objects.child_of(module).live().order_by("path"))
