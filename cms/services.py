"""Writes for the site shell: the Wagtail site and its home page."""

from django.db import transaction
from wagtail.models import Page, Site

from .models import HomePage

HOME_INTRO = (
    "Signaal helpt professionals om de weg naar femicide op tijd te herkennen: rode vlaggen, "
    "intieme terreur en dwingende controle, en wat je dan doet."
)


@transaction.atomic
def ensure_site(*, hostname: str = "localhost", port: int = 80) -> HomePage:
    """Make sure there is exactly one default site whose root is a Signaal home page.

    Wagtail's first migration creates a placeholder 'Welcome' page; it is replaced by the
    home page so the site root is ours. Safe to call again: it changes nothing then."""
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        home = HomePage(title="Signaal", slug="signaal", intro=HOME_INTRO)
        root.add_child(instance=home)
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname=hostname, port=port, root_page=home, is_default_site=True, site_name="Signaal"
        )
    elif site.root_page_id != home.pk:
        placeholder = site.root_page
        site.root_page = home
        site.site_name = "Signaal"
        site.save()
        if placeholder.specific_class is Page and not placeholder.get_children().exists():
            placeholder.delete()
    return home
