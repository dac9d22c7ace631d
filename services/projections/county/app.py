"""The county level as a faust-streaming worker: `faust -A projections.county.app worker`.

Two agents:
- `republish`: every DeviationSentToBus on stodspar.deviations.v1 → one BusDeviation on
  bus.deviations.v1 (acks=all, awaited before the offset is committed), after the regional
  check (R22, republish.reasons_to_hold): a message that still holds an identity number, a
  date of birth or a registered name is held in `held_deviation` instead, and not published.
  When the check cannot be made (the cases service or the lexicon missing), the message is
  neither published nor skipped: it is retried until it can be checked;
- `project`: bus.deviations.v1 → the county read model (idempotent per event_id).
Neither skips a message: on failure it waits and retries the same one (eventkit.streams.consume,
eventkit.projection.until_done); the projection is eventkit's runner (readmodel.PROJECTION).
"""
from __future__ import annotations

import asyncio
import json
import logging

import httpx
from opentelemetry import trace

import deidentify
from eventkit.config import env
from eventkit.contracts import validate_message
from eventkit.identity import HEADER, Identity, Role, sign
from eventkit.producer import IdempotentProducer
from eventkit.projection import Messages, ProjectionRunner
from eventkit.streams import consume, projection_app, run_projection
from eventkit.telemetry import context_from_traceparent, setup_tracing, tracer
from projections.county import readmodel
from projections.county.republish import BUS_TOPIC, MUNICIPAL_TOPIC, SENT_EVENT, bus_message, reasons_to_hold, texts_of

log = logging.getLogger("projections.county")
setup_tracing("county-projection")
_tracer = tracer("projections.county")

app = projection_app("stodspar-county", "COUNTY_FAUST_WEB_PORT", 6067)

CHECK_TIMEOUT = httpx.Timeout(5.0, connect=2.0)


class CheckUnavailable(Exception):
    """The regional check cannot be made now (the register does not answer, the lexicon is
    missing): the message is neither published nor skipped, but retried."""


def check_identity(municipality: str) -> Identity:
    """The job that asks the municipality's register, like the scheduled disposal: no person."""
    return Identity("bus-kontroll", "Kontroll före regionala flödet", Role.MUNICIPALITY_ADMIN, municipality)


class Republisher:
    def __init__(self) -> None:
        self._producer = IdempotentProducer()
        self._http: httpx.AsyncClient | None = None
        self._view = ProjectionRunner(readmodel.PROJECTION)  # held_deviation is in the view's database

    async def _registered(self, data: dict) -> dict[str, list[tuple[int, int, str]]]:
        """Where each text names one of the municipality's people, asked of the cases service
        (positions in the normalised text, never names)."""
        texts = texts_of(data)
        if not texts:
            return {}
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=CHECK_TIMEOUT)
        signed = sign(check_identity(data["municipality"]), audience="cases", caller="county")
        try:
            response = await self._http.post(env("CASES_URL", "http://127.0.0.1:8001") + "/pupils/names-in-text",
                                             json={"texts": texts}, headers={HEADER: signed})
        except httpx.HTTPError as exc:
            raise CheckUnavailable(f"register unreachable ({type(exc).__name__})") from None
        if response.status_code != 200:
            raise CheckUnavailable(f"register answered {response.status_code}")
        try:
            matches = response.json()["matches"]
            return {text: [(int(s), int(e), str(how)) for s, e, how in found] for text, found in zip(texts, matches, strict=True)}
        except (ValueError, KeyError, TypeError) as exc:
            raise CheckUnavailable(f"register answered {type(exc).__name__}") from None

    async def reasons(self, data: dict) -> list[str]:
        """The regional check of one DeviationSentToBus (republish.reasons_to_hold); raises
        CheckUnavailable when it cannot be made."""
        try:
            lexicon = await asyncio.to_thread(deidentify.shared_lexicon)
        except deidentify.LexiconMissing:
            raise CheckUnavailable("lexicon missing") from None
        registered = await self._registered(data)
        return reasons_to_hold(data, lambda text: registered.get(text, []), lexicon=lexicon)

    async def handle(self, value: bytes, headers: dict[str, bytes]) -> None:
        message = json.loads(value)
        if message.get("event_type") != SENT_EVENT:
            return
        data = message["data"]
        try:
            reasons = await self.reasons(data)
        except CheckUnavailable as exc:
            # Ids and what is missing only: never a text (it may be what should not pass).
            log.warning("county regional check unavailable for event %s: %s; not published, retrying",
                        message.get("event_id"), exc)
            raise
        if reasons:  # held, not published: kept with why, for the manager (never redacted here)
            newly = await readmodel.hold(
                await self._view.connection(), event_id=message["event_id"], deviation_id=data["deviation_id"],
                municipality=data["municipality"], reported_by=data["reported_by"],
                sent_version=int(message["aggregate_version"]), reasons=reasons,
            )
            if newly:
                log.warning("county held event %s of deviation %s back from %s: %s", message["event_id"],
                            data["deviation_id"], BUS_TOPIC, ", ".join(reasons))
            return
        outgoing = bus_message(message)
        validate_message(outgoing)
        traceparent = (headers.get("traceparent") or b"").decode() or None
        with _tracer.start_as_current_span(
            "publish BusDeviation", context=context_from_traceparent(traceparent), kind=trace.SpanKind.PRODUCER,
            attributes={"messaging.destination.name": BUS_TOPIC, "messaging.message.id": outgoing["event_id"]},
        ):
            await (await self._producer.send(BUS_TOPIC, outgoing, traceparent=traceparent))
        # Published: what was held of this deviation before is released.
        await readmodel.release(await self._view.connection(), data["deviation_id"])

    async def handle_many(self, messages: Messages) -> None:
        for value, headers in messages:
            await self.handle(value, headers)

    async def reset(self) -> None:
        await self._producer.close()
        if self._http is not None:
            http, self._http = self._http, None
            await http.aclose()
        await self._view.reset()


republisher = Republisher()
# One message at a time: a retried batch would publish again what had passed before the failure.
consume(app, MUNICIPAL_TOPIC, republisher.handle_many, republisher.reset, name="republish", log=log, batch=1)
runners = run_projection(app, readmodel.PROJECTION)
