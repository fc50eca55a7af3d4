"""Demo data for courses: the catalogue with the real modules, and a learner's progress."""

from wagtail.models import Page

from accounts.models import User

from . import content_loader, services
from .models import LessonPage, ModulePage


def load_demo_modules(*, home: Page) -> list[ModulePage]:
    content_loader.ensure_taxonomy()
    content_loader.ensure_sources()
    catalogue = content_loader.ensure_catalogue(home=home)
    services.ensure_review_workflow(catalogue=catalogue)
    return [
        content_loader.ensure_module(catalogue=catalogue, content=content)
        for content in content_loader.read_module_files()
    ]


def give_demo_progress(*, learner: User, completed: ModulePage, in_progress: ModulePage) -> None:
    """One module completed, and the first lesson of another done (idempotent)."""
    for lesson in LessonPage.objects.child_of(completed).live().order_by("path"):
        services.complete_lesson(user=learner, lesson=lesson)
    first = LessonPage.objects.child_of(in_progress).live().order_by("path").first()
    services.complete_lesson(user=learner, lesson=first)
    second = LessonPage.objects.child_of(in_progress).live().order_by("path")[1]
    services.record_lesson_visit(
        enrolment=services.start_module(user=learner, module=in_progress), lesson=second
    )
