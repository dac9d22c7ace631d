"""Which domain events the documentation service publishes on stodspar.documentation.v1.

Only what rektor's quality view counts: level, kind, date, minutes, the unit and the special
educator. The pupil's case, the group's name, the hinders and supports with their notes and
every other text stay inside the service (R14).
"""
from __future__ import annotations

from typing import Any

from documentation.domain.model import Intervention
from eventkit.config import topic
from eventkit.relay import PublicEvent
from eventkit.store import EventMeta

TOPIC = topic("stodspar.documentation.v1")


def _facts(event: Any, state: dict[str, Any]) -> dict[str, Any]:
    return {
        "intervention_id": str(event.originator_id),
        "school_unit": state["school_unit"],
        "level": state["level"],
        "kind": state["kind"],
        "performed_on": state["performed_on"].isoformat(),
        "minutes": state["minutes"],
        "special_educator": state["special_educator"],
    }


def translate(event: Any, meta: EventMeta) -> PublicEvent | None:
    if isinstance(event, Intervention.Recorded):
        return PublicEvent("InterventionRecorded", _facts(event, vars(event)))
    if isinstance(event, Intervention.Corrected):
        changes = event.changes
        if not {"kind", "performed_on", "minutes"} & set(changes):
            return None  # only texts, hinders or supports changed: nothing public changed
        data = {"intervention_id": str(event.originator_id), "corrects_version": event.corrects_version}
        for name in ("kind", "minutes"):
            if name in changes:
                data[name] = changes[name]
        if "performed_on" in changes:
            data["performed_on"] = changes["performed_on"].isoformat()
        return PublicEvent("InterventionCorrected", data)
    if isinstance(event, Intervention.Withdrawn):
        return PublicEvent("InterventionWithdrawn", {
            "intervention_id": str(event.originator_id), "corrects_version": event.corrects_version,
        })
    return None
