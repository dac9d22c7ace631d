"""The directory's figures (ADR 0026): a full sync of a municipality register of about 100,000
persons, an incremental sync of 1,000 changes (names, security markings and pupils leaving
their unit), and the pupil search's time with them; and Mina elever's list (GET /pupils without
q) for a special educator of one unit, a page of 100 anywhere in the unit's pupils; the register
of names (GET /register/names, as the cases service asks for it); and the directory process's
largest resident memory with all of that.

The development SS 12000 server runs as its own process with enough pupils per school unit
(BENCH_DIRECTORY_PUPILS_PER_UNIT; the seed has four school units, and each pupil brings about
1.6 guardians), the sync runs here as the directory service runs it (same code, same
databases), and the search is asked of the directory's API over HTTP as a teacher would.
"""
from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import time

import httpx

from eventkit.identity import HEADER, sign
from eventkit.identity import Role
from tests.conftest import TEACHER, identity
from tests.support.environment import ROOT
from tests.support.infrastructure import reset_database
from tests.support.stack import LOGS, Stack, listening

PUPILS_PER_UNIT = int(os.environ.get("BENCH_DIRECTORY_PUPILS_PER_UNIT", "9900"))
CHANGES = int(os.environ.get("BENCH_DIRECTORY_CHANGES", "1000"))
SEARCHES = int(os.environ.get("BENCH_DIRECTORY_SEARCHES", "300"))
LISTINGS = int(os.environ.get("BENCH_DIRECTORY_LISTINGS", "200"))
PORT = os.environ.get("BENCH_SS12000_PORT", "8096")


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1)


