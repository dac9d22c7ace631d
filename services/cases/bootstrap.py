"""Wiring of the cases service, in one place."""
from __future__ import annotations

from functools import lru_cache

from cases.application import CasesApplication


@lru_cache(maxsize=1)
def application() -> CasesApplication:
    return CasesApplication()
