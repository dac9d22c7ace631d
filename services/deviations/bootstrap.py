"""Wiring of the deviations service, in one place."""
from __future__ import annotations

from functools import lru_cache

from deviations.application import DeviationsApplication
from deviations.records import RecordKeepingDeviations, pupil_names_in


@lru_cache(maxsize=1)
def application() -> DeviationsApplication:
    # Access log (R15) and the R22 name check against the cases service: deviations.records.
    return RecordKeepingDeviations(pupil_names=pupil_names_in)
