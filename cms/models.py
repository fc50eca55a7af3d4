from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from . import routing


class HomePage(Page):
    """The site's front page: what Signaal is for and where to start."""

    intro = models.TextField(
        _("introduction"),
        blank=True,
        help_text=_("One or two sentences under the title."),
    )
    body = RichTextField(
        _("body"), blank=True, features=["h2", "h3", "bold", "italic", "link", "ol", "ul"]
    )

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]

    max_count = 1
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        if request.user.is_authenticated:
            from .selectors import learner_home

            context["home"] = learner_home(request.user)
        return context

    def route(self, request, path_components):
        # The site's root: deeper pages are found by their URL in one step (cms.routing).
        return routing.descendant_route(self, request, path_components) or super().route(
            request, path_components
        )


@register_setting(icon="help")
class SafetySettings(BaseSiteSetting):
    """Where to find help and where the quick-exit button goes; shown on every page."""

    veilig_thuis_phone = models.CharField(
        _("Veilig Thuis phone number"), max_length=40, default="0800-2000"
    )
    emergency_phone = models.CharField(_("emergency number"), max_length=20, default="112")
    support_text = models.CharField(
        _("support text"),
        max_length=300,
        default=(
            "Zorgen over je eigen veiligheid of die van een ander? "
            "Bel Veilig Thuis: gratis en anoniem, dag en nacht."
        ),
        help_text=_("Shown above the phone numbers in the footer."),
    )
    sexual_violence_phone = models.CharField(
        _("Centrum Seksueel Geweld phone number"), max_length=40, default="0800-0188"
    )
    suicide_prevention_phone = models.CharField(
        _("113 Zelfmoordpreventie phone number"), max_length=40, default="113"
    )
    professional_support_text = models.CharField(
        _("support for professionals"),
        max_length=400,
        default=(
            "Raakt een casus of een les je? Je hoeft het niet alleen te dragen. Praat erover "
            "met je leidinggevende of aandachtsfunctionaris, maak gebruik van de opvang die je "
            "organisatie biedt, of ga naar je huisarts."
        ),
        help_text=_("For professionals affected by their own cases; shown in the footer."),
    )
    quick_exit_url = models.URLField(
        _("quick exit destination"),
        default="https://www.knmi.nl/nederland-nu/weer",
        help_text=_("A neutral website the 'Snel weg' button replaces the page with."),
    )

    panels = [
        FieldPanel("support_text"),
        FieldPanel("veilig_thuis_phone"),
        FieldPanel("emergency_phone"),
        FieldPanel("sexual_violence_phone"),
        FieldPanel("suicide_prevention_phone"),
        FieldPanel("professional_support_text"),
        FieldPanel("quick_exit_url"),
    ]

    class Meta:
        verbose_name = _("help and safety")


class QueuedEmail(models.Model):
    """An email the mail server did not take when it was sent: kept until a later attempt
    by `services.send_queued_emails` delivers it (the row is then deleted), the server
    refuses it for good, or it is older than EMAIL_RETRY_HOURS. Holds one message to one
    address; nothing is kept of emails that were delivered."""

    # What the email is (a template prefix such as 'account/email/email_confirmation'):
    # what logs name, never the address.
    kind = models.CharField(max_length=200)
    # A newer email with the same key replaces this one (a second verification email asked
    # for during an outage is sent once, not twice).
    key = models.CharField(max_length=300, unique=True)
    to_address = models.CharField(max_length=254, db_index=True)
    message = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=1)
    next_attempt_at = models.DateTimeField(db_index=True)
    # The exception's class only: server replies may quote the address.
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("queued email")
        verbose_name_plural = _("queued emails")

    def __str__(self) -> str:
        return f"{self.kind} ({self.attempts})"
