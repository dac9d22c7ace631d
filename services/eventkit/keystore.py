"""The pupils' keys for crypto-shredding (R17, ADR 0020, ADR 0024), in PostgreSQL: the owning
service's own database (for the cases service `stodspar_cases`), never Kafka.

One row per pupil and municipality (kommunkod):
- `pupil_ref`: the pseudonymous pupil reference every event, access-log entry and read model
  uses instead of the personnummer;
- `lookup`: HMAC-SHA256 of the personnummer under the current key-encryption key, so the
  same pupil gets the same reference and an administrator can search by personnummer,
  without storing it;
- `data_key`: the pupil's AES-256-GCM key, wrapped (encrypted) under version `kek_version`
  of the key-encryption key (eventkit.kek), which is kept outside PostgreSQL, so a copy of
  the database alone decrypts nothing;
- `identity`: the personnummer and name (and, for the directory's staff, the work e-mail
  address), encrypted under the pupil's own key (for the name check of other services, the
  names on lists, the notifications' addresses).
Disposal deletes the row and then `rotate`s: a new key-encryption key wraps every living key
(and keys every lookup), and the older versions are destroyed, so the deleted row's bytes,
wherever PostgreSQL or a backup still holds them, can no longer be unwrapped.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property

import psycopg
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from psycopg_pool import ConnectionPool

from eventkit.config import Postgres
from eventkit.kek import KeyEncryptionKeys, KeyFiles
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
-- Which version of the key-encryption key wraps the row's key (0: before ADR 0024, unreadable).
ALTER TABLE pupil_key ADD COLUMN IF NOT EXISTS kek_version integer NOT NULL DEFAULT 0;
-- The version new keys are wrapped under. A key is stored while holding this row FOR SHARE;
-- a rotation holds it FOR UPDATE, so no key is ever wrapped under a version being destroyed.
-- A municipality's pupils a page at a time (identities_in_pages).
CREATE INDEX IF NOT EXISTS pupil_key_municipality ON pupil_key (municipality, pupil_ref);
CREATE TABLE IF NOT EXISTS key_encryption (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    version integer NOT NULL
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
IDENTITY_PAGE = 2000


@dataclass(frozen=True)
class PupilIdentity:
    pupil_ref: str
    personal_number: str
    name: str
    email: str = ""  # a staff member's work address (the directory's key store only)


def _identity_json(personal_number: str, name: str, email: str = "") -> bytes:
    """The sealed identity's plain text; without an address exactly as before there was one."""
    return json.dumps({"pin": personal_number, "name": name, **({"email": email} if email else {})}).encode()


def lookup_digest(kek: bytes, municipality: str, personal_number: str) -> bytes:
    digits = "".join(ch for ch in personal_number if ch.isdigit())
    return hmac.new(kek, f"{municipality}:{digits}".encode(), hashlib.sha256).digest()


def reference_digest(kek: bytes, subject: str) -> bytes:
    """The lookup of a key adopted for another service's pupil reference (no personnummer here)."""
    return hmac.new(kek, f"ref:{subject}".encode(), hashlib.sha256).digest()


def _wrap(key: bytes, plain: bytes, aad: str) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(key).encrypt(nonce, plain, aad.encode())


def _unwrap(key: bytes, sealed: bytes, aad: str) -> bytes:
    return AESGCM(key).decrypt(sealed[:12], sealed[12:], aad.encode())


_BY_LOOKUP = "SELECT pupil_ref, data_key, kek_version FROM pupil_key WHERE municipality = %s AND lookup = %s"


