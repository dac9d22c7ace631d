"""Which typed dates Stödspår finds plausible, and the school calendar they are measured by:
one place for every service (no I/O; safe for domain models to import). The rules that refuse
a date stay in each domain, named as sentences, with their own words (docs/rules.md,
"Plausible dates"); this module only says where the bounds lie.

- The school year runs 1 July – 30 June (`school_year_start`, `school_year_end`).
- A date planned or recorded ahead lies at most `YEARS_AHEAD` year after today
  (`latest_ahead`): a delivery, an offer of participation, a follow-up, an evaluation, a
  delegation's first day, a planned activity.
- `local_today()`: the calendar day it is now in Sweden; every "today" of the services and the
  tests is this one, never the machine's own day.
- `swedish(day)`: "3 mars 2026", for the messages that name a bound.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

LOCAL_TIME = ZoneInfo("Europe/Stockholm")  # the municipality's calendar day
SCHOOL_YEAR_STARTS = (7, 1)  # 1 July; it ends on 30 June
YEARS_AHEAD = 1

MONTHS = (
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
)


def local_today() -> date:
    """Today's date in Sweden, whatever the machine's time zone: between 22:00 and midnight UTC
    (23:00 in summer) the municipality is already on the next day."""
    return datetime.now(LOCAL_TIME).date()


def local_day(moment: datetime) -> date:
    """The calendar day a moment (a stored event's timestamp) falls on in Sweden."""
    return moment.astimezone(LOCAL_TIME).date() if moment.tzinfo else moment.date()


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without it
        return day.replace(year=day.year - years, day=28)


def years_after(day: date, years: int) -> date:
    return years_before(day, -years)


def school_year_start(day: date) -> date:
    """1 July of the school year `day` falls in."""
    month, first = SCHOOL_YEAR_STARTS
    return date(day.year if (day.month, day.day) >= SCHOOL_YEAR_STARTS else day.year - 1, month, first)


def school_year_end(day: date) -> date:
    """30 June that ends the school year `day` falls in."""
    return years_after(school_year_start(day), 1) - timedelta(days=1)


def latest_ahead(today: date) -> date:
    """The last day a date typed ahead may fall on: the same day `YEARS_AHEAD` year on."""
    return years_after(today, YEARS_AHEAD)


def swedish(day: date) -> str:
    """'3 mars 2026'."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
