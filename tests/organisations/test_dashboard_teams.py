"""The dashboard's status bars and team table cells (template tags)."""

import re
from collections import Counter
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import translation

from organisations import selectors
from organisations.compliance import Status
from organisations.selectors import StatusCounts

# What organisations/includes/status_bar.html rendered before the tag replaced it.
OLD_BAR = (
    '<svg class="signaal-bar" aria-hidden="true" focusable="false" width="100%" height="22">'
    "{% if counts.total %}{% for segment in counts.segments %}"
    '<rect x="{{ segment.x }}%" y="0" width="{{ segment.width }}%" height="22"'
    ' fill="url(#signaal-pattern-{{ segment.status.value }})">'
    "<title>{{ segment.status.label|capfirst }}: {{ segment.count }} ({{ segment.percent }}%)"
    "</title></rect>{% endfor %}"
    "{% else %}"
    '<rect x="0" y="0" width="100%" height="22" fill="url(#signaal-pattern-no-data)"/>'
    "{% endif %}"
    '<rect x="0" y="0" width="100%" height="22" fill="none" stroke="#1d1b22" stroke-width="1"/>'
    "</svg>"
)


def render(source: str, **context) -> str:
    return Template("{% load organisations_tags %}" + source).render(Context(context))


def squeeze(html: str) -> str:
    return re.sub(r">\s+<", "><", html).strip()


COUNTS = StatusCounts.of(Counter({Status.COMPLIANT: 3, Status.EXPIRED: 1, Status.OVERDUE: 4}))


# --- The status bar tag --------------------------------------------------------------------


@pytest.mark.parametrize("counts", [COUNTS, StatusCounts.of(Counter())])
@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_bar_is_the_markup_the_template_made(counts, language):
    with translation.override(language):
        tag = render("{% status_bar counts %}", counts=counts)
        old = Template(OLD_BAR).render(Context({"counts": counts}))
    assert squeeze(tag) == squeeze(old)


def test_the_bar_has_a_titled_segment_per_status_in_the_active_language():
    with translation.override("nl"):
        dutch = render("{% status_bar counts %}", counts=COUNTS)
    with translation.override("en"):
        english = render("{% status_bar counts %}", counts=COUNTS)
    assert dutch.startswith('<svg class="signaal-bar" aria-hidden="true" focusable="false"')
    assert re.findall(r"<title>([^<]*)</title>", dutch) == [
        "Voldoet: 3 (38%)",
        "Verlopen: 1 (12%)",
        "Te laat: 4 (50%)",
    ]
    assert re.findall(r"<title>([^<]*)</title>", english)[0] == "Compliant: 3 (38%)"
    assert re.findall(r'fill="url\(#signaal-pattern-([a-z_-]+)\)"', dutch) == [
        "compliant",
        "expired",
        "overdue",
    ]
    assert '<rect x="37.50%" y="0" width="12.50%" height="22"' in dutch


def test_a_zero_total_draws_an_empty_bar():
    html = render("{% status_bar counts %}", counts=StatusCounts.of(Counter()))
    assert 'fill="url(#signaal-pattern-no-data)"' in html
    assert "<title>" not in html
    assert html.endswith('stroke="#1d1b22" stroke-width="1"/></svg>')


def test_the_bar_escapes_what_it_is_given():
    segment = SimpleNamespace(
        x='0"><script>alert(1)</script>',
        width="100.00",
        status=Status.COMPLIANT,
        count="<b>3</b>",
        percent=100,
    )
    counts = SimpleNamespace(total=3, segments=[segment])
    html = render("{% status_bar counts %}", counts=counts)
    assert "<script>" not in html and "<b>" not in html
    assert 'x="0&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;%"' in html
    assert "&lt;b&gt;3&lt;/b&gt;" in html


def test_status_cells_give_a_cell_per_status_in_display_order():
    html = render("{% status_cells counts %}", counts=COUNTS)
    cells = re.findall(r'<td class="utrecht-table__cell signaal-num">(\d+)</td>', html)
    assert cells == [str(COUNTS.count(status)) for status in selectors.DISPLAY_ORDER]
    assert cells == ["3", "0", "0", "0", "0", "0", "1", "4"]
