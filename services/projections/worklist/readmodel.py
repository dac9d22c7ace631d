"""The worklist read model (Att göra) in PostgreSQL, and the idempotent updates that build it.

Built from four topics: the cases (referrals, investigations, decisions, programmes, protection,
disposal), the overdue topic (deadlines the follow-up view's timer found passed), the deviations
(R21) and the competence topic (missions and goals, R12, R13). Every event is applied in one
transaction with its row in `processed_event` (eventkit.projection), so a redelivery changes
nothing. Rows hold ids, kinds, dates, units and staff user ids only: no names, no content.

A task's key is its kind and what it is about, so the event that makes it and the one that
ends it meet on the same row, however often each is delivered.
"""
from __future__ import annotations

from typing import Any

import psycopg

from eventkit.config import topic
from eventkit.projection import Projection
from projections import appeals
from projections.worklist.tasks import CONFIRMING, KIND_OF_DEADLINE, PARTIES, PROGRAMME_DECISIONS, PROGRAMME_TASKS

TOPICS = (
    topic("stodspar.cases.v1"),
    topic("stodspar.followup.overdue.v1"),
    topic("stodspar.deviations.v1"),
    topic("stodspar.competence.v1"),
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS worklist_case (
    case_id uuid PRIMARY KEY,
    municipality text NOT NULL,
    school_unit text NOT NULL,
    pupil_ref text,
    status text NOT NULL,
    decision_due date,
    follow_up_dates date[],
    follow_ups_done integer NOT NULL DEFAULT 0,
    protected boolean NOT NULL DEFAULT false,
    granted_to text[] NOT NULL DEFAULT '{}',
    disposed boolean NOT NULL DEFAULT false
);
CREATE INDEX IF NOT EXISTS worklist_case_unit ON worklist_case (municipality, school_unit) WHERE status <> 'closed';
-- R17: a disposal is kept by case id, so it holds whatever order it meets the case's events in.
CREATE TABLE IF NOT EXISTS worklist_disposal (case_id uuid PRIMARY KEY);
CREATE TABLE IF NOT EXISTS worklist_task (
    task_key text PRIMARY KEY,
    kind text NOT NULL,
    municipality text NOT NULL,
    school_unit text NOT NULL,
    assignee text,
    assignee_role text,
    subject_kind text NOT NULL,
    subject_id uuid NOT NULL,
    case_id uuid,
    due_on date,
    CHECK (assignee IS NOT NULL OR assignee_role IS NOT NULL)
);
CREATE INDEX IF NOT EXISTS worklist_task_assignee ON worklist_task (municipality, assignee) WHERE assignee IS NOT NULL;
CREATE INDEX IF NOT EXISTS worklist_task_role
    ON worklist_task (municipality, assignee_role, school_unit) WHERE assignee_role IS NOT NULL;
CREATE INDEX IF NOT EXISTS worklist_task_subject ON worklist_task (subject_id);
CREATE INDEX IF NOT EXISTS worklist_task_case ON worklist_task (case_id) WHERE case_id IS NOT NULL;
-- What the overdue topic reported (once per case, deadline and due date).
CREATE TABLE IF NOT EXISTS worklist_overdue (
    case_id uuid NOT NULL,
    kind text NOT NULL,
    due_on date NOT NULL,
    PRIMARY KEY (case_id, kind, due_on)
);
-- R9: each appeal's state (projections.appeals), from which its tasks follow.
""" + appeals.table_sql("worklist_appeal") + """
CREATE TABLE IF NOT EXISTS worklist_mission (
    mission_id uuid PRIMARY KEY,
    municipality text NOT NULL,
    school_unit text NOT NULL,
    rektor text NOT NULL,
    special_educator text NOT NULL
);
CREATE TABLE IF NOT EXISTS worklist_goal (
    goal_id uuid PRIMARY KEY,
    mission_id uuid NOT NULL,
    follow_up_dates date[] NOT NULL,
    reported date[] NOT NULL DEFAULT '{}',
    in_force boolean NOT NULL DEFAULT false,
    replaced boolean NOT NULL DEFAULT false
);
"""

Handler = Any


async def _task_of_case(conn: psycopg.AsyncConnection, kind: str, case_id: str, *, due: str | None = None,
                        assignee: str | None = None, detail: str = "") -> None:
    """The case's task of `kind` (rektor's at the case's unit unless `assignee` is given); a
    case this view does not have (or has disposed of) gets none."""
    await conn.execute(
        "INSERT INTO worklist_task (task_key, kind, municipality, school_unit, assignee, assignee_role,"
        "  subject_kind, subject_id, case_id, due_on)"
        " SELECT %(key)s, %(kind)s, municipality, school_unit, %(assignee)s, %(role)s, 'case', case_id, case_id, %(due)s"
        " FROM worklist_case WHERE case_id = %(case_id)s AND NOT disposed AND status <> 'closed'"
        " ON CONFLICT (task_key) DO UPDATE SET due_on = EXCLUDED.due_on, assignee = EXCLUDED.assignee,"
        "  assignee_role = EXCLUDED.assignee_role, school_unit = EXCLUDED.school_unit",
        {"key": f"{kind}:{case_id}{detail}", "kind": kind, "case_id": case_id, "due": due,
         "assignee": assignee, "role": None if assignee else "rektor"},
    )


async def _done(conn: psycopg.AsyncConnection, *keys: str) -> None:
    await conn.execute("DELETE FROM worklist_task WHERE task_key = ANY(%s)", (list(keys),))


def _case_status(status: str) -> str:
    """A programme in force stays the case's status while a new investigation runs (R10)."""
    return f"status = CASE WHEN status = 'programme' THEN status ELSE '{status}' END"


async def _set_case(conn: psycopg.AsyncConnection, case_id: str, assignments: str, **values: Any) -> None:
    await conn.execute(f"UPDATE worklist_case SET {assignments} WHERE case_id = %(case_id)s",
                       {"case_id": case_id, **values})


# -- the cases topic ---------------------------------------------------------------------------
async def _case_opened(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
    data = m["data"]
    await conn.execute(
        "INSERT INTO worklist_case (case_id, municipality, school_unit, pupil_ref, status, protected, granted_to, disposed)"
        " VALUES (%(case_id)s, %(municipality)s, %(unit)s, %(pupil_ref)s, 'open', %(protected)s, %(granted_to)s,"
        "  EXISTS (SELECT 1 FROM worklist_disposal WHERE case_id = %(case_id)s))"
        " ON CONFLICT (case_id) DO NOTHING",
        {"case_id": data["case_id"], "municipality": m["municipality"], "unit": data["school_unit"],
         "pupil_ref": data.get("pupil_ref"), "protected": bool(data.get("protected")),
         "granted_to": list(data.get("granted_to") or [])},
    )


async def _referred(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
    data = m["data"]
    await _set_case(conn, data["case_id"], _case_status("referred") + ", decision_due = %(due)s", due=data["decision_due"])
    await _task_of_case(conn, "start_investigation", data["case_id"], due=data["investigation_due"])
    await _task_of_case(conn, "decide", data["case_id"], due=data["decision_due"])


async def _investigation_started(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
    data = m["data"]
    case_id = data["case_id"]
    await _set_case(conn, case_id, _case_status("investigating"))
    await _done(conn, f"start_investigation:{case_id}", f"investigate_again:{case_id}")
    cur = await conn.execute("SELECT decision_due FROM worklist_case WHERE case_id = %s", (case_id,))
    row = await cur.fetchone()
    await _task_of_case(conn, "conduct_investigation", case_id, due=row[0] if row else None,
                        assignee=data["investigator"])


async def _investigation_concluded(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
    case_id = m["data"]["case_id"]
    await _set_case(conn, case_id, _case_status("investigated"))
    await _done(conn, f"conduct_investigation:{case_id}")


async def _decided(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
    data = m["data"]
    case_id = data["case_id"]
    await _done(conn, f"decide:{case_id}", f"start_investigation:{case_id}", f"conduct_investigation:{case_id}",
                f"decide_again:{case_id}", f"investigate_again:{case_id}")
    await _appeal_event(conn, m)  # R9: a decision changed on reconsideration answers its appeal
    if data.get("changes_decision"):  # the changed decision is no longer to be delivered
        await _done(conn, f"deliver_decision:{case_id}:{data['changes_decision']}")
    if data["kind"] == "close_programme":
        await _set_case(conn, case_id, "status = 'closed'")
        await conn.execute("DELETE FROM worklist_task WHERE case_id = %s", (case_id,))
        return
    await _set_case(conn, case_id, _case_status("decided"))
    if data["appealable"]:  # R9: delivered to the guardians, so the appeal window can be shown
        await _task_of_case(conn, "deliver_decision", case_id, detail=f":{data['decision_number']}")
    if data["kind"] in PROGRAMME_DECISIONS:
        await _task_of_case(conn, "issue_programme", case_id)


# -- the appeal (R9) -------------------------------------------------------------------------------
async def _appeal_event(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
    """The appeal's tasks as its state after the event says (projections.appeals.tasks): the
    ones it no longer needs go, the one it needs now is there, due the day to forward it by."""
    appeal = await appeals.follow(conn, "worklist_appeal", m["event_type"], m["data"])
    if appeal is None:
        return
    case_id, tail = appeal.case_id, f":appeal:{appeal.appeal_number}"
    wanted = appeals.tasks(appeal)
    await _done(conn, *(f"{kind}:{case_id}{tail}" for kind in appeals.APPEAL_TASKS if kind not in wanted))
    for kind, due in wanted.items():
        await _task_of_case(conn, kind, case_id, due=due, detail=tail)


async def _board_decided(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
    """The board's outcome: sent back, rektor decides again or has the matter investigated again;
    changed to a programme decision, the programme is to be issued (R7)."""
    data = m["data"]
    case_id = data["case_id"]
    before = await appeals.load(conn, "worklist_appeal", case_id, int(data["appeal_number"]))
    await _appeal_event(conn, m)
    if before is not None and data["outcome"] in ("sent_back", "changed"):  # that decision no longer stands
        await _done(conn, f"deliver_decision:{case_id}:{before.decision_in_question}")
    if data["outcome"] == "sent_back" and data.get("sent_back_to") in appeals.SENT_BACK_TASKS:
        await _done(conn, f"issue_programme:{case_id}")  # no decision to issue it under until the new one
        await _set_case(conn, case_id, _case_status("sent_back" if data["sent_back_to"] == "investigation" else "investigated"))
        await _task_of_case(conn, appeals.SENT_BACK_TASKS[data["sent_back_to"]], case_id)
    elif data["outcome"] == "changed" and data.get("kind") in PROGRAMME_DECISIONS:
        await _task_of_case(conn, "issue_programme", case_id)


async def _delivered(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
    data = m["data"]
    await _done(conn, f"deliver_decision:{data['case_id']}:{data['decision_number']}")


async def _programme_issued(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
    data = m["data"]
    case_id = data["case_id"]
    dates = list(data["follow_up_dates"])
    await _set_case(conn, case_id, "status = 'programme', follow_up_dates = %(dates)s::date[], follow_ups_done = 0",
                    dates=dates)
    await _done(conn, f"issue_programme:{case_id}", f"follow_up:{case_id}", f"evaluate:{case_id}")
    if dates:
        await _task_of_case(conn, "follow_up", case_id, due=dates[0])
    if data.get("evaluation_on"):
        await _task_of_case(conn, "evaluate", case_id, due=data["evaluation_on"])


async def _followed_up(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
    case_id = m["data"]["case_id"]
    cur = await conn.execute(
        "UPDATE worklist_case SET follow_ups_done = follow_ups_done + 1 WHERE case_id = %s"
        " RETURNING follow_up_dates[follow_ups_done + 1]", (case_id,))
    row = await cur.fetchone()
    if row and row[0] is not None:
        await _task_of_case(conn, "follow_up", case_id, due=row[0])
    else:
        await _done(conn, f"follow_up:{case_id}")


async def _evaluated(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
    await _done(conn, f"evaluate:{m['data']['case_id']}")


async def _moved(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
    """The programme stays with the unit that made it (R11): its tasks end; the rest move along."""
    data = m["data"]
    case_id = data["case_id"]
    await _set_case(conn, case_id, "school_unit = %(to)s, status = 'moved', follow_up_dates = NULL", to=data["to_unit"])
    await conn.execute("DELETE FROM worklist_task WHERE case_id = %s AND kind = ANY(%s)", (case_id, list(PROGRAMME_TASKS)))
    await conn.execute("UPDATE worklist_task SET school_unit = %s WHERE case_id = %s", (data["to_unit"], case_id))


async def _protection_changed(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
    """R14: the whole list of grants after the change (as the follow-up view keeps it)."""
    data = m["data"]
    await _set_case(conn, data["case_id"], "protected = %(protected)s, granted_to = %(granted)s",
                    protected=data["protected"], granted=list(data["granted_to"]))


async def _disposed(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
    """R17: the pupil's cases and their tasks leave the worklist, in any order with their events."""
    ids = m["data"]["case_ids"]
    await conn.execute("INSERT INTO worklist_disposal (case_id) SELECT unnest(%s::uuid[]) ON CONFLICT DO NOTHING", (ids,))
    await conn.execute("UPDATE worklist_case SET disposed = true WHERE case_id = ANY(%s::uuid[])", (ids,))
    await conn.execute("DELETE FROM worklist_task WHERE case_id = ANY(%s::uuid[])", (ids,))


# -- the overdue topic -------------------------------------------------------------------------
async def _overdue(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
    data = m["data"]
    kind = KIND_OF_DEADLINE.get(data["deadline"])
    # R9: every task of an appeal is due the day it is to be forwarded by (projections.appeals.tasks).
    for kind in (appeals.APPEAL_TASKS if data["deadline"] == "appeal_forwarding" else (kind,) if kind else ()):
        await conn.execute("INSERT INTO worklist_overdue (case_id, kind, due_on) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                           (data["case_id"], kind, data["due_on"]))


# -- the deviations topic (R21) -----------------------------------------------------------------
async def _deviation_reported(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
    """The unit's responsible manager handles the deviation and records the answer of the
    organisation where it arose, due by answer_due (R21). Reported before the manager was on the
    event (1.0): the unit's rektor."""
    data = m["data"]
    manager = data.get("responsible_manager") or None
    for kind in ("handle_deviation", "record_deviation_answer"):
        await conn.execute(
            "INSERT INTO worklist_task (task_key, kind, municipality, school_unit, assignee, assignee_role,"
            "  subject_kind, subject_id, due_on) VALUES (%s, %s, %s, %s, %s, %s, 'deviation', %s, %s)"
            " ON CONFLICT (task_key) DO NOTHING",
            (f"{kind}:{data['deviation_id']}", kind, data["organisation"], data["unit"], manager,
             None if manager else "rektor", data["deviation_id"], data["answer_due"]),
        )


def _deviation_done(kind: str) -> Handler:
    async def handle(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
        await _done(conn, f"{kind}:{m['data']['deviation_id']}")
    return handle


# -- the competence topic (R12, R13) ------------------------------------------------------------
async def _mission_started(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
    data = m["data"]
    await conn.execute(
        "INSERT INTO worklist_mission (mission_id, municipality, school_unit, rektor, special_educator)"
        " VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
        (data["mission_id"], m["municipality"], data["school_unit"], data["rektor"], data["special_educator"]),
    )


async def _mission_task(conn: psycopg.AsyncConnection, kind: str, mission_id: str, party: str, about: str,
                        due: str | None = None) -> None:
    """A task of the mission for one of its parties (R12: rektor and the special educator)."""
    assert party in PARTIES
    await conn.execute(
        "INSERT INTO worklist_task (task_key, kind, municipality, school_unit, assignee, subject_kind, subject_id, due_on)"
        f" SELECT %(key)s, %(kind)s, municipality, school_unit, {party}, 'mission', mission_id, %(due)s"
        " FROM worklist_mission WHERE mission_id = %(mission)s"
        " ON CONFLICT (task_key) DO UPDATE SET due_on = EXCLUDED.due_on",
        {"key": f"{kind}:{mission_id}:{about}:{party}", "kind": kind, "mission": mission_id, "due": due},
    )


async def _confirmations(conn: psycopg.AsyncConnection, kind: str, mission_id: str, about: str) -> None:
    for party in PARTIES:
        await _mission_task(conn, kind, mission_id, party, about)


async def _described(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
    """A new wording: confirmations start over (R12)."""
    data = m["data"]
    await conn.execute("DELETE FROM worklist_task WHERE kind = 'confirm_mission' AND subject_id = %s", (data["mission_id"],))
    await _confirmations(conn, "confirm_mission", data["mission_id"], str(data["revision"]))


async def _goal_proposed(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
    data = m["data"]
    await conn.execute(
        "INSERT INTO worklist_goal (goal_id, mission_id, follow_up_dates) VALUES (%s, %s, %s::date[])"
        " ON CONFLICT DO NOTHING", (data["goal_id"], data["mission_id"], list(data["follow_up_dates"])))
    if data.get("replaces"):  # the replaced goal's open tasks end with it (R13)
        await conn.execute("UPDATE worklist_goal SET replaced = true WHERE goal_id = %s", (data["replaces"],))
        await conn.execute("DELETE FROM worklist_task WHERE subject_id = %s AND task_key LIKE %s",
                           (data["mission_id"], f"%:{data['replaces']}%"))
    await _confirmations(conn, "confirm_goal", data["mission_id"], data["goal_id"])


async def _next_follow_up(conn: psycopg.AsyncConnection, mission_id: str, goal_id: str) -> None:
    """R13: the special educator reports the goal's next scheduled follow-up not yet reported."""
    cur = await conn.execute(
        "SELECT (SELECT min(d) FROM unnest(follow_up_dates) d WHERE d <> ALL(reported))"
        " FROM worklist_goal WHERE goal_id = %s AND in_force AND NOT replaced", (goal_id,))
    row = await cur.fetchone()
    key = f"report_goal_follow_up:{mission_id}:{goal_id}:special_educator"
    if row and row[0] is not None:
        await _mission_task(conn, "report_goal_follow_up", mission_id, "special_educator", goal_id, due=row[0])
    else:
        await _done(conn, key)


async def _confirmed(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
    data = m["data"]
    kind = CONFIRMING[data["subject"]]
    await _done(conn, f"{kind}:{data['mission_id']}:{data['subject_id']}:{data['party']}")
    if data["subject"] == "goal" and data["in_force"]:
        await conn.execute("UPDATE worklist_goal SET in_force = true WHERE goal_id = %s", (data["subject_id"],))
        await _next_follow_up(conn, data["mission_id"], data["subject_id"])


async def _goal_followed_up(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
    data = m["data"]
    if data.get("scheduled_for"):
        await conn.execute("UPDATE worklist_goal SET reported = array_append(reported, %s::date)"
                           " WHERE goal_id = %s AND NOT %s::date = ANY(reported)",
                           (data["scheduled_for"], data["goal_id"], data["scheduled_for"]))
    await _next_follow_up(conn, data["mission_id"], data["goal_id"])


async def _goal_assessed(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
    data = m["data"]
    await _confirmations(conn, "confirm_assessment", data["mission_id"], data["assessment_id"])


HANDLERS: dict[str, Handler] = {
    "CaseOpened": _case_opened,
    "CaseReferredToRektor": _referred,
    "InvestigationStarted": _investigation_started,
    "InvestigationConcluded": _investigation_concluded,
    "CaseDecided": _decided,
    "DecisionDelivered": _delivered,
    "ActionProgrammeIssued": _programme_issued,
    "ProgrammeFollowedUp": _followed_up,
    "ProgrammeEvaluated": _evaluated,
    "CaseMovedToSchoolUnit": _moved,
    "CaseProtectionChanged": _protection_changed,  # R14
    "PupilRecordsDisposed": _disposed,  # R17
    "AppealRegistered": _appeal_event,  # R9
    "AppealCompleted": _appeal_event,
    "AppealRejected": _appeal_event,
    "AppealForwarded": _appeal_event,
    "AppealDecidedByBoard": _board_decided,
    "CaseDeadlineOverdue": _overdue,
    "DeviationReported": _deviation_reported,
    "DeviationAnswered": _deviation_done("record_deviation_answer"),
    "DeviationSolvedLocally": _deviation_done("handle_deviation"),
    "DeviationSentToBus": _deviation_done("handle_deviation"),
    "MissionStarted": _mission_started,
    "MissionDescribed": _described,
    "GoalProposed": _goal_proposed,
    "AgreementConfirmed": _confirmed,
    "GoalFollowedUp": _goal_followed_up,
    "GoalAssessed": _goal_assessed,
}

# Events of other types on these topics are passed by, not recorded (only_handled).
PROJECTION = Projection("worklist", "WORKLIST_DB", TOPICS, SCHEMA, HANDLERS, only_handled=True)
