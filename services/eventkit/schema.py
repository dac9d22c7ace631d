"""Creating tables when several processes start at once.

A service's API, relay and listeners, and a projection's worker and read API, all start
together and each creates the tables it needs if they are missing. PostgreSQL's
`CREATE ... IF NOT EXISTS` is not safe against a twin running at the same moment: one of the
two fails with a unique violation in the system catalog. Every process therefore creates its
tables under one transaction-level advisory lock per database, so they take turns and the
later ones find the tables there.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import psycopg

# Any constant works, as long as every process uses the same one ("STOD").
SCHEMA_LOCK = 0x53544F44


def create_schema(conn: psycopg.Connection, ddl: str) -> None:
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
        conn.execute(ddl)


async def create_schema_async(conn: psycopg.AsyncConnection, ddl: str) -> None:
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
        await conn.execute(ddl)


@contextmanager
def schema_lock(conninfo: str) -> Iterator[None]:
    """Hold the lock while code that opens its own connections creates tables (the event
    store's recorder); closing the connection releases it."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK,))
        yield
