"""Wiring of the cases service, in one place."""
from __future__ import annotations

from cases.application import CasesApplication
from cases.directory import Directory, DirectoryOverHttp
from cases.records import RecordKeepingCases
from cases.settings import deadlines_for, retention_for
from eventkit.wiring import once_per_process


@once_per_process
def application() -> CasesApplication:
    # Access log (R15) and crypto-shredding (R17) around the case application: cases.records.
    return RecordKeepingCases(deadlines=deadlines_for, retention=retention_for, directory=directory())


@once_per_process
def directory() -> Directory:
    """The municipality's people (the directory service, ADR 0026)."""
    return DirectoryOverHttp()
