"""The national expertise agreements: roles, frameworks and their requirements (data that
platform administrators maintain)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.search import index


class Role(index.Indexed, models.Model):
    """A role within an organisation (uitvoerend professional, aandachtsfunctionaris, ...)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return self.name


class ExpertiseFramework(index.Indexed, ClusterableModel):
    """A set of agreements on who must know what, per sector and role."""

    name = models.CharField(_("name"), max_length=200)
    version = models.CharField(_("version"), max_length=50)
    effective_from = models.DateField(_("effective from"))
    source = models.TextField(
        _("source"), help_text=_("Where these agreements come from (document, decision, date).")
    )
    is_example = models.BooleanField(
        _("example"),
        default=False,
        help_text=_(
            "An example framework, not official agreements. Shown as such to coordinators "
            "and learners."
        ),
    )

    panels = [
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("version"), FieldPanel("effective_from")]),
        FieldPanel("source"),
        FieldPanel("is_example"),
        InlinePanel("requirements", heading=_("Requirements"), label=_("Requirement")),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name", "version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="unique_framework_version")
        ]
        verbose_name = _("expertise framework")
        verbose_name_plural = _("expertise frameworks")

    def __str__(self) -> str:
        label = f"{self.name} ({self.version})"
        return f"{label} – {_('example')}" if self.is_example else label


class RequirementLevel(models.TextChoices):
    MANDATORY = "mandatory", _("mandatory")
    RECOMMENDED = "recommended", _("recommended")


class Requirement(models.Model):
    """One agreement: people in this sector (and role) must complete this module within N
    days of joining, and again every N months."""

    framework = ParentalKey(
        ExpertiseFramework, on_delete=models.CASCADE, related_name="requirements"
    )
    sector = models.ForeignKey(
        "courses.Sector", on_delete=models.PROTECT, related_name="requirements"
    )
    role = models.ForeignKey(
        Role,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requirements",
        help_text=_("Leave empty for every role in the sector."),
    )
    module = models.ForeignKey(
        "courses.ModulePage", on_delete=models.PROTECT, related_name="requirements"
    )
    level = models.CharField(
        _("mandatory or recommended"),
        max_length=20,
        choices=RequirementLevel.choices,
        default=RequirementLevel.MANDATORY,
    )

    due_within_days = models.PositiveSmallIntegerField(
        _("due within (days of joining)"),
        default=90,
        validators=[MinValueValidator(0), MaxValueValidator(730)],
    )
    recertify_every_months = models.PositiveSmallIntegerField(
        _("recertify every (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_(
            "Leave empty to follow the certificate's own validity. A shorter period makes "
            "the certificate count for this requirement only that long."
        ),
    )

    panels = [
        FieldRowPanel([FieldPanel("sector"), FieldPanel("role")]),
        FieldPanel("module"),
        FieldRowPanel(
            [
                FieldPanel("level"),
                FieldPanel("due_within_days"),
                FieldPanel("recertify_every_months"),
            ]
        ),
    ]

    class Meta:
        ordering = ["framework", "sector", "role", "module"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "sector", "role", "module"],
                name="unique_requirement",
                nulls_distinct=False,
            )
        ]
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")

    def __str__(self) -> str:
        role = self.role.name if self.role_id else _("every role")
        return f"{self.sector} · {role} · {self.module.title}"

    @property
    def is_recommended(self) -> bool:
        return self.level == RequirementLevel.RECOMMENDED
