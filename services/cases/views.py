"""Read shapes of the cases service: the case as plain JSON, its timeline, the delegations.
Plain values only; the frontend renders them in Swedish. The case's typed parts (frozen
dataclasses, enums) become the same JSON they were as dicts and strings."""
from __future__ import annotations

import dataclasses
import enum
from datetime import date
from typing import Any

from cases.domain.delegation import DelegationRegister
from cases.domain.model import SupportCase
from eventkit.store import EventMeta

_ENVELOPE = {"originator_id", "originator_version", "timestamp", "originator_topic"}


# What of the investigation is its content (R14), left out for a teacher who does not take part:
# in the case's parts, and in the history's events (a correction of one of its entries too).
INVESTIGATION_CONTENT = ("parts", "proposal", "without_team_reason")
INVESTIGATION_EVENT_CONTENT = {
    "InvestigationStarted": ("without_team_reason",),
    "InvestigationRecorded": ("parts",),
    "InvestigationConcluded": ("proposal",),
}


def details(case: SupportCase, today: date, *, investigation: bool = True) -> dict[str, Any]:
    """The case as plain JSON. `investigation` False: the investigations keep their course (who
    investigates, when it started and ended) without their content, marked `withheld`, and
    corrections of the investigation's entries are left out (R14)."""
    referral = _fields(case.referral) if case.referral else None
    if referral is not None:
        started = case.investigations[0].started_on if case.investigations else None
        referral["days_since_referral"] = (today - referral["referred_on"]).days
        referral["investigation_overdue"] = started is None and today > referral["investigation_due"]
        referral["decision_overdue"] = not case.decisions and today > referral["decision_due"]
    programme = case.programmes[-1] if case.programmes else None
    awaiting = case.decision_awaiting_programme()
    return jsonable({
        "case_id": str(case.id),
        "version": case.version,
        "municipality": case.municipality,
        "school_unit": case.school_unit,
        # Pseudonymous (ADR 0019/0020): what other services name the pupil by in their access
        # log and under which they keep their own key of the pupil's data (ADR 0021).
        "pupil_ref": case.pupil_ref or None,
        "pupil_name": case.pupil_name,
        "pupil_personal_number": case.pupil_personal_number,
        "opened_at": case.created_on,
        "status": case.status,
        "closed": case.closed,
        "extra_adaptations": case.adaptations,
        "referral": referral,
        "investigation": _investigation(case.open_investigation() or case.investigation, investigation),
        "investigations": [_investigation(i, investigation) for i in case.investigations],
        "investigation_withheld": not investigation,
        "invited_to_investigation": list(case.invited_to_investigation),
        "decisions": [_decision(d) for d in case.decisions],
        # R9: each appeal with where it stands (status, in time, complete, the day to forward it by)
        "appeals": [_appeal(a) for a in case.appeals],
        "appeal_pending": case.appeal_pending(),
        "programme": programme,
        "programme_in_force": case.programme_in_force() is not None,
        # The programme form is offered where issuing one is possible (R7): the decision's unit.
        "programme_to_issue": awaiting is not None and awaiting.school_unit == case.school_unit,
        "programmes": case.programmes,
        "participation": case.participation,
        "moves": case.moves,
        "corrections": [c for c in case.corrections if investigation or _kind(case, c.corrects_version) not in HIDDEN_ENTRIES],
        "correctable": {str(version): kind for version, (kind, _) in case.entries.items()
                        if investigation or kind not in HIDDEN_ENTRIES},
        # Each correctable entry's fields a correction may name, with their values now (R16).
        "correctable_fields": {str(version): case.correctable_fields(version) for version, (kind, _) in case.entries.items()
                               if investigation or kind not in HIDDEN_ENTRIES},
        "protected": case.protected,
        # What the register says of the pupil (followed from the directory): protected by the
        # register (beside rektor's marking), left the case's unit (R11), removed from the register.
        "protected_by_register": case.protected_by_register,
        "left_school_unit": case.left_school_unit if case.left_school_unit and case.left_school_unit.school_unit == case.school_unit else None,
        "removed_from_register": case.removed_from_register,
    })


def _decision(decision: Any) -> dict[str, Any]:
    shown = _fields(decision)
    shown["deliveries"] = [{**_fields(d), "last_day_to_appeal": d.last_day_to_appeal} for d in decision.deliveries]
    shown["in_force"] = decision.in_force
    return shown


def _appeal(appeal: Any) -> dict[str, Any]:
    return {**_fields(appeal), "status": appeal.status, "complete": appeal.complete, "forward_due": appeal.forward_due,
            "pending": appeal.pending, "decision_in_question": appeal.decision_in_question}


def _investigation(value: Any, visible: bool) -> Any:
    if value is None or visible:
        return value
    shown = {k: v for k, v in _fields(value).items() if k not in INVESTIGATION_CONTENT}
    return {**shown, "withheld": True}


# The correctable entries that are the investigation's content (R14): its parts and its proposal.
HIDDEN_ENTRIES = frozenset({"investigation", "proposal"})


def _kind(case: SupportCase, version: int) -> str | None:
    entry = case.entries.get(version)
    return entry[0] if entry else None


def timeline_entry(event: Any, meta: EventMeta, *, investigation: bool = True) -> dict[str, Any]:
    """One event of the history; without the investigation's content when `investigation` is
    False (R14), marked `withheld`."""
    data = {k: v for k, v in vars(event).items() if k not in _ENVELOPE and not k.startswith("_")}
    event_type = type(event).__name__
    content = INVESTIGATION_EVENT_CONTENT.get(event_type, ())
    if event_type == "Corrected" and data.get("kind") in HIDDEN_ENTRIES:
        content = ("value", "reason")
    withheld = not investigation and bool(content)
    if withheld:
        data = {k: v for k, v in data.items() if k not in content}
    return jsonable({
        "version": event.originator_version,
        "event_type": event_type,
        "at": event.timestamp,
        "actor": meta.actor,
        "role": meta.role,
        "corrects_version": data.get("corrects_version"),
        "data": data,
        **({"withheld": True} if withheld else {}),
    })


def delegations(register: DelegationRegister, history: list[dict[str, Any]], today: date) -> dict[str, Any]:
    return jsonable({
        "school_unit": register.school_unit,
        "delegations": [
            {**vars(g), "kinds": list(g.kinds),
             "in_force": g.valid_from <= today <= g.valid_to and (g.revoked_on is None or today < g.revoked_on)}
            for g in register.grants
        ],
        "history": history,
    })


def _fields(value: Any) -> dict[str, Any]:
    return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}


def jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return jsonable(_fields(value))
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
