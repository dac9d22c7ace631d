"""Record keeping of the deviations service (R15, R22 after R17):

- reads of a deviation report (which may still name a child until it is sent de-identified)
  and the de-identification check are access-logged (eventkit.accesslog), durably, before
  the data is returned;
- the R22 check asks the service that keeps the register (the cases service), with the
  user's own signed identity, where the texts name one of the municipality's people
  (`POST /pupils/names-in-text`): it answers with positions in the text, never with names,
  so no name is copied here (ADR 0022). If it cannot answer, or the lexicon is missing, the
  check is refused (503) and nothing can be sent; the report stays with the manager.
- the organisations the municipality works with, whose names and public numbers stay
  readable, come from the deployment's settings (deidentify.configured).
- whether the county's check before the regional stream holds a sent deviation back, and why,
  is asked of the county read API (`GET /county/held/{id}`) with the user's own identity; if
  it cannot answer, nothing is returned to the manager (503) and the deviation stays as it is.
"""
from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx
import psycopg
from fastapi import FastAPI

from deviations.application import CheckUnavailable, DeviationsApplication
from eventkit.accesslog import AccessEntry, AccessLog, current_purpose
from eventkit.config import env
from eventkit.http import unavailable
from eventkit.identity import HEADER, Identity, Role, sign

TIMEOUT = httpx.Timeout(5.0)


def register_matches(who: Identity, municipality: str, texts: list[str]) -> list[list[tuple[int, int, str]]]:
    """Where the texts name one of `municipality`'s people. A region unit's report about a
    municipality's pupil is checked against that municipality's register too: asked by the
    deviations service itself (a job identity of that municipality, granted no protected pupil,
    so a protected name only blocks the text)."""
    asking = who if who.municipality == municipality else Identity(
        "avvikelsekontroll", "Kontroll av avvikelse från regionen", Role.MUNICIPALITY_ADMIN, municipality)
    try:
        response = httpx.post(
            env("CASES_URL", "http://127.0.0.1:8001") + "/pupils/names-in-text",
            json={"texts": texts}, headers={HEADER: sign(asking, audience="cases", caller="deviations")}, timeout=TIMEOUT,
        )
    except httpx.HTTPError:
        raise CheckUnavailable("register") from None
    if response.status_code == 403:
        return [[] for _ in texts]  # a role without pupils (the BUS secretariat): no register to ask
    if response.status_code != 200:
        raise CheckUnavailable("register")
    return [[(int(s), int(e), str(how)) for s, e, how in matches] for matches in response.json()["matches"]]


def held_reasons(who: Identity, deviation_id: UUID, sent_version: int | None = None) -> list[str] | None:
    """Why the county's check holds the sending `sent_version` of the deviation back (kinds), or
    None when it does not (not held, released, an earlier sending's hold, or unknown there)."""
    params = {"sent_version": sent_version} if sent_version else None
    try:
        response = httpx.get(
            env("COUNTY_URL", "http://127.0.0.1:8012") + f"/county/held/{deviation_id}", params=params,
            headers={HEADER: sign(who, audience="county", caller="deviations")}, timeout=TIMEOUT,
        )
    except httpx.HTTPError:
        raise CheckUnavailable("county") from None
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        raise CheckUnavailable("county")
    try:
        answer = response.json()
        return [str(r) for r in answer["reasons"]] if answer["held"] else None
    except (ValueError, KeyError, TypeError):
        raise CheckUnavailable("county") from None


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


UNAVAILABLE = {
    "register": "Texten kan inte kontrolleras just nu: kommunens register svarar inte. Ingenting har skickats "
                "och avvikelsen ligger kvar hos dig. Försök igen om en stund.",
    "lexicon": "Texten kan inte kontrolleras: namnlistan för kontrollen saknas på servern. Ingenting har skickats "
               "och avvikelsen ligger kvar hos dig. Kontakta systemförvaltningen.",
    "county": "Det går inte att se just nu om kontrollen före det regionala flödet har hållit kvar avvikelsen: "
              "länsbilden svarar inte. Ingenting har ändrats. Försök igen om en stund.",
}


def install(app: FastAPI) -> None:
    @app.exception_handler(CheckUnavailable)
    async def _no_check(request, exc: CheckUnavailable):
        return unavailable(UNAVAILABLE[exc.reason])
