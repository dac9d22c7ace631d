"""Wiring of the documentation service, in one place."""
from __future__ import annotations

from functools import lru_cache

from documentation.application import DocumentationApplication
from documentation.cases_directory import CasesOverHttp


@lru_cache(maxsize=1)
def application() -> DocumentationApplication:
    return DocumentationApplication(cases=CasesOverHttp())
