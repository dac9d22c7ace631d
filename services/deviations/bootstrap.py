"""Wiring of the deviations service, in one place."""
from __future__ import annotations

from functools import lru_cache

from deviations import names
from deviations.application import DeviationsApplication


@lru_cache(maxsize=1)
def application() -> DeviationsApplication:
    return DeviationsApplication(pupil_names=names.names_in)
