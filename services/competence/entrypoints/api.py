"""The competence service's JSON API (OpenAPI at /docs). Handlers translate; rules live in
the domain, authorization in the application."""
from __future__ import annotations

from datetime import date
from uuid import UUID

from fastapi import Depends
from pydantic import BaseModel, ConfigDict, Field

from competence.application import CompetenceApplication, MissionNotFound
from competence.bootstrap import application
from competence.domain.values import Attainment, Qualification, Specialisation, SupervisionProvider
from eventkit import authz
from eventkit.http import answer_errors, conflict, current_identity, not_found, service_api
from eventkit.identity import Identity
from eventkit.vocabulary import literal_of
from eventkit.store import VersionConflict

app = service_api("Stödspår – kompetens och kvalitetsarbete (competence)", audience="competence")
# The policy entries each kind of operation is decided by (eventkit.authz.operation).
READING = authz.operation("competence.read")
WRITING = authz.operation("competence.write")

Id = Field(min_length=1, max_length=64)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Versioned(Strict):
    expected_version: int | None = Field(default=None, ge=1)


class Profile(Strict):
    degree: str = Field(max_length=300)
    qualification: literal_of(Qualification)
    specialisations: list[literal_of(Specialisation)] = Field(default_factory=list, max_length=len(Specialisation))


class Start(Strict):
    school_unit: str = Id
    special_educator: str = Id


class Text(Versioned):
    text: str = Field(max_length=4000)


class Revision(Versioned):
    revision: int = Field(ge=1)


class Goal(Versioned):
    text: str = Field(max_length=2000)
    follow_up_dates: list[date] = Field(max_length=12)
    replaces: str | None = Field(default=None, max_length=64)
    because_of: str | None = Field(default=None, max_length=64)


class Assessment(Versioned):
    attainment: literal_of(Attainment)
    analysis: str = Field(max_length=4000)


class Action(Versioned):
    assessment_id: str = Id
    text: str = Field(max_length=2000)


class Activity(Versioned):
    need_id: str = Id
    title: str = Field(max_length=300)
    planned_hours: float
    planned_by: date | None = None


class Hours(Versioned):
    hours: float


class Completion(Versioned):
    completed_on: date
    hours: float


class Supervision(Versioned):
    provider: literal_of(SupervisionProvider)
    sessions_per_term: int


class Session(Versioned):
    held_on: date
    minutes: int


def competence() -> CompetenceApplication:
    return application()


answer_errors(app, {
    MissionNotFound: not_found("Uppdraget finns inte, eller så har du inte behörighet till det."),
    VersionConflict: conflict(
        "Någon annan har sparat i uppdraget efter att du öppnade det. Ladda om sidan och gör ändringen igen."),
})


Who = Depends(current_identity)
App = Depends(competence)


# -- profile --------------------------------------------------------------------------------------
@app.get("/profiles/{user_id}", **READING)
def get_profile(user_id: str, who: Identity = Who, c: CompetenceApplication = App):
    return c.profile(who, user_id)


@app.put("/profiles/me", **authz.operation("competence.write", "competence.profile.write"))
def put_profile(body: Profile, who: Identity = Who, c: CompetenceApplication = App):
    return {"changed": c.record_profile(who, **body.model_dump())}


# -- missions ---------------------------------------------------------------------------------------
@app.post("/missions", status_code=201, **authz.operation("competence.write", "competence.start"))
def start(body: Start, who: Identity = Who, c: CompetenceApplication = App):
    return {"mission_id": str(c.start_mission(who, **body.model_dump()))}


@app.get("/missions", **READING)
def missions(who: Identity = Who, c: CompetenceApplication = App):
    return {"rows": c.missions(who)}


@app.get("/missions/{mission_id}", **READING)
def details(mission_id: UUID, who: Identity = Who, c: CompetenceApplication = App):
    return c.details(who, mission_id)


@app.get("/missions/{mission_id}/history", **READING)
def history(mission_id: UUID, who: Identity = Who, c: CompetenceApplication = App):
    return {"events": c.history(who, mission_id)}


@app.post("/missions/{mission_id}/description", status_code=201, **WRITING)
def describe(mission_id: UUID, body: Text, who: Identity = Who, c: CompetenceApplication = App):
    return {"revision": c.describe(who, mission_id, body.text, body.expected_version)}


