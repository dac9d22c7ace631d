"""From the municipal topic to the regional stream: each DeviationSentToBus becomes one
BusDeviation message on bus.deviations.v1 (the interface for the BUS secretariat's own
systems, docs/bus-stream.md). Pure functions; the faust agent in app.py does the I/O.

Only the de-identified fields cross, listed here by name. Before they cross, the texts are
checked once more with the same detectors as the manager's check (R22, `reasons_to_hold`): a
message that still holds an identity number, a date of birth or the name of one of the
municipality's people is held back, never redacted here without the manager knowing. What
passes is copied unchanged.
"""
from __future__ import annotations

import uuid
from datetime import date
from typing import Any, Callable, Iterable, Mapping

import deidentify
from deidentify import Kind, KnownOrganisations, Lexicon
from eventkit.config import topic
from eventkit.contracts import contract_for

MUNICIPAL_TOPIC = topic("stodspar.deviations.v1")
BUS_TOPIC = topic("bus.deviations.v1")
SENT_EVENT = "DeviationSentToBus"
BUS_EVENT = "BusDeviation"
BUS_NAMESPACE = uuid.UUID("0b7f4a52-39a4-4e0e-a4f5-6f1f1c3e2b90")
COPIED = ("deviation_id", "municipality", "reported_by", "organisations", "arose_in", "category",
          "occurred_on", "principled", "sent_on")
TEXTS = ("description", "tried_locally")
# What may never reach the regional stream, in the order the reasons are given.
HELD_KINDS = (Kind.IDENTITY_NUMBER, Kind.BIRTH_DATE, Kind.REGISTERED_NAME)
# A name the register answers as "protected" (a pupil with protected identity, R14) is a
# WITHHELD finding; it is held as a registered name, so the reason does not tell whose it is.
AS_REGISTERED_NAME = frozenset({Kind.REGISTERED_NAME, Kind.WITHHELD})

# (a text) → where it names one of the municipality's people: (start, end, "exact"/"sound") in
# the normalised text, as the service that keeps the register answers (never the names).
Registered = Callable[[str], Iterable[tuple[int, int, str]]]


def texts_of(data: Mapping[str, Any]) -> list[str]:
    """The free texts of a DeviationSentToBus that the check reads (the non-empty ones)."""
    return [data.get(name) or "" for name in TEXTS if data.get(name)]


def reasons_to_hold(data: Mapping[str, Any], registered: Registered, *, lexicon: Lexicon,
                    known: KnownOrganisations | None = None) -> list[str]:
    """Why a DeviationSentToBus message must not reach bus.deviations.v1: the kinds (values of
    `deidentify.Kind`) of what its texts still hold that may never leave the municipality –
    identity numbers and dates of birth in any form (`deidentify.never_sent_in`) and names of
    the municipality's pupils and guardians (`deidentify.check` with the register's matches,
    `registered`; a protected pupil's name, answered "protected", counts as a registered name).
    An empty list: the message may pass."""
    if known is None:
        known = deidentify.configured(data["municipality"])
    found: set[Kind] = set()
    for text in texts_of(data):
        found.update(f.kind for f in deidentify.never_sent_in(text))
        spans = [(int(s), int(e), str(how)) for s, e, how in registered(text)]
        if spans:
            found.update(Kind.REGISTERED_NAME for f in deidentify.check(text, lexicon=lexicon, registered_spans=spans,
                                                                        known=known)
                         if f.kind in AS_REGISTERED_NAME)
    return [kind.value for kind in HELD_KINDS if kind in found]


def period_of(day: date) -> dict[str, Any]:
    return {"month": f"{day:%Y-%m}", "quarter": f"{day.year}-Q{(day.month - 1) // 3 + 1}", "year": day.year}


def bus_data(message: dict[str, Any]) -> dict[str, Any]:
    """The BusDeviation data for one DeviationSentToBus message that passed the check: the
    texts as the manager sent them."""
    data = message["data"]
    result = {name: data[name] for name in COPIED}
    result["description"] = data["description"]
    result["tried_locally"] = data.get("tried_locally", "")
    result["period"] = period_of(date.fromisoformat(data["occurred_on"]))
    return result


def bus_message(message: dict[str, Any]) -> dict[str, Any]:
    """The whole envelope on bus.deviations.v1; its event_id is derived from the municipal
    event's, so a republished duplicate carries the same id and consumers drop it."""
    data = bus_data(message)
    return {
        "event_id": str(uuid.uuid5(BUS_NAMESPACE, message["event_id"])),
        "event_type": BUS_EVENT,
        "schema_version": contract_for(BUS_EVENT).version,
        "occurred_at": message["occurred_at"],
        "aggregate_id": message["aggregate_id"],
        "aggregate_version": message["aggregate_version"],
        "municipality": data["municipality"],
        "data": data,
    }
