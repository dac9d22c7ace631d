"""Wiring of the competence service, in one place."""
from __future__ import annotations

from functools import lru_cache

from competence.application import CompetenceApplication


@lru_cache(maxsize=1)
def application() -> CompetenceApplication:
    return CompetenceApplication()
