"""The coordinator's charts as SVG markup, one home for the dashboard (HTML) and the board's
PDF (WeasyPrint): the status patterns, a stacked status bar, the headline share and a
month of the 12-month trend.

Every status has a colour and a distinct pattern, so colour is never the only cue. In a
browser the page defines the patterns once (`pattern_defs`, included by
includes/status_patterns.html) and each chart refers to them; WeasyPrint draws each inline
SVG on its own, where another SVG's definitions do not reach, so the PDF asks for
`standalone` charts that carry the patterns they use. The charts are decorative
(aria-hidden): a table or text next to each one carries the numbers."""

import re
from collections.abc import Iterable

from django.conf import settings
from django.utils.formats import localize
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst

from organisations.compliance.dashboard import TrendPoint
from organisations.compliance.figures import StatusCounts, percent_of
from organisations.compliance.rule import Status

NO_DATA = "no-data"
INK = "#1d1b22"
# Status value (or NO_DATA) -> the pattern's tiles (8 x 8 user units).
PATTERNS = {
    Status.COMPLIANT.value: '<rect width="8" height="8" fill="#1e6b3a"/>',
    Status.EXPIRING.value: '<rect width="8" height="8" fill="#7dbf8e"/>'
    '<path d="M0 8L8 0" stroke="#1e6b3a" stroke-width="1.5"/>',
    Status.UPDATE_DUE.value: '<rect width="8" height="8" fill="#8fbcdc"/>'
    '<circle cx="4" cy="4" r="1.6" fill="#1d4f73"/>',
    Status.IN_PROGRESS.value: '<rect width="8" height="8" fill="#c9dff0"/>'
    '<path d="M0 4H8" stroke="#1d4f73" stroke-width="1.5"/>',
    Status.NOT_STARTED.value: '<rect width="8" height="8" fill="#e4e0e8"/>'
    '<path d="M4 0V8" stroke="#6b6572" stroke-width="1.5"/>',
    Status.DUE.value: '<rect width="8" height="8" fill="#f6b26b"/>'
    '<path d="M0 0L8 8M8 0L0 8" stroke="#7a3b00" stroke-width="1"/>',
    Status.EXPIRED.value: '<rect width="8" height="8" fill="#e07b6a"/>'
    '<path d="M0 0L8 8" stroke="#5c1209" stroke-width="1.5"/>',
    Status.OVERDUE.value: '<rect width="8" height="8" fill="#9b1c1c"/>'
    '<path d="M0 4H8M4 0V8" stroke="#ffffff" stroke-width="1.5"/>',
    NO_DATA: '<rect width="8" height="8" fill="#ffffff"/>'
    '<path d="M0 8L8 0" stroke="#9a94a1" stroke-width="1"/>',
}


# Each pattern's ground colour. A PDF viewer may leave hairline seams between a pattern's
# tiles; standalone charts lay this colour under the pattern to hide them.
GROUND = {name: re.search(r'fill="(#\w+)"', tiles).group(1) for name, tiles in PATTERNS.items()}


def _ground(name: str, x: str, y: str, width: str, height: str, standalone: bool) -> str:
    if not standalone:
        return ""
    return f'<rect x="{x}" y="{y}" width="{width}" height="{height}" fill="{GROUND[name]}"/>'


def pattern_defs(names: Iterable[str] | None = None) -> SafeString:
    """`<defs>` with the patterns `names` (every one when None), each referenced as
    url(#signaal-pattern-<name>)."""
    wanted = PATTERNS if names is None else dict.fromkeys(names)
    return mark_safe(  # noqa: S308 - constant markup
        "<defs>"
        + "".join(
            f'<pattern id="signaal-pattern-{name}" width="8" height="8" '
            f'patternUnits="userSpaceOnUse">{PATTERNS[name]}</pattern>'
            for name in wanted
        )
        + "</defs>"
    )


def _defs(names: Iterable[str], standalone: bool) -> SafeString:
    return pattern_defs(names) if standalone else mark_safe("")


def number_shown():
    """What {{ count }} shows in a template: plain digits unless thousands are grouped."""
    return localize if settings.USE_THOUSAND_SEPARATOR else str


_SEGMENT = (
    '{}<rect x="{}%" y="0" width="{}%" height="22" fill="url(#signaal-pattern-{})">'
    "<title>{}: {} ({}%)</title></rect>"
)
_OUTLINE = (
    f'<rect x="0" y="0" width="100%" height="22" fill="none" stroke="{INK}" stroke-width="1"/>'
)


