"""`make bench`: the platform's figures in one run, written to results/latest.json and to the
README's performance section.

1. Store path: commands/s stored by the cases application as the service runs it (access log
   entry and per-pupil encryption with every command; no HTTP) with 8 concurrent clients
   (2 processes, one per core, as two uvicorn workers, x 4 threads), beside pgbench's
   single-row INSERT rate with 8 connections on the same server.
2. Relay: events/s from the notification log into Kafka (acks=all, idempotent producer).
3. Command → view latency at a steady 200 commands/s (an open load) (p50, p95, p99) from 2 application
   processes (as two uvicorn workers) of 8 threads, through the relay process, Kafka and the faust
   projection into the follow-up read model.
4. and 5. (tests/benchmarks/workflow.py): the whole support-case workflow, workflows/s; and
   the server-side time of rektor's follow-up page with 10,000 open cases.
6. (tests/benchmarks/deidentification.py): the R22 check's recall and false alarms on the
   labelled corpora, its time on a 2,000-character text against 100,000 registered people,
   and the lexicon's memory. Needs no infrastructure: `make bench-deidentify` runs it alone.
7. (tests/benchmarks/directory.py): the directory's full sync of about 100,000 persons from the
   development SS 12000 register, an incremental sync of 1,000 changes, and the pupil search's
   and Mina elever's list's p95 over HTTP with them (alone: BENCH_PHASES=directory make bench).
8. (tests/benchmarks/worklist.py): Att göra's read API, GET /tasks for a rektor and a special
   educator, with 20,000 open cases of 100,000 pupils in the read model (alone: BENCH_PHASES=worklist).
9. (tests/benchmarks/accesslog.py): loggkontroll's search by pupil over 10 million access-log
   entries in the read model, a page of 50 with flags and the total (alone: BENCH_PHASES=accesslog;
   BENCH_ACCESSLOG_ROWS for fewer).
10. (tests/benchmarks/owner.py): the school owner's view, GET /owner/overview of the follow-up read
   API for 100,000 pupils and 20,000 cases over five years, month by month (alone: BENCH_PHASES=owner).
Knobs: BENCH_PHASES, BENCH_WORKFLOWS, BENCH_FOLLOWUP_CASES, BENCH_PAGE_REQUESTS and those above.
"""
from __future__ import annotations

import asyncio
import collections
import itertools
import json
import multiprocessing
import os
import platform
import re
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import psycopg

from tests.support import environment

environment.load()

from cases.application import CasesApplication  # noqa: E402
from cases.bootstrap import application as cases_application  # noqa: E402
from cases.public_events import translate  # noqa: E402
from eventkit.config import Postgres  # noqa: E402
from eventkit.relay import OutboxRelay  # noqa: E402
from projections.followup import readmodel  # noqa: E402
from projections.rebuild import rebuild, view_named  # noqa: E402
from tests.conftest import TEACHER  # noqa: E402
from tests.support.infrastructure import eventually, query, reset_database  # noqa: E402
from tests.support.pupils import register_pupil  # noqa: E402
from tests.support.stack import Stack  # noqa: E402
from tests.benchmarks import accesslog, deidentification, directory, owner, workflow, worklist  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "latest.json"
README = environment.ROOT / "README.md"
CLIENTS = 8
PROCESSES = 2
STORE_SECONDS = float(os.environ.get("BENCH_STORE_SECONDS", "10"))
LATENCY_SECONDS = float(os.environ.get("BENCH_LATENCY_SECONDS", "20"))
RATE = int(os.environ.get("BENCH_RATE", "200"))  # commands a second in the latency phase
OPENINGS = 5  # one command in five opens a case; the others record an extra adaptation
# BENCH_PHASES=workflow,followup_page runs only those; figures of phases not run are kept.
PHASES = set(filter(None, os.environ.get("BENCH_PHASES", "deidentify,store,relay,latency,rebuild,workflow,followup_page,directory,worklist,accesslog,owner").split(",")))
CORPUS_NAMES = {"corpus": "Stockholm", "holdout": "held-out Botkyrka/Södertälje", "norrland": "held-out Uppsala/Norrland"}
INFRASTRUCTURE_PHASES = {"store", "relay", "latency", "rebuild", "workflow", "followup_page"}


