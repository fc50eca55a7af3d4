"""Modules, lessons and the learner's progress through them.

Page models hold content and presentation only; completion, versions and progress are
decided in courses.services and read through courses.selectors."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.http import HttpResponseNotAllowed
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page, Revision
from wagtail.search import index

from .blocks import CitationBlock, LessonBodyBlock


class Theme(index.Indexed, models.Model):
    """A theme of the curriculum (rode vlaggen, dwingende controle, ...): editable data."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    # What `load_content` last wrote (courses.content_sync), to notice edits made here.
    loaded_hash = models.CharField(max_length=64, blank=True, editable=False)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self) -> str:
        return self.name


class Sector(index.Indexed, models.Model):
    """A sector professionals work in (Veilig Thuis, politie, onderwijs, ...)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(
        _("note for learners"),
        blank=True,
        help_text=_(
            "Shown on the pages of modules meant for this sector, e.g. that other rules "
            "apply there."
        ),
    )
    loaded_hash = models.CharField(max_length=64, blank=True, editable=False)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self) -> str:
        return self.name


class Level(models.TextChoices):
    BASIS = "basis", _("Basic")
    VERDIEPING = "verdieping", _("In depth")
    SPECIALIST = "specialist", _("Specialist")


class SourceKind(models.TextChoices):
    POLICY_DOCUMENT = "policy_document", _("Policy document")
    LAW = "law", _("Law or regulation")
    GUIDELINE = "guideline", _("Guideline or professional standard")
    NEWS = "news", _("News or announcement")
    PUBLICATION = "publication", _("Research or expert publication")


class DatePrecision(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


class Source(index.Indexed, models.Model):
    """An entry of the source register: a document that modules, lessons and quiz steps
    cite by reference, each citation naming the passage. Learners see the issuer, title,
    date and link; never the internal note (where, for example, an editor's copy of the
    text is kept)."""

    key = models.SlugField(
        _("key"),
        max_length=100,
        unique=True,
        help_text=_("How the content files cite this source, e.g. 'plan-stop-femicide-2024'."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=SourceKind.choices)
    issuer = models.CharField(_("issuer"), max_length=300)
    title = models.CharField(_("title"), max_length=400)
    date = models.DateField(_("date"), null=True, blank=True)
    date_precision = models.CharField(
        _("date precision"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text=_("How much of the date the source itself gives: day, month or year."),
    )
    url = models.URLField(_("URL"), max_length=500, blank=True)
    reference = models.CharField(
        _("reference"),
        max_length=300,
        blank=True,
        help_text=_("Where to find it without a link, e.g. 'Kamerstuk 28 345, nr. 278'."),
    )
    checked_on = models.DateField(
        _("last checked"),
        null=True,
        blank=True,
        help_text=_("When an editor last checked the source and what the content cites it for."),
    )
    internal_note = models.TextField(
        _("internal note"), blank=True, help_text=_("For editors only; never shown to learners.")
    )
    # What `load_content` last wrote, so an edit made here since is noticed, not overwritten.
    loaded_hash = models.CharField(max_length=64, blank=True, editable=False)

    panels = [
        FieldPanel("key"),
        FieldRowPanel([FieldPanel("kind"), FieldPanel("issuer")]),
        FieldPanel("title"),
        FieldRowPanel([FieldPanel("date"), FieldPanel("date_precision")]),
        FieldPanel("url"),
        FieldPanel("reference"),
        FieldPanel("checked_on"),
        FieldPanel("internal_note"),
    ]
    search_fields = [
        index.SearchField("title"),
        index.SearchField("issuer"),
        index.AutocompleteField("title"),
        index.FilterField("kind"),
    ]

    class Meta:
        ordering = ["issuer", "title"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        constraints = [
            models.CheckConstraint(
                condition=~Q(url="") | ~Q(reference=""), name="source_has_url_or_reference"
            )
        ]

    def __str__(self) -> str:
        return f"{self.issuer}: {self.title}"

    def clean(self) -> None:
        super().clean()
        if not self.url and not self.reference:
            raise ValidationError(_("Give a URL or a reference, so readers can find the source."))


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
        from . import views

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
        from . import views

        if request.method == "POST":
            return views.start_module(request, self)
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from . import views

        return super().get_context(request, *args, **kwargs) | views.module_context(request, self)


class ModuleAccreditation(Orderable):
    """Accreditation points a module earns in one professional register."""

    module = ParentalKey(ModulePage, on_delete=models.CASCADE, related_name="accreditations")
    register = models.CharField(_("register"), max_length=200)
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=1)

    panels = [FieldRowPanel([FieldPanel("register"), FieldPanel("points")])]

    class Meta(Orderable.Meta):
        verbose_name = _("accreditation")


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

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("content_note"),
        FieldPanel("body"),
        FieldPanel("sources"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
    ]

    parent_page_types = ["courses.ModulePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    def serve(self, request, *args, **kwargs):
        from . import views

        if request.method == "POST":
            return views.lesson_action(request, self)
        return views.open_lesson(request, self) or super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from . import views

        return super().get_context(request, *args, **kwargs) | views.lesson_context(request, self)


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
