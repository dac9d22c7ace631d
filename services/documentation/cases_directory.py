"""What the documentation may know of a pupil's case: asked of the cases service over HTTP,
with the acting user's own signed identity, so the cases service decides who sees which case
(R14). The documentation never reads the cases database."""
from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

import httpx
from opentelemetry import propagate

from documentation.domain.values import CaseReference
from eventkit.dates import local_day
from eventkit.config import env
from eventkit.identity import HEADER, Identity, sign

TIMEOUT = httpx.Timeout(5.0, connect=2.0)


class CasesUnavailable(Exception):
    """The cases service did not answer, or failed on its side."""


class CaseDirectory(Protocol):
    def find(self, who: Identity, case_id: UUID) -> CaseReference | None:
        """The case if it exists and `who` may see it; None otherwise (the same for both)."""

    def names_in(self, who: Identity, texts: dict[str, str]) -> set[str]:
        """Which of the texts (by field) name one of the municipality's people, by the
        register's name check (positions only; a protected pupil's name counts, unconfirmed)."""


def reference_from(case: dict) -> CaseReference:
    """The case as the cases API shows it (GET /cases/{id}) reduced to what is needed here:
    its unit, whether an investigation is under way (started, not concluded or decided), the
    day it was opened, and the pupil's pseudonymous reference (for the access log and the pupil's key, ADR 0021)."""
    investigation = case.get("investigation") or None
    under_way = (
        investigation is not None and not investigation.get("decided") and not investigation.get("concluded_on")
        and investigation.get("school_unit") == case["school_unit"]
    )
    return CaseReference(
        case_id=UUID(case["case_id"]), municipality=case["municipality"], school_unit=case["school_unit"],
        open_investigation=int(investigation["number"]) if under_way else None,
        pupil_ref=case.get("pupil_ref") or None,
        opened_on=local_day(datetime.fromisoformat(case["opened_at"])) if case.get("opened_at") else None,
    )


class CasesOverHttp:
    def __init__(self, base_url: str | None = None) -> None:
        self.base_url = (base_url or env("CASES_URL", "http://127.0.0.1:8001")).rstrip("/")
        self.http = httpx.Client(timeout=TIMEOUT, follow_redirects=False)

    def find(self, who: Identity, case_id: UUID) -> CaseReference | None:
        headers = {HEADER: sign(who, audience="cases", caller="documentation")}
        propagate.inject(headers)  # the same trace runs on into the cases service
        try:
            response = self.http.get(f"{self.base_url}/cases/{case_id}", headers=headers)
        except httpx.HTTPError:
            raise CasesUnavailable() from None
        if response.status_code in (403, 404):
            return None
        if response.status_code != 200:
            raise CasesUnavailable()
        return reference_from(response.json())

    def names_in(self, who: Identity, texts: dict[str, str]) -> set[str]:
        if not texts:
            return set()
        fields = list(texts)
        headers = {HEADER: sign(who, audience="cases", caller="documentation")}
        propagate.inject(headers)
        try:
            response = self.http.post(f"{self.base_url}/pupils/names-in-text", json={"texts": [texts[f] for f in fields]},
                                      headers=headers)
        except httpx.HTTPError:
            raise CasesUnavailable() from None
        if response.status_code != 200:
            raise CasesUnavailable()
        return {field for field, matches in zip(fields, response.json()["matches"]) if matches}
