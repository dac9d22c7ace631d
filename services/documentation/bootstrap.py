"""Wiring of the documentation service, in one place."""
from __future__ import annotations

from documentation.cases_directory import CasesOverHttp
from documentation.records import RecordKeepingDocumentation
from eventkit.wiring import once_per_process


@once_per_process
def application() -> RecordKeepingDocumentation:
    # Access log (R15) and crypto-shredding (R17) around the documentation: documentation.records.
    return RecordKeepingDocumentation(cases=CasesOverHttp())
