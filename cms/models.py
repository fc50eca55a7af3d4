from django.db import models
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
