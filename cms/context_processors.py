"""Template context the site's header needs from several apps."""

from django.utils.functional import SimpleLazyObject

from organisations import api as organisations


def coordinator_nav(request) -> dict:
    """`coordinator_link`: the header's way into the coordinator area (issue 20.1), for
    people who coordinate an organisation: its name and dashboard, or 'Organisations' and
    the chooser when there are several. Evaluated (one query) only when the header is
    drawn for a signed-in person."""

    def entry():
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return organisations.coordinator_entry(user)

    return {"coordinator_link": SimpleLazyObject(entry)}
