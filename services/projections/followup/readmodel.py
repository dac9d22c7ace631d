"""The follow-up read model in PostgreSQL, and the idempotent updates that build it.

Each event is applied in one transaction together with a row in `processed_event`; an event
delivered twice finds its id there and changes nothing. With offsets committed only after
that transaction, at-least-once delivery from Kafka gives an exactly-once view.
"""
from __future__ import annotations

from datetime import date
from typing import Any

import psycopg

SCHEMA = """
CREATE TABLE IF NOT EXISTS followup_case (
    case_id uuid PRIMARY KEY,
    municipality text NOT NULL,
    school_unit text NOT NULL,
    pupil_name text NOT NULL,
    opened_at timestamptz NOT NULL,
    status text NOT NULL,
    adaptations integer NOT NULL DEFAULT 0,
    referred_on date,
    investigation_due date,
    decision_due date,
    last_version integer NOT NULL
);
CREATE INDEX IF NOT EXISTS followup_case_unit ON followup_case (municipality, school_unit, status);
CREATE TABLE IF NOT EXISTS processed_event (
    event_id uuid PRIMARY KEY,
    processed_at timestamptz NOT NULL DEFAULT now()
);
"""


def create_schema(conn: psycopg.Connection) -> None:
    conn.execute(SCHEMA)


async def create_schema_async(conn: psycopg.AsyncConnection) -> None:
    await conn.execute(SCHEMA)


async def apply(conn: psycopg.AsyncConnection, message: dict[str, Any]) -> bool:
    """Apply one public event; returns False when it had been applied before."""
    async with conn.transaction():
        cur = await conn.execute(
            "INSERT INTO processed_event (event_id) VALUES (%s) ON CONFLICT DO NOTHING",
            (message["event_id"],),
        )
        if cur.rowcount == 0:
            return False
        handler = _HANDLERS.get(message["event_type"])
        if handler is not None:
            await handler(conn, message)
        return True


async def _case_opened(conn: psycopg.AsyncConnection, m: dict[str, Any]) -> None:
    data = m["data"]
    await conn.execute(
        "INSERT INTO followup_case (case_id, municipality, school_unit, pupil_name, opened_at, status, last_version)"
        " VALUES (%s, %s, %s, %s, %s, 'open', %s) ON CONFLICT (case_id) DO NOTHING",
        (data["case_id"], m["municipality"], data["school_unit"], data["pupil_name"], m["occurred_at"], m["aggregate_version"]),
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


_HANDLERS = {
    "CaseOpened": _case_opened,
    "ExtraAdaptationRecorded": _adaptation_recorded,
    "CaseReferredToRektor": _referred,
}


def open_cases(
    conn: psycopg.Connection, municipality: str, school_units: list[str], today: date
) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT case_id, school_unit, pupil_name, opened_at, status, adaptations, referred_on,"
        " investigation_due, decision_due FROM followup_case"
        " WHERE municipality = %s AND school_unit = ANY(%s) AND status <> 'closed'"
        " ORDER BY referred_on NULLS LAST, opened_at",
        (municipality, school_units),
    ).fetchall()
    result = []
    for case_id, unit, name, opened_at, status, adaptations, referred_on, inv_due, dec_due in rows:
        result.append(
            {
                "case_id": str(case_id),
                "school_unit": unit,
                "pupil_name": name,
                "opened_at": opened_at.isoformat(),
                "status": status,
                "adaptations": adaptations,
                "referred_on": referred_on.isoformat() if referred_on else None,
                "investigation_due": inv_due.isoformat() if inv_due else None,
                "decision_due": dec_due.isoformat() if dec_due else None,
                "days_waiting": (today - referred_on).days if referred_on else None,
                "overdue": bool(status == "referred" and inv_due and today > inv_due),
            }
        )
    return result
