"""The access log (R15, ADR 0019): every read, change, export and print of a pupil's record
is an entry, stored durably in the owning service's own database *before* the data is
returned (an access that cannot be logged is refused: `AccessNotLogged`, 503), and relayed
by an outbox relay to the topic `stodspar.accesslog.v1` as `DataAccessed` events, from
which the loggkontroll projection is built.

An entry says who (user id, role, the user's units), which record (municipality, school
unit, resource and its id), which pupil (the pseudonymous `pupil_ref`, never a personnummer
or name: after disposal the log says nothing about who the pupil was), what and when.

Usage in a service: an `AccessLog(database_variable, service)`; the API sets what the
request does with `purpose(action, resource)` (see `api_purpose` for FastAPI); the
application calls `log.record(...)` where it has the record in hand.
"""
from __future__ import annotations

import contextvars
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timezone
from functools import cached_property
from typing import Any, Iterator

from fastapi import Request
from psycopg_pool import ConnectionPool

from eventkit.config import Postgres, topic
from eventkit.contracts import contract_for
from eventkit.group_commit import GroupCommitter
from eventkit.schema import create_schema
from eventkit.identity import Identity
from eventkit.relay import Batch, OutboxRelay
from eventkit.telemetry import current_traceparent

TOPIC = topic("stodspar.accesslog.v1")
CHANNEL = "access_log"  # NOTIFY at every commit of entries: the relay wakes on it
ACTIONS = ("read", "list", "change", "export", "print", "search", "disposal")
# Whether the record was given: "refused" is a request for a pupil's record answered 403 or 404
# (another unit's case, a protected pupil, the medical part); the user saw only "not found".
OUTCOMES = ("granted", "refused")
# The policy entries (eventkit.authz.POLICY) of the routes that hand out one pupil's record: a
# request of one of them for a named record, refused, is logged (eventkit.http.log_refusal).
PUPIL_RECORDS = frozenset({
    "cases.read", "cases.write", "cases.move", "cases.protect", "cases.medical", "cases.dispose",
    "deviations.read", "deviations.handle", "documentation.read", "documentation.write", "directory.pupils.read",
})
# The path parameters that name one pupil's record; a refusal is logged with its value.
RECORD_IDS = ("case_id", "pupil_id", "pupil_ref", "deviation_id", "intervention_id")

SCHEMA = """
CREATE TABLE IF NOT EXISTS access_log (
    id bigserial PRIMARY KEY,
    entry_id uuid NOT NULL UNIQUE,
    at timestamptz NOT NULL DEFAULT now(),
    service text NOT NULL,
    user_id text NOT NULL,
    role text NOT NULL,
    user_municipality text NOT NULL,
    user_units text[] NOT NULL,
    municipality text NOT NULL,
    school_unit text NOT NULL,
    action text NOT NULL,
    resource text NOT NULL,
    resource_id text NOT NULL,
    pupil_ref uuid,
    traceparent text NOT NULL DEFAULT ''
);
ALTER TABLE access_log ADD COLUMN IF NOT EXISTS outcome text NOT NULL DEFAULT 'granted';
"""
_COLUMNS = ("entry_id, at, service, user_id, role, user_municipality, user_units, municipality, school_unit,"
            " action, resource, resource_id, pupil_ref, outcome, traceparent")


class AccessNotLogged(Exception):
    """The access could not be logged, so it is refused (the API answers 503)."""


@dataclass(frozen=True)
class Purpose:
    action: str
    resource: str


_purpose: contextvars.ContextVar[Purpose | None] = contextvars.ContextVar("access_purpose", default=None)


@contextmanager
def purpose(action: str, resource: str) -> Iterator[None]:
    token = _purpose.set(Purpose(action, resource))
    try:
        yield
    finally:
        _purpose.reset(token)


def current_purpose(default_action: str = "read", default_resource: str = "") -> Purpose:
    return _purpose.get() or Purpose(default_action, default_resource)


def purpose_of(request: Request) -> Purpose:
    """What a request does with a record: GET reads, anything else changes; `?purpose=print|export`
    says the read is a print or an export. The resource is the route's path template."""
    route = request.scope.get("route")
    resource = getattr(route, "path", request.url.path)
    action = "read" if request.method in ("GET", "HEAD") else "change"
    asked = request.query_params.get("purpose", "")
    if action == "read" and asked in ("print", "export"):
        action = asked
    return Purpose(action, resource)


async def api_purpose(request: Request) -> None:
    """FastAPI dependency (async, so the value reaches the endpoint's thread): `purpose_of` the request."""
    _purpose.set(purpose_of(request))


@dataclass(frozen=True)
class RefusedRecord:
    """Whose record a refused request asked for, when the service knows it (for loggkontroll
    only; the caller's answer is the same "not found" whether or not the record exists)."""
    municipality: str
    school_unit: str
    pupil_ref: str | None


