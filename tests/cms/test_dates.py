"""Month arithmetic (core.dates): the same day a month later, or the month's last day."""

import datetime

from hypothesis import given
from hypothesis import strategies as st

from core.dates import add_months, month_end, month_start, shift_month

D = datetime.date


def test_a_month_later_is_the_same_day_or_the_last_day_of_the_month():
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2028, 1, 31), 1) == D(2028, 2, 29)
    assert add_months(D(2026, 12, 7), 12) == D(2027, 12, 7)
    assert add_months(D(2026, 3, 31), -1) == D(2026, 2, 28)
    assert shift_month(D(2026, 12, 1), 1) == D(2027, 1, 1)
    assert shift_month(D(2026, 1, 1), -13) == D(2024, 12, 1)
    assert month_end(D(2028, 2, 1)) == D(2028, 2, 29)


@given(st.dates(min_value=D(1990, 1, 1), max_value=D(2100, 1, 1)), st.integers(-240, 240))
def test_months_add_up_and_stay_within_the_month(day, months):
    later = add_months(day, months)
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == months
    assert later.day == min(day.day, month_end(month_start(later)).day)
    assert shift_month(month_start(day), months) == month_start(later)