def pgbench_insert_rate() -> float:
    settings = Postgres.for_database("CASES_DB")
    with_conn = ["-h", settings.host, "-p", str(settings.port), "-U", settings.user, settings.dbname]
    env = {**os.environ, "PGPASSWORD": settings.password}
    subprocess.run(
        ["psql", "-q", *with_conn, "-c", "CREATE TABLE IF NOT EXISTS bench_single_row (id bigserial PRIMARY KEY, v int)"],
        env=env, check=True,
    )
    pgbench = shutil.which("pgbench") or next(Path("/usr/lib/postgresql").glob("*/bin/pgbench"))
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write("INSERT INTO bench_single_row (v) VALUES (1);\n")
    out = subprocess.run(
        [str(pgbench), "-n", "-c", str(CLIENTS), "-j", "2", "-T", str(int(STORE_SECONDS)), "-f", script.name,
         *with_conn[:-1], settings.dbname],
        env=env, check=True, capture_output=True, text=True,
    ).stdout
    return float(re.search(r"tps = ([0-9.]+)", out).group(1))


def _store_worker(threads: int, start_at: float) -> int:
    """One application process (as one uvicorn worker would be), `threads` commands at a time."""
    environment.load()
    app = cases_application()  # as the service runs it: access log (R15), per-pupil keys (R17)
    time.sleep(max(0.0, start_at - time.time()))  # all processes start together, imports done
    deadline = time.monotonic() + STORE_SECONDS

    def client(_: int) -> int:
        done = 0
        while time.monotonic() < deadline:
            app.open_case(TEACHER, school_unit="0180-ENG", pupil=register_pupil()).case_id
            done += 1
        return done

    with ThreadPoolExecutor(threads) as pool:
        return sum(pool.map(client, range(threads)))


