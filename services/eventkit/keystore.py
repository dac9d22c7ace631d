"""The pupils' keys for crypto-shredding (R17, ADR 0020), in PostgreSQL: the owning service's
own database (for the cases service `stodspar_cases`), never Kafka.

One row per pupil and municipality (kommunkod):
- `pupil_ref`: the pseudonymous pupil reference every event, access-log entry and read model
  uses instead of the personnummer;
- `lookup`: HMAC-SHA256 of the personnummer under the master key, so the same pupil gets the
  same reference and an administrator can search by personnummer, without storing it;
- `data_key`: the pupil's AES-256-GCM key, wrapped (encrypted) under the master key
  `PUPIL_KEYS_MASTER_KEY`, so a copy of the database alone decrypts nothing;
- `identity`: the personnummer and name, encrypted under the pupil's own key (for the
  name check of other services and the names on lists).
Disposal deletes the row: key, lookup and identity go together.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

import psycopg
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from psycopg_pool import ConnectionPool

from eventkit.config import Postgres, env
from eventkit.schema import create_schema

SCHEMA = """
CREATE TABLE IF NOT EXISTS pupil_key (
    pupil_ref uuid PRIMARY KEY,
    municipality text NOT NULL,
    lookup bytea NOT NULL,
    data_key bytea NOT NULL,
    identity bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (municipality, lookup)
);
-- Which records (aggregates) hold personal data of which pupil; pseudonymous, kept after
-- disposal (the disposal record lists the same ids).
CREATE TABLE IF NOT EXISTS pupil_record (
    pupil_ref uuid NOT NULL,
    record_id uuid NOT NULL,
    PRIMARY KEY (pupil_ref, record_id)
);
"""
CACHE_SECONDS = 30.0


@dataclass(frozen=True)
class PupilIdentity:
    pupil_ref: str
    personal_number: str
    name: str


def master_key() -> bytes:
    raw = env("PUPIL_KEYS_MASTER_KEY")
    key = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    if len(key) != 32:
        raise RuntimeError("PUPIL_KEYS_MASTER_KEY must be 32 bytes, base64url")
    return key


def lookup_digest(master: bytes, municipality: str, personal_number: str) -> bytes:
    digits = "".join(ch for ch in personal_number if ch.isdigit())
    return hmac.new(master, f"{municipality}:{digits}".encode(), hashlib.sha256).digest()


def _wrap(key: bytes, plain: bytes, aad: str) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(key).encrypt(nonce, plain, aad.encode())


def _unwrap(key: bytes, sealed: bytes, aad: str) -> bytes:
    return AESGCM(key).decrypt(sealed[:12], sealed[12:], aad.encode())


class KeyStore:
    """Keys of one service's pupils. Thread-safe; keys are cached for a short while
    (`destroy` empties the cache of this process at once)."""

    def __init__(self, database_variable: str) -> None:
        self._postgres = Postgres.for_database(database_variable)
        self._cache: dict[str, tuple[bytes, float]] = {}
        self._lock = threading.Lock()

    @cached_property
    def _master(self) -> bytes:
        return master_key()

    @cached_property
    def _pool(self) -> ConnectionPool:
        pool = self._postgres.pool(4, kwargs={"autocommit": True})
        with pool.connection() as conn:
            create_schema(conn, SCHEMA)
        return pool

    def pupil_for(self, municipality: str, personal_number: str, name: str) -> str:
        """The pupil's reference, creating the pupil's key the first time."""
        lookup = lookup_digest(self._master, municipality, personal_number)
        with self._pool.connection() as conn:
            row = conn.execute("SELECT pupil_ref FROM pupil_key WHERE municipality = %s AND lookup = %s",
                               (municipality, lookup)).fetchone()
            if row:
                return str(row[0])
            ref = str(uuid.uuid4())
            data_key = AESGCM.generate_key(bit_length=256)
            identity = _wrap(data_key, json.dumps({"pin": personal_number, "name": name}).encode(), ref)
            conn.execute(
                "INSERT INTO pupil_key (pupil_ref, municipality, lookup, data_key, identity) VALUES (%s, %s, %s, %s, %s)"
                " ON CONFLICT (municipality, lookup) DO NOTHING",
                (ref, municipality, lookup, _wrap(self._master, data_key, ref), identity),
            )
            row = conn.execute("SELECT pupil_ref FROM pupil_key WHERE municipality = %s AND lookup = %s",
                               (municipality, lookup)).fetchone()
            return str(row[0])

    def adopt(self, subject: str, municipality: str) -> None:
        """A key of this service's own for a pupil reference another service gave (the
        documentation service keeps its own key of the cases service's pupil, ADR 0021): no
        personnummer here, so the lookup is an HMAC of the reference and the identity empty."""
        with self._pool.connection() as conn:
            if conn.execute("SELECT 1 FROM pupil_key WHERE pupil_ref = %s", (subject,)).fetchone():
                return
            data_key = AESGCM.generate_key(bit_length=256)
            lookup = hmac.new(self._master, f"ref:{subject}".encode(), hashlib.sha256).digest()
            conn.execute(
                "INSERT INTO pupil_key (pupil_ref, municipality, lookup, data_key, identity) VALUES (%s, %s, %s, %s, %s)"
                " ON CONFLICT DO NOTHING",
                (subject, municipality, lookup, _wrap(self._master, data_key, subject),
                 _wrap(data_key, json.dumps({"pin": "", "name": ""}).encode(), subject)),
            )

    def find(self, municipality: str, personal_number: str) -> str | None:
        lookup = lookup_digest(self._master, municipality, personal_number)
        with self._pool.connection() as conn:
            row = conn.execute("SELECT pupil_ref FROM pupil_key WHERE municipality = %s AND lookup = %s",
                               (municipality, lookup)).fetchone()
        return str(row[0]) if row else None

    def link(self, subject: str, record_id: str) -> None:
        with self._pool.connection() as conn:
            conn.execute("INSERT INTO pupil_record (pupil_ref, record_id) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                         (subject, record_id))

    def records(self, subject: str) -> list[str]:
        with self._pool.connection() as conn:
            rows = conn.execute("SELECT record_id FROM pupil_record WHERE pupil_ref = %s ORDER BY record_id",
                                (subject,)).fetchall()
        return [str(r) for (r,) in rows]

    def owner(self, subject: str) -> str | None:
        """The municipality whose pupil this is, while the key exists."""
        with self._pool.connection() as conn:
            row = conn.execute("SELECT municipality FROM pupil_key WHERE pupil_ref = %s", (subject,)).fetchone()
        return row[0] if row else None

    def living(self) -> list[tuple[str, str]]:
        """(pupil_ref, municipality) of every pupil whose key exists."""
        with self._pool.connection() as conn:
            rows = conn.execute("SELECT pupil_ref, municipality FROM pupil_key ORDER BY created_at").fetchall()
        return [(str(ref), municipality) for ref, municipality in rows]

    def key(self, subject: str) -> bytes | None:
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(subject)
        if cached and now - cached[1] < CACHE_SECONDS:
            return cached[0]
        with self._pool.connection() as conn:
            row = conn.execute("SELECT data_key FROM pupil_key WHERE pupil_ref = %s", (subject,)).fetchone()
        if row is None:
            return None
        key = _unwrap(self._master, bytes(row[0]), subject)
        with self._lock:
            self._cache[subject] = (key, now)
        return key

    def warm(self, subjects: Iterable[str]) -> None:
        """Fill the cache for many subjects with one query (the relay's batches)."""
        now = time.monotonic()
        with self._lock:
            missing = [s for s in subjects if (c := self._cache.get(s)) is None or now - c[1] >= CACHE_SECONDS]
        if not missing:
            return
        with self._pool.connection() as conn:
            rows = conn.execute("SELECT pupil_ref, data_key FROM pupil_key WHERE pupil_ref = ANY(%s::uuid[])",
                                (missing,)).fetchall()
        keys = {str(ref): _unwrap(self._master, bytes(wrapped), str(ref)) for ref, wrapped in rows}
        with self._lock:
            for subject, key in keys.items():
                self._cache[subject] = (key, now)

    def exists(self, subject: str) -> bool:
        """Asked of the database every time (not the cache): a disposal by another process
        (the scheduled job) takes effect for every read at once."""
        with self._pool.connection() as conn:
            found = conn.execute("SELECT 1 FROM pupil_key WHERE pupil_ref = %s", (subject,)).fetchone() is not None
        if not found:
            with self._lock:
                self._cache.pop(subject, None)
        return found

    def identities(self, municipality: str) -> list[PupilIdentity]:
        """Every living pupil of the municipality, decrypted (for the name check)."""
        with self._pool.connection() as conn:
            rows = conn.execute("SELECT pupil_ref, data_key, identity FROM pupil_key WHERE municipality = %s",
                                (municipality,)).fetchall()
        found = []
        for ref, wrapped, sealed in rows:
            ref = str(ref)
            data = json.loads(_unwrap(_unwrap(self._master, bytes(wrapped), ref), bytes(sealed), ref))
            found.append(PupilIdentity(ref, data["pin"], data["name"]))
        return found

    def destroy(self, subject: str, conn: psycopg.Connection | None = None) -> bool:
        """Destroy the pupil's key (and with it lookup and identity). Returns False when it
        was already gone."""
        with self._lock:
            self._cache.pop(subject, None)
        if conn is not None:
            return conn.execute("DELETE FROM pupil_key WHERE pupil_ref = %s", (subject,)).rowcount > 0
        with self._pool.connection() as c:
            return c.execute("DELETE FROM pupil_key WHERE pupil_ref = %s", (subject,)).rowcount > 0
