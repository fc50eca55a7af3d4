"""The curriculum's vocabulary (themes, sectors, levels) and the source register: data
that editors maintain as snippets."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.search import index


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


class AttendanceReporting(models.TextChoices):
    PE_ONLINE = "pe_online", _("PE-online (web service, or its XML file)")
    FILE = "file", _("A file the administrator uploads to the register")


class Register(models.Model):
    """A professional register in which learners keep their registration with points
    (Kwaliteitsregister V&V, Registerplein, SKJ, the BIG register through GAIA): what number
    it knows people by, and how attendance reaches it. Data, maintained as a snippet."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    identifier_label = models.CharField(
        _("name of the number"),
        max_length=100,
        help_text=_("What learners are asked for, e.g. 'BIG-nummer' or 'registratienummer'."),
    )
    identifier_pattern = models.CharField(
        _("pattern of the number"),
        max_length=200,
        blank=True,
        help_text=_(
            "A regular expression the whole number must match, e.g. [0-9]{11} for a BIG "
            "number. Empty: any number of 3 to 30 letters, digits and dashes."
        ),
    )
    identifier_example = models.CharField(
        _("example number"), max_length=50, blank=True, help_text=_("Shown to learners.")
    )
    reporting = models.CharField(
        _("how attendance is reported"),
        max_length=20,
        choices=AttendanceReporting.choices,
        default=AttendanceReporting.PE_ONLINE,
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldRowPanel([FieldPanel("identifier_label"), FieldPanel("identifier_example")]),
        FieldPanel("identifier_pattern"),
        FieldPanel("reporting"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("professional register")
        verbose_name_plural = _("professional registers")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        import re

        if self.identifier_pattern:
            try:
                re.compile(self.identifier_pattern)
            except re.error as error:
                raise ValidationError(
                    {"identifier_pattern": _("Not a valid pattern: %(error)s") % {"error": error}}
                ) from error

    def number_is_valid(self, number: str) -> bool:
        import re

        pattern = self.identifier_pattern or r"[A-Za-z0-9-]{3,30}"
        return re.fullmatch(pattern, number) is not None
