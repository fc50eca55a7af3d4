"""Template tags that show organisation data on other apps' pages.

'Mijn leren' (courses/templates/courses/my_learning.html) loads this library and calls
`{% organisation_requirements %}`: the courses app itself never imports organisations, and
the queries run only on the page that shows them (a context processor would run on every
page)."""

from django import template

from organisations import selectors
from organisations.compliance import Status

register = template.Library()


@register.inclusion_tag("organisations/includes/my_requirements.html", takes_context=True)
def organisation_requirements(context) -> dict:
    """What the learner's organisations ask of them (with status and deadline), and any
    invitations still open for them."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"requirements": [], "invitations": [], "request": request}
    requirements = selectors.learner_requirements(user)
    return {
        "request": request,
        "requirements": requirements,
        "invitations": list(selectors.open_invitations_for(user)),
        "examples": sorted(
            {
                item.organisation.framework.name
                for item in requirements
                if item.organisation.framework and item.organisation.framework.is_example
            }
        ),
        "Status": Status,
    }
