"""Wiring of the documentation service, in one place."""
from __future__ import annotations

from functools import lru_cache

from documentation.cases_directory import CasesOverHttp
from documentation.records import RecordKeepingDocumentation


@lru_cache(maxsize=1)
def application() -> RecordKeepingDocumentation:
    # Access log (R15) and crypto-shredding (R17) around the documentation: documentation.records.
    return RecordKeepingDocumentation(cases=CasesOverHttp())
