"""Learning against a module: its versions, enrolments, lessons done and reflection
answers; and what `load_content` last loaded onto a page."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.models import Revision

from .pages import LessonPage, ModulePage


class ModuleVersion(models.Model):
    """A version of a module as learners enrol in it. A new version starts when a
    substantive change is published; lesson_ids lists the lessons it requires."""

    module = models.ForeignKey(ModulePage, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    lesson_ids = models.JSONField(_("lessons"), default=list)
    note = models.TextField(_("what changed"), blank=True)
    update_required = models.BooleanField(
        _("requires certificate holders to update"), default=False
    )
    update_due_on = models.DateField(_("update due on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["module", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["module", "number"], name="unique_module_version_number"
            )
        ]
        verbose_name = _("module version")

    def __str__(self) -> str:
        return f"{self.module.title} v{self.number}"


class Enrolment(models.Model):
    """A learner taking a module, against the version they started."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    module = models.ForeignKey(ModulePage, on_delete=models.CASCADE, related_name="enrolments")
    module_version = models.ForeignKey(
        ModuleVersion, on_delete=models.PROTECT, related_name="enrolments"
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    last_lesson = models.ForeignKey(
        LessonPage, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_activity_at = models.DateTimeField(_("last activity"), auto_now=True)
    # Set when a holder of a certificate for this earlier version updates to a later one:
    # only what changed since then is required (courses.services.required_lesson_ids).
    update_from_version = models.PositiveIntegerField(
        _("update from version"), null=True, blank=True
    )

    class Meta:
        ordering = ["-last_activity_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "module"],
                condition=Q(completed_at__isnull=True),
                name="one_open_enrolment_per_module",
            )
        ]
        verbose_name = _("enrolment")

    def __str__(self) -> str:
        return f"{self.user} – {self.module.title}"


class LessonCompletion(models.Model):
    """A lesson the learner marked as done within an enrolment."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="lesson_completions"
    )
    lesson = models.ForeignKey(LessonPage, on_delete=models.CASCADE, related_name="+")
    completed_at = models.DateTimeField(_("completed at"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "lesson"], name="unique_lesson_completion")
        ]

    def __str__(self) -> str:
        return f"{self.enrolment} – {self.lesson_id}"


class ReflectionAnswer(models.Model):
    """A learner's private answer to a reflection question; only they ever see it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    lesson = models.ForeignKey(LessonPage, on_delete=models.CASCADE, related_name="+")
    block_id = models.CharField(max_length=64)
    answer = models.TextField(_("answer"), max_length=5000)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "lesson", "block_id"], name="unique_reflection_answer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} – {self.lesson_id} – {self.block_id}"


class LoadedContent(models.Model):
    """What `load_content` last put on a page from the content files: the revision it made
    and a fingerprint of the content, so that an edit made in the admin since is noticed
    and not silently overwritten (courses.content_sync)."""

    page = models.OneToOneField(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="loaded_content"
    )
    fingerprint = models.CharField(max_length=64)
    revision = models.ForeignKey(
        Revision, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("loaded content")

    def __str__(self) -> str:
        return f"{self.page_id} @ {self.revision_id}"
