"""The follow-up read model in PostgreSQL, and the idempotent updates that build it.

Each event is applied in one transaction together with a row in `processed_event`; an event
delivered twice finds its id there and changes nothing. With offsets committed only after
that transaction, at-least-once delivery from Kafka gives an exactly-once view (the runner,
eventkit.projection; this module declares the view's tables and handlers, `PROJECTION`).
"""
from __future__ import annotations

from typing import Any

import psycopg

from eventkit.config import topic
from eventkit.projection import Projection
from projections import appeals
from projections.followup import access, owner

# What the view is built from (and rebuilt from: projections.rebuild). The deviations feed the
# school owner's view only (projections.followup.owner, ADR 0031).
TOPICS = (topic("stodspar.cases.v1"), topic("stodspar.deviations.v1"))
# Not built from the topic: the overdue timer's record of what it published. A rebuild keeps
# the live table, and forgets in it what the rebuilt view knows to be disposed (as _disposed does).
KEPT_IN_REBUILD = ("overdue_published",)
FORGET_OVERDUE = "DELETE FROM overdue_published WHERE case_id = ANY(%(ids)s::uuid[])"

SCHEMA = """
CREATE TABLE IF NOT EXISTS followup_case (
    case_id uuid PRIMARY KEY,
    municipality text NOT NULL,
    school_unit text NOT NULL,
    opened_at timestamptz NOT NULL,
    status text NOT NULL,
    adaptations integer NOT NULL DEFAULT 0,
    referred_on date,
    investigation_due date,
    decision_due date,
    last_version integer NOT NULL
);
CREATE INDEX IF NOT EXISTS followup_case_unit ON followup_case (municipality, school_unit, status);
-- The workflow after the referral (issue 3): columns added in place, so an existing read
-- model keeps its rows.
ALTER TABLE followup_case
    ADD COLUMN IF NOT EXISTS investigator text,
    ADD COLUMN IF NOT EXISTS investigation_started_on date,
    ADD COLUMN IF NOT EXISTS investigation_concluded_on date,
    ADD COLUMN IF NOT EXISTS decided_on date,
    ADD COLUMN IF NOT EXISTS decision_kind text,
    ADD COLUMN IF NOT EXISTS programme_number integer,
    ADD COLUMN IF NOT EXISTS follow_up_dates date[],
    ADD COLUMN IF NOT EXISTS follow_ups_done integer NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS next_follow_up date,
    ADD COLUMN IF NOT EXISTS evaluation_on date,
    ADD COLUMN IF NOT EXISTS evaluated_on date,
    ADD COLUMN IF NOT EXISTS undelivered integer NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS appeal_open_until date,
    ADD COLUMN IF NOT EXISTS closed_on date;
CREATE INDEX IF NOT EXISTS followup_case_investigator ON followup_case (municipality, investigator);
CREATE TABLE IF NOT EXISTS followup_decision (
    case_id uuid NOT NULL,
    decision_number integer NOT NULL,
    appealable boolean NOT NULL,
    delivered_on date,
    appeal_last_day date,
    PRIMARY KEY (case_id, decision_number)
);
-- Overdue deadlines already published on the overdue topic (once per case, deadline, due date).
CREATE TABLE IF NOT EXISTS overdue_published (
    case_id uuid NOT NULL,
    deadline text NOT NULL,
    due_on date NOT NULL,
    published_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (case_id, deadline, due_on)
);
-- R17 (ADR 0020): names are no longer kept here (CaseOpened v2); the frontend asks the cases
-- service for the names of the page it shows. Dropping the column removes names stored before.
ALTER TABLE followup_case DROP COLUMN IF EXISTS pupil_name;
-- R17: a disposed pupil's cases. The disposal is kept by case id (a tombstone), so it is applied
-- whatever order the disposal and the case's own events arrive in (they are keyed apart and
-- may come from different partitions, e.g. in a rebuild). The case's row stays, marked
-- disposed and hidden from every page: it holds no name, only ids, dates, kinds and statuses,
-- like the events that remain, and gives the disposal statistics (followup_disposed_case).
CREATE TABLE IF NOT EXISTS followup_disposal (
    case_id uuid PRIMARY KEY,
    disposed_on date NOT NULL
);
ALTER TABLE followup_case ADD COLUMN IF NOT EXISTS disposed_on date;
DO $$ BEGIN  -- the table that held the statistics before they were a view
    IF to_regclass('followup_disposed_case') IS NOT NULL
       AND EXISTS (SELECT 1 FROM pg_class WHERE oid = to_regclass('followup_disposed_case') AND relkind = 'r') THEN
        DROP TABLE followup_disposed_case;
    END IF;
END $$;
-- R11: the register ended the pupil's placement at the case's unit (CasePupilLeftSchoolUnit).
ALTER TABLE followup_case ADD COLUMN IF NOT EXISTS pupil_left_on date;
-- R9, the appeal (issue 16): one row per appeal, and the case's appeal to show on its row (the
-- latest the school has to act on, else the latest: projections.appeals.current). The appeal
-- rows also give the school owner's counts (owner.facts), by the unit that received it.
ALTER TABLE followup_case
    ADD COLUMN IF NOT EXISTS appeal_number integer,
    ADD COLUMN IF NOT EXISTS appeal_status text,
    ADD COLUMN IF NOT EXISTS appeal_forward_due date,
    ADD COLUMN IF NOT EXISTS appeal_forwarded_on date,
    ADD COLUMN IF NOT EXISTS appeal_reconsidered boolean NOT NULL DEFAULT false,
    ADD COLUMN IF NOT EXISTS appeal_board_outcome text,
    ADD COLUMN IF NOT EXISTS sent_back_to text,
    ADD COLUMN IF NOT EXISTS programme_decision integer;
ALTER TABLE followup_decision ADD COLUMN IF NOT EXISTS in_force boolean NOT NULL DEFAULT true;
""" + appeals.table_sql("followup_appeal", "\n    municipality text,\n    school_unit text,") + """
CREATE INDEX IF NOT EXISTS followup_appeal_received ON followup_appeal (municipality, received_on);
CREATE OR REPLACE VIEW followup_disposed_case AS
    SELECT municipality, school_unit, opened_at::date AS opened_on, status, decided_on, closed_on, disposed_on
    FROM followup_case WHERE disposed_on IS NOT NULL;
"""


