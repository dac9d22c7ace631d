"""Wiring of the competence service, in one place."""
from __future__ import annotations

from competence.application import CompetenceApplication
from eventkit.wiring import once_per_process


@once_per_process
def application() -> CompetenceApplication:
    return CompetenceApplication()
