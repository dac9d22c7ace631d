"""From the municipal topic to the regional stream: each DeviationSentToBus becomes one
BusDeviation message on bus.deviations.v1 (the interface for the BUS secretariat's own
systems, docs/bus-stream.md). Pure functions; the faust agent in app.py does the I/O.

Only the de-identified fields cross, listed here by name; the texts pass once more through
the identity-number redaction as a last line of defence (the deviations service has already
refused any report that still held one, R22).
"""
from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from eventkit.contracts import contract_for
from eventkit.personal_data import redact_identity_numbers

MUNICIPAL_TOPIC = "stodspar.deviations.v1"
BUS_TOPIC = "bus.deviations.v1"
SENT_EVENT = "DeviationSentToBus"
BUS_EVENT = "BusDeviation"
BUS_NAMESPACE = uuid.UUID("0b7f4a52-39a4-4e0e-a4f5-6f1f1c3e2b90")
COPIED = ("deviation_id", "municipality", "reported_by", "organisations", "arose_in", "category",
          "occurred_on", "principled", "sent_on")


def period_of(day: date) -> dict[str, Any]:
    return {"month": f"{day:%Y-%m}", "quarter": f"{day.year}-Q{(day.month - 1) // 3 + 1}", "year": day.year}


def bus_data(message: dict[str, Any]) -> dict[str, Any]:
    """The BusDeviation data for one DeviationSentToBus message."""
    data = message["data"]
    result = {name: data[name] for name in COPIED}
    result["description"] = redact_identity_numbers(data["description"])
    result["tried_locally"] = redact_identity_numbers(data.get("tried_locally", ""))
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