def refused_record(exc: Exception, municipality: str, school_unit: str, pupil_ref: str | None) -> Exception:
    """`exc` (a service's "not found") marked with the record it refused, for the refusal's log entry."""
    exc.refused_record = RefusedRecord(municipality, school_unit, pupil_ref or None)  # type: ignore[attr-defined]
    return exc


@dataclass(frozen=True)
class AccessEntry:
    who: Identity
    municipality: str
    school_unit: str
    action: str
    resource: str
    resource_id: str
    pupil_ref: str | None = None
    outcome: str = "granted"


class AccessLog:
    def __init__(self, database_variable: str, service: str) -> None:
        self.database_variable = database_variable
        self.service = service

    @cached_property
    def postgres(self) -> Postgres:
        return Postgres.for_database(self.database_variable)

    @cached_property
    def _pool(self) -> ConnectionPool:
        pool = self.postgres.pool()
        with pool.connection() as conn:
            create_schema(conn, SCHEMA)
        return pool

    @cached_property
    def _committer(self) -> GroupCommitter:
        """Entries recorded at the same time share one transaction (eventkit.group_commit), as
        the events do: one lock and one commit for every command waiting, not one each."""
        return GroupCommitter(self._insert)

    def record(self, *entries: AccessEntry) -> None:
        """Append the entries durably (committed before this returns), or raise AccessNotLogged."""
        if not entries:
            return
        traceparent = current_traceparent() or ""
        rows = [
            (str(uuid.uuid4()), self.service, e.who.user_id, e.who.role.value, e.who.municipality,
             list(e.who.school_units), e.municipality, e.school_unit, e.action, e.resource, e.resource_id,
             e.pupil_ref or None, e.outcome, traceparent)
            for e in entries
        ]
        try:
            self._committer.put(rows)
        except Exception as exc:  # database away, pool exhausted: refuse the access
            raise AccessNotLogged(type(exc).__name__) from None

    def _insert(self, rows: list[tuple]) -> None:
        with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
            # Serialise writers until commit, so ids commit in order and the relay, which
            # reads after its saved id, never passes over a row committed late.
            cur.execute("SELECT pg_advisory_xact_lock(hashtext('stodspar.access_log'))")
            cur.execute(f"NOTIFY {CHANNEL}")  # wakes the relay at commit (eventkit.relay)
            cur.executemany(
                "INSERT INTO access_log (entry_id, service, user_id, role, user_municipality, user_units,"
                " municipality, school_unit, action, resource, resource_id, pupil_ref, outcome, traceparent)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                rows,
            )

    def after(self, position: int, limit: int) -> list[tuple]:
        with self._pool.connection() as conn:
            return conn.execute(
                f"SELECT id, {_COLUMNS} FROM access_log WHERE id > %s ORDER BY id LIMIT %s", (position, limit)
            ).fetchall()


def to_message(row: tuple) -> dict[str, Any]:
    (_, entry_id, at, service, user_id, role, user_municipality, user_units, municipality, school_unit,
     action, resource, resource_id, pupil_ref, outcome, _traceparent) = row
    data = {
        "entry_id": str(entry_id), "service": service, "user_id": user_id, "role": role,
        "user_municipality": user_municipality, "user_units": list(user_units), "school_unit": school_unit,
        "action": action, "resource": resource, "resource_id": resource_id,
        "pupil_ref": str(pupil_ref) if pupil_ref else None,
        **({"outcome": outcome} if outcome != "granted" else {}),  # 1.1: absent means granted
    }
    return {
        "event_id": str(entry_id), "event_type": "DataAccessed", "schema_version": contract_for("DataAccessed").version,
        "occurred_at": at.astimezone(timezone.utc).isoformat(), "aggregate_id": str(entry_id), "aggregate_version": 1,
        "municipality": municipality, "data": data,
    }


class AccessLogRelay(OutboxRelay):
    """The outbox relay of one service's access log: same guarantees as the event relay
    (position saved after Kafka acknowledged, idempotent producer; consumers dedupe on entry id)."""

    def __init__(self, log: AccessLog, *, name: str, batch_size: int = 1000, poll_interval: float = 0.1) -> None:
        self.log = log
        self._publishing(TOPIC, log.postgres, name=name, batch_size=batch_size, poll_interval=poll_interval,
                         traced_as="eventkit.accesslog", channel=CHANNEL)

    def _read(self, after: int) -> Batch:
        rows = self.log.after(after, self.batch_size)
        if not rows:
            return Batch(after, 0, [])
        return Batch(rows[-1][0], len(rows), [self._traced(to_message(row), row[-1]) for row in rows])
