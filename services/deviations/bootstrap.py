"""Wiring of the deviations service, in one place."""
from __future__ import annotations

from deviations.application import DeviationsApplication
from deidentify import configured
from deviations.records import RecordKeepingDeviations, held_reasons, pupils_named, register_matches
from eventkit.wiring import once_per_process


@once_per_process
def application() -> DeviationsApplication:
    # Access log (R15), the R22 check's register (asked of the cases service) and the
    # municipality's known organisations, the pupils a text names (R14, R17): deviations.records.
    return RecordKeepingDeviations(register_matches=register_matches, known_organisations=configured, held_reasons=held_reasons,
                                   pupils_named=pupils_named)
