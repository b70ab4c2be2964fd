"""Dates as news prose writes them ("March 5th", "the 4th of October, 1890", "June 2022", "in
1896"): the patterns other modules build on, and what a sentence's dates say of when what it
tells happened (``dated_before``, ``earliest_day``)."""

from __future__ import annotations

import calendar
import re
from datetime import date

MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december"
    r"|jan\.|feb\.|mar\.|apr\.|aug\.|sept?\.|oct\.|nov\.|dec\.)"
)
WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
A_YEAR = r"(?:1[5-9]|20)\d\d"  # "in 1896", "in 2022" (news writes counts this size as "1,896")
NTH = r"(?:st|nd|rd|th)?"  # "October 4th"
YEAR = re.compile(rf"\b{A_YEAR}\b")

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAY_OF_MONTH = re.compile(
    rf"\b(?P<m>{MONTH})\s+(?P<d>\d{{1,2}}){NTH}\b(?:,?\s+(?P<y>{A_YEAR})\b)?"
    rf"|\b(?P<d2>\d{{1,2}}){NTH}\s+(?:of\s+)?(?P<m2>{MONTH})(?:,?\s+(?P<y2>{A_YEAR})\b)?",
    re.I,
)
_MONTH_OF_YEAR = re.compile(rf"\b(?P<m>{MONTH})\s+(?P<y>{A_YEAR})\b", re.I)


def dated_before(text: str, published: date) -> bool:
    """Whether ``text`` gives calendar dates and all of them fall before ``published`` (a day and
    month with no year is taken in the year of publication; a month or a year, at its end): it
    dates only what had happened when it was written ("the plant closed on Sept. 8, 2022")."""
    latest: list[date] = []
    rest = text
    for m in _DAY_OF_MONTH.finditer(text):
        month = _MONTHS.index(((m["m"] or m["m2"])[:3]).lower()) + 1
        year = int(m["y"] or m["y2"] or published.year)
        try:
            latest.append(date(year, month, int(m["d"] or m["d2"])))
        except ValueError:  # "February 30": not a date
            return False
        rest = rest.replace(m.group(0), " ")
    for m in _MONTH_OF_YEAR.finditer(rest):
        month = _MONTHS.index(m["m"][:3].lower()) + 1
        latest.append(date(int(m["y"]), month, calendar.monthrange(int(m["y"]), month)[1]))
        rest = rest.replace(m.group(0), " ")
    latest += [date(int(y), 12, 31) for y in YEAR.findall(rest)]
    return bool(latest) and max(latest) < published


# "before the July 20, 2022 vote": the date bounds the thing asked about from after, not before
_BOUND_AFTER = re.compile(r"\b(?:before|ahead of|prior to|until|till|by)\s+(?:the\s+)?$", re.I)


def earliest_day(text: str) -> date | None:
    """The first day that what ``text`` speaks of can have happened on, by the dates it gives
    with their years ("on July 20, 2022": that day; "the June 2022 floods": June 1), or None.
    A date that bounds from after ("ahead of the May 3, 2030 vote") does not count."""
    days: list[date] = []
    rest = text
    for m in _DAY_OF_MONTH.finditer(text):
        rest = rest.replace(m.group(0), " ")
        year = m["y"] or m["y2"]
        if not year or _BOUND_AFTER.search(text[: m.start()]):
            continue
        month = _MONTHS.index(((m["m"] or m["m2"])[:3]).lower()) + 1
        try:
            days.append(date(int(year), month, int(m["d"] or m["d2"])))
        except ValueError:  # "February 30": not a date
            continue
    for m in _MONTH_OF_YEAR.finditer(rest):
        if not _BOUND_AFTER.search(rest[: m.start()]):
            days.append(date(int(m["y"]), _MONTHS.index(m["m"][:3].lower()) + 1, 1))
    return min(days, default=None)
