"""Reads for the module and lesson pages and 'Mijn leren': the learner's enrolment and
outline, where they continue, their certificate offer, reflections, citations; and the
modules due for review."""

import datetime
from dataclasses import dataclass

from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from courses import policies
from courses.models import (
    Enrolment,
    LessonPage,
    Level,
    ModulePage,
    ModuleVersion,
    ReflectionAnswer,
    Source,
)
from courses.services import required_lesson_ids


@dataclass(frozen=True)
class Citation:
    source: Source
    passage: str


def citations(refs: list[tuple[int, str]]) -> list[Citation]:
    """(source register id, passage) pairs as citations, in one query; a reference to an
    entry that no longer exists is left out."""
    sources = Source.objects.in_bulk({pk for pk, _passage in refs})
    return [Citation(sources[pk], passage) for pk, passage in refs if pk in sources]


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


def start_button_label(
    *,
    module: ModulePage,
    enrolment: Enrolment | None,
    offer: CertificateOffer | None,
    is_update: bool,
) -> str:
    """What the module page's main button says, matching what `services.start_module`
    will do when it is pressed: continue, renew, start the update, start, start the new
    version, or read again. Decided here; the template only shows it."""
    if enrolment is not None and enrolment.completed_at is None:
        return _("Continue the update") if is_update else _("Continue where you left off")
    if offer is not None and offer.renewal_open:
        return _("Do it again / Renew certificate")
    if offer is not None and offer.update_from:
        return _("Start the update")
    if enrolment is None:
        return _("Start this module")
    if enrolment.module_version.number < (module.current_version or 0):
        return _("Start version %(version)s") % {"version": module.current_version}
    return _("Read the lessons again")


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
