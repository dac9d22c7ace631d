"""The worklist's answers: a user's tasks, their counts, and the open case of each pupil of a unit.

Overdue is computed here from `today` (a due date passed) or from the overdue topic (the
deadline was reported passed), so a task turns overdue without a new event. R14: a task or a
case of a protected pupil is there only for the staff granted access; it is left out of every
count alike, so nothing says that it exists.
"""
from __future__ import annotations

from datetime import date
from typing import Any

import psycopg

from eventkit.identity import Identity

# Bound as %(viewer)s; over a worklist_case row `c` (absent for a task about no case).
VISIBLE_CASE = "(NOT c.disposed AND (NOT c.protected OR %(viewer)s = ANY(c.granted_to)))"
OVERDUE = ("(t.due_on < %(today)s OR EXISTS (SELECT 1 FROM worklist_overdue o"
           " WHERE o.case_id = t.case_id AND o.kind = t.kind AND o.due_on = t.due_on))")


def _mine(columns: str) -> str:
    """The caller's tasks: their own (by user id) and their role's at their units, each by its index."""
    tail = (" FROM worklist_task t LEFT JOIN worklist_case c ON c.case_id = t.case_id"
            f" WHERE t.municipality = %(municipality)s AND {{who}} AND (t.case_id IS NULL OR {VISIBLE_CASE})")
    own = tail.format(who="t.assignee = %(viewer)s")
    role = tail.format(who="t.assignee_role = %(role)s AND t.school_unit = ANY(%(units)s)"
                           " AND t.assignee IS NULL")
    return f"SELECT {columns}{own} UNION ALL SELECT {columns}{role}"


def _params(who: Identity, today: date) -> dict[str, Any]:
    return {"municipality": who.municipality, "viewer": who.user_id, "role": who.role.value,
            "units": list(who.school_units), "today": today}


def tasks(conn: psycopg.Connection, who: Identity, today: date, limit: int = 200) -> dict[str, Any]:
    """The caller's tasks, the overdue first, then by due date (those without one last)."""
    params = {**_params(who, today), "limit": limit}
    columns = (f"t.kind, t.subject_kind, t.subject_id, t.case_id, t.school_unit, t.due_on, {OVERDUE} AS overdue")
    rows = conn.execute(
        f"SELECT * FROM ({_mine(columns)}) mine ORDER BY overdue DESC, due_on NULLS LAST, kind, subject_id"
        " LIMIT %(limit)s", params).fetchall()
    found = summary(conn, who, today)
    return {
        "today": today.isoformat(), **found,
        "tasks": [{"kind": kind, "subject_kind": subject_kind, "subject_id": str(subject_id),
                   "case_id": str(case_id) if case_id else None, "school_unit": unit,
                   "due_on": due.isoformat() if due else None, "overdue": bool(overdue)}
                  for kind, subject_kind, subject_id, case_id, unit, due, overdue in rows],
    }


def summary(conn: psycopg.Connection, who: Identity, today: date) -> dict[str, int]:
    count, overdue = conn.execute(
        f"SELECT count(*), count(*) FILTER (WHERE overdue) FROM ({_mine(f'{OVERDUE} AS overdue')}) mine",
        _params(who, today)).fetchone()
    return {"count": count, "overdue": overdue}


def pupil_cases(conn: psycopg.Connection, who: Identity, unit: str, today: date) -> list[dict[str, Any]]:
    """Each pupil's open case at `unit` with its status and whether any of its tasks is overdue."""
    rows = conn.execute(
        "SELECT c.pupil_ref, c.case_id, c.status, EXISTS (SELECT 1 FROM worklist_task t"
        f"  WHERE t.case_id = c.case_id AND {OVERDUE})"
        " FROM worklist_case c WHERE c.municipality = %(municipality)s AND c.school_unit = %(unit)s"
        f" AND c.status <> 'closed' AND c.pupil_ref IS NOT NULL AND {VISIBLE_CASE} ORDER BY c.pupil_ref",
        {**_params(who, today), "unit": unit}).fetchall()
    return [{"pupil_id": pupil, "case_id": str(case_id), "status": status, "overdue": bool(overdue)}
            for pupil, case_id, status, overdue in rows]
