"""The school owner's view's figures (ADR 0031): GET /owner/overview of the follow-up read API
for a municipality of 100,000 pupils with 20,000 cases over five years.

The rows are loaded straight into the follow-up read model (COPY), as its projection would have
written them: 40 school units; each case opened on a day of the last five years, most referred,
investigated and decided (every kind), some with a programme (follow-ups, some late, an
evaluation; many closed or replaced since), 1% of pupils protected, 2% disposed; 2,000
deviations, most answered. Then the read API runs as its own process and is asked over HTTP on
127.0.0.1 as the frontend asks it, for the five years month by month (the largest answer) and
for the school year so far (the page's default). Server-side: the same request's work in this
process (the read model's query, the aggregation and the JSON), without HTTP.
"""
from __future__ import annotations

import json
import os
import random
import statistics
import time
import uuid
from datetime import date, datetime, time as clock_time, timedelta, timezone

import httpx
import psycopg

from eventkit.dates import local_today
from eventkit.identity import HEADER, Identity, Role, sign
from eventkit.vocabulary import labels
from projections.followup import owner, ownerview, readmodel
from tests.support.infrastructure import reset_database
from tests.support.stack import Stack

MUNICIPALITY = "0180"
UNITS = int(os.environ.get("BENCH_OWNER_UNITS", "40"))
PUPILS = int(os.environ.get("BENCH_OWNER_PUPILS", "100000"))
CASES = int(os.environ.get("BENCH_OWNER_CASES", "20000"))
DEVIATIONS = int(os.environ.get("BENCH_OWNER_DEVIATIONS", "2000"))
YEARS = 5
REQUESTS = int(os.environ.get("BENCH_OWNER_REQUESTS", "200"))
TODAY = local_today()
KINDS = list(labels("DecisionKind"))


def unit_code(n: int) -> str:
    return f"{MUNICIPALITY}-B{n:03d}"


def _day(rng: random.Random, after: date, lo: int, hi: int) -> date | None:
    day = after + timedelta(days=rng.randint(lo, hi))
    return day if day <= TODAY else None


def rows(rng: random.Random) -> dict[str, list[tuple]]:
    out: dict[str, list[tuple]] = {"followup_case": [], "followup_disposal": [], "owner_case": [], "owner_decision": [],
                                   "owner_programme": [], "owner_deviation": []}
    first = TODAY - timedelta(days=365 * YEARS)
    for _ in range(CASES):
        case, unit = uuid.uuid4(), unit_code(rng.randrange(UNITS))
        opened = first + timedelta(days=rng.randrange((TODAY - first).days))
        out["followup_case"].append((case, MUNICIPALITY, unit, datetime.combine(opened, clock_time(9), timezone.utc),
                                     "open", 1, rng.random() < 0.01))
        referred = _day(rng, opened, 0, 30) if rng.random() < 0.9 else None
        started = decided = None
        if referred:
            started = _day(rng, referred, 0, 12)
            decided = _day(rng, started, 10, 40) if started and rng.random() < 0.9 else None
        out["owner_case"].append((case, MUNICIPALITY, unit, unit if referred else None, referred,
                                  referred + timedelta(days=7) if referred else None, started, decided, 10))
        number, on = 0, decided
        while on:
            number += 1
            kind = KINDS[0] if number == 1 and rng.random() < 0.7 else rng.choice(KINDS)
            out["owner_decision"].append((case, number, MUNICIPALITY, unit, on, kind))
            if kind in ("establish_programme", "continue_with_new_measures"):
                issued = _day(rng, on, 0, 10)
                if not issued:
                    break
                follow_ups = [issued + timedelta(days=90 * k) for k in (1, 2, 3)]
                done = [d + timedelta(days=rng.randint(-5, 30)) for d in follow_ups if rng.random() < 0.8]
                done = [d for d in done if d <= TODAY]
                ends = _day(rng, issued, 200, 500) if rng.random() < 0.6 else None
                evaluation = issued + timedelta(days=360)
                evaluated = _day(rng, evaluation, -10, 40) if rng.random() < 0.7 else None
                out["owner_programme"].append((case, number, MUNICIPALITY, unit, issued, ends, follow_ups, done,
                                               evaluation, evaluated))
                on = ends if ends and rng.random() < 0.3 else None
            else:
                on = None
        if rng.random() < 0.02:
            out["followup_disposal"].append((case, _day(rng, opened, 400, 2000) or TODAY))
    for _ in range(DEVIATIONS):
        reported = first + timedelta(days=rng.randrange((TODAY - first).days))
        answered = _day(rng, reported, 5, 80) if rng.random() < 0.85 else None
        out["owner_deviation"].append((uuid.uuid4(), MUNICIPALITY, unit_code(rng.randrange(UNITS)), reported,
                                       reported + timedelta(days=60), answered))
    return out


