"""The pupil's cases follow the register: `python -m cases.entrypoints.directory_listener`.

Listens to stodspar.directory.v1 for DirectoryPersonChanged (the directory's public event, ADR
0026; structure only, never a name or a personnummer) and hands a pupil's change to the cases
application (`follow_register`): the register's protection set or lifted (R14; the unit's rektors,
from the directory's staff list, granted when it protects an existing case), the placement at a
case's unit ended (R11), removed from the register. At least once and idempotent: the offset is
committed only after the cases have followed the change, a failure (database or directory away)
is retried, never skipped, and news a case already follows changes nothing. Ids only in logs.
"""
from __future__ import annotations

import json
import logging
from datetime import date
from typing import Any

from cases.bootstrap import application, directory
from cases.domain.values import RegisterChange
from eventkit.config import topic
from eventkit.dates import local_today
from eventkit.contracts import validate_message
from eventkit.listener import UNREADABLE, run_listener

TOPIC = topic("stodspar.directory.v1")
GROUP = "stodspar-cases-directory"
EVENT = "DirectoryPersonChanged"
log = logging.getLogger("cases.directory_listener")


def _day(value: Any) -> date | None:
    return date.fromisoformat(str(value)) if value else None


def change_in(value: bytes | None) -> RegisterChange | None:
    """The pupil's change, if the message is a DirectoryPersonChanged about a pupil (checked
    against its contract); None for anything else."""
    message = json.loads(value or b"{}")
    if message.get("event_type") != EVENT:
        return None
    validate_message(message)
    data = message["data"]
    if "pupil" not in data.get("kinds", ()):
        return None
    return RegisterChange(
        pupil_ref=str(data["person_id"]), municipality=message.get("municipality") or data["municipality"],
        protected=bool(data["protected"]), removed_from_register=bool(data["removed_from_register"]),
        placements=tuple((p["school_unit"], _day(p.get("end_date"))) for p in data.get("placements") or ()),
        changed_on=_day(data.get("changed_on")) or local_today(),
    )


def follow(change: RegisterChange) -> int:
    return application().follow_register(change, directory().rektors)


def act(change: RegisterChange) -> int:
    """The pupil's cases follow the change; how many changed (then the offset is committed at once)."""
    changed = follow(change)
    if changed:
        log.info("%d case(s) of pupil %s follow the register", changed, change.pupil_ref)
    return changed


def main() -> None:
    # A message that breaks the contract cannot be followed; it is passed over, not retried forever.
    run_listener("cases-directory", TOPIC, GROUP, change_in, act, application, passed_over=UNREADABLE)


if __name__ == "__main__":
    main()
