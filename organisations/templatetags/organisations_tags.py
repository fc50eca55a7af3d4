"""Template tags that show organisation data on other apps' pages, and the dashboard's bars.

'Mijn leren' (cms/templates/cms/my_learning.html, a site page) loads this library and calls
`{% organisation_requirements %}`: the courses app itself never imports organisations, and
the queries run only on the page that shows them (a context processor would run on every
page).

`{% status_bar counts %}` draws a stacked bar of a `StatusCounts` for the
coordinator's charts."""

from functools import lru_cache

from django import template
from django.conf import settings
from django.utils.formats import localize
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language

from organisations.compliance.computation import learner_requirements
from organisations.compliance.figures import StatusCounts
from organisations.compliance.rule import Status
from organisations.selectors.invitations import open_invitations_for

register = template.Library()


@register.inclusion_tag("organisations/includes/my_requirements.html", takes_context=True)
def organisation_requirements(context) -> dict:
    """What the learner's organisations ask of them (with status and deadline), and any
    invitations still open for them."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"requirements": [], "invitations": [], "request": request}
    requirements = learner_requirements(user)
    return {
        "request": request,
        "requirements": requirements,
        "invitations": list(open_invitations_for(user)),
        "examples": sorted(
            {
                item.organisation.framework.name
                for item in requirements
                if item.organisation.framework and item.organisation.framework.is_example
            }
        ),
        "Status": Status,
    }


# --- Status bars and table cells -----------------------------------------------------------
# A tag rather than an included template: the dashboard draws a bar per requirement and per
# team, and the include cost several template nodes per segment (about 15,000 node renders
# for 250 teams). The markup is the same the templates made.

_SEGMENT = (
    '<rect x="{}%" y="0" width="{}%" height="22" fill="url(#signaal-pattern-{})">'
    "<title>{}: {} ({}%)</title></rect>"
)
_NO_DATA = mark_safe(  # noqa: S308 - constant markup
    '<rect x="0" y="0" width="100%" height="22" fill="url(#signaal-pattern-no-data)"/>'
)


@lru_cache(maxsize=16)
def _status_labels(language: str | None) -> dict[Status, SafeString]:
    """Each status's label, capitalised and escaped, in `language` (the active one): the
    labels are lazy translations, and resolving one per segment was a good part of the
    template's time."""
    return {status: escape(capfirst(str(status.label))) for status in Status}


def _number():
    """What {{ count }} shows in a template: plain digits unless thousands are grouped."""
    return localize if settings.USE_THOUSAND_SEPARATOR else str


@register.simple_tag
def status_bar(counts: StatusCounts) -> SafeString:
    """A stacked bar of `counts`, one rectangle per status with a count, filled with that
    status's pattern (`url(#signaal-pattern-<status>)`, see includes/status_patterns.html);
    an empty bar filled 'no data' when the total is zero. Decorative (aria-hidden): the
    table next to each chart carries the numbers; the titles are a tooltip for the mouse."""
    if counts.total:
        labels = _status_labels(get_language())
        number = _number()
        segments = format_html_join(
            "",
            _SEGMENT,
            (
                (
                    segment.x,
                    segment.width,
                    segment.status.value,
                    labels[segment.status],
                    number(segment.count),
                    number(segment.percent),
                )
                for segment in counts.segments
            ),
        )
    else:
        segments = _NO_DATA
    return format_html(
        '<svg class="signaal-bar" aria-hidden="true" focusable="false" width="100%" height="22">'
        '{}<rect x="0" y="0" width="100%" height="22" fill="none" stroke="#1d1b22"'
        ' stroke-width="1"/></svg>',
        segments,
    )


@register.simple_tag
def status_cells(counts: StatusCounts) -> SafeString:
    """The table cells of `counts`, one per status in DISPLAY_ORDER (the columns' order):
    one tag instead of a loop of template nodes per row of a long team table."""
    number = _number()
    return format_html_join(
        "",
        '<td class="utrecht-table__cell signaal-num">{}</td>',
        ((number(count),) for _status, count in counts.cells),
    )
