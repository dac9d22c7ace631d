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
- every text is asked of the register before it is stored (`POST /pupils/named-in-text`, a
  route for this service alone, asked with no one's grants): one that names a pupil with
  protected identity is refused (R14); the pupils it names are linked to the deviation, whose
  texts are encrypted under a key of its own (deviations.personal_data) and disposed of when
  the cases service disposes of one of those pupils' records (R17, ADR 0024:
  `dispose_texts_of`, called by deviations.entrypoints.disposal_listener).
"""
from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import httpx
import psycopg
from fastapi import FastAPI

from deviations.application import CheckUnavailable, DeviationsApplication
from deviations.domain.model import Deviation
from deviations.personal_data import PERSONAL_FIELDS
from eventkit.accesslog import AccessEntry, AccessLog, current_purpose
from eventkit.keystore import KeyStore
from eventkit.shredding import Shredding, about
from eventkit.config import env
from eventkit.http import answer_errors, unavailable
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


def _register_job(municipality: str) -> Identity:
    """Who asks the register on the deviations service's behalf: a job identity of the
    municipality concerned, granted no protected pupil."""
    return Identity("avvikelsekontroll", "Kontroll av avvikelse", Role.MUNICIPALITY_ADMIN, municipality)


def pupils_named(who: Identity, municipality: str, texts: list[str]) -> list[tuple[str, bool]]:
    """The pupils of `municipality` the texts name (pseudonymous references) and whether each
    one's identity is protected, asked with no one's grants (R14 at entry, R17 disposal)."""
    if not any(texts):
        return []
    try:
        response = httpx.post(
            env("CASES_URL", "http://127.0.0.1:8001") + "/pupils/named-in-text", json={"texts": texts},
            headers={HEADER: sign(_register_job(municipality), audience="cases", caller="deviations")}, timeout=TIMEOUT,
        )
    except httpx.HTTPError:
        raise CheckUnavailable("register") from None
    if response.status_code != 200:
        raise CheckUnavailable("register")
    return [(str(p["pupil_ref"]), bool(p["protected"])) for p in response.json()["pupils"]]


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


class RecordKeepingDeviations(Shredding, DeviationsApplication):
    personal_fields = PERSONAL_FIELDS
    name = "deviations"  # the same event store tables as the plain application

    def __init__(self, env: dict[str, str] | None = None, *, access_log: AccessLog | None = None,
                 keys: KeyStore | None = None, **kwargs: Any) -> None:
        self.keys = keys or KeyStore("DEVIATIONS_DB")  # the mapper, built by the base class, needs them
        super().__init__(env, **kwargs)
        self.access_log = access_log or AccessLog("DEVIATIONS_DB", "deviations")
        # Names once copied from CaseOpened v1 (ADR 0011, superseded by ADR 0020) go.
        with psycopg.connect(self.access_log.postgres.conninfo, autocommit=True) as conn:
            conn.execute("DROP TABLE IF EXISTS pupil_name")

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        # A deviation's texts are encrypted under its own key, made with its report.
        deviation = next((o for o in objs if isinstance(o, Deviation)), None)
        if deviation is None:
            return super().save(*objs, **kwargs)
        if any(isinstance(e, Deviation.Reported) for e in deviation.pending_events):
            self.keys.adopt(str(deviation.id), deviation.organisation)
        with about(str(deviation.id)):
            return super().save(*objs, **kwargs)

    def concerns(self, deviation: Deviation, pupils: set[str], result: Any = None) -> Any:
        for pupil_ref in sorted(pupils):
            self.keys.link(pupil_ref, str(deviation.id))
        return result

    # -- R17: the texts go with the records of a pupil they name ------------------------------------
    def dispose_texts_of(self, *, pupil_ref: str, disposed_on: date, municipality: str, **_: Any) -> list[str]:
        """The cases service disposed of the pupil's records: every deviation whose texts named
        the pupil records it (structure only), then loses its key. Idempotent: a deviation
        already done is skipped, and a key left by an interrupted run is destroyed."""
        job = _register_job(municipality)
        ids = self.keys.records(pupil_ref)
        for deviation_id in ids:
            deviation: Deviation = self.repository.get(UUID(deviation_id))
            if deviation.dispose_texts(disposed_on):
                self._save(job, deviation)  # no text in the event: nothing for the key to cover
            self.access_log.record(AccessEntry(job, deviation.municipality, deviation.unit, "disposal",
                                               "PupilRecordsDisposed", deviation_id, pupil_ref))
        if ids:
            self.keys.destroy(*ids)
        return ids

    def _deviation_for(self, who: Identity, deviation_id: UUID) -> Deviation:
        self.keys.exists(str(deviation_id))  # a disposal by the listener process takes effect here at once
        return super()._deviation_for(who, deviation_id)

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
    answer_errors(app, {CheckUnavailable: lambda exc: unavailable(UNAVAILABLE[exc.reason])})
