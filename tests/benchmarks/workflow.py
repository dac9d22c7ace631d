"""Benchmarks of issue 3: the whole support-case workflow, and rektor's follow-up page.

4. Workflows/s: open, two adaptations, referral, investigation (start, parts, conclusion),
   decision, participation of pupil and guardians, programme, three follow-ups, evaluation,
   a new investigation and the closing decision: 20 commands per case, through the cases
   application (PostgreSQL, no HTTP), 8 threads.
5. Server-side time of rektor's follow-up page (frontend → follow-up API → read model, and
   the cases service for the names of the shown pupils, access-logged; full HTML) with
   BENCH_FOLLOWUP_CASES (10,000) open cases in one municipality: first spread over its
   UNITS school units as a municipality has them (rektor sees the own unit's), then all in
   rektor's one unit (the worst case: every count and the sort over all of them).
"""
from __future__ import annotations

import os
import random
import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone

import httpx
import psycopg

from cases.application import CasesApplication
from eventkit.config import Postgres
from eventkit.identity import Identity, Role
from projections.followup import readmodel
from tests.conftest import REKTOR, TEACHER
from tests.frontend_unit.helpers import log_in
from tests.support.pupils import register_pupil

THREADS = 8
WORKFLOWS = int(os.environ.get("BENCH_WORKFLOWS", "10000"))
FOLLOWUP_CASES = int(os.environ.get("BENCH_FOLLOWUP_CASES", "10000"))
PAGE_REQUESTS = int(os.environ.get("BENCH_PAGE_REQUESTS", "200"))
UNITS = 250  # Stockholm's school units, about; the rektor's own is one of them
EDUCATOR = Identity("sara.berg", "Sara Berg", Role.SPECIAL_EDUCATOR, "0180", ("0180-ENG", "0180-KAT"))
PARTS = {
    "pupil_view": "Vill ha lugn plats", "guardians_view": "Ser trötthet", "school_view": "Tappar fokus",
    "pedagogical_assessment": "Läser svagt", "environment_organisation": "Stora grupper",
    "environment_group": "Stökig klass", "environment_individual": "Saknar strategier",
}


def investigate(app: CasesApplication, case: uuid.UUID, proposal: str) -> None:
    app.start_investigation(REKTOR, case, investigator="sara.berg", student_health_team=True)
    app.record_investigation(EDUCATOR, case, parts=PARTS)
    app.conclude_investigation(EDUCATOR, case, proposal=proposal)


def one_workflow(app: CasesApplication) -> None:
    today = date.today()
    case = app.open_case(TEACHER, school_unit="0180-ENG", pupil=register_pupil()).case_id
    app.record_extra_adaptation(TEACHER, case, "Förlängd skrivtid")
    app.record_extra_adaptation(TEACHER, case, "Bildstöd")
    app.refer_to_rektor(TEACHER, case, why_not_enough="Når ändå inte målen")
    investigate(app, case, "Upprätta åtgärdsprogram")
    app.decide(REKTOR, case, kind="establish_programme")
    for party in ("pupil", "guardians"):
        app.record_participation(EDUCATOR, case, party=party, offered_on=today, took_part=True, views="Vill ha stöd")
    app.issue_programme(
        REKTOR, case, needs="Stöd att förstå längre texter",
        measures=[{"description": "Läsförståelse", "extent": "2 x 40 min/vecka", "responsible": "sara.berg"}],
        follow_up_dates=[today + timedelta(days=d) for d in (30, 60, 90)], follow_up_responsible="sara.berg",
        evaluation_on=today + timedelta(days=120), evaluation_responsible="rolf.ek",
    )
    for n in range(3):
        app.record_follow_up(EDUCATOR, case, findings=f"Uppföljning {n + 1}")
    app.record_evaluation(REKTOR, case, outcome="Målen nådda")
    investigate(app, case, "Avsluta åtgärdsprogrammet")  # support is not withdrawn without one (R10)
    app.decide(REKTOR, case, kind="close_programme")


COMMANDS_PER_WORKFLOW = 20


