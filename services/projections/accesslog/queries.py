"""Loggkontroll's search: by user and/or pupil reference in a time range, each entry flagged
when unusual (R15):
- `outside_usual_units`: a read, list, print or export in a school unit where the user made no
  change in the last ACCESSLOG_USUAL_DAYS days before it (if the user made no change at all in
  that window: a unit outside the units of the user's identity);
- `many_records`: the user had read more than ACCESSLOG_BURST_PUPILS different pupils within
  ACCESSLOG_BURST_MINUTES minutes up to this entry.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

READS = "('read', 'list', 'print', 'export')"


@dataclass(frozen=True)
class Thresholds:
    usual_days: int = 90
    burst_pupils: int = 20
    burst_minutes: int = 10

    @classmethod
    def from_env(cls) -> "Thresholds":
        return cls(
            usual_days=int(os.environ.get("ACCESSLOG_USUAL_DAYS", "90")),
            burst_pupils=int(os.environ.get("ACCESSLOG_BURST_PUPILS", "20")),
            burst_minutes=int(os.environ.get("ACCESSLOG_BURST_MINUTES", "10")),
        )


_ACTED = (
    "SELECT 1 FROM access_entry c WHERE c.municipality = e.municipality AND c.user_id = e.user_id"
    " AND c.action = 'change' AND c.at BETWEEN e.at - make_interval(days => %(usual_days)s::int) AND e.at"
)
OUTSIDE_USUAL = (
    f"e.action IN {READS} AND e.school_unit <> '' AND NOT (CASE WHEN EXISTS ({_ACTED})"
    f" THEN EXISTS ({_ACTED} AND c.school_unit = e.school_unit) ELSE e.school_unit = ANY(e.user_units) END)"
)
MANY_RECORDS = (
    "(SELECT count(DISTINCT b.pupil_ref) FROM access_entry b WHERE b.municipality = e.municipality"
    " AND b.user_id = e.user_id AND b.action IN ('read', 'print', 'export') AND b.pupil_ref IS NOT NULL"
    " AND b.at BETWEEN e.at - make_interval(mins => %(burst_minutes)s::int) AND e.at) > %(burst_pupils)s"
)


def search(
    conn: psycopg.Connection, municipality: str, *, user: str | None = None, pupil_ref: str | None = None,
    since: datetime | None = None, until: datetime | None = None, flagged_only: bool = False,
    thresholds: Thresholds = Thresholds(), limit: int = 500,
) -> list[dict[str, Any]]:
    where = ["e.municipality = %(municipality)s"]
    if user:
        where.append("e.user_id = %(user)s")
    if pupil_ref:
        where.append("e.pupil_ref = %(pupil_ref)s")
    if since:
        where.append("e.at >= %(since)s")
    if until:
        where.append("e.at < %(until)s")
    params = {"municipality": municipality, "user": user, "pupil_ref": pupil_ref, "since": since, "until": until,
              "limit": limit, **vars(thresholds)}
    sql = (
        "SELECT * FROM (SELECT e.entry_id, e.at, e.service, e.user_id, e.role, e.user_units, e.school_unit, e.action,"
        " e.resource, e.resource_id, e.pupil_ref,"
        f" ({OUTSIDE_USUAL}) IS TRUE AS outside_usual_units, ({MANY_RECORDS}) IS TRUE AS many_records"
        f" FROM access_entry e WHERE {' AND '.join(where)} ORDER BY e.at DESC LIMIT %(limit)s) found"
        + (" WHERE outside_usual_units OR many_records" if flagged_only else "")
        + " ORDER BY at DESC"
    )
    cur = conn.execute(sql, params)
    names = [d.name for d in cur.description]
    return [_row(dict(zip(names, values))) for values in cur.fetchall()]


def _row(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else str(v) if k in ("entry_id", "pupil_ref") and v else v)
            for k, v in row.items()}