@app.post("/missions/{mission_id}/description/confirmation", status_code=201, **WRITING)
def confirm_description(mission_id: UUID, body: Revision, who: Identity = Who, c: CompetenceApplication = App):
    return {"in_force": c.confirm_description(who, mission_id, body.revision, body.expected_version)}


@app.post("/missions/{mission_id}/goals", status_code=201, **WRITING)
def propose_goal(mission_id: UUID, body: Goal, who: Identity = Who, c: CompetenceApplication = App):
    return {"goal_id": c.propose_goal(who, mission_id, **body.model_dump())}


@app.get("/missions/{mission_id}/goals/{goal_id}", **READING)
def goal(mission_id: UUID, goal_id: str, who: Identity = Who, c: CompetenceApplication = App):
    return c.goal(who, mission_id, goal_id)


@app.post("/missions/{mission_id}/goals/{goal_id}/confirmation", status_code=201, **WRITING)
def confirm_goal(mission_id: UUID, goal_id: str, body: Versioned, who: Identity = Who, c: CompetenceApplication = App):
    return {"in_force": c.confirm_goal(who, mission_id, goal_id, body.expected_version)}


@app.post("/missions/{mission_id}/goals/{goal_id}/follow-ups", status_code=201, **WRITING)
def follow_up(mission_id: UUID, goal_id: str, body: Text, who: Identity = Who, c: CompetenceApplication = App):
    return {"report_id": c.report_follow_up(who, mission_id, goal_id, body.text, body.expected_version)}


@app.post("/missions/{mission_id}/goals/{goal_id}/assessments", status_code=201, **WRITING)
def assess(mission_id: UUID, goal_id: str, body: Assessment, who: Identity = Who, c: CompetenceApplication = App):
    return {"assessment_id": c.assess_goal(who, mission_id, goal_id, **body.model_dump())}


@app.post("/missions/{mission_id}/assessments/{assessment_id}/confirmation", status_code=201, **WRITING)
def confirm_assessment(mission_id: UUID, assessment_id: str, body: Versioned, who: Identity = Who,
                       c: CompetenceApplication = App):
    return {"joint": c.confirm_assessment(who, mission_id, assessment_id, body.expected_version)}


@app.post("/missions/{mission_id}/goals/{goal_id}/actions", status_code=201, **WRITING)
def decide_action(mission_id: UUID, goal_id: str, body: Action, who: Identity = Who, c: CompetenceApplication = App):
    return {"action_id": c.decide_action(who, mission_id, goal_id, **body.model_dump())}


@app.post("/missions/{mission_id}/needs", status_code=201, **WRITING)
def map_need(mission_id: UUID, body: Text, who: Identity = Who, c: CompetenceApplication = App):
    return {"need_id": c.map_need(who, mission_id, body.text, body.expected_version)}


@app.post("/missions/{mission_id}/activities", status_code=201, **WRITING)
def plan_activity(mission_id: UUID, body: Activity, who: Identity = Who, c: CompetenceApplication = App):
    return {"activity_id": c.plan_activity(who, mission_id, **body.model_dump())}


@app.post("/missions/{mission_id}/activities/{activity_id}/allotment", status_code=201, **WRITING)
def allot(mission_id: UUID, activity_id: str, body: Hours, who: Identity = Who, c: CompetenceApplication = App):
    c.allot_time(who, mission_id, activity_id, body.hours, body.expected_version)
    return {"activity_id": activity_id}


@app.post("/missions/{mission_id}/activities/{activity_id}/completion", status_code=201, **WRITING)
def complete(mission_id: UUID, activity_id: str, body: Completion, who: Identity = Who, c: CompetenceApplication = App):
    c.complete_activity(who, mission_id, activity_id, **body.model_dump())
    return {"activity_id": activity_id}


@app.post("/missions/{mission_id}/supervision", status_code=201, **WRITING)
def arrange_supervision(mission_id: UUID, body: Supervision, who: Identity = Who, c: CompetenceApplication = App):
    c.arrange_supervision(who, mission_id, **body.model_dump())
    return {"mission_id": str(mission_id)}


@app.post("/missions/{mission_id}/supervision/sessions", status_code=201, **WRITING)
def record_supervision(mission_id: UUID, body: Session, who: Identity = Who, c: CompetenceApplication = App):
    return {"session_id": c.record_supervision(who, mission_id, **body.model_dump())}
