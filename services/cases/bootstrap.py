"""Wiring of the cases service, in one place."""
from __future__ import annotations

from functools import lru_cache

from cases.application import CasesApplication
from cases.settings import deadlines_for


@lru_cache(maxsize=1)
def application() -> CasesApplication:
    return CasesApplication(deadlines=deadlines_for)
