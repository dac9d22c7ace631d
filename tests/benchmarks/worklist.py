"""Att göra's figures: GET /tasks (and /tasks/summary, /pupil-cases) of the worklist's read API
for a municipality of 100,000 pupils with 20,000 open cases, for a rektor and a special educator.

The rows are loaded straight into the worklist read model (COPY), as its projection would have
written them: 40 school units of 2,500 pupils, 500 open cases each, every case at a stage of its
workflow with its tasks (rektor's at the unit, the investigator's by user id), due dates spread
around today so a share is overdue, some of them reported on the overdue topic; a mission with
goals per unit; a few deviations per unit. Then the read API runs as its own process and is
asked over HTTP on 127.0.0.1 as the frontend asks it (the time includes the loopback round trip:
an upper bound of the server-side time).
"""
from __future__ import annotations

import os
import random
import statistics
import time
import uuid
from datetime import date, timedelta

import httpx
import psycopg

from eventkit.identity import HEADER, Identity, Role, sign
from projections.worklist import readmodel
from tests.support.infrastructure import reset_database
from tests.support.stack import Stack

MUNICIPALITY = "0180"
UNITS = int(os.environ.get("BENCH_WORKLIST_UNITS", "40"))
PUPILS = int(os.environ.get("BENCH_WORKLIST_PUPILS", "100000"))
OPEN_CASES = int(os.environ.get("BENCH_WORKLIST_CASES", "20000"))
REQUESTS = int(os.environ.get("BENCH_WORKLIST_REQUESTS", "300"))
EDUCATORS_PER_UNIT = 4
TODAY = date.today()
STAGES = ("open", "referred", "investigating", "decided", "programme")


def unit_code(n: int) -> str:
    return f"{MUNICIPALITY}-B{n:03d}"


def educator(unit: int, n: int) -> str:
    return f"spec.b{unit:03d}.{n}"


def _due(rng: random.Random) -> date:
    return TODAY + timedelta(days=rng.randint(-30, 90))  # about a quarter overdue


def rows(rng: random.Random) -> tuple[list[tuple], list[tuple], list[tuple], list[tuple]]:
    cases, tasks, overdue, missions = [], [], [], []
    pupils_per_unit = PUPILS // UNITS
    per_unit = OPEN_CASES // UNITS

    def task(kind, unit, subject_kind, subject, case, due, assignee=None):
        tasks.append((f"{kind}:{subject}:{len(tasks)}", kind, MUNICIPALITY, unit, assignee,
                      None if assignee else "rektor", subject_kind, subject, case, due))

    for u in range(UNITS):
        unit = unit_code(u)
        for pupil_n in rng.sample(range(pupils_per_unit), per_unit):  # a case each for some of the unit's pupils
            case = uuid.uuid4()
            stage = STAGES[rng.randrange(len(STAGES))]
            protected = rng.random() < 0.01
            granted = [educator(u, 0)] if protected else []
            cases.append((case, MUNICIPALITY, unit, str(uuid.uuid5(uuid.NAMESPACE_OID, f"{unit}:{pupil_n}")),
                          stage, protected, granted))
            if stage == "referred":
                start, decide = _due(rng), _due(rng) + timedelta(days=20)
                task("start_investigation", unit, "case", case, case, start)
                task("decide", unit, "case", case, case, decide)
                if start < TODAY and rng.random() < 0.5:
                    overdue.append((case, "start_investigation", start))
            elif stage == "investigating":
                decide = _due(rng)
                task("decide", unit, "case", case, case, decide)
                task("conduct_investigation", unit, "case", case, case, decide,
                     educator(u, rng.randrange(EDUCATORS_PER_UNIT)))
            elif stage == "decided":
                task("deliver_decision", unit, "case", case, case, None)
                task("issue_programme", unit, "case", case, case, None)
            elif stage == "programme":
                follow_up = _due(rng)
                task("follow_up", unit, "case", case, case, follow_up)
                task("evaluate", unit, "case", case, case, follow_up + timedelta(days=60))
                if follow_up < TODAY and rng.random() < 0.5:
                    overdue.append((case, "follow_up", follow_up))
        for n in range(EDUCATORS_PER_UNIT):  # each special educator's mission: goals to confirm and report
            mission = uuid.uuid4()
            missions.append((mission, MUNICIPALITY, unit, f"rektor.b{u:03d}", educator(u, n)))
            for _ in range(3):
                task("report_goal_follow_up", unit, "mission", mission, None, _due(rng), educator(u, n))
            task("confirm_goal", unit, "mission", mission, None, None, f"rektor.b{u:03d}")
        for _ in range(5):
            deviation = uuid.uuid4()
            for kind in ("handle_deviation", "record_deviation_answer"):
                task(kind, unit, "deviation", deviation, None, _due(rng), f"rektor.b{u:03d}")
    return cases, tasks, overdue, missions


