"""Wiring of the cases service, in one place."""
from __future__ import annotations

from functools import lru_cache

from cases.application import CasesApplication
from cases.records import RecordKeepingCases
from cases.settings import deadlines_for, retention_for


@lru_cache(maxsize=1)
def application() -> CasesApplication:
    # Access log (R15) and crypto-shredding (R17) around the case application: cases.records.
    return RecordKeepingCases(deadlines=deadlines_for, retention=retention_for)
