"""Following the cases service's disposals (R17): a service that keeps personal data of a pupil
under keys of its own (documentation, ADR 0021; deviations, ADR 0024) listens to
stodspar.cases.v1 for PupilRecordsDisposed and disposes of its part.

`run_disposal_listener(name, group, dispose)` is the whole process: at least once and
idempotent (the service's `dispose` finds a disposal it already recorded and destroys whatever
is left); the offset is committed only after `dispose` returned, and a failing `dispose`
(database away) is retried, never skipped. Ids only in logs.
"""
from __future__ import annotations

import json
import logging
from datetime import date
from typing import Any, Callable

from eventkit.config import topic
from eventkit.contracts import validate_message
from eventkit.listener import run_listener

TOPIC = topic("stodspar.cases.v1")
Dispose = Callable[..., Any]  # (pupil_ref, case_ids, municipality, disposed_on, event_id) → anything


def disposal_in(value: bytes | None) -> dict[str, Any] | None:
    """What to dispose of, if the message is a PupilRecordsDisposed (checked against its contract)."""
    message = json.loads(value or b"{}")
    if message.get("event_type") != "PupilRecordsDisposed":
        return None
    validate_message(message)
    data = message["data"]
    return {
        "pupil_ref": data["pupil_ref"], "case_ids": list(data["case_ids"]), "municipality": message["municipality"],
        "disposed_on": date.fromisoformat(data["disposed_on"]), "event_id": message["event_id"],
    }


def run_disposal_listener(name: str, group: str, application: Callable[[], Any], dispose: Dispose) -> None:
    """The process: `application()` first (tables and keys before the first message), then each
    disposal handed to `dispose`, committed at once when done."""
    def act(disposal: dict[str, Any]) -> bool:
        dispose(**disposal)
        logging.getLogger(name).info("disposed of what pupil %s had here", disposal["pupil_ref"])
        return True

    run_listener(name, TOPIC, group, disposal_in, act, application)