def _register() -> subprocess.Popen:
    LOGS.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'services'}{os.pathsep}{ROOT}", "DEV_SS12000_PORT": PORT,
           "DEV_SS12000_PUPILS_PER_UNIT": str(PUPILS_PER_UNIT), "DEV_SS12000_TOKEN_SECONDS": "3600"}
    process = subprocess.Popen([sys.executable, "-m", "ss12000dev"], cwd=ROOT, env=env, start_new_session=True,
                               stdout=open(LOGS / "bench-ss12000dev.log", "ab"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 300
    while not listening(int(PORT)):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the development SS 12000 server did not start; see bench-ss12000dev.log")
        time.sleep(0.2)
    return process


def _memory_mb(pid: int) -> dict[str, int]:
    """The process's resident memory now (VmRSS) and its largest (VmHWM), in MB."""
    status = dict(line.split(":", 1) for line in open(f"/proc/{pid}/status", encoding="utf-8").read().splitlines())
    return {key: int(status[key].split()[0]) // 1024 for key in ("VmRSS", "VmHWM")}


def _token(base: str) -> dict[str, str]:
    answer = httpx.post(f"{base}/token", data={"grant_type": "client_credentials"},
                        auth=(os.environ["SS12000_CLIENT_ID"], os.environ["SS12000_CLIENT_SECRET"]))
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _a_change(person: dict, n: int) -> dict:
    """What the register changes of a person, as a municipality's day brings it: of the pupils, a
    third are protected by a security marking and a third leave their unit (both are events that
    reach the pupils' cases); the rest, and every adult, change their family name (the key
    store only)."""
    if person.get("enrolments") and n % 3 == 1:
        return {"securityMarking": "Sekretessmarkering"}
    if person.get("enrolments") and n % 3 == 2:
        return {"enrolments": [{**enrolment, "endDate": "2026-12-18"} for enrolment in person["enrolments"]]}
    return {"familyName": person["familyName"] + "-Ek"}


def figures() -> dict:
    base = f"http://127.0.0.1:{PORT}"
    os.environ["SS12000_URL"], os.environ["SS12000_TOKEN_URL"] = base, f"{base}/token"
    reset_database("DIRECTORY_DB")
    from directory.bootstrap import application, register_sync

    register = _register()
    stack = Stack(env={"OTEL_SPANS_FILE": ""})  # as `make run` runs it: no span file
    try:
        sync = register_sync()
        started = time.perf_counter()
        full = sync.run(full=True)
        full_s = time.perf_counter() - started
        assert full["error"] is None, full
        persons = len(application().tables.all_persons())

        headers = _token(base)
        with httpx.Client(headers=headers, timeout=30) as client:
            listing, token = [], None
            while len(listing) < CHANGES * 3:
                page = client.get(f"{base}/persons", params={"pageToken": token} if token else {"limit": 1000}).json()
                listing += page["data"]
                token = page["pageToken"]
            rng = random.Random(13)
            for n, person in enumerate(rng.sample(listing, CHANGES)):
                client.post(f"{base}/dev/change", json={"resource": "persons", "id": person["id"],
                                                         "fields": _a_change(person, n)})
        time.sleep(1)
        started = time.perf_counter()
        incremental = sync.run()
        incremental_s = time.perf_counter() - started
        assert incremental["error"] is None, incremental

        # The search over HTTP, as a teacher of a unit with PUPILS_PER_UNIT pupils.
        stack.start("directory")
        stack.wait_until_listening("directory", int(os.environ["DIRECTORY_PORT"]), timeout=300)
        url = f"{os.environ['DIRECTORY_URL']}/pupils"
        pupils = [p for p in listing if p.get("enrolments")]
        queries = ["an", "ma", "eli", "7A", "wil", "sv", "lin", "kar", "9B", "o"]
        queries += [p["civicNo"]["value"] for p in pupils[:20]] + [p["givenName"][:4] for p in pupils[20:40]]
        with httpx.Client(timeout=30) as client:
            while client.get(url, params={"q": "an"}, headers={HEADER: sign(TEACHER, audience="directory",
                                                                             caller="frontend")}).status_code != 200:
                time.sleep(0.5)
            times = []
            for n in range(SEARCHES):
                q = queries[n % len(queries)]
                started = time.perf_counter()
                answer = client.get(url, params={"q": q}, headers={HEADER: sign(TEACHER, audience="directory",
                                                                                caller="frontend")})
                times.append((time.perf_counter() - started) * 1000)
                assert answer.status_code == 200, answer.text
            # Mina elever: the special educator's pupils (every pupil placed now at her unit), a
            # page of 100 at a random place in the list, access log entries included.
            educator = identity("sara.berg", Role.SPECIAL_EDUCATOR, "0180", "0180-ENG")
            listed, in_scope = [], 0
            for n in range(LISTINGS):
                started = time.perf_counter()
                answer = client.get(url, params={"offset": rng.randrange(max(1, in_scope - 100)) if in_scope else 0},
                                    headers={HEADER: sign(educator, audience="directory", caller="frontend")})
                listed.append((time.perf_counter() - started) * 1000)
                assert answer.status_code == 200, answer.text
                in_scope = answer.json()["total"]
            # The register of names, as the cases service asks for it (every pupil and guardian
            # of the municipality), and the process's largest memory with all of the above.
            started = time.perf_counter()
            names = client.get(f"{os.environ['DIRECTORY_URL']}/register/names", timeout=120, headers={
                HEADER: sign(identity("elevarenden", Role.MUNICIPALITY_ADMIN, "0180"), audience="directory",
                             caller="cases")})
            names_s = time.perf_counter() - started
            assert names.status_code == 200, names.text
            memory = _memory_mb(stack.processes["directory"].pid)
        return {
            "register_names": len(names.json()["people"]), "register_names_s": round(names_s, 2),
            "rss_mb": memory["VmRSS"], "peak_rss_mb": memory["VmHWM"],
            "persons": persons, "full_sync_s": round(full_s, 1), "full_sync_changes": full["changes"],
            "incremental_changes": incremental["changes"], "incremental_persons_read": incremental["persons"], "incremental_s": round(incremental_s, 2),
            "search_p50_ms": _percentile(times, 0.5), "search_p95_ms": _percentile(times, 0.95),
            "search_p99_ms": _percentile(times, 0.99), "searches": len(times),
            "pupils_per_unit": PUPILS_PER_UNIT, "mean_search_ms": round(statistics.mean(times), 1),
            "list_pupils_in_scope": in_scope, "list_p50_ms": _percentile(listed, 0.5),
            "list_p95_ms": _percentile(listed, 0.95), "list_p99_ms": _percentile(listed, 0.99), "listings": len(listed),
        }
    finally:
        stack.stop_all()
        register.terminate()
        register.wait(timeout=20)
