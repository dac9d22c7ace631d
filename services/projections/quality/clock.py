"""Today and the school term, for the quality view. QUALITY_TODAY=YYYY-MM-DD fixes the date
(demos, tests of a running system)."""
from __future__ import annotations

import os
from datetime import date

from eventkit.dates import local_today


def today() -> date:
    fixed = os.environ.get("QUALITY_TODAY", "")
    return date.fromisoformat(fixed) if fixed else local_today()


def term_of(day: date) -> tuple[date, date, str]:
    """The term a day belongs to: spring (vårtermin, January–June) or autumn (hösttermin,
    July–December, the summer counted with the autumn that it leads into)."""
    if day.month <= 6:
        return date(day.year, 1, 1), date(day.year, 6, 30), f"VT {day.year}"
    return date(day.year, 7, 1), date(day.year, 12, 31), f"HT {day.year}"


def previous_term(day: date) -> tuple[date, date, str]:
    start, _, _ = term_of(day)
    return term_of(date(start.year - 1, 12, 31) if start.month == 1 else date(start.year, 6, 30))
