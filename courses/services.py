"""Writes for modules and learning: versions, enrolment, lesson progress, completion."""

import datetime
import logging
from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import (
    GroupApprovalTask,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from accounts.models import User

from . import policies
from .models import (
    Enrolment,
    LessonCompletion,
    LessonPage,
    ModuleChange,
    ModulePage,
    ModuleVersion,
    ReflectionAnswer,
)

MAX_REFLECTION_LENGTH = 5000
logger = logging.getLogger(__name__)


def live_lesson_ids(module: ModulePage) -> list[int]:
    """The module's live lessons in the order authors put them."""
    return list(
        LessonPage.objects.child_of(module).live().order_by("path").values_list("pk", flat=True)
    )


@transaction.atomic
def record_module_publication(*, module: ModulePage, note: str = "") -> ModuleVersion:
    """Keep the module's versions in step with what is published.

    The first publication creates version 1. A publication marked as a substantive change
    starts a new version, which learners who finished an earlier one must complete again;
    it takes the page's 'what changed' note and, when ticked, the update requirement
    (holders of earlier certificates must update within update_within_days). Any other
    publication (of the module or one of its lessons) updates the current version's list
    of lessons."""
    module = ModulePage.objects.select_for_update().get(pk=module.pk)
    current = module.versions.order_by("-number").first()
    lessons = live_lesson_ids(module)
    if current is None or module.substantive_change:
        # Version 1 has no earlier holders to update.
        update_required = current is not None and module.update_required
        current = ModuleVersion.objects.create(
            module=module,
            number=(current.number + 1 if current else 1),
            lesson_ids=lessons,
            note=note or module.change_note,
            update_required=update_required,
            update_due_on=(
                timezone.localdate() + datetime.timedelta(days=module.update_within_days)
                if update_required
                else None
            ),
        )
        # The ticks and the note apply to this publication only: clear them on the page
        # and on the revision editors will start from, without creating a new revision.
        cleared = {"substantive_change": False, "update_required": False, "change_note": ""}
        ModulePage.objects.filter(pk=module.pk).update(**cleared, current_version=current.number)
        if module.latest_revision_id:
            revision = module.latest_revision
            revision.content.update(cleared)
            revision.save(update_fields=["content"])
    elif current.lesson_ids != lessons:
        current.lesson_ids = lessons
        current.save(update_fields=["lesson_ids"])
    return current


@transaction.atomic
def record_lesson_publication(*, lesson: LessonPage) -> ModuleVersion | None:
    """A lesson of a live module was published or unpublished: keep the module's versions
    in step. A new lesson's answer to 'substantive change?' (LessonPage.module_change)
    applies to this publication: 'yes' marks the module's publication as substantive
    (with the update requirement when asked) before the version is recorded, so the new
    version starts with the lesson. The answer is then cleared, as the module's ticks are."""
    module = ModulePage.objects.filter(pk=lesson.get_parent().pk, live=True).first()
    if module is None:
        return None
    change = lesson.module_change if lesson.live else ""
    if change in (ModuleChange.NEW_VERSION, ModuleChange.UPDATE_REQUIRED):
        ModulePage.objects.filter(pk=module.pk).update(
            substantive_change=True,
            update_required=change == ModuleChange.UPDATE_REQUIRED,
            change_note=module.change_note
            or (_("New lesson: %(title)s") % {"title": lesson.title}),
        )
    if change:
        LessonPage.objects.filter(pk=lesson.pk).update(module_change="")
        revision = lesson.latest_revision
        if revision is not None:
            revision.content["module_change"] = ""
            revision.save(update_fields=["content"])
    return record_module_publication(module=module)


def current_version(module: ModulePage) -> ModuleVersion:
    version = module.versions.order_by("-number").first()
    return version or record_module_publication(module=module)


def start_module(*, user: User, module: ModulePage) -> Enrolment:
    """The learner's enrolment in the module: the open one, else one completed against
    the current version (unless their certificate is up for renewal), else a new one for
    the current version. A new one is an update (only what changed is required) when the
    learner holds a valid certificate for an earlier version that is not up for renewal.
    Safe against double clicks and parallel requests."""
    from .selectors.learning import certificate_standing

    enrolments = Enrolment.objects.filter(user=user, module=module)
    existing = enrolments.filter(completed_at__isnull=True).first()
    if existing:
        if existing.update_from_version is not None and (
            certificate_standing(user=user, module=module).renewal_open
        ):
            # The certificate reached its renewal window during the update: renewing
            # starts a full new cycle, so the whole module is required now.
            Enrolment.objects.filter(pk=existing.pk).update(update_from_version=None)
            existing.update_from_version = None
        return existing
    version = current_version(module)
    standing = certificate_standing(user=user, module=module)
    completed = (
        enrolments.filter(module_version__number__gte=version.number)
        .order_by("-completed_at")
        .first()
    )
    if completed and not standing.renewal_open:
        return completed
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                user=user,
                module=module,
                module_version=version,
                update_from_version=standing.updatable_from(version.number),
            )
    except IntegrityError:
        return Enrolment.objects.get(user=user, module=module, completed_at__isnull=True)
    from .signals import module_started

    module_started.send(sender=Enrolment, enrolment=enrolment)
    return enrolment


