"""The board's PDF (issue 20.7): no word broken in the middle, the dashboard's charts (the
headline share, patterned bars per requirement, the 12-month trend) drawn in the PDF, the
trend also as a table, tagged as PDF/UA with the document language."""

import html
import io
import re

import pytest
from django.utils import translation
from pypdf import PdfReader

from core.dates import month_start, shift_month
from organisations.compliance import reports
from organisations.compliance.dashboard import dashboard
from organisations.models import ComplianceSnapshot, Membership
from tests.courses.conftest import make_module

from . import small_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def long_words(catalogue):
    """Module titles with the long Dutch compounds that broke in the middle."""
    return [
        make_module(catalogue, "Gendersensitief werken bij huiselijk geweld", lessons=1),
        make_module(catalogue, "Aandachtsfunctionariszaken en meldcodeverplichtingen", lessons=1),
    ]


@pytest.fixture
def small(organisation, long_words, coordinator):
    membership = Membership.objects.get(user=coordinator, organisation=organisation)
    built = small_organisation.build(organisation, long_words, membership)
    first = shift_month(month_start(organisation.memberships.first().started_on), -11)
    for index in range(11):
        ComplianceSnapshot.objects.create(
            organisation=organisation,
            month=shift_month(first, index),
            members=8,
            compliant=index % 4 + 1,
        )
    return built


def pdf_text(content: bytes) -> str:
    pages = PdfReader(io.BytesIO(content)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def visible_words(markup: str) -> set[str]:
    """The words of the HTML that a reader sees: no style, no SVG internals, no tags."""
    body = re.sub(r"<(style|title)[^>]*>.*?</\1>", " ", markup, flags=re.S)
    body = re.sub(r"<svg.*?</svg>", " ", body, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", body))
    return set(re.findall(r"[^\W\d_]{4,}", text))


def test_no_word_is_broken_in_the_middle(small):
    """Every word of the report is whole in the PDF's text: a word broken across a line
    ('Gendersen|sitief', 'Aandachtsf|unctionaris') is no longer found."""
    with translation.override("nl"):
        markup = reports.board_html(small.organisation)
        content = reports.board_pdf(small.organisation).content
    text = pdf_text(content)
    words = visible_words(markup)
    assert {"Gendersensitief", "Aandachtsfunctionaris", "Aandachtsfunctionariszaken"} <= words
    broken = sorted(word for word in words if word not in text)
    assert broken == []


def test_the_pdf_has_the_dashboards_charts(small):
    with translation.override("nl"):
        data = dashboard(small.organisation)
        markup = reports.board_html(small.organisation)
        content = reports.board_pdf(small.organisation).content
    # The headline share as a chart, with the figure in words next to it.
    assert 'class="signaal-share"' in markup
    # One patterned bar per requirement, every pattern the bar uses defined in the PDF's
    # own SVG (WeasyPrint draws each SVG on its own, so the page's shared defs do not reach).
    bars = re.findall(r'<svg class="signaal-bar".*?</svg>', markup, flags=re.S)
    assert len(bars) == len([row for row in data.requirements if not row.is_small])
    for bar in bars:
        for used in re.findall(r"url\(#(signaal-pattern-[\w-]+)\)", bar):
            assert f'id="{used}"' in bar
    # The trend as a chart and as a table, the same months in both.
    assert markup.count('class="signaal-trend__bar"') == len(data.trend) == 13
    text = pdf_text(content)
    assert "Trend als tabel" in text or "trend als tabel" in text.lower()
    for point in data.trend:
        if point.has_data and point.members >= 5:
            assert f"{point.percent}%" in text
    # The charts are real vector drawings in the PDF, not only text.
    reader = PdfReader(io.BytesIO(content))
    drawn = b"".join(page.get_contents().get_data() for page in reader.pages)
    assert drawn.count(b" re") + drawn.count(b"re\n") > 10  # rectangles of bars and patterns


def test_the_pdf_is_tagged_with_its_language(small):
    with translation.override("nl"):
        content = reports.board_pdf(small.organisation).content
    reader = PdfReader(io.BytesIO(content))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "nl"
    assert root["/MarkInfo"]["/Marked"]
    assert "/StructTreeRoot" in root
    metadata = reader.xmp_metadata
    assert metadata is not None  # PDF/UA identification lives in the XMP metadata
