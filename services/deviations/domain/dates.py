"""Plausible dates of a deviation: the one place the deviations service says which date it
believes (docs/rules.md, "Plausible dates"). A deviation concerns a child, so the day it
occurred lies between today and the earliest day the child could have been a pupil: at most
the oldest pupil's age (eventkit.personnummer.PUPIL_AGE_YEARS, 25 years) ago. The report names
no pupil structurally (its texts may, and are checked for that), so no birth date is known here."""
from __future__ import annotations

from datetime import date

from deviations.domain.rules import DeviationDateIsNotInTheFuture, DeviationOccurredWhileTheChildCouldBeAPupil
from eventkit.dates import swedish, years_before
from eventkit.personnummer import PUPIL_AGE_YEARS


def earliest_occurrence(today: date) -> date:
    return years_before(today, PUPIL_AGE_YEARS[1])


def occurred_on(day: date, *, today: date) -> date:
    if day > today:
        raise DeviationDateIsNotInTheFuture()
    if day < earliest_occurrence(today):
        raise DeviationOccurredWhileTheChildCouldBeAPupil(
            f"Datumet ligger för långt bak i tiden: en avvikelse gäller ett barn eller en ung person, och den kan "
            f"inte ha inträffat före {swedish(earliest_occurrence(today))} ({PUPIL_AGE_YEARS[1]} år sedan).")
    return day
