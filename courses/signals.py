"""Keep module versions in step with publishing, whichever way a page is published
(editor, workflow approval, scheduled publishing)."""

from django.dispatch import Signal
from wagtail.signals import page_published, page_unpublished

from .models import LessonPage, ModulePage
from .services import record_lesson_publication, record_module_publication, update_search_index

# Sent (inside the completing transaction) when an enrolment becomes complete; the
# certificates app issues the certificate. Arguments: enrolment.
module_completed = Signal()

# Sent when a learner starts a module (a new enrolment, not the open one returned again);
# xapi records it as 'launched'. Arguments: enrolment.
module_started = Signal()


def _module_published(sender, instance: ModulePage, **kwargs) -> None:
    record_module_publication(module=instance)
    update_search_index(module=instance)


def _lesson_changed(sender, instance: LessonPage, **kwargs) -> None:
    version = record_lesson_publication(lesson=instance)
    if version is not None:
        update_search_index(module=version.module)


def connect() -> None:
    page_published.connect(
        _module_published, sender=ModulePage, dispatch_uid="courses_module_published"
    )
    page_published.connect(
        _lesson_changed, sender=LessonPage, dispatch_uid="courses_lesson_published"
    )
    page_unpublished.connect(
        _lesson_changed, sender=LessonPage, dispatch_uid="courses_lesson_unpublished"
    )
