"""Plain values of a mission and a profile for the API: rows, the mission page, a goal's
chain in both directions, and the history."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from competence.domain.mission import Mission
from competence.domain.profile import EducatorProfile
from competence.domain.values import Party
from eventkit.store import EventMeta

DUE_WITHIN = timedelta(days=14)

EVENT_LABELS = {
    "Started": "Uppdraget påbörjades",
    "Described": "Uppdragsbeskrivningen skrevs",
    "Confirmed": "Bekräftelse",
    "GoalProposed": "Mål formulerades",
    "FollowUpReported": "Uppföljning rapporterades",
    "GoalAssessed": "Måluppfyllelsen bedömdes",
    "ImprovementActionDecided": "Förbättringsåtgärd beslutades",
    "CompetenceNeedMapped": "Kompetensbehov kartlades",
    "ActivityPlanned": "Utvecklingsaktivitet planerades",
    "TimeAllotted": "Rektor avsatte tid",
    "ActivityCompleted": "Utvecklingsaktivitet genomfördes",
    "SupervisionArranged": "Tillgång till handledning ordnades",
    "SupervisionHeld": "Handledning genomfördes",
    "Recorded": "Profilen skrevs",
    "Changed": "Profilen ändrades",
}


def iso(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: iso(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [iso(v) for v in value]
    return value.isoformat() if hasattr(value, "isoformat") else value


def _awaiting(confirmed: dict, party: Party) -> bool:
    return party.value not in confirmed


def goal_view(mission: Mission, goal_id: str, party: Party, today: date) -> dict[str, Any]:
    goal = mission.goals[goal_id]
    status = mission.goal_status(goal_id)
    upcoming = mission.next_follow_up(goal_id) if status == "in_force" else None
    joint = [mission.assessments[a] for a in goal["assessments"] if mission.assessments[a]["joint_on"]]
    return iso({
        **{k: v for k, v in goal.items() if k != "confirmed"},
        "confirmed_by": {p: c["by"] for p, c in goal["confirmed"].items()},
        "status": status,
        "awaiting_my_confirmation": _awaiting(goal["confirmed"], party),
        "next_follow_up": upcoming,
        "follow_up_overdue": bool(upcoming and upcoming < today),
        "follow_up_due": bool(upcoming and today <= upcoming <= today + DUE_WITHIN),
        "attainment": joint[-1]["attainment"] if joint else None,
    })


def _assessment_view(mission: Mission, assessment_id: str, party: Party) -> dict[str, Any]:
    a = mission.assessments[assessment_id]
    return iso({**{k: v for k, v in a.items() if k != "confirmed"},
                "confirmed_by": {p: c["by"] for p, c in a["confirmed"].items()},
                "awaiting_my_confirmation": _awaiting(a["confirmed"], party)})


def mission_row(mission: Mission, party: Party, today: date) -> dict[str, Any]:
    goals = [goal_view(mission, g, party, today) for g in mission.goals]
    return {
        "mission_id": str(mission.id), "school_unit": mission.school_unit, "special_educator": mission.special_educator,
        "rektor": mission.started_by, "started_on": mission.started_on.isoformat(), "party": party.value,
        "in_force": mission.in_force,
        "goals_in_force": sum(1 for g in goals if g["status"] == "in_force"),
        "goals_proposed": sum(1 for g in goals if g["status"] == "proposed"),
        "follow_ups_overdue": sum(1 for g in goals if g["follow_up_overdue"]),
        "awaiting_me": sum(1 for g in goals if g["status"] == "proposed" and g["awaiting_my_confirmation"])
        + (1 if mission.description and not mission.in_force and _awaiting(mission.description["confirmed"], party) else 0),
    }


def mission_details(mission: Mission, party: Party, today: date) -> dict[str, Any]:
    description = mission.description
    activities = list(mission.activities.values())
    return {
        **mission_row(mission, party, today),
        "version": mission.version,
        "description": iso({**{k: v for k, v in description.items() if k != "confirmed"},
                            "confirmed_by": {p: c["by"] for p, c in description["confirmed"].items()},
                            "awaiting_my_confirmation": _awaiting(description["confirmed"], party)})
        if description else None,
        "goals": [goal_view(mission, g, party, today) for g in mission.goals],
        "reports": iso(list(mission.reports.values())),
        "assessments": [_assessment_view(mission, a, party) for a in mission.assessments],
        "actions": iso(list(mission.actions.values())),
        "needs": iso(list(mission.needs.values())),
        "activities": iso(activities),
        "plan": {
            "planned_hours": sum(a["planned_hours"] for a in activities),
            "allotted_hours": sum(a["allotted_hours"] or 0 for a in activities),
            "done_hours": sum(a["hours_spent"] or 0 for a in activities),
            "activities": len(activities),
            "completed": sum(1 for a in activities if a["completed_on"]),
        },
        "supervision": iso(mission.supervision),
        "sessions": iso(mission.sessions),
    }


def goal_chain(mission: Mission, goal_id: str, party: Party, today: date) -> dict[str, Any]:
    """The goal with its follow-ups, assessments and actions, the goals it replaced (oldest
    first) and the goals that replaced it (R13: navigable both ways)."""
    earlier, current = [], mission.goals[goal_id]["replaces"]
    while current:
        earlier.insert(0, goal_view(mission, current, party, today))
        current = mission.goals[current]["replaces"]
    later, frontier = [], list(mission.goals[goal_id]["replaced_by"])
    while frontier:
        following = frontier.pop(0)
        later.append(goal_view(mission, following, party, today))
        frontier.extend(mission.goals[following]["replaced_by"])
    goal = mission.goals[goal_id]
    return {
        "mission_id": str(mission.id), "school_unit": mission.school_unit, "special_educator": mission.special_educator,
        "party": party.value, "version": mission.version,
        "goal": goal_view(mission, goal_id, party, today),
        "reports": iso([mission.reports[r] for r in goal["reports"]]),
        "assessments": [_assessment_view(mission, a, party) for a in goal["assessments"]],
        "actions": iso([mission.actions[a] for a in goal["actions"]]),
        "because_of": iso(mission.actions.get(goal["because_of"] or "")),
        "earlier": earlier,
        "later": later,
    }


def history_entry(event: Any, meta: EventMeta) -> dict[str, Any]:
    kind = type(event).__name__
    entry = {"at": event.timestamp.isoformat(), "by": meta.actor, "role": meta.role, "event": kind,
             "label": EVENT_LABELS.get(kind, kind), "version": event.originator_version}
    for key in ("goal_id", "assessment_id", "action_id", "activity_id", "subject", "subject_id", "party", "complete",
                "attainment", "replaces", "revision"):
        if hasattr(event, key):
            entry[key] = getattr(event, key)
    return entry


def profile_details(user_id: str, profile: EducatorProfile | None, history: list[dict[str, Any]]) -> dict[str, Any]:
    if profile is None:
        return {"user_id": user_id, "recorded": False, "degree": "", "qualification": "", "specialisations": [],
                "history": []}
    return {"user_id": user_id, "recorded": True, "degree": profile.degree, "qualification": profile.qualification,
            "specialisations": profile.specialisations, "version": profile.version, "history": history}
