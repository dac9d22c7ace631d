"""The loggkontroll read model: one row per DataAccessed entry (idempotent by entry id).
Pupils appear only as the pseudonymous pupil_ref; nothing here is readable personal data."""
from __future__ import annotations

from typing import Any

import psycopg

from eventkit.config import topic
from eventkit.projection import Projection

# What the view is built from (and rebuilt from: projections.rebuild).
TOPICS = (topic("stodspar.accesslog.v1"),)

SCHEMA = """
CREATE TABLE IF NOT EXISTS access_entry (
    entry_id uuid PRIMARY KEY,
    at timestamptz NOT NULL,
    municipality text NOT NULL,
    service text NOT NULL,
    user_id text NOT NULL,
    role text NOT NULL,
    user_municipality text NOT NULL,
    user_units text[] NOT NULL,
    school_unit text NOT NULL,
    action text NOT NULL,
    resource text NOT NULL,
    resource_id text NOT NULL,
    pupil_ref uuid
);
ALTER TABLE access_entry ADD COLUMN IF NOT EXISTS outcome text NOT NULL DEFAULT 'granted';
CREATE INDEX IF NOT EXISTS access_entry_user ON access_entry (municipality, user_id, at);
CREATE INDEX IF NOT EXISTS access_entry_pupil ON access_entry (municipality, pupil_ref, at);
-- Loggkontroll pages in SQL (projections.accesslog.queries): newest first by municipality, unit,
-- refusals; the "usual units" flag looks up the user's changes per unit.
CREATE INDEX IF NOT EXISTS access_entry_time ON access_entry (municipality, at);
CREATE INDEX IF NOT EXISTS access_entry_unit ON access_entry (municipality, school_unit, at);
CREATE INDEX IF NOT EXISTS access_entry_refused ON access_entry (municipality, at) WHERE outcome = 'refused';
CREATE INDEX IF NOT EXISTS access_entry_changes ON access_entry (municipality, user_id, school_unit, at)
    WHERE action = 'change' AND outcome = 'granted';
"""


async def _data_accessed(conn: psycopg.AsyncConnection, message: dict[str, Any]) -> bool:
    d = message["data"]
    cur = await conn.execute(
        "INSERT INTO access_entry (entry_id, at, municipality, service, user_id, role, user_municipality, user_units,"
        " school_unit, action, resource, resource_id, pupil_ref, outcome)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (entry_id) DO NOTHING"
        " RETURNING entry_id",
        (d["entry_id"], message["occurred_at"], message["municipality"], d["service"], d["user_id"], d["role"],
         d["user_municipality"], d["user_units"], d["school_unit"], d["action"], d["resource"], d["resource_id"],
         d["pupil_ref"], d.get("outcome", "granted")),  # DataAccessed 1.0 has no outcome: granted
    )
    return await cur.fetchone() is not None


# Idempotent by the entry's own id: no record of processed events is needed (or kept).
PROJECTION = Projection("accesslog", "ACCESSLOG_DB", TOPICS, SCHEMA, {"DataAccessed": _data_accessed},
                        only_handled=True, records_processed=False)
