"""Record keeping of the deviations service (R15, R22 after R17):

- reads of a deviation report (which may still name a child until it is sent de-identified)
  and the de-identification check are access-logged (eventkit.accesslog), durably, before
  the data is returned;
- the R22 name check asks the cases service, with the user's own signed identity, which of
  the municipality's pupils the texts name (`POST /pupils/names-in-text`): the pupils' names
  no longer travel on Kafka (CaseOpened v2, ADR 0020), so none is copied here either. If the
  cases service cannot answer, the check is refused (503), never done without the names.
"""
from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx
import psycopg
from fastapi import FastAPI

from deviations.application import DeviationsApplication
from eventkit.accesslog import AccessEntry, AccessLog, current_purpose
from eventkit.config import env
from eventkit.http import error
from eventkit.identity import HEADER, Identity, sign

TIMEOUT = httpx.Timeout(5.0)


class NameCheckUnavailable(Exception):
    """The cases service did not answer the name check: nothing may be checked or sent."""


def pupil_names_in(who: Identity, texts: list[str]) -> list[str]:
    try:
        response = httpx.post(
            env("CASES_URL", "http://127.0.0.1:8001") + "/pupils/names-in-text",
            json={"texts": [t for t in texts if t]}, headers={HEADER: sign(who, audience="cases", caller="deviations")}, timeout=TIMEOUT,
        )
    except httpx.HTTPError:
        raise NameCheckUnavailable() from None
    if response.status_code == 403:
        return []  # a role without pupils (e.g. region staff): no names of the municipality's pupils
    if response.status_code != 200:
        raise NameCheckUnavailable()
    return list(response.json()["names"])


class RecordKeepingDeviations(DeviationsApplication):
    name = "deviations"  # the same event store tables as the plain application

    def __init__(self, env: dict[str, str] | None = None, *, access_log: AccessLog | None = None, **kwargs: Any) -> None:
        super().__init__(env, **kwargs)
        self.access_log = access_log or AccessLog("DEVIATIONS_DB", "deviations")
        # Names once copied from CaseOpened v1 (ADR 0011, superseded by ADR 0020) go.
        with psycopg.connect(self.access_log.postgres.conninfo, autocommit=True) as conn:
            conn.execute("DROP TABLE IF EXISTS pupil_name")

    def details(self, who: Identity, deviation_id: UUID) -> dict[str, Any]:
        found = super().details(who, deviation_id)
        self._log(who, found["municipality"], found["unit"], deviation_id)
        return found

    def check(self, who: Identity, deviation_id: UUID, description: str | None = None,
              tried_locally: str | None = None) -> list[dict[str, Any]]:
        findings = super().check(who, deviation_id, description, tried_locally)
        deviation = self._deviation_for(who, deviation_id)
        self._log(who, deviation.municipality, deviation.unit, deviation_id)
        return findings

    def _log(self, who: Identity, municipality: str, unit: str, deviation_id: UUID) -> None:
        asked = current_purpose("read", "deviation")
        self.access_log.record(AccessEntry(who, municipality, unit, asked.action, asked.resource, str(deviation_id)))


def install(app: FastAPI) -> None:
    @app.exception_handler(NameCheckUnavailable)
    async def _no_name_check(request, exc: NameCheckUnavailable):
        return error(503, "unavailable", "Namnkontrollen mot elevregistret kan inte göras just nu. Försök igen om en stund.")