COLUMNS = {
    "followup_case": "case_id, municipality, school_unit, opened_at, status, last_version, protected",
    "followup_disposal": "case_id, disposed_on",
    "owner_case": "case_id, municipality, school_unit, referred_unit, referred_on, investigation_due, started_on,"
                  " decided_on, last_version",
    "owner_decision": "case_id, decision_number, municipality, school_unit, decided_on, kind",
    "owner_programme": "case_id, programme_number, municipality, school_unit, issued_on, ended_on, follow_up_dates,"
                       " followed_up_on, evaluation_on, evaluated_on",
    "owner_deviation": "deviation_id, municipality, school_unit, reported_on, answer_due, answered_on",
}


def load() -> dict[str, int]:
    reset_database("FOLLOWUP_DB")
    data = rows(random.Random(31))
    with psycopg.connect(readmodel.PROJECTION.conninfo, autocommit=True) as conn:
        readmodel.PROJECTION.create_schema_sync(conn)
        with conn.cursor() as cur:
            for table, columns in COLUMNS.items():
                with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in data[table]:
                        copy.write_row(row)
        conn.execute("VACUUM ANALYZE")
    return {table: len(data[table]) for table in COLUMNS}


def _quantiles(times: list[float]) -> dict[str, float]:
    q = statistics.quantiles(times, n=100)
    return {"p50_ms": round(q[49], 1), "p95_ms": round(q[94], 1), "p99_ms": round(q[98], 1)}


def _over_http(url: str, who: Identity, params: dict) -> tuple[dict, list[float]]:
    times = []
    with httpx.Client(base_url=url, timeout=30) as client:
        for n in range(REQUESTS + 10):
            headers = {HEADER: sign(who, audience="followup", caller="frontend")}
            started = time.perf_counter()
            answer = client.get("/owner/overview", params=params, headers=headers)
            elapsed = (time.perf_counter() - started) * 1000
            assert answer.status_code == 200, answer.text
            if n >= 10:
                times.append(elapsed)
    return answer.json(), times


def _server_side(first: date, per: ownerview.Per) -> list[float]:
    """The request's own work without HTTP: the read model's query, the aggregation and the JSON."""
    times = []
    with psycopg.connect(readmodel.PROJECTION.conninfo) as conn:
        for n in range(REQUESTS + 10):
            started = time.perf_counter()
            facts = owner.facts(conn, MUNICIPALITY, first, TODAY)
            conn.rollback()
            json.dumps(ownerview.overview(facts, per, first, TODAY, TODAY, KINDS))
            if n >= 10:
                times.append((time.perf_counter() - started) * 1000)
    return times


def figures() -> dict:
    loaded = load()
    admin = Identity("admin.bench", "Administratör", Role.MUNICIPALITY_ADMIN, MUNICIPALITY, ())
    five_years = {"per": "month", "from": (TODAY - timedelta(days=365 * YEARS - 1)).isoformat()}
    school_year = {"per": "month"}
    stack = Stack()
    try:
        stack.start("followup_api")
        stack.wait_until_listening("followup_api", int(os.environ["FOLLOWUP_API_PORT"]))
        url = os.environ["FOLLOWUP_URL"]
        answer, five_years_times = _over_http(url, admin, five_years)
        _, school_year_times = _over_http(url, admin, school_year)
    finally:
        stack.stop_all()
    server = _server_side(date.fromisoformat(five_years["from"]), ownerview.Per.MONTH)
    return {
        **loaded, "pupils": PUPILS, "cases": CASES, "units": UNITS, "years": YEARS, "requests": REQUESTS,
        "five_years_by_month": {"periods": len(answer["periods"]), "units_answered": len(answer["units"]),
                                **_quantiles(five_years_times)},
        "school_year_by_month": _quantiles(school_year_times),
        "server_side_five_years": _quantiles(server),
    }
