"""The quality read model in PostgreSQL, and the idempotent updates that build it.

As the follow-up projection: each event is applied in one transaction together with a row in
`processed_event`; a second delivery finds the row and changes nothing. The worker
(eventkit.projection) commits a message's offset only after that transaction, so at-least-once
delivery gives an exactly-once view. A message of another major version of its contract than
1 is recorded and changes nothing here. Events of one mission arrive in order (keyed by mission id on one partition).
"""
from __future__ import annotations

from typing import Any

import psycopg

from eventkit.config import topic
from eventkit.projection import Handler, Projection

# What the view is built from (and rebuilt from: projections.rebuild).
TOPICS = (topic("stodspar.competence.v1"), topic("stodspar.documentation.v1"))

SCHEMA = """
CREATE TABLE IF NOT EXISTS quality_mission (
    mission_id uuid PRIMARY KEY,
    municipality text NOT NULL,
    school_unit text NOT NULL,
    special_educator text NOT NULL,
    rektor text NOT NULL,
    started_on date NOT NULL,
    description_revision integer NOT NULL DEFAULT 0,
    description_in_force_on date,
    needs integer NOT NULL DEFAULT 0,
    supervision_provider text,
    sessions_per_term integer
);
CREATE INDEX IF NOT EXISTS quality_mission_unit ON quality_mission (municipality, school_unit);
CREATE INDEX IF NOT EXISTS quality_mission_educator ON quality_mission (municipality, special_educator);
CREATE TABLE IF NOT EXISTS quality_goal (
    goal_id uuid PRIMARY KEY,
    mission_id uuid NOT NULL,
    replaces uuid,
    proposed_on date NOT NULL,
    follow_up_dates date[] NOT NULL,
    follow_ups_done integer NOT NULL DEFAULT 0,
    last_follow_up_on date,
    parties text[] NOT NULL DEFAULT '{}',
    in_force_on date,
    replaced_on date,
    attainment text,
    assessed_on date,
    actions integer NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS quality_goal_mission ON quality_goal (mission_id);
CREATE TABLE IF NOT EXISTS quality_assessment (
    assessment_id uuid PRIMARY KEY,
    goal_id uuid NOT NULL,
    attainment text NOT NULL,
    assessed_on date NOT NULL,
    joint_on date
);
CREATE TABLE IF NOT EXISTS quality_activity (
    activity_id uuid PRIMARY KEY,
    mission_id uuid NOT NULL,
    planned_hours numeric NOT NULL,
    planned_by date,
    allotted_hours numeric,
    hours_spent numeric,
    completed_on date
);
CREATE INDEX IF NOT EXISTS quality_activity_mission ON quality_activity (mission_id);
CREATE TABLE IF NOT EXISTS quality_supervision (
    session_id uuid PRIMARY KEY,
    mission_id uuid NOT NULL,
    held_on date NOT NULL,
    minutes integer NOT NULL
);
CREATE INDEX IF NOT EXISTS quality_supervision_mission ON quality_supervision (mission_id, held_on);
-- From the documentation service's InterventionRecorded (v1): structure only, no pupil.
CREATE TABLE IF NOT EXISTS quality_intervention (
    intervention_id uuid PRIMARY KEY,
    municipality text NOT NULL,
    school_unit text NOT NULL,
    level text NOT NULL,
    kind text NOT NULL,
    performed_on date NOT NULL,
    minutes integer NOT NULL,
    special_educator text NOT NULL,
    withdrawn boolean NOT NULL DEFAULT false
);
ALTER TABLE quality_intervention ADD COLUMN IF NOT EXISTS withdrawn boolean NOT NULL DEFAULT false;
CREATE INDEX IF NOT EXISTS quality_intervention_unit ON quality_intervention (municipality, school_unit, performed_on);
"""


