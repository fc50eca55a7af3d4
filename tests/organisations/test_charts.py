"""The charts' SVG (organisations.charts), shared by the dashboard and the board's PDF: in a
page they refer to the page's pattern definitions; standalone (the PDF, where WeasyPrint
draws each SVG on its own) each carries exactly the patterns it uses."""

import datetime
import re
from collections import Counter

from organisations import charts
from organisations.compliance.dashboard import TrendPoint
from organisations.compliance.figures import StatusCounts
from organisations.compliance.rule import Status


def defined(svg: str) -> set[str]:
    return set(re.findall(r'<pattern id="signaal-pattern-([\w-]+)"', svg))


def used(svg: str) -> set[str]:
    return set(re.findall(r"url\(#signaal-pattern-([\w-]+)\)", svg))


COUNTS = StatusCounts.of(Counter({Status.COMPLIANT: 3, Status.OVERDUE: 1}))
MONTH = datetime.date(2026, 5, 1)


def test_in_a_page_the_charts_refer_to_the_pages_patterns():
    labels = charts.status_labels()
    for svg in (
        charts.status_bar(COUNTS, labels),
        charts.share_bar(3, 8),
        charts.trend_bar(TrendPoint(MONTH, 8, 3)),
        charts.status_swatch(Status.DUE),
    ):
        assert defined(svg) == set() and used(svg)
    page_defs = charts.pattern_defs()
    assert defined(page_defs) == {status.value for status in Status} | {charts.NO_DATA}


def test_standalone_charts_carry_exactly_the_patterns_they_use():
    labels = charts.status_labels()
    bar = charts.status_bar(COUNTS, labels, standalone=True)
    assert defined(bar) == used(bar) == {"compliant", "overdue"}
    empty = charts.status_bar(StatusCounts.of(Counter()), labels, standalone=True)
    assert defined(empty) == used(empty) == {charts.NO_DATA}
    share = charts.share_bar(3, 8, standalone=True)
    assert defined(share) == used(share) == {"compliant"}
    assert 'width="37.50%"' in share


def test_a_trend_month_is_as_high_as_its_share_unless_hidden_or_empty():
    month = charts.trend_bar(TrendPoint(MONTH, 8, 3), standalone=True)
    assert 'y="62.50" width="8" height="37.50" fill="url(#signaal-pattern-compliant)"' in month
    for svg in (
        charts.trend_bar(TrendPoint(MONTH, 4, 3), hidden=True),  # too few to show outside
        charts.trend_bar(TrendPoint(MONTH, None, None)),  # no snapshot
    ):
        assert "signaal-pattern-compliant" not in svg
        assert "signaal-trend__empty" in svg
