"""The directory's tables beside its event store (ADR 0026): what the register says, as the sync
needs it to compute each person's structure, and each person's current state as of their last
event, which the queries read. No name or personnummer here: those are in the key store only.

- `person`: one row per person (register or local): the directory's id, municipality, the
  register's id, source, the aggregate's version and structure (`state`), whether removed, and
  what of the register's record the structure is computed from (`register`: enrolments,
  responsibles, marking, user id), so a change of a class or a duty recomputes it without the
  person's record;
- `reg_organisation`, `reg_group` + `reg_membership`, `reg_duty`, `reg_responsible`: the
  register's organisations (with a unit's postal address), classes with members, duties and
  guardianships;
- `dirty`: register persons whose structure must be recomputed (a class or duty changed);
- `sync_state`, `sync_run`, `quarantine`: where the sync is, what each run did, and records
  the register sent malformed (fields and error kinds, never values).
"""
from __future__ import annotations

from datetime import datetime
from functools import cached_property
from typing import Any, Iterable
from uuid import UUID

import psycopg
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

from eventkit.config import Postgres
from eventkit.schema import create_schema

SCHEMA = """
CREATE TABLE IF NOT EXISTS person (
    person_id uuid PRIMARY KEY,
    municipality text NOT NULL,
    register_id text UNIQUE,
    source text NOT NULL,
    version integer NOT NULL,
    state jsonb NOT NULL,
    removed boolean NOT NULL DEFAULT false,
    changed_on date NOT NULL,
    user_id text NOT NULL DEFAULT '',
    register jsonb NOT NULL DEFAULT '{}'::jsonb,
    seen_run bigint NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS person_user_id ON person (user_id) WHERE user_id <> '';
CREATE INDEX IF NOT EXISTS person_municipality ON person (municipality);
CREATE TABLE IF NOT EXISTS reg_organisation (
    register_id text PRIMARY KEY,
    code text NOT NULL,
    municipality text NOT NULL,
    name text NOT NULL,
    kind text NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS reg_group (
    register_id text PRIMARY KEY,
    unit_register_id text NOT NULL,
    name text NOT NULL,
    group_type text NOT NULL,
    removed boolean NOT NULL DEFAULT false,
    seen_run bigint NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS reg_membership (
    group_register_id text NOT NULL,
    person_register_id text NOT NULL,
    start_date date,
    end_date date,
    PRIMARY KEY (group_register_id, person_register_id)
);
CREATE INDEX IF NOT EXISTS reg_membership_person ON reg_membership (person_register_id);
CREATE TABLE IF NOT EXISTS reg_duty (
    register_id text PRIMARY KEY,
    person_register_id text NOT NULL,
    unit_register_id text NOT NULL,
    role text NOT NULL,
    start_date date,
    end_date date,
    removed boolean NOT NULL DEFAULT false,
    seen_run bigint NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS reg_duty_person ON reg_duty (person_register_id);
CREATE TABLE IF NOT EXISTS reg_responsible (
    pupil_register_id text NOT NULL,
    guardian_register_id text NOT NULL,
    PRIMARY KEY (pupil_register_id, guardian_register_id)
);
CREATE INDEX IF NOT EXISTS reg_responsible_guardian ON reg_responsible (guardian_register_id);
CREATE TABLE IF NOT EXISTS dirty (register_id text PRIMARY KEY);
CREATE TABLE IF NOT EXISTS sync_state (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    since timestamptz,
    synced boolean NOT NULL DEFAULT false,
    resume jsonb
);
CREATE TABLE IF NOT EXISTS sync_run (
    id bigserial PRIMARY KEY,
    started timestamptz NOT NULL,
    finished timestamptz,
    full_sync boolean NOT NULL,
    persons integer NOT NULL DEFAULT 0,
    changes integer NOT NULL DEFAULT 0,
    quarantined integer NOT NULL DEFAULT 0,
    resumed_from text,
    error text
);
CREATE TABLE IF NOT EXISTS quarantine (
    resource text NOT NULL,
    register_id text NOT NULL,
    reason text NOT NULL,
    first_seen timestamptz NOT NULL DEFAULT now(),
    last_seen timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (resource, register_id)
);
-- The unit's postal address (Organisation.address, the decision letters): added to a directory
-- that had none, the next run reads everything again, so every unit gets its address.
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()
                   AND table_name = 'reg_organisation' AND column_name = 'address') THEN
        ALTER TABLE reg_organisation ADD COLUMN IF NOT EXISTS address jsonb NOT NULL DEFAULT '{}'::jsonb;
        UPDATE sync_state SET synced = false;
    END IF;
END $$;
"""