def workflow_rate(app: CasesApplication) -> dict[str, float]:
    remaining = iter(range(WORKFLOWS))
    done = [0] * THREADS

    def worker(index: int) -> None:
        for _ in remaining:  # the iterator is shared: each workflow runs once
            one_workflow(app)
            done[index] += 1

    started = time.monotonic()
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(worker, range(THREADS)))
    seconds = time.monotonic() - started
    total = sum(done)
    return {"workflows": total, "seconds": round(seconds, 1), "workflows_per_s": round(total / seconds, 2),
            "commands_per_s": round(total * COMMANDS_PER_WORKFLOW / seconds, 1)}


def seed_followup(app: CasesApplication, cases: int) -> int:
    """Open cases in every state, in one municipality and unit: opened in the cases service
    (which the page asks for the shown pupils' names) and put straight into the read model."""
    rng = random.Random(3)
    today = date.today()
    with ThreadPoolExecutor(THREADS) as pool:
        case_ids = list(pool.map(lambda i: app.open_case(
            TEACHER, school_unit="0180-ENG", pupil=register_pupil(name=f"Bänkelev {i}"),
        ).case_id, range(cases)))
    # A drawn personnummer may repeat among 100,000: its pupil's open case is answered again.
    case_ids = list(dict.fromkeys(case_ids))
    with psycopg.connect(Postgres.for_database("FOLLOWUP_DB").conninfo, autocommit=True) as conn:
        readmodel.PROJECTION.create_schema_sync(conn)
        rows = []
        for case_id in case_ids:
            status = rng.choice(["open", "referred", "investigating", "investigated", "decided", "programme"])
            referred = today - timedelta(days=rng.randint(0, 40)) if status != "open" else None
            programme = status == "programme"
            rows.append((
                case_id, "0180", "0180-ENG", datetime.now(timezone.utc), status, 2, 10,
                referred, referred and referred + timedelta(days=7), referred and referred + timedelta(weeks=4),
                "sara.berg" if status not in ("open", "referred") else None,
                today + timedelta(days=rng.randint(-10, 40)) if programme else None,
                today + timedelta(days=rng.randint(-5, 90)) if programme else None,
                rng.randint(0, 1) if status in ("decided", "programme") else 0,
            ))
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO followup_case (case_id, municipality, school_unit, opened_at, status, adaptations,"
                " last_version, referred_on, investigation_due, decision_due, investigator, next_follow_up, evaluation_on,"
                " undelivered) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                rows,
            )
        conn.execute("ANALYZE followup_case")
    return len(case_ids)


def spread_over_units() -> int:
    """The seeded cases, as a municipality has them: rektor's unit keeps one in UNITS, the
    others go to the municipality's other units. Returns how many rektor's unit keeps."""
    with psycopg.connect(Postgres.for_database("FOLLOWUP_DB").conninfo, autocommit=True) as conn:
        conn.execute("UPDATE followup_case SET school_unit = '0180-S' || (abs(hashtext(case_id::text)) %% %s)"
                     " WHERE abs(hashtext(case_id::text)) %% %s <> 0", (UNITS, UNITS))
        conn.execute("ANALYZE followup_case")
        return conn.execute("SELECT count(*) FROM followup_case WHERE school_unit = '0180-ENG'").fetchone()[0]


def followup_page_times(frontend_url: str, open_cases: int, in_unit: int) -> dict[str, float]:
    with httpx.Client(base_url=frontend_url, timeout=30) as client:
        log_in(client, "rolf.ek")  # through the development identity provider
        for _ in range(10):  # warm up connections and caches
            client.get("/uppfoljning")
        times = []
        for n in range(PAGE_REQUESTS):
            started = time.perf_counter()
            response = client.get("/uppfoljning", params={"sida": 1 + n % 5} if n % 2 else None)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200 and "Bänkelev" in response.text
    quantiles = statistics.quantiles(times, n=100)
    return {"open_cases": open_cases, "in_unit": in_unit, "requests": PAGE_REQUESTS, "p50_ms": round(quantiles[49], 1),
            "p95_ms": round(quantiles[94], 1), "p99_ms": round(quantiles[98], 1)}
