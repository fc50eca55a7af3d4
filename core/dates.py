"""Calendar arithmetic, one home for it (dateutil's relativedelta): a month later is the
same day of the month, or the month's last day when it has no such day (31 January plus one
month is 28 or 29 February)."""

import datetime

from dateutil.relativedelta import relativedelta


def add_months(day: datetime.date, months: int) -> datetime.date:
    return day + relativedelta(months=months)


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def shift_month(first: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months` after (or before) the month of `first`."""
    return month_start(first) + relativedelta(months=months)


def month_end(first: datetime.date) -> datetime.date:
    return shift_month(first, 1) - datetime.timedelta(days=1)
