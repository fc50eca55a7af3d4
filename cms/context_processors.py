"""Template context the site's header needs from several apps."""

from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from organisations import api as organisations


def coordinator_nav(request) -> dict:
    """`coordinator_link`: the header's way into the coordinator area (issue 20.1), for
    people who coordinate an organisation: its name and dashboard, or 'Organisations' and
    the chooser when there are several. Evaluated (one query) only when the header is
    drawn for a signed-in person."""

    def link():
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        first_two = list(organisations.coordinated_organisations(user).order_by("name")[:2])
        if not first_two:
            return None
        if len(first_two) == 1:
            return {
                "label": first_two[0].name,
                "url": reverse("organisations:dashboard", args=[first_two[0].slug]),
            }
        return {"label": _("Organisations"), "url": reverse("organisations:index")}

    return {"coordinator_link": SimpleLazyObject(link)}
