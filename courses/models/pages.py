"""The page types: the catalogue, a module (with its accreditations) and a lesson. They hold
content and presentation only."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.http import HttpResponseNotAllowed
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail import blocks
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from courses.blocks import CitationBlock, LessonBodyBlock

from .taxonomy import Level, Sector, Theme


class CourseIndexPage(Page):
    """The catalogue of modules at /modules/."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["courses.ModulePage"]
    max_count = 1

    class Meta:
        verbose_name = _("module catalogue")

    def serve(self, request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from courses import views

        return super().get_context(request, *args, **kwargs) | views.catalogue_context(
            request, self
        )


class ModulePage(Page):
    """A module: a set of lessons (and a scenario quiz) on one subject."""

    summary = models.TextField(_("summary"), help_text=_("One to three sentences."))
    learning_objectives = StreamField(
        [("objective", blocks.CharBlock(label=_("Learning objective"), max_length=300))],
        verbose_name=_("learning objectives"),
        min_num=1,
    )
    themes = ParentalManyToManyField(Theme, verbose_name=_("themes"), related_name="modules")
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    estimated_minutes = models.PositiveSmallIntegerField(
        _("estimated minutes"), validators=[MinValueValidator(5), MaxValueValidator(600)]
    )
    target_sectors = ParentalManyToManyField(
        Sector, verbose_name=_("target sectors"), related_name="modules", blank=True
    )
    content_note = models.TextField(
        _("content note"),
        blank=True,
        help_text=_(
            "Shown before the module starts: what it deals with, for learners who may be affected."
        ),
    )
    sources = StreamField(
        [("citation", CitationBlock())], verbose_name=_("sources"), min_num=1, blank=False
    )
    content_owner = models.CharField(
        _("content owner"),
        max_length=200,
        help_text=_("Who answers for the content being correct."),
    )
    last_reviewed = models.DateField(_("last reviewed"))
    next_review = models.DateField(_("next review"))
    substantive_change = models.BooleanField(
        _("substantive change: requires re-completion"),
        default=False,
        help_text=_(
            "Tick when this change alters what a learner must know. Publishing it starts a "
            "new module version; lessons published after it belong to the new version. "
            "The tick is cleared after publishing."
        ),
    )
    update_required = models.BooleanField(
        _("this new version requires certificate holders to update"),
        default=False,
        help_text=_(
            "Only with 'substantive change'. Holders of a certificate for an earlier version "
            "keep it, but must take the update (the changed lessons and the scenario quiz) "
            "within the number of days below. The tick is cleared after publishing."
        ),
    )
    update_within_days = models.PositiveSmallIntegerField(
        _("update within (days)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(730)],
        help_text=_("How long certificate holders have to take the update."),
    )
    change_note = models.TextField(
        _("what changed"),
        blank=True,
        help_text=_(
            "For learners: what this new version changes. Recorded on the new version when "
            "published with 'substantive change', shown at the start of the update; then "
            "cleared."
        ),
    )
    current_version = models.PositiveIntegerField(_("current version"), default=0, editable=False)
    certificate_validity_months = models.PositiveSmallIntegerField(
        _("certificate valid for (months)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("How long a certificate for this module stays valid."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("learning_objectives"),
        MultiFieldPanel(
            [
                FieldPanel("themes", widget=forms.CheckboxSelectMultiple),
                FieldRowPanel([FieldPanel("level"), FieldPanel("estimated_minutes")]),
                FieldPanel("target_sectors", widget=forms.CheckboxSelectMultiple),
            ],
            heading=_("Classification"),
        ),
        FieldPanel("content_note"),
        InlinePanel("accreditations", label=_("Accreditation points"), heading=_("Accreditation")),
        FieldPanel("sources"),
        MultiFieldPanel(
            [
                FieldPanel("content_owner"),
                FieldRowPanel([FieldPanel("last_reviewed"), FieldPanel("next_review")]),
                FieldPanel("substantive_change"),
                FieldPanel("change_note"),
                FieldRowPanel([FieldPanel("update_required"), FieldPanel("update_within_days")]),
                FieldPanel("certificate_validity_months"),
            ],
            heading=_("Maintenance"),
        ),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary", boost=2),
        index.SearchField("learning_objectives"),
        index.SearchField("content_note"),
        index.FilterField("level"),
        index.FilterField("estimated_minutes"),
        index.RelatedFields("themes", [index.SearchField("name")]),
    ]

    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.LessonPage", "quizzes.ScenarioQuizPage"]

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")

    def clean(self) -> None:
        super().clean()
        # Otherwise the tick would wait, unseen, for some later substantive change.
        if self.update_required and not self.substantive_change:
            raise ValidationError(
                {
                    "update_required": _(
                        "An update can only be required together with 'substantive change'."
                    )
                }
            )

    def with_content_json(self, content):
        # The current version belongs to the page (courses.services keeps it), not to a
        # revision: a revision saved before a version started must not set it back.
        page = super().with_content_json(content)
        page.current_version = self.current_version
        return page

    def serve(self, request, *args, **kwargs):
        from courses import views

        if request.method == "POST":
            return views.start_module(request, self)
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from courses import views

        return super().get_context(request, *args, **kwargs) | views.module_context(request, self)


class ModuleAccreditation(Orderable):
    """Accreditation points a module earns in one professional register: the course as the
    register knows it, the points, and until when the accreditation runs."""

    module = ParentalKey(ModulePage, on_delete=models.CASCADE, related_name="accreditations")
    register = models.ForeignKey(
        "courses.Register", on_delete=models.PROTECT, related_name="accreditations"
    )
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=1)
    course_id = models.CharField(
        _("course ID at the register"),
        max_length=50,
        blank=True,
        help_text=_(
            "The number the register gave the accredited course (PE-online: the PE course "
            "ID). Without it, attendance cannot be reported."
        ),
    )
    valid_until = models.DateField(
        _("accredited until"),
        null=True,
        blank=True,
        help_text=_("Completions after this day earn no points in this register."),
    )

    panels = [
        FieldRowPanel([FieldPanel("register"), FieldPanel("points")]),
        FieldRowPanel([FieldPanel("course_id"), FieldPanel("valid_until")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("accreditation")


class ModuleChange(models.TextChoices):
    """Whether a new lesson published into a live module changes what learners must know."""

    ADDITION = "addition", _("No: it joins the current version")
    NEW_VERSION = "new_version", _("Yes: it starts a new module version")
    UPDATE_REQUIRED = (
        "update_required",
        _("Yes: a new version that certificate holders must take as an update"),
    )


# Actions in the page editor that send a revision towards publication.
PUBLISHING_ACTIONS = ("action-publish", "action-submit", "action-workflow-action")


def _live_module(parent) -> bool:
    return parent is not None and ModulePage.objects.filter(pk=parent.pk, live=True).exists()


class NewLessonChangePanel(FieldPanel):
    """The question is asked of a lesson not yet published, in a live module only."""

    class BoundPanel(FieldPanel.BoundPanel):
        def is_shown(self):
            if self.instance.first_published_at is not None:
                return False
            parent = getattr(self.form, "parent_page", None)
            return _live_module(parent) and super().is_shown()


class LessonPageForm(WagtailAdminPageForm):
    """A new lesson whose address is taken by another page of the module (often a draft an
    abandoned 'new lesson' form left behind: the editor saves as you type) is refused with
    a message that names that page and where to find it, at the top of whichever tab is
    open, not only on the 'Promote' tab's slug field."""

    def clean(self):
        cleaned = super().clean()
        self._ask_whether_substantive(cleaned)
        if "slug" not in self.errors or self.parent_page is None:
            return cleaned
        slug = self.data.get("slug", "")
        existing = (
            Page.objects.child_of(self.parent_page)
            .filter(slug=slug)
            .exclude(pk=self.instance.pk)
            .first()
        )
        if existing is None:
            return cleaned
        state = _("live") if existing.live else _("a draft, never published")
        edit_url = reverse("wagtailadmin_pages:edit", args=[existing.pk])
        message = _(
            "This module already has a page with the address '%(slug)s': '%(title)s' "
            "(%(state)s), perhaps left from an earlier attempt to add this lesson. Open it "
            "to go on with it (%(url)s), delete it, or give this lesson another title "
            "and address."
        ) % {"slug": slug, "title": existing.draft_title, "state": state, "url": edit_url}
        self.errors["slug"] = self.error_class(
            [
                format_html(
                    '{} <a href="{}">{}</a>',
                    message,
                    edit_url,
                    _("Open '%(title)s'") % {"title": existing.draft_title},
                )
            ]
        )
        self.add_error(None, message)
        return cleaned

    def _ask_whether_substantive(self, cleaned) -> None:
        """A new lesson goes into a live module only with the author's answer to
        'substantive change?' (courses.services.record_lesson_publication applies it)."""
        if not any(action in self.data for action in PUBLISHING_ACTIONS):
            return
        if self.instance.first_published_at is not None or cleaned.get("module_change"):
            return
        if not _live_module(self.parent_page):
            return
        self.add_error(
            "module_change",
            _(
                "This lesson is new in a module that is live. Say whether adding it is a "
                "substantive change: the answer decides what learners and certificate "
                "holders must do."
            ),
        )


class LessonPage(Page):
    """One lesson of a module, read in order."""

    summary = models.CharField(
        _("summary"),
        max_length=300,
        blank=True,
        help_text=_(
            "One or two sentences on what the lesson teaches; shown in the module's lesson "
            "list and in search results."
        ),
    )
    content_note = models.TextField(
        _("content note"),
        blank=True,
        help_text=_(
            "Shown before the lesson: what violence it describes, for learners who may be "
            "affected. Leave empty when the lesson describes none."
        ),
    )
    body = StreamField(
        LessonBodyBlock(),
        verbose_name=_("body"),
        help_text=_(
            "The lesson itself: text, case vignettes, red flags, key points and reflection "
            "questions, in the order the learner reads them. Cite every fact in 'sources'."
        ),
    )
    sources = StreamField(
        [("citation", CitationBlock())], verbose_name=_("sources"), blank=True, default=list
    )
    module_change = models.CharField(
        _("is adding this lesson a substantive change?"),
        max_length=20,
        blank=True,
        choices=ModuleChange.choices,
        help_text=_(
            "Asked when a new lesson is published in a live module. No: the lesson joins "
            "the module as it is; learners still working on it read it too, and whoever "
            "completed the module keeps their completion and certificate. Yes, a new "
            "version: the module gets a new version with this lesson; certificates stay "
            "valid, and holders who open the module are offered this lesson as an update, "
            "without a deadline. Yes, with an update: the same, and holders must take the "
            "update (this lesson and the scenario quiz) within the module's 'update within' "
            "days, or their certificate stops counting. Cleared after publishing."
        ),
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("content_note"),
        FieldPanel("body"),
        FieldPanel("sources"),
        NewLessonChangePanel("module_change", widget=forms.RadioSelect),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
    ]

    parent_page_types = ["courses.ModulePage"]
    subpage_types: list[str] = []
    base_form_class = LessonPageForm

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    def serve(self, request, *args, **kwargs):
        from courses import views

        if request.method == "POST":
            return views.lesson_action(request, self)
        return views.open_lesson(request, self) or super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from courses import views

        return super().get_context(request, *args, **kwargs) | views.lesson_context(request, self)