def load() -> dict[str, int]:
    reset_database("WORKLIST_DB")
    cases, tasks, overdue, missions = rows(random.Random(14))
    with psycopg.connect(readmodel.PROJECTION.conninfo, autocommit=True) as conn:
        readmodel.PROJECTION.create_schema_sync(conn)
        with conn.cursor() as cur:
            for table, columns, data in (
                ("worklist_case", "case_id, municipality, school_unit, pupil_ref, status, protected, granted_to", cases),
                ("worklist_task", "task_key, kind, municipality, school_unit, assignee, assignee_role, subject_kind,"
                                  " subject_id, case_id, due_on", tasks),
                ("worklist_overdue", "case_id, kind, due_on", overdue),
                ("worklist_mission", "mission_id, municipality, school_unit, rektor, special_educator", missions),
            ):
                with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in data:
                        copy.write_row(row)
        conn.execute("VACUUM ANALYZE")
    return {"open_cases": len(cases), "tasks": len(tasks)}


def _times(url: str, path: str, who: Identity, params: dict | None = None) -> tuple[dict, list[float]]:
    times = []
    with httpx.Client(base_url=url, timeout=30) as client:
        for n in range(REQUESTS + 10):
            headers = {HEADER: sign(who, audience="worklist", caller="frontend")}
            started = time.perf_counter()
            answer = client.get(path, params=params, headers=headers)
            elapsed = (time.perf_counter() - started) * 1000
            assert answer.status_code == 200, answer.text
            if n >= 10:  # the first ones warm connections and caches
                times.append(elapsed)
    return answer.json(), times


def _quantiles(times: list[float]) -> dict[str, float]:
    q = statistics.quantiles(times, n=100)
    return {"p50_ms": round(q[49], 1), "p95_ms": round(q[94], 1), "p99_ms": round(q[98], 1)}


def figures() -> dict:
    loaded = load()
    rektor = Identity("rektor.b000", "Rektor", Role.REKTOR, MUNICIPALITY, (unit_code(0),))
    special = Identity(educator(0, 0), "Specialpedagog", Role.SPECIAL_EDUCATOR, MUNICIPALITY, (unit_code(0),))
    stack = Stack()
    try:
        stack.start("worklist_api")
        stack.wait_until_listening("worklist_api", int(os.environ["WORKLIST_API_PORT"]))
        url = os.environ["WORKLIST_URL"]
        rektor_tasks, rektor_times = _times(url, "/tasks", rektor)
        special_tasks, special_times = _times(url, "/tasks", special)
        _, summary_times = _times(url, "/tasks/summary", rektor)
        pupil_cases, pupil_times = _times(url, "/pupil-cases", special, {"unit": unit_code(0)})
    finally:
        stack.stop_all()
    return {
        **loaded, "pupils": PUPILS, "units": UNITS, "requests": REQUESTS,
        "rektor": {"tasks": rektor_tasks["count"], "overdue": rektor_tasks["overdue"], **_quantiles(rektor_times)},
        "special_educator": {"tasks": special_tasks["count"], "overdue": special_tasks["overdue"],
                             "pupils_in_scope": PUPILS // UNITS, **_quantiles(special_times)},
        "summary": _quantiles(summary_times),
        "pupil_cases": {"cases": len(pupil_cases["cases"]), **_quantiles(pupil_times)},
    }
