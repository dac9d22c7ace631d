"""Plausible dates of the documentation: the one place the documentation service says which
date of an intervention it believes (docs/rules.md, "Plausible dates"). An intervention is
documented when it has been done, continuously: its day is not in the future, at most a year
back, and for a pupil's case not before the case was opened (as the cases service showed it).
A correction that keeps the day is not asked again: the day was believed when recorded."""
from __future__ import annotations

from datetime import date

from documentation.domain.rules import (
    InterventionDateIsAtMostAYearBack,
    InterventionDateIsNotBeforeThePupilsCase,
    InterventionDateIsNotInTheFuture,
)
from eventkit.dates import swedish, years_before

YEARS_BACK = 1


def performed_on(day: date, *, today: date, case_opened_on: date | None = None) -> date:
    if day > today:
        raise InterventionDateIsNotInTheFuture()
    if day < years_before(today, YEARS_BACK):
        raise InterventionDateIsAtMostAYearBack(
            f"Dokumentera insatser löpande: datumet kan ligga högst ett år bakåt, tidigast "
            f"{swedish(years_before(today, YEARS_BACK))}.")
    if case_opened_on is not None and day < case_opened_on:
        raise InterventionDateIsNotBeforeThePupilsCase(
            f"Elevärendet öppnades {swedish(case_opened_on)}; en insats i ärendet kan inte ha gjorts före det.")
    return day
