"""Which domain events the competence service publishes on stodspar.competence.v1.

Structure only: ids, parties, statuses, dates and hours. The wording of the mission, goals,
follow-up reports, analyses, actions, needs and activities stays in the service (a follow-up
report may mention a class or a pupil), and so does the special educator's profile. Nothing
here is about a pupil.
"""
from __future__ import annotations

from typing import Any

from competence.domain.cycle import DESCRIPTION, QualityCycle
from competence.domain.mission import Mission
from eventkit.config import topic
from eventkit.relay import PublicEvent
from eventkit.store import EventMeta

TOPIC = topic("stodspar.competence.v1")


def _on(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def translate(event: Any, meta: EventMeta) -> PublicEvent | None:
    mission_id = str(event.originator_id)
    if isinstance(event, Mission.Started):
        return PublicEvent("MissionStarted", {
            "mission_id": mission_id, "school_unit": event.school_unit, "special_educator": event.special_educator,
            "rektor": event.rektor, "started_on": _on(event.on)})
    if isinstance(event, Mission.Described):
        return PublicEvent("MissionDescribed", {"mission_id": mission_id, "revision": event.revision,
                                                "described_on": _on(event.on)})
    if isinstance(event, QualityCycle.Confirmed):
        return PublicEvent("AgreementConfirmed", {
            "mission_id": mission_id, "subject": "mission_description" if event.subject == DESCRIPTION else event.subject,
            "subject_id": event.subject_id, "party": event.party, "confirmed_on": _on(event.on),
            "in_force": event.complete})
    if isinstance(event, QualityCycle.GoalProposed):
        return PublicEvent("GoalProposed", {
            "mission_id": mission_id, "goal_id": event.goal_id, "follow_up_dates": [_on(d) for d in event.follow_up_dates],
            "replaces": event.replaces, "because_of": event.because_of, "proposed_on": _on(event.on)})
    if isinstance(event, QualityCycle.FollowUpReported):
        return PublicEvent("GoalFollowedUp", {
            "mission_id": mission_id, "goal_id": event.goal_id, "report_id": event.report_id,
            "scheduled_for": _on(event.scheduled_for), "reported_on": _on(event.on)})
    if isinstance(event, QualityCycle.GoalAssessed):
        return PublicEvent("GoalAssessed", {
            "mission_id": mission_id, "goal_id": event.goal_id, "assessment_id": event.assessment_id,
            "attainment": event.attainment, "based_on": list(event.based_on), "assessed_on": _on(event.on)})
    if isinstance(event, QualityCycle.ImprovementActionDecided):
        return PublicEvent("ImprovementActionDecided", {
            "mission_id": mission_id, "goal_id": event.goal_id, "assessment_id": event.assessment_id,
            "action_id": event.action_id, "decided_on": _on(event.on)})
    if isinstance(event, Mission.CompetenceNeedMapped):
        return PublicEvent("CompetenceNeedMapped", {"mission_id": mission_id, "need_id": event.need_id,
                                                    "mapped_on": _on(event.on)})
    if isinstance(event, Mission.ActivityPlanned):
        return PublicEvent("DevelopmentActivityPlanned", {
            "mission_id": mission_id, "activity_id": event.activity_id, "need_id": event.need_id,
            "planned_hours": event.planned_hours, "planned_by": _on(event.planned_by), "planned_on": _on(event.on)})
    if isinstance(event, Mission.TimeAllotted):
        return PublicEvent("DevelopmentTimeAllotted", {"mission_id": mission_id, "activity_id": event.activity_id,
                                                       "hours": event.hours, "allotted_on": _on(event.on)})
    if isinstance(event, Mission.ActivityCompleted):
        return PublicEvent("DevelopmentActivityCompleted", {"mission_id": mission_id, "activity_id": event.activity_id,
                                                            "hours": event.hours, "completed_on": _on(event.completed_on)})
    if isinstance(event, Mission.SupervisionArranged):
        return PublicEvent("SupervisionArranged", {"mission_id": mission_id, "provider": event.provider,
                                                   "sessions_per_term": event.sessions_per_term,
                                                   "arranged_on": _on(event.on)})
    if isinstance(event, Mission.SupervisionHeld):
        return PublicEvent("SupervisionHeld", {"mission_id": mission_id, "session_id": event.session_id,
                                               "held_on": _on(event.held_on), "minutes": event.minutes})
    return None