def _sql(statement: str):
    """A handler that runs one statement with the event's data (and its envelope's municipality)."""

    async def handle(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
        optional = {"kind": None, "performed_on": None, "minutes": None}  # absent in a correction
        await conn.execute(statement, {**optional, **m["data"], "municipality": m["municipality"]})

    return handle


async def _confirmed(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
    data = m["data"]
    if data["subject"] == "mission_description":
        if data["in_force"]:
            await conn.execute(
                "UPDATE quality_mission SET description_in_force_on = %(confirmed_on)s"
                " WHERE mission_id = %(mission_id)s AND description_revision::text = %(subject_id)s", data)
    elif data["subject"] == "goal":
        await conn.execute(
            "UPDATE quality_goal SET parties = array_append(parties, %(party)s),"
            " in_force_on = CASE WHEN %(in_force)s THEN %(confirmed_on)s::date ELSE in_force_on END"
            " WHERE goal_id = %(subject_id)s::uuid", data)
        if data["in_force"]:  # a revised goal in force replaces the goal it revises (R13)
            await conn.execute(
                "UPDATE quality_goal o SET replaced_on = coalesce(o.replaced_on, %(confirmed_on)s::date)"
                " FROM quality_goal n WHERE n.goal_id = %(subject_id)s::uuid AND o.goal_id = n.replaces", data)
    elif data["subject"] == "assessment" and data["in_force"]:
        await conn.execute(
            "UPDATE quality_assessment SET joint_on = %(confirmed_on)s WHERE assessment_id = %(subject_id)s::uuid", data)
        await conn.execute(
            "UPDATE quality_goal g SET attainment = a.attainment, assessed_on = a.assessed_on"
            " FROM quality_assessment a WHERE a.assessment_id = %(subject_id)s::uuid AND g.goal_id = a.goal_id", data)


_HANDLERS = {
    "MissionStarted": _sql(
        "INSERT INTO quality_mission (mission_id, municipality, school_unit, special_educator, rektor, started_on)"
        " VALUES (%(mission_id)s, %(municipality)s, %(school_unit)s, %(special_educator)s, %(rektor)s, %(started_on)s)"
        " ON CONFLICT DO NOTHING"),
    "MissionDescribed": _sql(
        "UPDATE quality_mission SET description_revision = %(revision)s, description_in_force_on = NULL"
        " WHERE mission_id = %(mission_id)s"),
    "AgreementConfirmed": _confirmed,
    "GoalProposed": _sql(
        "INSERT INTO quality_goal (goal_id, mission_id, replaces, proposed_on, follow_up_dates)"
        " VALUES (%(goal_id)s, %(mission_id)s, %(replaces)s, %(proposed_on)s, %(follow_up_dates)s::date[])"
        " ON CONFLICT DO NOTHING"),
    "GoalFollowedUp": _sql(
        "UPDATE quality_goal SET follow_ups_done = follow_ups_done + 1, last_follow_up_on = %(reported_on)s"
        " WHERE goal_id = %(goal_id)s"),
    "GoalAssessed": _sql(
        "INSERT INTO quality_assessment (assessment_id, goal_id, attainment, assessed_on)"
        " VALUES (%(assessment_id)s, %(goal_id)s, %(attainment)s, %(assessed_on)s) ON CONFLICT DO NOTHING"),
    "ImprovementActionDecided": _sql("UPDATE quality_goal SET actions = actions + 1 WHERE goal_id = %(goal_id)s"),
    "CompetenceNeedMapped": _sql("UPDATE quality_mission SET needs = needs + 1 WHERE mission_id = %(mission_id)s"),
    "DevelopmentActivityPlanned": _sql(
        "INSERT INTO quality_activity (activity_id, mission_id, planned_hours, planned_by)"
        " VALUES (%(activity_id)s, %(mission_id)s, %(planned_hours)s, %(planned_by)s) ON CONFLICT DO NOTHING"),
    "DevelopmentTimeAllotted": _sql(
        "UPDATE quality_activity SET allotted_hours = %(hours)s WHERE activity_id = %(activity_id)s"),
    "DevelopmentActivityCompleted": _sql(
        "UPDATE quality_activity SET hours_spent = %(hours)s, completed_on = %(completed_on)s"
        " WHERE activity_id = %(activity_id)s"),
    "SupervisionArranged": _sql(
        "UPDATE quality_mission SET supervision_provider = %(provider)s, sessions_per_term = %(sessions_per_term)s"
        " WHERE mission_id = %(mission_id)s"),
    "SupervisionHeld": _sql(
        "INSERT INTO quality_supervision (session_id, mission_id, held_on, minutes)"
        " VALUES (%(session_id)s, %(mission_id)s, %(held_on)s, %(minutes)s) ON CONFLICT DO NOTHING"),
    # The documentation service's contract (stodspar.documentation.v1, InterventionRecorded v1).
    "InterventionRecorded": _sql(
        "INSERT INTO quality_intervention (intervention_id, municipality, school_unit, level, kind, performed_on,"
        " minutes, special_educator) VALUES (%(intervention_id)s, %(municipality)s, %(school_unit)s, %(level)s,"
        " %(kind)s, %(performed_on)s, %(minutes)s, %(special_educator)s) ON CONFLICT DO NOTHING"),
    # A correction carries only the facts that changed; the absent ones stand (R16).
    "InterventionCorrected": _sql(
        "UPDATE quality_intervention SET kind = coalesce(%(kind)s, kind),"
        " performed_on = coalesce(%(performed_on)s::date, performed_on), minutes = coalesce(%(minutes)s, minutes)"
        " WHERE intervention_id = %(intervention_id)s"),
    "InterventionWithdrawn": _sql("UPDATE quality_intervention SET withdrawn = true WHERE intervention_id = %(intervention_id)s"),
}


def _of_contract_1(handler: Handler) -> Handler:
    """The handlers read the fields of the contracts' version 1.x."""

    async def handle(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
        if str(m.get("schema_version", "")).startswith("1."):
            await handler(conn, m)

    return handle


PROJECTION = Projection("quality", "QUALITY_DB", TOPICS, SCHEMA,
                        {event_type: _of_contract_1(handler) for event_type, handler in _HANDLERS.items()})