def record_lesson_visit(*, enrolment: Enrolment, lesson: LessonPage) -> None:
    """Remember where the learner is, so they resume here next time."""
    if enrolment.last_lesson_id != lesson.pk:
        Enrolment.objects.filter(pk=enrolment.pk).update(
            last_lesson=lesson, last_activity_at=timezone.now()
        )
        enrolment.last_lesson = lesson


@dataclass(frozen=True)
class ModuleCompletion:
    required_lesson_ids: tuple[int, ...]
    done_lesson_ids: frozenset[int]
    assessment_passed: bool

    @property
    def lessons_done(self) -> int:
        return len(self.done_lesson_ids.intersection(self.required_lesson_ids))

    @property
    def lessons_total(self) -> int:
        return len(self.required_lesson_ids)

    @property
    def is_complete(self) -> bool:
        return self.lessons_done == self.lessons_total and self.assessment_passed


def required_lesson_ids(enrolment: Enrolment) -> tuple[int, ...]:
    """The lessons of the version the learner enrolled in that still exist and are live.

    For an update (enrolment.update_from_version set) only the lessons that changed since
    the learner's certificate version: those the older version did not list, and those
    published after the first later version was created (lessons published after a
    substantive change belong to the new version). When no lesson qualifies, the change
    was elsewhere (module text, quiz) and every lesson is required."""
    live = dict(
        LessonPage.objects.child_of(enrolment.module).live().values_list("pk", "last_published_at")
    )
    # Read the list fresh: ordinary publications keep updating the current version's list.
    listed = ModuleVersion.objects.values_list("lesson_ids", flat=True).get(
        pk=enrolment.module_version_id
    )
    required = tuple(pk for pk in listed if pk in live)
    if enrolment.update_from_version is None:
        return required
    base_number = enrolment.update_from_version
    versions = {
        version.number: version
        for version in ModuleVersion.objects.filter(
            module_id=enrolment.module_id, number__in=(base_number, base_number + 1)
        ).only("number", "lesson_ids", "created_at")
    }
    base, successor = versions.get(base_number), versions.get(base_number + 1)
    if base is None or successor is None:
        return required
    changed = tuple(
        pk
        for pk in required
        if pk not in base.lesson_ids or (live[pk] is not None and live[pk] >= successor.created_at)
    )
    return changed or required


def module_completion(*, enrolment: Enrolment) -> ModuleCompletion:
    """The one rule for module completion: every required lesson of the enrolled version
    done (for an update: the lessons that changed, see required_lesson_ids) and, where the
    module has an assessment, the assessment passed."""
    done = frozenset(enrolment.lesson_completions.values_list("lesson_id", flat=True))
    return ModuleCompletion(
        required_lesson_ids=required_lesson_ids(enrolment),
        done_lesson_ids=done,
        assessment_passed=_assessment_passed(enrolment),
    )


