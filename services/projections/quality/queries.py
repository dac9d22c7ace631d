"""What rektor's quality view asks of the read model: per special educator, goals and their
status, follow-ups due or overdue (from the schedule), competence-plan progress and
supervision; per school unit, interventions by level and kind this term."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import psycopg
from psycopg.rows import dict_row

from eventkit.vocabulary import values
from projections.quality.clock import previous_term, term_of

DUE_WITHIN = timedelta(days=14)
LEVELS = values("InterventionLevel")  # the documentation service's lists, as published in contracts/
KINDS = values("InterventionKind")


def _scope(units: list[str] | None, educator: str | None) -> tuple[str, dict[str, Any]]:
    if educator is not None:
        if units is None:
            return "special_educator = %(educator)s", {"educator": educator}
        return "special_educator = %(educator)s AND school_unit = ANY(%(units)s)", {"educator": educator, "units": list(units)}
    return "school_unit = ANY(%(units)s)", {"units": list(units or [])}


def _goal(row: dict[str, Any], today: date) -> dict[str, Any]:
    status = "replaced" if row["replaced_on"] else "in_force" if row["in_force_on"] else "proposed"
    dates: list[date] = row["follow_up_dates"] or []
    upcoming = dates[row["follow_ups_done"]] if status == "in_force" and row["follow_ups_done"] < len(dates) else None
    return {
        "goal_id": str(row["goal_id"]), "replaces": str(row["replaces"]) if row["replaces"] else None,
        "status": status, "confirmed_by": list(row["parties"]), "proposed_on": row["proposed_on"].isoformat(),
        "in_force_on": row["in_force_on"].isoformat() if row["in_force_on"] else None,
        "follow_ups_planned": len(dates), "follow_ups_done": row["follow_ups_done"],
        "next_follow_up": upcoming.isoformat() if upcoming else None,
        "follow_up_overdue": bool(upcoming and upcoming < today),
        "follow_up_due": bool(upcoming and today <= upcoming <= today + DUE_WITHIN),
        "days_overdue": (today - upcoming).days if upcoming and upcoming < today else 0,
        "attainment": row["attainment"], "actions": row["actions"],
    }


def _number(value: Any) -> float:
    return float(value or 0)


def educators(conn: psycopg.Connection, municipality: str, today: date, *, units: list[str] | None = None,
              educator: str | None = None) -> list[dict[str, Any]]:
    where, params = _scope(units, educator)
    params["municipality"] = municipality
    this_start, this_end, this_label = term_of(today)
    last_start, last_end, last_label = previous_term(today)
    with conn.cursor(row_factory=dict_row) as cur:
        missions = cur.execute(
            f"SELECT * FROM quality_mission WHERE municipality = %(municipality)s AND {where}"
            " ORDER BY special_educator, school_unit, started_on", params).fetchall()
        ids = [m["mission_id"] for m in missions]
        goals = cur.execute("SELECT * FROM quality_goal WHERE mission_id = ANY(%s) ORDER BY proposed_on, goal_id",
                            (ids,)).fetchall()
        plans = {r["mission_id"]: r for r in cur.execute(
            "SELECT mission_id, count(*) AS activities, count(completed_on) AS completed, sum(planned_hours) AS planned,"
            " sum(allotted_hours) AS allotted, sum(hours_spent) AS done FROM quality_activity"
            " WHERE mission_id = ANY(%s) GROUP BY mission_id", (ids,)).fetchall()}
        supervision = {r["mission_id"]: r for r in cur.execute(
            "SELECT mission_id,"
            " count(*) FILTER (WHERE held_on BETWEEN %(s1)s AND %(e1)s) AS this_sessions,"
            " coalesce(sum(minutes) FILTER (WHERE held_on BETWEEN %(s1)s AND %(e1)s), 0) AS this_minutes,"
            " count(*) FILTER (WHERE held_on BETWEEN %(s2)s AND %(e2)s) AS last_sessions,"
            " coalesce(sum(minutes) FILTER (WHERE held_on BETWEEN %(s2)s AND %(e2)s), 0) AS last_minutes"
            " FROM quality_supervision WHERE mission_id = ANY(%(ids)s) GROUP BY mission_id",
            {"ids": ids, "s1": this_start, "e1": this_end, "s2": last_start, "e2": last_end}).fetchall()}
    by_mission: dict[Any, list[dict[str, Any]]] = {}
    for goal in goals:
        by_mission.setdefault(goal["mission_id"], []).append(_goal(goal, today))
    people: dict[str, dict[str, Any]] = {}
    for m in missions:
        plan, held = plans.get(m["mission_id"], {}), supervision.get(m["mission_id"], {})
        its_goals = by_mission.get(m["mission_id"], [])
        entry = {
            "mission_id": str(m["mission_id"]), "school_unit": m["school_unit"], "rektor": m["rektor"],
            "started_on": m["started_on"].isoformat(),
            "mission_in_force": m["description_in_force_on"] is not None,
            "goals": its_goals,
            "plan": {"needs": m["needs"], "activities": plan.get("activities", 0), "completed": plan.get("completed", 0),
                     "planned_hours": _number(plan.get("planned")), "allotted_hours": _number(plan.get("allotted")),
                     "done_hours": _number(plan.get("done"))},
            "supervision": {"provider": m["supervision_provider"], "sessions_per_term": m["sessions_per_term"],
                            "this_term": {"label": this_label, "sessions": held.get("this_sessions", 0),
                                          "minutes": held.get("this_minutes", 0)},
                            "last_term": {"label": last_label, "sessions": held.get("last_sessions", 0),
                                          "minutes": held.get("last_minutes", 0)}},
        }
        person = people.setdefault(m["special_educator"], {
            "special_educator": m["special_educator"], "missions": [], "goals_in_force": 0, "goals_proposed": 0,
            "follow_ups_overdue": 0, "follow_ups_due": 0})
        person["missions"].append(entry)
        person["goals_in_force"] += sum(1 for g in its_goals if g["status"] == "in_force")
        person["goals_proposed"] += sum(1 for g in its_goals if g["status"] == "proposed")
        person["follow_ups_overdue"] += sum(1 for g in its_goals if g["follow_up_overdue"])
        person["follow_ups_due"] += sum(1 for g in its_goals if g["follow_up_due"])
    # Overdue follow-ups first (R13: the schedule is kept), then by name.
    return sorted(people.values(), key=lambda p: (-p["follow_ups_overdue"], p["special_educator"]))


def interventions(conn: psycopg.Connection, municipality: str, today: date, *, units: list[str] | None = None,
                  educator: str | None = None) -> dict[str, Any]:
    where, params = _scope(units, educator)
    start, end, label = term_of(today)
    params.update(municipality=municipality, start=start, end=end)
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(
            "SELECT school_unit, level, kind, count(*) AS interventions, sum(minutes) AS minutes"
            f" FROM quality_intervention WHERE municipality = %(municipality)s AND {where} AND NOT withdrawn"
            " AND performed_on BETWEEN %(start)s AND %(end)s GROUP BY school_unit, level, kind", params).fetchall()
    shown = list(units) if educator is None else sorted({r["school_unit"] for r in rows})
    per_unit = []
    for unit in shown:
        cells = {(r["level"], r["kind"]): r for r in rows if r["school_unit"] == unit}
        per_unit.append({
            "school_unit": unit,
            "total": sum(r["interventions"] for r in cells.values()),
            "minutes": int(sum(r["minutes"] for r in cells.values())),
            "by_level": {lvl: sum(r["interventions"] for (l2, _), r in cells.items() if l2 == lvl) for lvl in LEVELS},
            "by_kind": {k: sum(r["interventions"] for (_, k2), r in cells.items() if k2 == k) for k in KINDS},
            "cells": [{"level": lvl, "kind": k, "interventions": r["interventions"], "minutes": int(r["minutes"])}
                      for (lvl, k), r in sorted(cells.items())],
        })
    return {"term": {"label": label, "from": start.isoformat(), "to": end.isoformat()}, "units": per_unit}