def status_bar(
    counts: StatusCounts, labels: dict[Status, str], *, standalone: bool = False
) -> SafeString:
    """A stacked bar of `counts`, one rectangle per status with a count, filled with that
    status's pattern; an empty bar filled 'no data' when the total is zero. `labels`: each
    status's label, escaped (the titles are a tooltip for the mouse)."""
    if counts.total:
        number = number_shown()
        used = [segment.status.value for segment in counts.segments]
        segments = format_html_join(
            "",
            _SEGMENT,
            (
                (
                    mark_safe(  # noqa: S308 - numbers and constant colours
                        _ground(
                            segment.status.value,
                            f"{segment.x}%",
                            "0",
                            f"{segment.width}%",
                            "22",
                            standalone,
                        )
                    ),
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
        used = [NO_DATA]
        segments = mark_safe(  # noqa: S308 - constant markup
            '<rect x="0" y="0" width="100%" height="22" fill="url(#signaal-pattern-no-data)"/>'
        )
    return format_html(
        '<svg class="signaal-bar" aria-hidden="true" focusable="false" width="100%" height="22">'
        "{}{}{}</svg>",
        _defs(used, standalone),
        segments,
        mark_safe(_OUTLINE),  # noqa: S308 - constant markup
    )


def status_labels() -> dict[Status, SafeString]:
    """Each status's label, capitalised and escaped, in the active language."""
    return {status: escape(capfirst(str(status.label))) for status in Status}


def status_swatch(status: Status, *, standalone: bool = False) -> SafeString:
    """The legend's sample of a status's fill."""
    return format_html(
        '<svg class="signaal-legend__swatch" aria-hidden="true" focusable="false" width="18"'
        ' height="18">{}<rect width="18" height="18" fill="url(#signaal-pattern-{})"'
        ' stroke="{}" stroke-width="1"/></svg>',
        _defs([status.value], standalone),
        status.value,
        INK,
    )


def share_bar(part: int, whole: int, *, standalone: bool = False) -> SafeString:
    """The headline share as a bar: the part meeting every mandatory requirement in the
    'compliant' pattern, the rest plain, with a tick at every quarter."""
    width = f"{percent_of(part, whole):.2f}"
    ticks = "".join(
        f'<line x1="{q}%" y1="0" x2="{q}%" y2="28" stroke="{INK}" stroke-width="0.5"/>'
        for q in (25, 50, 75)
    )
    return format_html(
        '<svg class="signaal-share" aria-hidden="true" focusable="false" width="100%"'
        ' height="28">{}<rect x="0" y="0" width="100%" height="28" fill="#f4f2f6"/>{}'
        '<rect x="0" y="0" width="{}%" height="28" fill="url(#signaal-pattern-compliant)"/>'
        '{}<rect x="0" y="0" width="100%" height="28" fill="none" stroke="{}"'
        ' stroke-width="1"/></svg>',
        _defs([Status.COMPLIANT.value], standalone),
        mark_safe(_ground("compliant", "0", "0", f"{width}%", "28", standalone)),  # noqa: S308
        width,
        mark_safe(ticks),  # noqa: S308 - constant markup
        INK,
    )


def trend_bar(
    point: TrendPoint, *, height: int = 120, standalone: bool = False, hidden: bool = False
) -> SafeString:
    """One month of the 12-month trend: a column as high as the share meeting every
    mandatory requirement, or a dashed empty one when the month has no figures (or its
    figures are `hidden`: too few members to show outside the coordinator area)."""
    if point.has_data and not hidden:
        used = [Status.COMPLIANT.value]
        column = format_html(
            '{}<rect x="1" y="{}" width="8" height="{}" fill="url(#signaal-pattern-compliant)"/>',
            mark_safe(  # noqa: S308 - numbers and a constant colour
                _ground("compliant", "1", point.y, "8", point.height, standalone)
            ),
            point.y,
            point.height,
        )
    else:
        used = []
        column = mark_safe(  # noqa: S308 - constant markup
            '<rect x="1" y="0" width="8" height="100" class="signaal-trend__empty"'
            ' fill="#f4f2f6" stroke="#d8d2df" stroke-dasharray="4 3"'
            ' vector-effect="non-scaling-stroke"/>'
        )
    return format_html(
        '<svg class="signaal-trend__bar" aria-hidden="true" focusable="false"'
        ' viewBox="0 0 10 100" preserveAspectRatio="none" width="100%" height="{}">{}{}'
        '<line x1="0" y1="100" x2="10" y2="100" stroke="{}" stroke-width="1"'
        ' vector-effect="non-scaling-stroke"/></svg>',
        height,
        _defs(used, standalone),
        column,
        INK,
    )