def _assessment_passed(enrolment: Enrolment) -> bool:
    # The assessment rule is the quizzes app's, registered with courses.policies (quizzes
    # builds on courses, not the other way round).
    return policies.assessment_passed(enrolment)


def refresh_completion(*, enrolment: Enrolment) -> Enrolment:
    """Mark the enrolment completed when every requirement is now met (idempotent)."""
    with transaction.atomic():
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if enrolment.completed_at is None and module_completion(enrolment=enrolment).is_complete:
            enrolment.completed_at = timezone.now()
            enrolment.save(update_fields=["completed_at", "last_activity_at"])
            from .signals import module_completed

            module_completed.send(sender=Enrolment, enrolment=enrolment)
    return enrolment


@transaction.atomic
def complete_lesson(*, user: User, lesson: LessonPage) -> Enrolment:
    """Mark a lesson done (idempotent) and complete the module when that was the last
    requirement. Returns the learner's enrolment."""
    module = lesson.get_parent().specific
    enrolment = start_module(user=user, module=module)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    LessonCompletion.objects.get_or_create(enrolment=enrolment, lesson=lesson)
    record_lesson_visit(enrolment=enrolment, lesson=lesson)
    return refresh_completion(enrolment=enrolment)


def save_reflection(
    *, user: User, lesson: LessonPage, block_id: str, answer: str
) -> ReflectionAnswer | None:
    """Store (or clear) the learner's private answer to a reflection question in the lesson."""
    if block_id not in {block.id for block in lesson.body if block.block_type == "reflection"}:
        raise ValueError("This lesson has no such reflection question.")
    answer = answer.strip()
    if len(answer) > MAX_REFLECTION_LENGTH:
        raise ValueError(f"An answer can be at most {MAX_REFLECTION_LENGTH} characters.")
    if not answer:
        ReflectionAnswer.objects.filter(user=user, lesson=lesson, block_id=block_id).delete()
        return None
    reflection, _created = ReflectionAnswer.objects.update_or_create(
        user=user, lesson=lesson, block_id=block_id, defaults={"answer": answer}
    )
    return reflection


def erase_personal_data(user: User) -> None:
    """A deleted account's part of courses (accounts.personal_data): reflection answers go;
    enrolments and lesson progress stay with the anonymous placeholder, so figures keep
    counting the same."""
    ReflectionAnswer.objects.filter(user=user).delete()


REVIEWERS_GROUP = "Inhoudsdeskundigen"
REVIEW_WORKFLOW = "Inhoudelijke review"


@transaction.atomic
def ensure_review_workflow(*, catalogue: Page) -> Workflow:
    """Changes under the catalogue go live only after a second person, an
    inhoudsdeskundige, approves them. Editors can draft and submit; reviewers can publish."""
    reviewers, _created = Group.objects.get_or_create(name=REVIEWERS_GROUP)
    reviewers.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    for codename in ("add_page", "change_page", "publish_page"):
        GroupPagePermission.objects.get_or_create(
            group=reviewers, page=catalogue, permission=Permission.objects.get(codename=codename)
        )
    task, _created = GroupApprovalTask.objects.get_or_create(
        name="Goedkeuring door inhoudsdeskundige"
    )
    task.groups.set([reviewers])
    workflow, _created = Workflow.objects.get_or_create(name=REVIEW_WORKFLOW)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=catalogue, defaults={"workflow": workflow})
    return workflow


def update_search_index(*, module: ModulePage) -> None:
    """Put the module's current text in the Elasticsearch catalogue index, when one is
    configured. A failure is logged, not raised: publishing must not depend on search."""
    from . import search_index
    from .selectors import catalogue

    if not catalogue.use_elasticsearch():
        return
    try:
        search_index.index_modules(
            client=catalogue.elasticsearch_client(),
            index=catalogue.module_index_name(),
            modules=[catalogue.module_search_data(module)],
        )
    except catalogue.ElasticsearchException:
        logger.warning("Could not update the search index for module %s", module.pk)
