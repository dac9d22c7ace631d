"""What the directory publishes on stodspar.directory.v1: DirectoryPersonChanged, the person's
whole public state after each change (registration, change, removal, return, take-over), keyed
by the person's id. Structure only: never a name or a personnummer (those stay in the key store)."""
from __future__ import annotations

from typing import Any

from directory.domain.model import LOCAL, REGISTER, Person
from eventkit.config import topic
from eventkit.relay import PublicEvent
from eventkit.store import EventMeta

TOPIC = topic("stodspar.directory.v1")


def translate(event: Any, meta: EventMeta) -> PublicEvent | None:
    if not isinstance(event, Person.Event):
        return None
    state = event.state
    removed = bool(getattr(event, "removed_from_register", False))
    return PublicEvent("DirectoryPersonChanged", {
        "person_id": str(event.originator_id),
        "municipality": event.municipality,
        "source": LOCAL if isinstance(event, Person.RegisteredLocally) else REGISTER,
        "kinds": list(state["kinds"]),
        "protected": bool(state["protected"]),
        "removed_from_register": removed,
        "placements": [dict(p) for p in state["placements"]],
        "guardian_ids": list(state["guardian_ids"]),
        "duties": [dict(d) for d in state["duties"]],
        "changed_on": event.on.isoformat(),
    })