PERSON_FIELDS = ("person_id", "municipality", "register_id", "source", "version", "state", "removed", "changed_on",
                 "user_id", "register")
PERSON_COLUMNS = ", ".join(PERSON_FIELDS)
# The same, without the register's own record (NULL in its place): what the pupil index needs.
PERSON_COLUMNS_WITHOUT_RECORD = ", ".join("NULL" if field == "register" else field for field in PERSON_FIELDS)


class Tables:
    def __init__(self, database_variable: str) -> None:
        self.postgres = Postgres.for_database(database_variable)

    @cached_property
    def pool(self) -> ConnectionPool:
        pool = self.postgres.pool(6, kwargs={"autocommit": True})
        with pool.connection() as conn:
            create_schema(conn, SCHEMA)
            conn.execute("INSERT INTO sync_state (only_row) VALUES (true) ON CONFLICT DO NOTHING")
        return pool

    def connection(self):
        return self.pool.connection()

    # -- persons ----------------------------------------------------------------------------------
    def persons_by_register_id(self, conn: psycopg.Connection, register_ids: list[str]) -> dict[str, dict[str, Any]]:
        rows = conn.execute(f"SELECT {PERSON_COLUMNS} FROM person WHERE register_id = ANY(%s)", (register_ids,)).fetchall()
        return {row[2]: _person(row) for row in rows}

    def persons(self, conn: psycopg.Connection, person_ids: Iterable[UUID | str]) -> dict[str, dict[str, Any]]:
        rows = conn.execute(f"SELECT {PERSON_COLUMNS} FROM person WHERE person_id = ANY(%s::uuid[])",
                            ([str(p) for p in person_ids],)).fetchall()
        return {str(row[0]): _person(row) for row in rows}

    def person(self, person_id: UUID | str) -> dict[str, Any] | None:
        with self.connection() as conn:
            return self.persons(conn, [person_id]).get(str(person_id))

    def put_persons(self, conn: psycopg.Connection, rows: list[dict[str, Any]], run: int) -> None:
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO person (person_id, municipality, register_id, source, version, state, removed, changed_on,"
                " user_id, register, seen_run) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (person_id) DO UPDATE SET municipality = EXCLUDED.municipality,"
                " register_id = EXCLUDED.register_id, source = EXCLUDED.source, version = EXCLUDED.version,"
                " state = EXCLUDED.state, removed = EXCLUDED.removed, changed_on = EXCLUDED.changed_on,"
                " user_id = EXCLUDED.user_id, register = EXCLUDED.register,"
                " seen_run = GREATEST(person.seen_run, EXCLUDED.seen_run)",
                [(r["person_id"], r["municipality"], r["register_id"] or None, r["source"], r["version"],
                  Jsonb(r["state"]), r["removed"], r["changed_on"], r["state"].get("user_id", ""),
                  Jsonb(r["register"]), run) for r in rows])

    def all_persons(self, municipality: str | None = None) -> list[dict[str, Any]]:
        with self.connection() as conn:
            if municipality is None:
                rows = conn.execute(f"SELECT {PERSON_COLUMNS} FROM person").fetchall()
            else:
                rows = conn.execute(f"SELECT {PERSON_COLUMNS} FROM person WHERE municipality = %s",
                                    (municipality,)).fetchall()
        return [_person(row) for row in rows]

    def municipalities(self) -> list[str]:
        with self.connection() as conn:
            return [r[0] for r in conn.execute("SELECT DISTINCT municipality FROM person ORDER BY 1")]

    def pupils(self, municipality: str) -> list[dict[str, Any]]:
        """The municipality's persons who are pupils, as all_persons gives them but without the
        register's own record (what the pupil index is built from)."""
        with self.connection() as conn:
            rows = conn.execute(f"SELECT {PERSON_COLUMNS_WITHOUT_RECORD} FROM person"
                                " WHERE municipality = %s AND state->'kinds' ? 'pupil'", (municipality,)).fetchall()
        return [_person(row) for row in rows]

    def kinds_of(self, person_ids: list[str]) -> dict[str, tuple[list[str], bool]]:
        """person_id → (the person's kinds, protected) of the given persons."""
        with self.connection() as conn:
            rows = conn.execute("SELECT person_id, state->'kinds', (state->>'protected')::boolean FROM person"
                                " WHERE person_id = ANY(%s::uuid[])", (person_ids,)).fetchall()
        return {str(person_id): (kinds, bool(protected)) for person_id, kinds, protected in rows}

    def staff_by_user_id(self, user_id: str) -> dict[str, Any] | None:
        with self.connection() as conn:
            row = conn.execute(f"SELECT {PERSON_COLUMNS} FROM person WHERE user_id = %s AND NOT removed"
                               " ORDER BY changed_on DESC LIMIT 1", (user_id,)).fetchone()
        return _person(row) if row else None

    def staff(self, municipality: str) -> list[dict[str, Any]]:
        with self.connection() as conn:
            rows = conn.execute(f"SELECT {PERSON_COLUMNS} FROM person WHERE municipality = %s AND NOT removed"
                                " AND state->'kinds' ? 'staff'", (municipality,)).fetchall()
        return [_person(row) for row in rows]

    # -- the register's organisations -------------------------------------------------------------
    def units(self) -> dict[str, dict[str, Any]]:
        """register id → {code, municipality, name, kind, address} (address: the register's
        streetAddress, postalCode, locality, or {})."""
        with self.connection() as conn:
            rows = conn.execute("SELECT register_id, code, municipality, name, kind, address FROM reg_organisation").fetchall()
        return {r[0]: {"code": r[1], "municipality": r[2], "name": r[3], "kind": r[4], "address": r[5] or {}} for r in rows}

    # -- sync state -------------------------------------------------------------------------------
    def sync_state(self) -> dict[str, Any]:
        with self.connection() as conn:
            since, synced, resume = conn.execute("SELECT since, synced, resume FROM sync_state").fetchone()
        return {"since": since, "synced": synced, "resume": resume}

    def last_run(self) -> dict[str, Any] | None:
        """The last run that has ended (one under way is `running`, not yet a result)."""
        with self.connection() as conn:
            row = conn.execute("SELECT started, finished, full_sync, persons, changes, quarantined, resumed_from, error"
                               " FROM sync_run WHERE finished IS NOT NULL ORDER BY id DESC LIMIT 1").fetchone()
        if row is None:
            return None
        keys = ("started", "finished", "full", "persons", "changes", "quarantined", "resumed_from", "error")
        return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in zip(keys, row)}

    def quarantined(self) -> list[dict[str, Any]]:
        with self.connection() as conn:
            rows = conn.execute("SELECT resource, register_id, reason, first_seen, last_seen FROM quarantine"
                                " ORDER BY last_seen DESC").fetchall()
        found = []
        for resource, register_id, reason, first, last in rows:
            fields = [part.split(":", 1) for part in reason.split("; ") if part]
            found.append({"resource": resource, "register_id": register_id,
                          "fields": [f[0].strip() for f in fields], "errors": [f[-1].strip() for f in fields],
                          "first_seen": first.isoformat(), "last_seen": last.isoformat()})
        return found


def _person(row: tuple) -> dict[str, Any]:
    (person_id, municipality, register_id, source, version, state, removed, changed_on, user_id, register) = row
    return {"person_id": str(person_id), "municipality": municipality, "register_id": register_id or "",
            "source": source, "version": version, "state": state, "removed": removed, "changed_on": changed_on,
            "user_id": user_id, "register": register}