def store_rate() -> float:
    """8 concurrent clients, like pgbench's 8 connections: 2 processes (one per core) x 4 threads."""
    start_at = time.time() + 5
    with multiprocessing.get_context("spawn").Pool(PROCESSES) as pool:
        total = sum(pool.starmap(_store_worker, [(CLIENTS // PROCESSES, start_at)] * PROCESSES))
    return total / STORE_SECONDS


def relay_rate(app: CasesApplication) -> tuple[float, int]:
    async def publish_all() -> tuple[float, int]:
        relay = OutboxRelay(app, "bench.cases.v1", translate, name=f"bench-{time.time_ns()}", batch_size=2000)
        try:
            await relay._producer.ready()
            started = time.monotonic()
            total = await relay.drain()
            return total / (time.monotonic() - started), total
        finally:
            await relay.close()

    return asyncio.run(publish_all())


def _latency_sender(rate: float, start_at: float) -> tuple[list[tuple[str, int, float, float]], dict[str, int]]:
    """One application process (as one uvicorn worker would be) sending commands at `rate` a
    second for LATENCY_SECONDS, as a school day has them: one in OPENINGS opens a case, the
    others record an extra adaptation on a case it opened before (each case has one command at
    a time, as one teacher would). Returns (case, adaptations it brings the case to, when it was
    due, when it was answered) per command, on the machine's monotonic clock, and the refusals."""
    environment.load()
    app = cases_application()
    idle: collections.deque = collections.deque()  # (case, adaptations so far) with no command under way
    lock = threading.Lock()
    errors: collections.Counter = collections.Counter()
    answered: list[tuple[str, int, float, float]] = []

    def issue(due: float, number: int) -> None:  # timed from when it was due, not when a thread was free
        with lock:
            case = idle.popleft() if idle and number % OPENINGS else None
        try:
            if case is None:
                case_id, n = str(app.open_case(TEACHER, school_unit="0180-ENG", pupil=register_pupil()).case_id), 0
            else:
                case_id, n = case[0], case[1] + 1
                app.record_extra_adaptation(TEACHER, uuid.UUID(case_id), f"Anpassning {n}")
        except Exception as exc:  # counted, not hidden: a refused command is no latency
            errors[type(exc).__name__] += 1
            return
        answered.append((case_id, n, due, time.monotonic()))
        with lock:
            idle.append((case_id, n))

    time.sleep(max(0.0, start_at - time.time()))  # all processes start together, imports done
    interval = 1.0 / rate
    next_at = time.monotonic()
    end = next_at + LATENCY_SECONDS
    with ThreadPoolExecutor(CLIENTS) as senders:  # an open load: commands at the rate, not one after another
        for number in itertools.count():
            if next_at >= end:
                break
            time.sleep(max(0.0, next_at - time.monotonic()))
            senders.submit(issue, next_at, number)
            next_at += interval
    return answered, dict(errors)


def command_to_view_latency() -> dict[str, float]:
    """Commands at RATE a second from PROCESSES application processes (_latency_sender), each
    timed from when it was due until rektor's follow-up view shows it: the case, or its
    adaptations counted up to that one. The view is watched from here, every 10 ms."""
    seen: dict[tuple[str, int], float] = {}
    done = threading.Event()
    since = datetime.now(timezone.utc)

    def watch() -> None:  # on one connection: a new one for each look cost PostgreSQL a process each time
        shown: dict[str, int] = {}
        with psycopg.connect(Postgres.for_database("FOLLOWUP_DB").conninfo, autocommit=True) as conn:
            while not done.is_set():
                look(conn, shown)
                time.sleep(0.01)

    def look(conn: psycopg.Connection, shown: dict[str, int]) -> None:
        for case_id, adaptations in conn.execute("SELECT case_id::text, adaptations FROM followup_case"
                                                 " WHERE opened_at >= %s", (since,)):
            if adaptations >= shown.get(case_id, -1) + 1:
                now = time.monotonic()
                for n in range(shown.get(case_id, -1) + 1, adaptations + 1):
                    seen.setdefault((case_id, n), now)
                shown[case_id] = adaptations

    watcher = threading.Thread(target=watch)
    watcher.start()
    start_at = time.time() + 5
    try:
        with multiprocessing.get_context("spawn").Pool(PROCESSES) as pool:
            sent = pool.starmap(_latency_sender, [(RATE / PROCESSES, start_at)] * PROCESSES)
        answered = [command for commands, _ in sent for command in commands]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any((case_id, n) not in seen for case_id, n, _, _ in answered):
            time.sleep(0.05)
    finally:
        done.set()
        watcher.join()
    errors = collections.Counter()
    for _, refused in sent:
        errors.update(refused)
    latencies = sorted((seen[(case_id, n)] - due) * 1000 for case_id, n, due, _ in answered if (case_id, n) in seen)
    quantiles = statistics.quantiles(latencies, n=100)
    own = statistics.quantiles(sorted((stored - due) * 1000 for _, _, due, stored in answered), n=100)
    return {
        "commands": len(answered),
        "openings": sum(1 for _, n, _, _ in answered if n == 0),
        "answered_p50_ms": round(own[49], 1),  # the command's own part: due until stored
        "answered_p95_ms": round(own[94], 1),
        "errors": dict(errors),
        "reached_view": len(latencies),
        "p50_ms": round(quantiles[49], 1),
        "p95_ms": round(quantiles[94], 1),
        "p99_ms": round(quantiles[98], 1),
    }


def write_readme(results: dict) -> None:
    lines = [
        "<!-- bench:start (written by make bench) -->",
        when_measured(results),
        "",
        "| figure | result | target |",
        "| --- | --- | --- |",
    ]
    if "store" in results:
        s, r, l = results["store"], results["relay"], results["command_to_view"]
        lines += [
            f"| cases application with access log and per-pupil encryption, commands/s stored (8 clients: 2 processes x 4 threads, no HTTP) | {s['commands_per_s']:.0f} | |",
            f"| pgbench single-row INSERT, tps (8 connections) | {s['pgbench_tps']:.0f} | |",
            f"| store path / pgbench | {s['ratio']:.0%} | ≥ 30% |",
            f"| relay, events/s from notification log into Kafka | {r['events_per_s']:.0f} ({r['events']} events) | ≥ 20,000 |",
            f"| command → follow-up view at {RATE} commands/s ({PROCESSES} processes x {CLIENTS} threads; one in {OPENINGS} opens a case, the others record an adaptation), p50 / p95 / p99; the command's own part (due → stored), p50 / p95 | {l['p50_ms']} / {l['p95_ms']} / {l['p99_ms']} ms ({l['reached_view']}/{l['commands']}); {l.get('answered_p50_ms', '–')} / {l.get('answered_p95_ms', '–')} ms | p95 ≤ 100 ms |",
        ]
    if "rebuild" in results:
        b = results["rebuild"]
        lines.append(f"| rebuild of the follow-up view from its topics beside the live one (`make rebuild VIEW=followup`), "
                     f"events/s | {b['events_per_second']} ({b['events']} events in {b['seconds']} s; the switch paused "
                     f"the view {b['switch_pause_s'] * 1000:.0f} ms) | ≥ 20,000 |")
    if "workflow" in results:
        w = results["workflow"]
        lines.append(
            f"| whole support-case workflow (20 commands, 8 threads, no HTTP), workflows/s | {w['workflows_per_s']} "
            f"({w['workflows']} workflows in {w['seconds']} s, {w['commands_per_s']:.0f} commands/s) | |"
        )
    if "followup_page" in results:
        f = results["followup_page"]
        a, o = f["across_units"], f["one_unit"]
        lines.append(
            f"| rektor's follow-up page, server-side, {a['open_cases']:,} open cases in the municipality over "
            f"{workflow.UNITS} units ({a['in_unit']:,} in rektor's), p50 / p95 / p99 "
            f"| {a['p50_ms']} / {a['p95_ms']} / {a['p99_ms']} ms ({a['requests']} requests) | p95 ≤ 50 ms (100,000 open cases) |"
        )
        lines.append(
            f"| the same page with all {o['open_cases']:,} open cases in rektor's one unit (every count and the sort over all), "
            f"p50 / p95 / p99 | {o['p50_ms']} / {o['p95_ms']} / {o['p99_ms']} ms ({o['requests']} requests) | |"
        )
    if "deidentify" in results:
        d = results["deidentify"]
        for name, c in d["corpora"].items():
            lines.append(
                f"| R22 check on the {CORPUS_NAMES.get(name, name)} corpus ({c['texts']} texts): recall on {c['labelled']} labelled items / "
                f"false alarms on {c['clean']} clean texts; without the register | {c['recall']:.1%} / "
                f"{c['false_alarm_rate']:.1%}; {c['recall_without_register']:.1%} / "
                f"{c['false_alarm_rate_without_register']:.1%} | 100% / ≤ 10% |"
            )
        k, lexicon = d["check_ms"], d["lexicon"]
        lines += [
            f"| R22 check of a {k['characters']:,}-character text against {k['register_people']:,} registered people "
            f"and the lexicon, p50 / p95 / p99 | {k['p50']} / {k['p95']} / {k['p99']} ms ({k['texts']} texts) | p95 ≤ 20 ms |",
            f"| R22 lexicon in memory, once per process ({lexicon['given']:,} given names, {lexicon['surnames']:,} "
            f"surnames, {lexicon['words']:,} word forms) | {lexicon['mb']} MB, loaded in {lexicon['load_s']} s | ≤ 200 MB |",
        ]
    if "directory" in results:
        y = results["directory"]
        lines += [
            f"| directory: full sync from SS 12000 of {y['persons']:,} persons | {y['full_sync_s']} s | ≤ 300 s |",
            f"| directory: incremental sync of {y['incremental_changes']:,} changes (names, security markings, pupils leaving) | {y['incremental_s']} s | ≤ 10 s |",
            f"| directory: pupil search over HTTP in a unit of {y['pupils_per_unit']:,} pupils ({y['persons']:,} persons), "
            f"p50 / p95 / p99 | {y['search_p50_ms']} / {y['search_p95_ms']} / {y['search_p99_ms']} ms ({y['searches']} searches) "
            f"| p95 ≤ 50 ms |",
        ]
        if "list_p95_ms" in y:
            lines.append(
                f"| directory: Mina elever, a page of 100 of a special educator's {y['list_pupils_in_scope']:,} pupils "
                f"({y['persons']:,} persons), over HTTP with its access log, p50 / p95 / p99 | {y['list_p50_ms']} / "
                f"{y['list_p95_ms']} / {y['list_p99_ms']} ms ({y['listings']} pages) | p95 ≤ 100 ms |")
        if "peak_rss_mb" in y:
            lines.append(
                f"| directory: the register of names of {y['register_names']:,} pupils and guardians (GET /register/names), "
                f"and the process's largest resident memory with its pupil index, searches and lists | "
                f"{y['register_names_s']} s; {y['peak_rss_mb']} MB (now {y['rss_mb']} MB) | < 300 MB |")
    if "worklist" in results:
        k = results["worklist"]
        for who, name in (("rektor", "a rektor"), ("special_educator", "a special educator")):
            t = k[who]
            lines.append(
                f"| Att göra, GET /tasks over HTTP for {name} ({t['tasks']:,} tasks) with {k['open_cases']:,} open cases of "
                f"{k['pupils']:,} pupils, p50 / p95 / p99 | {t['p50_ms']} / {t['p95_ms']} / {t['p99_ms']} ms "
                f"({k['requests']} requests) | p95 ≤ 100 ms |")
        c = k["pupil_cases"]
        lines.append(
            f"| Att göra's read model, GET /pupil-cases of a unit ({c['cases']:,} open cases of "
            f"{k['special_educator']['pupils_in_scope']:,} pupils), p50 / p95 / p99 | {c['p50_ms']} / {c['p95_ms']} / "
            f"{c['p99_ms']} ms | p95 ≤ 100 ms |")
    if "accesslog" in results:
        a = results["accesslog"]
        lines.append(
            f"| loggkontroll, GET /accesslog by pupil over HTTP (a page of 50 with flags and the total) with "
            f"{a['rows']:,} entries of {a['pupils']:,} pupils (loaded in {a['load_s']} s), p50 / p95 / p99 | "
            f"{a['p50_ms']} / {a['p95_ms']} / {a['p99_ms']} ms ({a['requests']} requests) | p95 ≤ 200 ms |")
    if "owner" in results:
        o = results["owner"]
        five, year, server = o["five_years_by_month"], o["school_year_by_month"], o["server_side_five_years"]
        lines.append(
            f"| huvudmannens översikt, GET /owner/overview over HTTP, {o['cases']:,} cases of {o['pupils']:,} pupils over "
            f"{o['years']} years, month by month ({five['periods']} months, {five['units_answered']} units), p50 / p95 / p99; "
            f"server-side (query, aggregation, JSON) | {five['p50_ms']} / {five['p95_ms']} / {five['p99_ms']} ms; "
            f"{server['p50_ms']} / {server['p95_ms']} / {server['p99_ms']} ms ({o['requests']} requests) | p95 ≤ 200 ms |")
        lines.append(
            f"| huvudmannens översikt, the school year so far month by month (the page's default), over HTTP, "
            f"p50 / p95 / p99 | {year['p50_ms']} / {year['p95_ms']} / {year['p99_ms']} ms | p95 ≤ 200 ms |")
    lines.append("<!-- bench:end -->")
    text = README.read_text(encoding="utf-8")
    text = re.sub(r"<!-- bench:start.*?<!-- bench:end -->", lambda _: "\n".join(lines), text, flags=re.S)
    README.write_text(text, encoding="utf-8")


# The figures of each phase, as results/latest.json keys them, named for the README's note of when.
FIGURES = {"store": "store path", "relay": "relay", "command_to_view": "command → view", "rebuild": "rebuild", "workflow": "workflow",
           "followup_page": "follow-up page", "deidentify": "de-identification", "directory": "directory",
           "worklist": "Att göra", "accesslog": "loggkontroll", "owner": "huvudmannens översikt"}


def stamp(results: dict, before: dict, now: str) -> None:
    """When each phase's figures were measured: now for those this run measured, the older
    run's time for the others (a run of one phase keeps the others' figures)."""
    measured = results.setdefault("measured", {})
    for key in FIGURES:
        if key in results and (key not in before or results[key] is not before[key]):
            measured[key] = now
        elif key in results:
            measured.setdefault(key, results.get("measured_at", now))


def when_measured(results: dict) -> str:
    """"Measured on 2 cores, CPython 3.11.7: store path, relay 2026-11-26 11:16 UTC; directory 2026-11-26 18:05 UTC."."""
    by_time: dict[str, list[str]] = {}
    for key, at in sorted(results.get("measured", {}).items(), key=lambda item: (item[1], list(FIGURES).index(item[0]))):
        by_time.setdefault(at, []).append(FIGURES[key])
    return f"Measured on {results['machine']}: " + "; ".join(f"{', '.join(names)} {at}" for at, names in by_time.items()) + "."


def main() -> None:
    results = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
    before = dict(results)
    if "deidentify" in PHASES:
        results["deidentify"] = deidentification.figures()
        print(json.dumps(results["deidentify"], indent=2, ensure_ascii=False))
    if PHASES & INFRASTRUCTURE_PHASES:
        measure_the_platform(results)
    if "directory" in PHASES:
        results["directory"] = directory.figures()
        print(json.dumps(results["directory"], indent=2))
    if "worklist" in PHASES:
        results["worklist"] = worklist.figures()
        print(json.dumps(results["worklist"], indent=2))
    if "accesslog" in PHASES:
        results["accesslog"] = accesslog.figures()
        print(json.dumps(results["accesslog"], indent=2))
    if "owner" in PHASES:
        results["owner"] = owner.figures()
        print(json.dumps(results["owner"], indent=2))
    results["measured_at"] = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    stamp(results, before, results["measured_at"])
    results["machine"] = f"{os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}"
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    write_readme(results)


def measure_the_platform(results: dict) -> None:
    reset_database("CASES_DB")
    reset_database("FOLLOWUP_DB")
    with psycopg.connect(Postgres.for_database("FOLLOWUP_DB").conninfo, autocommit=True) as conn:
        readmodel.PROJECTION.create_schema_sync(conn)
    app = cases_application()
    if "store" in PHASES:
        pg_tps = pgbench_insert_rate()
        commands = store_rate()
        results["store"] = {"commands_per_s": round(commands, 1), "pgbench_tps": round(pg_tps, 1), "ratio": round(commands / pg_tps, 3)}
    if "relay" in PHASES:
        events_per_s, events = relay_rate(app)
        results["relay"] = {"events_per_s": round(events_per_s, 1), "events": events}
    stack = Stack(env={"OTEL_SPANS_FILE": ""})  # as `make run` runs them: no span files (the tests read those)
    try:
        if "latency" in PHASES:
            for name in ("cases_relay", "followup"):
                stack.start(name)
            stack.wait_until_listening("followup", int(os.environ["FOLLOWUP_FAUST_WEB_PORT"]))
            # The store phase left a backlog; measure latency only once the view has caught up.
            opened = query("CASES_DB", "SELECT count(*) FROM cases_events WHERE topic LIKE %s",
                           ("%SupportCase.Opened",))[0][0]  # the cases, not the open-case index
            eventually(lambda: query("FOLLOWUP_DB", "SELECT count(*) FROM followup_case")[0][0] >= opened, timeout=600, interval=1)
            results["command_to_view"] = command_to_view_latency()
        stack.stop_all()
        if "rebuild" in PHASES:  # the follow-up view from everything its topics hold, as make rebuild does
            results["rebuild"] = asyncio.run(rebuild(view_named("followup"))).as_dict()
        if "workflow" in PHASES:  # after the latency phase, so no relay competes for the cores
            results["workflow"] = workflow.workflow_rate(app)
        if "followup_page" in PHASES:
            reset_database("FOLLOWUP_DB")  # only the seeded cases: the page's figure is about them
            open_cases = workflow.seed_followup(app, workflow.FOLLOWUP_CASES)
            # The page: frontend → follow-up API (rows) and cases service (names of the shown rows).
            # The register and the directory too: logging in asks the directory for rektor's role and units.
            # Its database anew: one left by another checkout holds keys wrapped under that one's key files.
            reset_database("DIRECTORY_DB")
            ports = {"ss12000dev": "DEV_SS12000_PORT", "directory": "DIRECTORY_PORT", "cases": "CASES_PORT",
                     "devidp": "DEV_IDP_PORT", "followup_api": "FOLLOWUP_API_PORT", "frontend": "FRONTEND_PORT"}
            for name, port in ports.items():
                stack.start(name)
                stack.wait_until_listening(name, int(os.environ[port]))
            stack.wait_until_directory_synced()
            one_unit = workflow.followup_page_times(stack.frontend_url, open_cases, open_cases)
            across_units = workflow.followup_page_times(stack.frontend_url, open_cases, workflow.spread_over_units())
            results["followup_page"] = {"one_unit": one_unit, "across_units": across_units}
    finally:
        stack.stop_all()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
