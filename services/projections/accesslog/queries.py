"""Loggkontroll's search (R15): filtered by user, pupil reference, school unit, period and kind
of access, newest first, one page at a time in SQL with the total; each entry flagged when unusual:
- `outside_usual_units`: a read, list, print or export in a school unit where the user made no
  change in the last ACCESSLOG_USUAL_DAYS days before it (if the user made no change at all in
  that window: a unit outside the units of the user's identity);
- `many_records`: the user had read more than ACCESSLOG_BURST_PUPILS different pupils within
  ACCESSLOG_BURST_MINUTES minutes up to this entry;
- `refused`: the request was refused (403/404: another unit's case, a protected pupil, the
  medical part), which is always unusual.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

from projections.accesslog.period import KINDS

READS = "('read', 'list', 'print', 'export')"
PAGE_SIZE = 50


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
    " AND c.action = 'change' AND c.outcome = 'granted'"
    " AND c.at BETWEEN e.at - make_interval(days => %(usual_days)s::int) AND e.at"
)
OUTSIDE_USUAL = (
    f"e.outcome = 'granted' AND e.action IN {READS} AND e.school_unit <> '' AND NOT (CASE WHEN EXISTS ({_ACTED})"
    f" THEN EXISTS ({_ACTED} AND c.school_unit = e.school_unit) ELSE e.school_unit = ANY(e.user_units) END)"
)
MANY_RECORDS = (
    "e.outcome = 'granted' AND (SELECT count(DISTINCT b.pupil_ref) FROM access_entry b"
    " WHERE b.municipality = e.municipality AND b.user_id = e.user_id AND b.action IN ('read', 'print', 'export')"
    " AND b.outcome = 'granted' AND b.pupil_ref IS NOT NULL"
    " AND b.at BETWEEN e.at - make_interval(mins => %(burst_minutes)s::int) AND e.at) > %(burst_pupils)s"
)
REFUSED = "e.outcome = 'refused'"
FLAGS = (f"({OUTSIDE_USUAL}) IS TRUE AS outside_usual_units, ({MANY_RECORDS}) IS TRUE AS many_records,"
         f" {REFUSED} AS refused")


def search(
    conn: psycopg.Connection, municipality: str, *, user: str | None = None, pupil_ref: str | None = None,
    school_unit: str | None = None, since: datetime | None = None, until: datetime | None = None,
    kind: str | None = None, flagged_only: bool = False, thresholds: Thresholds = Thresholds(),
    limit: int = PAGE_SIZE, offset: int = 0,
) -> dict[str, Any]:
    """One page of entries, newest first, and how many match in all."""
    where = ["e.municipality = %(municipality)s"]
    if user:
        where.append("e.user_id = %(user)s")
    if pupil_ref:
        where.append("e.pupil_ref = %(pupil_ref)s")
    if school_unit:
        where.append("e.school_unit = %(school_unit)s")
    if since:
        where.append("e.at >= %(since)s")
    if until:
        where.append("e.at < %(until)s")
    if kind:
        actions, outcome = KINDS[kind]
        where.append("e.outcome = %(outcome)s" + (" AND e.action = ANY(%(actions)s)" if actions else ""))
    if flagged_only:
        where.append(f"(({OUTSIDE_USUAL}) IS TRUE OR ({MANY_RECORDS}) IS TRUE OR {REFUSED})")
    params = {"municipality": municipality, "user": user, "pupil_ref": pupil_ref, "school_unit": school_unit,
              "since": since, "until": until, "limit": limit, "offset": offset,
              "actions": list(KINDS[kind][0]) if kind else None, "outcome": KINDS[kind][1] if kind else None,
              **vars(thresholds)}
    condition = " AND ".join(where)
    cur = conn.execute(
        "SELECT e.entry_id, e.at, e.service, e.user_id, e.role, e.user_units, e.school_unit, e.action, e.resource,"
        f" e.resource_id, e.pupil_ref, e.outcome, {FLAGS} FROM access_entry e WHERE {condition}"
        " ORDER BY e.at DESC, e.entry_id DESC LIMIT %(limit)s OFFSET %(offset)s", params)
    names = [d.name for d in cur.description]
    entries = [_row(dict(zip(names, values))) for values in cur.fetchall()]
    [total] = conn.execute(f"SELECT count(*) FROM access_entry e WHERE {condition}", params).fetchone()
    return {"entries": entries, "total": total, "offset": offset, "limit": limit}


def _row(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else str(v) if k in ("entry_id", "pupil_ref") and v else v)
            for k, v in row.items()}
