"""The school owner's view's tables in the follow-up read model, the updates that build them
from the cases and the deviations topics, and the query that reads its facts (ADR 0031).

Rows are keyed by case id (by deviation id for a deviation) and hold only the municipality, the
unit, dates and kinds: no pupil reference, no staff id, no text. The follow-up view's own row of
the case (`followup_case`) says whether the pupil's identity is protected (R14), and its
disposal tombstone (`followup_disposal`) when the pupil's records were disposed of (R17); they
are read when the facts are, so either order of events holds. Every event is applied once
(eventkit.projection's `processed_event`), and a case's updates are moreover guarded by the
case's version, as the follow-up view's are.

A disposal removes nothing here: the rows are anonymous counts (R17: "counts and dates
remain"); what was in force or overdue ends on the day of the disposal.
"""
from __future__ import annotations

from datetime import date
from typing import Any

import psycopg

from eventkit.dates import local_day
from projections.followup.ownerview import Appeal, Decision, Deviation, Facts, Programme, Referral

SCHEMA = """
CREATE TABLE IF NOT EXISTS owner_case (
    case_id uuid PRIMARY KEY,
    municipality text NOT NULL,
    school_unit text NOT NULL,
    referred_unit text,
    referred_on date,
    investigation_due date,
    started_on date,
    decided_on date,
    last_version integer NOT NULL
);
CREATE INDEX IF NOT EXISTS owner_case_referred ON owner_case (municipality, referred_on) WHERE referred_on IS NOT NULL;
CREATE TABLE IF NOT EXISTS owner_decision (
    case_id uuid NOT NULL,
    decision_number integer NOT NULL,
    municipality text NOT NULL,
    school_unit text NOT NULL,
    decided_on date NOT NULL,
    kind text NOT NULL,
    PRIMARY KEY (case_id, decision_number)
);
CREATE INDEX IF NOT EXISTS owner_decision_on ON owner_decision (municipality, decided_on);
CREATE TABLE IF NOT EXISTS owner_programme (
    case_id uuid NOT NULL,
    programme_number integer NOT NULL,
    municipality text NOT NULL,
    school_unit text NOT NULL,
    issued_on date NOT NULL,
    ended_on date,
    follow_up_dates date[] NOT NULL DEFAULT '{}',
    followed_up_on date[] NOT NULL DEFAULT '{}',
    evaluation_on date,
    evaluated_on date,
    PRIMARY KEY (case_id, programme_number)
);
CREATE INDEX IF NOT EXISTS owner_programme_on ON owner_programme (municipality, issued_on);
CREATE TABLE IF NOT EXISTS owner_deviation (
    deviation_id uuid PRIMARY KEY,
    municipality text NOT NULL,
    school_unit text NOT NULL,
    reported_on date NOT NULL,
    answer_due date NOT NULL,
    answered_on date
);
CREATE INDEX IF NOT EXISTS owner_deviation_on ON owner_deviation (municipality, reported_on);
"""