class KeyStore:
    """Keys of one service's pupils. Thread-safe; keys are cached for a short while
    (`destroy` empties the cache of this process at once)."""

    def __init__(self, database_variable: str, keks: KeyEncryptionKeys | None = None) -> None:
        self._postgres = Postgres.for_database(database_variable)
        self._keks = keks or KeyFiles.for_database(self._postgres.dbname)
        self._cache: dict[str, tuple[bytes, float]] = {}
        self._lock = threading.Lock()

    @cached_property
    def _pool(self) -> ConnectionPool:
        pool = self._postgres.pool(4, kwargs={"autocommit": True})
        with pool.connection() as conn:
            create_schema(conn, SCHEMA)
            with conn.transaction():
                # The first process here makes the first version; the others wait for its commit.
                # (FOR UPDATE locks no row of an empty table: two processes starting together both
                # made a version 1, and the keys one of them wrapped became unreadable.)
                conn.execute("SELECT pg_advisory_xact_lock(hashtext('stodspar.key_encryption.first'))")
                if conn.execute("SELECT 1 FROM key_encryption FOR UPDATE").fetchone() is None:
                    first = self._keks.newest_version() + 1
                    self._keks.create(first)
                    conn.execute("INSERT INTO key_encryption (version) VALUES (%s) ON CONFLICT DO NOTHING", (first,))
        return pool

    def _current(self, conn: psycopg.Connection) -> tuple[int, bytes]:
        """The version new keys are wrapped under, and its key; held FOR SHARE until the
        caller's transaction ends, so a rotation waits for it."""
        (version,) = conn.execute("SELECT version FROM key_encryption FOR SHARE").fetchone()
        kek = self._keks.get(version)
        if kek is None:
            raise RuntimeError("the current key-encryption key is missing: pupils' keys cannot be stored")
        return version, kek

    def _unwrapped(self, subject: str, wrapped: bytes, version: int) -> bytes | None:
        kek = self._keks.get(version)
        return None if kek is None else _unwrap(kek, wrapped, subject)

    def pupil_for(self, municipality: str, personal_number: str, name: str, ref: str | None = None) -> str:
        """The pupil's reference, creating the pupil's key the first time (under `ref` when the
        reference is given, e.g. the directory's id of the pupil; else a new one). A pupil
        already here keeps the reference they have."""
        with self._pool.connection() as conn, conn.transaction():
            version, kek = self._current(conn)
            lookup = lookup_digest(kek, municipality, personal_number)
            row = conn.execute(_BY_LOOKUP, (municipality, lookup)).fetchone()
            if row:
                return self._remembered(str(row[0]), bytes(row[1]), row[2])
            ref = str(ref or uuid.uuid4())
            data_key = AESGCM.generate_key(bit_length=256)
            identity = _wrap(data_key, json.dumps({"pin": personal_number, "name": name}).encode(), ref)
            if conn.execute(
                "INSERT INTO pupil_key (pupil_ref, municipality, lookup, data_key, identity, kek_version)"
                " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING pupil_ref",
                (ref, municipality, lookup, _wrap(kek, data_key, ref), identity, version),
            ).fetchone():
                with self._lock:  # the events about to be stored are sealed with it
                    self._cache[ref] = (data_key, time.monotonic())
                return ref
            row = conn.execute(_BY_LOOKUP, (municipality, lookup)).fetchone()
            # No row: the given ref's key holds another number, and it stays that pupil's.
            return self._remembered(str(row[0]), bytes(row[1]), row[2]) if row else ref

    def _remembered(self, ref: str, wrapped: bytes, version: int) -> str:
        """`ref`, with its key in the cache (the events about to be stored are sealed with it)."""
        key = self._unwrapped(ref, wrapped, version)
        if key is not None:
            with self._lock:
                self._cache[ref] = (key, time.monotonic())
        return ref

    def put_identities(self, municipality: str, people: Iterable[tuple[str, ...]]) -> tuple[set[str], set[str]]:
        """Store many people's personnummer and name, each under their own reference and key
        (`people`: (ref, personal_number, name) or (ref, personal_number, name, email)), in one transaction: a new reference gets a
        new key, a known one keeps its key and gets the identity given now. Returns the
        references not stored because their personnummer is another reference's, and those
        whose identity is new or different from the one stored."""
        people = list(people)
        if not people:
            return set(), set()
        with self._pool.connection() as conn, conn.transaction():
            version, kek = self._current(conn)
            refs = [ref for ref, *_ in people]
            known = {str(ref): (bytes(wrapped), old, bytes(sealed)) for ref, wrapped, old, sealed in conn.execute(
                "SELECT pupil_ref, data_key, kek_version, identity FROM pupil_key WHERE pupil_ref = ANY(%s::uuid[])",
                (refs,)).fetchall()}
            lookups = {ref: lookup_digest(kek, municipality, number) for ref, number, *_ in people}
            holders = {bytes(lookup): str(ref) for ref, lookup in conn.execute(
                "SELECT pupil_ref, lookup FROM pupil_key WHERE municipality = %s AND lookup = ANY(%s)",
                (municipality, list(lookups.values()))).fetchall()}
            refused, changed, rows, taken = set(), set(), [], {}
            for ref, number, name, *email in people:
                lookup = lookups[ref]
                if holders.get(lookup, ref) != ref or taken.setdefault(lookup, ref) != ref:
                    refused.add(ref)
                    continue
                plain = _identity_json(number, name, *email)
                data_key = self._unwrapped(ref, *known[ref][:2]) if ref in known else None
                if data_key is not None and _unwrap(data_key, known[ref][2], ref) == plain and known[ref][1] == version:
                    continue  # the same identity under the current version: nothing to write
                changed.add(ref)
                data_key = data_key or AESGCM.generate_key(bit_length=256)
                rows.append((ref, municipality, lookup, _wrap(kek, data_key, ref), _wrap(data_key, plain, ref), version))
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO pupil_key (pupil_ref, municipality, lookup, data_key, identity, kek_version)"
                    " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (pupil_ref) DO UPDATE SET lookup = EXCLUDED.lookup,"
                    " data_key = EXCLUDED.data_key, identity = EXCLUDED.identity, kek_version = EXCLUDED.kek_version",
                    rows)
        with self._lock:
            for ref, *_ in rows:
                self._cache.pop(ref, None)
        return refused, changed

    def identities_of(self, subjects: Iterable[str]) -> dict[str, PupilIdentity]:
        """The identities of the given references that still have a key, decrypted."""
        rows = self._select("SELECT pupil_ref, identity, data_key, kek_version FROM pupil_key"
                            " WHERE pupil_ref = ANY(%s::uuid[])", (list(subjects),))
        return {identity.pupil_ref: identity for identity in self._decrypted(rows)}

    def adopt(self, subject: str, municipality: str) -> None:
        """A key of this service's own for a pupil reference another service gave (the
        documentation service keeps its own key of the cases service's pupil, ADR 0021): no
        personnummer here, so the lookup is an HMAC of the reference and the identity empty."""
        with self._pool.connection() as conn, conn.transaction():
            if conn.execute("SELECT 1 FROM pupil_key WHERE pupil_ref = %s", (subject,)).fetchone():
                return
            version, kek = self._current(conn)
            data_key = AESGCM.generate_key(bit_length=256)
            conn.execute(
                "INSERT INTO pupil_key (pupil_ref, municipality, lookup, data_key, identity, kek_version)"
                " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (subject, municipality, reference_digest(kek, subject), _wrap(kek, data_key, subject),
                 _wrap(data_key, json.dumps({"pin": "", "name": ""}).encode(), subject), version),
            )

    def find(self, municipality: str, personal_number: str) -> str | None:
        with self._pool.connection() as conn, conn.transaction():
            _, kek = self._current(conn)
            row = conn.execute("SELECT pupil_ref FROM pupil_key WHERE municipality = %s AND lookup = %s",
                               (municipality, lookup_digest(kek, municipality, personal_number))).fetchone()
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

    def _select(self, query: str, params: tuple) -> list[tuple]:
        """Rows with (…, data_key, kek_version) last; read again once if a rotation destroyed
        the version between the read and the unwrapping."""
        with self._pool.connection() as conn:
            rows = conn.execute(query, params).fetchall()
            if any(self._keks.get(row[-1]) is None for row in rows):
                rows = conn.execute(query, params).fetchall()
        return rows

    def key(self, subject: str) -> bytes | None:
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(subject)
        if cached and now - cached[1] < CACHE_SECONDS:
            return cached[0]
        rows = self._select("SELECT data_key, kek_version FROM pupil_key WHERE pupil_ref = %s", (subject,))
        key = self._unwrapped(subject, bytes(rows[0][0]), rows[0][1]) if rows else None
        if key is None:
            return None
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
        rows = self._select("SELECT pupil_ref, data_key, kek_version FROM pupil_key WHERE pupil_ref = ANY(%s::uuid[])",
                            (missing,))
        keys = {str(ref): self._unwrapped(str(ref), bytes(wrapped), version) for ref, wrapped, version in rows}
        with self._lock:
            for subject, key in keys.items():
                if key is not None:
                    self._cache[subject] = (key, now)

    def exists(self, subject: str) -> bool:
        return subject in self.existing([subject])

    def existing(self, subjects: Iterable[str]) -> set[str]:
        """Those of the subjects that still have a key, in one query. Asked of the database
        every time (not the cache): a disposal by another process (the scheduled job) takes
        effect for every read at once."""
        asked = list(dict.fromkeys(subjects))
        found: set[str] = set()
        if asked:
            with self._pool.connection() as conn:
                found = {str(ref) for (ref,) in conn.execute(
                    "SELECT pupil_ref FROM pupil_key WHERE pupil_ref = ANY(%s::uuid[])", (asked,))}
        with self._lock:
            for gone in set(asked) - found:
                self._cache.pop(gone, None)
        return found

    def identities(self, municipality: str) -> list[PupilIdentity]:
        """Every living pupil of the municipality, decrypted (for the name check)."""
        return [identity for page in self.identities_in_pages(municipality) for identity in page]

    def identities_in_pages(self, municipality: str, size: int = IDENTITY_PAGE) -> Iterator[list[PupilIdentity]]:
        """The same, a page at a time: a municipality of a county's size is never all in memory
        at once as rows, keys and identities together."""
        after = uuid.UUID(int=0)
        while rows := self._select("SELECT pupil_ref, identity, data_key, kek_version FROM pupil_key"
                                   " WHERE municipality = %s AND pupil_ref > %s ORDER BY pupil_ref LIMIT %s",
                                   (municipality, after, size)):
            yield self._decrypted(rows)
            after = rows[-1][0]

    def _decrypted(self, rows: list[tuple]) -> list[PupilIdentity]:
        found = []
        for ref, sealed, wrapped, version in rows:
            ref = str(ref)
            key = self._unwrapped(ref, bytes(wrapped), version)
            if key is None:
                continue  # wrapped under a version that no longer exists: unreadable, as if disposed
            data = json.loads(_unwrap(key, bytes(sealed), ref))
            found.append(PupilIdentity(ref, data["pin"], data["name"], data.get("email", "")))
        return found

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        """One holder at a time of `name` across every process on this database (a PostgreSQL
        advisory lock held by one of the store's connections, released when the block ends or
        the process dies): a disposal run of a municipality waits for the one under way."""
        lock = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        with self._pool.connection() as conn:  # autocommit: the lock is the session's, not a transaction's
            conn.execute("SELECT pg_advisory_lock(%s)", (lock,))
            try:
                yield
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (lock,))

    def destroy(self, *subjects: str, rotate: bool = True) -> int:
        """Destroy the pupils' keys (and with them lookup and identity), then `rotate` unless
        the caller rotates once after many. Returns how many keys were still there."""
        with self._lock:
            for subject in subjects:
                self._cache.pop(subject, None)
        with self._pool.connection() as conn:
            gone = conn.execute("DELETE FROM pupil_key WHERE pupil_ref = ANY(%s::uuid[])", (list(subjects),)).rowcount
        if rotate:
            self.rotate()
        return gone

    def rotate(self) -> int:
        """A new version of the key-encryption key: every living key re-wrapped (and every
        lookup re-keyed) under it in one transaction, then every older version destroyed.
        Returns the new version."""
        with self._pool.connection() as conn:
            with conn.transaction():
                (current,) = conn.execute("SELECT version FROM key_encryption FOR UPDATE").fetchone()
                if self._keks.get(current) is None:
                    # A process that cannot see the key service (a wrong PUPIL_KEK_DIR) must not
                    # rotate: it would leave every living key under a version it cannot read.
                    raise RuntimeError("the current key-encryption key is missing: nothing rotated")
                version = max(current, self._keks.newest_version()) + 1
                kek = self._keks.create(version)
                rows = conn.execute(
                    "SELECT pupil_ref, municipality, identity, data_key, kek_version FROM pupil_key FOR UPDATE"
                ).fetchall()
                rewrapped = []
                for ref, municipality, sealed, wrapped, old in rows:
                    ref = str(ref)
                    data_key = self._unwrapped(ref, bytes(wrapped), old)
                    if data_key is None:
                        continue  # under a version that no longer exists (before ADR 0024): unreadable as it is
                    pin = json.loads(_unwrap(data_key, bytes(sealed), ref))["pin"]
                    lookup = lookup_digest(kek, municipality, pin) if pin else reference_digest(kek, ref)
                    rewrapped.append((_wrap(kek, data_key, ref), lookup, version, ref))
                with conn.cursor() as cur:
                    cur.executemany(
                        "UPDATE pupil_key SET data_key = %s, lookup = %s, kek_version = %s WHERE pupil_ref = %s",
                        rewrapped)
                conn.execute("UPDATE key_encryption SET version = %s", (version,))
            self._keks.destroy_all_but(version)
        return version
