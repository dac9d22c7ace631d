"""How Stödspår reads a Swedish personnummer (or samordningsnummer) and what age a pupil can
be: one place for the services that take a pupil's number (the cases service, the directory).
The rules that refuse a number stay in each domain, with their own words; this module only
says what the number is.

- `twelve_digits(raw)`: the number as 12 ASCII digits, however it was typed (full-width or
  Arabic-Indic digits, an en dash, spaces: normalised first), checked by the `personnummer`
  library (a real date and the check digit); `NotAPersonnummer` otherwise.
- `birth_date(digits)`: the date of birth it says (a samordningsnummer's day less 60).
- `plausible_for_a_pupil(born, today)`: born at least PUPIL_AGE_YEARS[0] and at most
  PUPIL_AGE_YEARS[1] years ago (förskoleklass to gymnasieskola, with margin).
"""
from __future__ import annotations

from datetime import date

from personnummer import personnummer

from deidentify import plain
from eventkit.dates import years_before

PUPIL_AGE_YEARS = (1, 25)


class NotAPersonnummer(ValueError):
    """Not a valid personnummer: the date or the check digit is wrong, or it is not digits."""


def twelve_digits(raw: str) -> str:
    text = "".join(plain(raw or "").split())  # "120914 - 2387" as "120914-2387"
    try:
        digits = personnummer.parse(text).format(long_format=True)
    except personnummer.PersonnummerException:
        raise NotAPersonnummer() from None
    if not (digits.isascii() and digits.isdigit() and len(digits) == 12):
        raise NotAPersonnummer()
    return digits


def birth_date(digits: str) -> date:
    day = int(digits[6:8])
    return date(int(digits[:4]), int(digits[4:6]), day - 60 if day > 60 else day)


def plausible_for_a_pupil(born: date, today: date) -> bool:
    youngest, oldest = PUPIL_AGE_YEARS
    return years_before(today, oldest) <= born <= years_before(today, youngest)