async def _advanced(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> bool:
    """The case's row moves to this event's version; False when it is not newer (or the case
    is unknown here), and then the event changes nothing."""
    cur = await conn.execute(
        "UPDATE owner_case SET last_version = %s WHERE case_id = %s AND last_version < %s RETURNING case_id",
        (m["aggregate_version"], m["data"]["case_id"], m["aggregate_version"]),
    )
    return await cur.fetchone() is not None


def _case(sql: str):
    """A handler that updates the case's own row once the version moved on."""

    async def handle(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
        if await _advanced(conn, m):
            await conn.execute(f"UPDATE owner_case SET {sql} WHERE case_id = %(case_id)s", m["data"])

    return handle


async def _opened(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
    data = m["data"]
    await conn.execute(
        "INSERT INTO owner_case (case_id, municipality, school_unit, last_version) VALUES (%s, %s, %s, %s)"
        " ON CONFLICT (case_id) DO NOTHING",
        (data["case_id"], m["municipality"], data["school_unit"], m["aggregate_version"]),
    )


async def _decided(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
    if not await _advanced(conn, m):
        return
    data = m["data"]
    await conn.execute(
        "INSERT INTO owner_decision (case_id, decision_number, municipality, school_unit, decided_on, kind)"
        " SELECT case_id, %(decision_number)s, municipality, school_unit, %(decided_on)s, %(kind)s"
        " FROM owner_case WHERE case_id = %(case_id)s ON CONFLICT DO NOTHING", data)
    await conn.execute("UPDATE owner_case SET decided_on = coalesce(decided_on, %(decided_on)s)"
                       " WHERE case_id = %(case_id)s AND referred_on IS NOT NULL", data)
    if data["kind"] == "close_programme":
        await _end_programmes(conn, data["case_id"], data["decided_on"])


async def _end_programmes(conn: psycopg.AsyncConnection, case_id: str, on: str) -> None:
    await conn.execute("UPDATE owner_programme SET ended_on = %s WHERE case_id = %s AND ended_on IS NULL", (on, case_id))


async def _issued(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
    """A new programme replaces the one in force (R4: a new programme needs a new decision)."""
    if not await _advanced(conn, m):
        return
    data = m["data"]
    await _end_programmes(conn, data["case_id"], data["issued_on"])
    await conn.execute(
        "INSERT INTO owner_programme (case_id, programme_number, municipality, school_unit, issued_on,"
        "  follow_up_dates, evaluation_on)"
        " SELECT case_id, %(programme_number)s, municipality, school_unit, %(issued_on)s, %(follow_up_dates)s::date[],"
        "  %(evaluation_on)s FROM owner_case WHERE case_id = %(case_id)s ON CONFLICT DO NOTHING", data)


def _programme(sql: str):
    async def handle(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
        if await _advanced(conn, m):
            await conn.execute(f"UPDATE owner_programme SET {sql}"
                               " WHERE case_id = %(case_id)s AND programme_number = %(programme_number)s", m["data"])

    return handle


async def _moved(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
    """R11: the programme is valid at the unit that made it; the new unit starts over."""
    if not await _advanced(conn, m):
        return
    data = m["data"]
    await conn.execute("UPDATE owner_case SET school_unit = %(to_unit)s WHERE case_id = %(case_id)s", data)
    await _end_programmes(conn, data["case_id"], data["moved_on"])


async def _deviation_reported(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
    """The deviation belongs to the organisation that reported it, at the reporting unit; it is
    reported on the day its event was stored (Swedish calendar day)."""
    data = m["data"]
    await conn.execute(
        "INSERT INTO owner_deviation (deviation_id, municipality, school_unit, reported_on, answer_due)"
        " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (deviation_id) DO NOTHING",
        (data["deviation_id"], data["organisation"], data["unit"], _day(m["occurred_at"]), data["answer_due"]),
    )


def _day(moment: str) -> date:
    from datetime import datetime

    return local_day(datetime.fromisoformat(moment.replace("Z", "+00:00")))


async def _deviation_answered(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
    await conn.execute("UPDATE owner_deviation SET answered_on = coalesce(answered_on, %(answered_on)s)"
                       " WHERE deviation_id = %(deviation_id)s", m["data"])


HANDLERS = {
    "CaseOpened": _opened,
    "CaseReferredToRektor": _case(
        "referred_unit = coalesce(referred_unit, school_unit), referred_on = coalesce(referred_on, %(referred_on)s),"
        " investigation_due = coalesce(investigation_due, %(investigation_due)s)"),
    "InvestigationStarted": _case(
        "started_on = CASE WHEN referred_on IS NULL THEN started_on ELSE coalesce(started_on, %(started_on)s) END"),
    "CaseDecided": _decided,
    "ActionProgrammeIssued": _issued,
    "ProgrammeFollowedUp": _programme("followed_up_on = array_append(followed_up_on, %(followed_up_on)s::date)"),
    "ProgrammeEvaluated": _programme("evaluated_on = coalesce(evaluated_on, %(evaluated_on)s)"),
    "CaseMovedToSchoolUnit": _moved,
    "DeviationReported": _deviation_reported,
    "DeviationAnswered": _deviation_answered,
}

# -- reading -----------------------------------------------------------------------------------
# A protected pupil's case is in no count (R14: nobody but the granted finds the pupil, counts
# included); a disposed pupil's programme ends on the day of the disposal (R17).
_SHOWN = ("JOIN followup_case f ON f.case_id = x.case_id AND NOT f.protected"
          " LEFT JOIN followup_disposal d ON d.case_id = x.case_id")


def facts(conn: psycopg.Connection, municipality: str, first: date, last: date) -> Facts:
    """What the owner's view of `municipality` is computed from, for the days first..last."""
    params = {"municipality": municipality, "first": first, "last": last}
    referrals = conn.execute(
        "SELECT x.referred_unit, x.referred_on, x.investigation_due, x.started_on, x.decided_on"
        f" FROM owner_case x {_SHOWN} WHERE x.municipality = %(municipality)s"
        " AND x.referred_on BETWEEN %(first)s AND %(last)s", params).fetchall()
    decisions = conn.execute(
        f"SELECT x.school_unit, x.decided_on, x.kind FROM owner_decision x {_SHOWN}"
        " WHERE x.municipality = %(municipality)s AND x.decided_on BETWEEN %(first)s AND %(last)s", params).fetchall()
    programmes = conn.execute(
        "SELECT x.school_unit, x.issued_on, least(x.ended_on, d.disposed_on), x.follow_up_dates, x.followed_up_on,"
        f" x.evaluation_on, x.evaluated_on FROM owner_programme x {_SHOWN}"
        " WHERE x.municipality = %(municipality)s AND x.issued_on <= %(last)s"
        " AND (least(x.ended_on, d.disposed_on) IS NULL OR least(x.ended_on, d.disposed_on) > %(first)s)",
        params).fetchall()
    deviations = conn.execute(
        "SELECT school_unit, reported_on, answer_due, answered_on FROM owner_deviation"
        " WHERE municipality = %(municipality)s AND reported_on BETWEEN %(first)s AND %(last)s", params).fetchall()
    # R9: the appeals, from the follow-up view's own rows of them (projections.appeals), by the
    # unit that received them.
    appeals = conn.execute(
        "SELECT x.school_unit, x.received_on, x.timely, x.forward_due, x.forwarded_on, x.rejected_on IS NOT NULL,"
        f" x.lapsed_on IS NOT NULL, x.board_outcome FROM followup_appeal x {_SHOWN}"
        " WHERE x.municipality = %(municipality)s AND x.received_on BETWEEN %(first)s AND %(last)s", params).fetchall()
    return Facts(
        appeals=tuple(Appeal(*row) for row in appeals),
        referrals=tuple(Referral(*row) for row in referrals),
        decisions=tuple(Decision(*row) for row in decisions),
        programmes=tuple(Programme(unit, issued, ended, tuple(dates), tuple(done), evaluation, evaluated)
                         for unit, issued, ended, dates, done, evaluation, evaluated in programmes),
        deviations=tuple(Deviation(*row) for row in deviations),
    )
