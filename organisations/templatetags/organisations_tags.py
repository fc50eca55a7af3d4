"""Template tags that show organisation data on other apps' pages, and the dashboard's bars.

'Mijn leren' (cms/templates/cms/my_learning.html, a site page) loads this library and calls
`{% organisation_requirements %}`: the courses app itself never imports organisations, and
the queries run only on the page that shows them (a context processor would run on every
page).

`{% status_bar counts %}`, `{% share_bar %}`, `{% trend_bar %}` and `{% status_swatch %}` draw
the coordinator's charts (organisations.charts: the dashboard and the board's PDF)."""

from functools import lru_cache

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from organisations import charts
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


# --- Charts and table cells ------------------------------------------------------------------
# Tags rather than included templates: the dashboard draws a bar per requirement and per
# team, and the include cost several template nodes per segment (about 15,000 node renders
# for 250 teams). The markup lives in organisations.charts, shared with the board's PDF.


@lru_cache(maxsize=16)
def _status_labels(language: str | None) -> dict[Status, SafeString]:
    """Each status's label, capitalised and escaped, in `language` (the active one): the
    labels are lazy translations, and resolving one per segment was a good part of the
    template's time."""
    return charts.status_labels()


@register.simple_tag
def status_bar(counts: StatusCounts, standalone: bool = False) -> SafeString:
    """A stacked bar of `counts` (organisations.charts.status_bar); `standalone` for the
    PDF, where each SVG carries the patterns it uses."""
    return charts.status_bar(counts, _status_labels(get_language()), standalone=standalone)


@register.simple_tag
def status_pattern_defs() -> SafeString:
    """Every status pattern, once per page, for the charts that refer to them."""
    return charts.pattern_defs()


@register.simple_tag
def status_swatch(status: Status, standalone: bool = False) -> SafeString:
    return charts.status_swatch(status, standalone=standalone)


@register.simple_tag
def share_bar(part: int, whole: int, standalone: bool = False) -> SafeString:
    return charts.share_bar(part, whole, standalone=standalone)


@register.simple_tag
def trend_bar(
    point, height: int = 120, standalone: bool = False, hidden: bool = False
) -> SafeString:
    return charts.trend_bar(point, height=height, standalone=standalone, hidden=hidden)


@register.simple_tag
def status_cells(counts: StatusCounts) -> SafeString:
    """The table cells of `counts`, one per status in DISPLAY_ORDER (the columns' order):
    one tag instead of a loop of template nodes per row of a long team table."""
    number = charts.number_shown()
    return format_html_join(
        "",
        '<td class="utrecht-table__cell signaal-num">{}</td>',
        ((number(count),) for _status, count in counts.cells),
    )