async def _case_opened(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
    data = m["data"]
    # 2.1: a pupil the register protects has a protected case from its first event (R14).
    await conn.execute(
        "INSERT INTO followup_case (case_id, municipality, school_unit, opened_at, status, last_version, disposed_on,"
        "  protected, granted_to)"
        " VALUES (%(case_id)s, %(municipality)s, %(unit)s, %(at)s, 'open', %(version)s,"
        "  (SELECT disposed_on FROM followup_disposal WHERE case_id = %(case_id)s), %(protected)s, %(granted_to)s)"
        " ON CONFLICT (case_id) DO NOTHING",
        {"case_id": data["case_id"], "municipality": m["municipality"], "unit": data["school_unit"],
         "at": m["occurred_at"], "version": m["aggregate_version"], "protected": bool(data.get("protected")),
         "granted_to": list(data.get("granted_to") or [])},
    )


async def _adaptation_recorded(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
    await conn.execute(
        "UPDATE followup_case SET adaptations = adaptations + 1, last_version = %s"
        " WHERE case_id = %s AND last_version < %s",
        (m["aggregate_version"], m["data"]["case_id"], m["aggregate_version"]),
    )


async def _referred(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
    data = m["data"]
    await conn.execute(
        "UPDATE followup_case SET status = 'referred', referred_on = %s, investigation_due = %s,"
        " decision_due = %s, last_version = %s WHERE case_id = %s AND last_version < %s",
        (
            data["referred_on"],
            data["investigation_due"],
            data["decision_due"],
            m["aggregate_version"],
            data["case_id"],
            m["aggregate_version"],
        ),
    )


def _unless_programme(status: str) -> str:
    """A programme in force stays the row's status (and its follow-ups stay due) while a new
    investigation and decision about it run (R10); it changes when a new programme replaces it."""
    return f" status = CASE WHEN status = 'programme' THEN status ELSE '{status}' END"


def _update(sql: str):
    """A handler that runs one UPDATE of the case row, guarded against older versions."""

    async def handle(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
        await conn.execute(
            f"UPDATE followup_case SET {sql}, last_version = %(version)s"
            " WHERE case_id = %(case_id)s AND last_version < %(version)s",
            {**m["data"], "version": m["aggregate_version"]},
        )

    return handle


async def _decided(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
    data = m["data"]
    await conn.execute(
        "INSERT INTO followup_decision (case_id, decision_number, appealable) VALUES (%s, %s, %s)"
        " ON CONFLICT DO NOTHING",
        (data["case_id"], data["decision_number"], data["appealable"]),
    )
    closing = data["kind"] == "close_programme"
    await _update(
        "decided_on = %(decided_on)s, decision_kind = %(kind)s, sent_back_to = NULL,"
        + (" status = 'closed', closed_on = %(decided_on)s, next_follow_up = NULL" if closing else _unless_programme("decided"))
        + ", undelivered = undelivered + (CASE WHEN %(appealable)s THEN 1 ELSE 0 END)"
    )(conn, m)
    if data.get("changes_decision"):  # R9: changed on reconsideration; the old one is no longer in force
        await _replaced(conn, data["case_id"], data["changes_decision"], data["kind"], data["decided_on"])
    await _appeal_event(conn, m)


async def _replaced(conn: psycopg.AsyncConnection, case_id: str, old: int, kind: str | None, on: str) -> None:
    """Decision `old` was changed (on reconsideration or by the board): it no longer counts for
    delivery or the appeal window, and a programme issued under it ends unless the new decision
    is one a programme follows (a new programme replaces it when issued)."""
    await conn.execute("UPDATE followup_decision SET in_force = false WHERE case_id = %s AND decision_number = %s",
                       (case_id, old))
    await _decision_counts(conn, case_id)
    if kind not in appeals.PROGRAMME_KINDS:
        await _end_programme_of(conn, case_id, old, "decided")


async def _end_programme_of(conn: psycopg.AsyncConnection, case_id: str, decision_number: int, status: str) -> None:
    await conn.execute(
        "UPDATE followup_case SET status = %s, programme_number = NULL, programme_decision = NULL, follow_up_dates = NULL,"
        " next_follow_up = NULL, evaluation_on = NULL, evaluated_on = NULL"
        " WHERE case_id = %s AND status = 'programme' AND programme_decision = %s",
        (status, case_id, decision_number))


async def _decision_counts(conn: psycopg.AsyncConnection, case_id: str) -> None:
    await conn.execute(
        "UPDATE followup_case c SET undelivered = d.undelivered, appeal_open_until = d.until"
        " FROM (SELECT count(*) FILTER (WHERE appealable AND delivered_on IS NULL) AS undelivered,"
        "       max(appeal_last_day) AS until FROM followup_decision WHERE case_id = %(case_id)s AND in_force) d"
        " WHERE c.case_id = %(case_id)s",
        {"case_id": case_id},
    )


async def _appeal_event(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
    """R9: the appeal's row after the event, and the case's appeal as its row shows it."""
    data = m["data"]
    appeal = await appeals.follow(conn, "followup_appeal", m["event_type"], data)
    if appeal is None:
        return
    if m["event_type"] == "AppealRegistered":
        await conn.execute(
            "UPDATE followup_appeal a SET municipality = c.municipality, school_unit = c.school_unit"
            " FROM followup_case c WHERE c.case_id = a.case_id AND a.case_id = %s AND a.appeal_number = %s"
            " AND a.school_unit IS NULL", (data["case_id"], appeal.appeal_number))
    shown = appeals.current(await appeals.of_case(conn, "followup_appeal", data["case_id"]))
    await conn.execute(
        "UPDATE followup_case SET appeal_number = %(number)s, appeal_status = %(status)s, appeal_forward_due = %(due)s,"
        " appeal_forwarded_on = %(forwarded)s, appeal_reconsidered = %(reconsidered)s, appeal_board_outcome = %(board)s,"
        " last_version = greatest(last_version, %(version)s) WHERE case_id = %(case_id)s",
        {"number": shown.appeal_number, "status": shown.status, "due": shown.forward_due,
         "forwarded": shown.forwarded_on, "reconsidered": shown.reconsidered_as is not None,
         "board": shown.board_outcome, "version": m["aggregate_version"], "case_id": data["case_id"]},
    )


async def _board_decided(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
    """R9: the board's final outcome. Changed: its decision is the case's decision. Sent back:
    the decision no longer stands and the school investigates or decides again."""
    data = m["data"]
    before = await appeals.load(conn, "followup_appeal", data["case_id"], int(data["appeal_number"]))
    await _appeal_event(conn, m)
    if before is None:
        return
    old = before.decision_in_question
    if data["outcome"] == "changed" and data.get("decision_number"):
        await conn.execute(
            "INSERT INTO followup_decision (case_id, decision_number, appealable) VALUES (%s, %s, false)"
            " ON CONFLICT DO NOTHING", (data["case_id"], data["decision_number"]))
        await _replaced(conn, data["case_id"], old, data.get("kind"), data["decided_on"])
        await conn.execute(
            "UPDATE followup_case SET decided_on = %(decided_on)s, decision_kind = %(kind)s,"
            + _unless_programme("decided") + " WHERE case_id = %(case_id)s", data)
    elif data["outcome"] == "sent_back":
        await conn.execute("UPDATE followup_decision SET in_force = false WHERE case_id = %s AND decision_number = %s",
                           (data["case_id"], old))
        await _decision_counts(conn, data["case_id"])
        # As the cases service says it: sent back to a new investigation, the case is "sent_back";
        # to a new decision, its investigation waits for that decision again ("investigated").
        status = "sent_back" if data.get("sent_back_to") == "investigation" else "investigated"
        await _end_programme_of(conn, data["case_id"], old, status)
        await conn.execute(
            "UPDATE followup_case SET sent_back_to = %(sent_back_to)s,"
            f" status = CASE WHEN status = 'programme' THEN status ELSE '{status}' END WHERE case_id = %(case_id)s", data)


async def _delivered(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
    data = m["data"]
    await conn.execute(
        "UPDATE followup_decision SET delivered_on = %(delivered_on)s,"
        " appeal_last_day = CASE WHEN appealable THEN %(appeal_last_day)s::date END"
        " WHERE case_id = %(case_id)s AND decision_number = %(decision_number)s",
        data,
    )
    await _decision_counts(conn, data["case_id"])


async def _disposed(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
    """R17: the pupil's cases leave every page; what they were stays for statistics. Applied in
    any order with the cases' own events (the tombstone marks a case opened later, too)."""
    data = {"ids": m["data"]["case_ids"], "on": m["data"]["disposed_on"]}
    await conn.execute(
        "INSERT INTO followup_disposal (case_id, disposed_on) SELECT id, %(on)s FROM unnest(%(ids)s::uuid[]) AS id"
        " ON CONFLICT (case_id) DO NOTHING",
        data,
    )
    await conn.execute("UPDATE followup_case SET disposed_on = %(on)s WHERE case_id = ANY(%(ids)s::uuid[])", data)
    await conn.execute(FORGET_OVERDUE, data)


async def after_rebuild(conn: psycopg.AsyncConnection) -> None:
    """In the switch to a rebuilt view: the kept overdue markers of every disposed case go, also
    of a disposal the live worker had not applied yet (it will skip it as already applied)."""
    cur = await conn.execute("SELECT coalesce(array_agg(case_id), '{}') FROM followup_disposal")
    await conn.execute(FORGET_OVERDUE, {"ids": (await cur.fetchone())[0]})


_HANDLERS = {
    "PupilRecordsDisposed": _disposed,
    "CaseOpened": _case_opened,
    "ExtraAdaptationRecorded": _adaptation_recorded,
    "CaseReferredToRektor": _referred,
    "InvestigationStarted": _update(
        _unless_programme("investigating") + ", investigator = %(investigator)s,"
        " investigation_started_on = coalesce(investigation_started_on, %(started_on)s)"
    ),
    "InvestigationConcluded": _update(_unless_programme("investigated") + ", investigation_concluded_on = %(concluded_on)s"),
    "CaseDecided": _decided,
    "DecisionDelivered": _delivered,
    "ActionProgrammeIssued": _update(
        "status = 'programme', programme_number = %(programme_number)s, programme_decision = %(decision_number)s,"
        " follow_up_dates = %(follow_up_dates)s::date[],"
        " follow_ups_done = 0, next_follow_up = (%(follow_up_dates)s::date[])[1], evaluation_on = %(evaluation_on)s,"
        " evaluated_on = NULL"
    ),
    "ProgrammeFollowedUp": _update(
        "follow_ups_done = follow_ups_done + 1, next_follow_up = follow_up_dates[follow_ups_done + 2]"
    ),
    "ProgrammeEvaluated": _update("evaluated_on = %(evaluated_on)s"),
    # The programme stays with the unit that made it (R11): the new unit starts over.
    "CaseMovedToSchoolUnit": _update(
        "school_unit = %(to_unit)s, status = 'moved', programme_number = NULL, next_follow_up = NULL,"
        " evaluation_on = NULL, evaluated_on = NULL, pupil_left_on = NULL"
    ),
    # R11: the pupil left the case's unit (the register ended the placement); shown on the row.
    "CasePupilLeftSchoolUnit": _update(
        "pupil_left_on = CASE WHEN school_unit = %(school_unit)s THEN %(left_on)s::date ELSE pupil_left_on END"
    ),
    "CaseProtectionChanged": access.protection_changed,  # R14
    # R9, the appeal (issue 16)
    "AppealRegistered": _appeal_event,
    "AppealCompleted": _appeal_event,
    "AppealRejected": _appeal_event,
    "AppealForwarded": _appeal_event,
    "AppealDecidedByBoard": _board_decided,
}



def _both(*handlers):
    """One event that updates the follow-up view's rows and the owner's view's, in that order."""

    async def handle(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
        for handler in handlers:
            await handler(conn, m)

    return handle


HANDLERS = {kind: _both(*(h for h in (_HANDLERS.get(kind), owner.HANDLERS.get(kind)) if h))
            for kind in {**_HANDLERS, **owner.HANDLERS}}

PROJECTION = Projection("followup", "FOLLOWUP_DB", TOPICS, SCHEMA + access.SCHEMA + owner.SCHEMA, HANDLERS,
                        kept=KEPT_IN_REBUILD, after_switch=after_rebuild)
