"""Events of three support cases and a delegation register exactly as the case service stored
them before case state was typed (commit d63b3da: referral, investigations, decisions and
programmes kept as dicts): tests/data/cases/stored_before_typed_state.json. Each load gives
the aggregates new ids, so the fixture can go into a shared event store more than once.

Never regenerate the fixture with newer code: its point is that it was written by the old."""
from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from eventsourcing.persistence import StoredEvent

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "cases" / "stored_before_typed_state.json"
DELEGATIONS = "delegations_0180_eng"  # a register's id is derived from its unit: kept as stored


def store_old_events(recorder: Any) -> dict[str, uuid.UUID]:
    """Inserts the fixture's events with `recorder`; the aggregates' ids by their fixture name."""
    aggregates = json.loads(FIXTURE.read_text(encoding="utf-8"))["aggregates"]
    ids = {name: uuid.uuid4() for name in aggregates if name != DELEGATIONS}
    stored = [
        StoredEvent(originator_id=aggregate_id, originator_version=e["version"], topic=e["topic"],
                    state=e["state"].encode())
        for name, aggregate_id in ids.items() for e in aggregates[name]
    ]
    recorder.insert_events(stored)
    return ids


def old_delegation_events() -> list[dict[str, Any]]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))["aggregates"][DELEGATIONS]
