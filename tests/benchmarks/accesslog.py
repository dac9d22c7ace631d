"""Loggkontroll's figures (R15): the read API's search by pupil over 10 million access-log
entries (BENCH_ACCESSLOG_ROWS), the page of 50 newest with each entry's flags and the total.

The rows are generated in PostgreSQL itself (INSERT … SELECT over generate_series, in chunks,
before the secondary indexes are built) as the projection would have written them: one
municipality's 100,000 pupils, 5,000 staff at 200 school units, two years of reads, lists,
changes, prints, exports and searches, and half a percent refused. Then the read API runs as
its own process and is asked over HTTP on 127.0.0.1 as the frontend asks it, each time for
another pupil (the time includes the loopback round trip: an upper bound of the server side).
"""
from __future__ import annotations

import os
import random
import statistics
import time
import uuid

import httpx
import psycopg

from eventkit.identity import HEADER, Identity, Role, sign
from projections.accesslog import readmodel
from tests.support.infrastructure import reset_database
from tests.support.stack import Stack

MUNICIPALITY = "0180"
ROWS = int(os.environ.get("BENCH_ACCESSLOG_ROWS", "10000000"))
PUPILS = int(os.environ.get("BENCH_ACCESSLOG_PUPILS", "100000"))
STAFF, UNITS = 5000, 200
REQUESTS = int(os.environ.get("BENCH_ACCESSLOG_REQUESTS", "300"))
CHUNK = 1_000_000

# One chunk of rows [first, last): user i*7919 mod STAFF works at unit user % UNITS and
# reads mostly there (5% at the next unit); the pupil's reference is a uuid derived from its number.
INSERT = f"""
INSERT INTO access_entry (entry_id, at, municipality, service, user_id, role, user_municipality, user_units,
                          school_unit, action, resource, resource_id, pupil_ref, outcome)
SELECT gen_random_uuid(), now() - (random() * interval '730 days'), '{MUNICIPALITY}', 'cases',
       'user.' || u, (ARRAY['teacher','special_educator','eht_member','rektor'])[1 + mod(u, 4)], '{MUNICIPALITY}',
       ARRAY['{MUNICIPALITY}-U' || lpad(mod(u, {UNITS})::text, 3, '0')],
       '{MUNICIPALITY}-U' || lpad((CASE WHEN random() < 0.95 THEN mod(u, {UNITS}) ELSE mod(u + 1, {UNITS}) END)::text, 3, '0'),
       a.action, '/cases/{{case_id}}', md5('case' || p)::uuid::text, md5('pupil' || p)::uuid,
       CASE WHEN random() < 0.005 THEN 'refused' ELSE 'granted' END
FROM generate_series(%(first)s::bigint, %(last)s::bigint - 1) AS i
CROSS JOIN LATERAL (SELECT mod(i * 7919, {STAFF}) AS u, mod(i * 104729, %(pupils)s) AS p, random() AS r) AS g
CROSS JOIN LATERAL (SELECT CASE WHEN g.r < 0.60 THEN 'read' WHEN g.r < 0.80 THEN 'list' WHEN g.r < 0.90 THEN 'change'
                           WHEN g.r < 0.93 THEN 'print' WHEN g.r < 0.94 THEN 'export' ELSE 'search' END AS action) AS a
"""


def pupil_ref(n: int) -> str:
    import hashlib
    return str(uuid.UUID(hashlib.md5(f"pupil{n}".encode()).hexdigest()))


def load() -> dict[str, float]:
    reset_database("ACCESSLOG_DB")
    started = time.perf_counter()
    with psycopg.connect(readmodel.PROJECTION.conninfo, autocommit=True) as conn:
        readmodel.PROJECTION.create_schema_sync(conn)
        indexes = [row[0] for row in conn.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'access_entry' AND indexname <> 'access_entry_pkey'")]
        for name in indexes:  # built once after the load, not row by row
            conn.execute(f"DROP INDEX {name}")
        conn.execute("ALTER TABLE access_entry DROP CONSTRAINT access_entry_pkey")
        conn.execute("ALTER TABLE access_entry SET UNLOGGED")
        for first in range(0, ROWS, CHUNK):
            conn.execute(INSERT, {"first": first, "last": min(first + CHUNK, ROWS), "pupils": PUPILS})
        loaded = time.perf_counter() - started
        conn.execute("ALTER TABLE access_entry SET LOGGED")
        conn.execute("SET maintenance_work_mem = '512MB'")
        conn.execute("ALTER TABLE access_entry ADD PRIMARY KEY (entry_id)")
        readmodel.PROJECTION.create_schema_sync(conn)  # the indexes again
        conn.execute("VACUUM ANALYZE access_entry")
    return {"rows": ROWS, "insert_s": round(loaded, 1), "load_s": round(time.perf_counter() - started, 1)}


def figures() -> dict:
    loaded = load()
    admin = Identity("lars.moberg", "Lars Moberg", Role.MUNICIPALITY_ADMIN, MUNICIPALITY, ())
    rng = random.Random(15)
    stack = Stack()
    times, found = [], []
    try:
        stack.start("accesslog_api")
        stack.wait_until_listening("accesslog_api", int(os.environ["ACCESSLOG_API_PORT"]))
        with httpx.Client(base_url=os.environ["ACCESSLOG_URL"], timeout=60) as client:
            for n in range(REQUESTS + 10):
                headers = {HEADER: sign(admin, audience="accesslog", caller="frontend")}
                params = {"pupil_ref": pupil_ref(rng.randrange(PUPILS)), "limit": 50}
                started = time.perf_counter()
                answer = client.get("/accesslog", params=params, headers=headers)
                elapsed = (time.perf_counter() - started) * 1000
                assert answer.status_code == 200, answer.text
                if n >= 10:  # the first ones warm connections and caches
                    times.append(elapsed)
                    found.append(answer.json()["total"])
    finally:
        stack.stop_all()
    q = statistics.quantiles(times, n=100)
    return {**loaded, "pupils": PUPILS, "staff": STAFF, "requests": REQUESTS,
            "entries_per_pupil": round(statistics.mean(found)),
            "p50_ms": round(q[49], 1), "p95_ms": round(q[94], 1), "p99_ms": round(q[98], 1)}
