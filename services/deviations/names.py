"""The pupil names the R22 check looks for: the reporting municipality's own pupil records,
learnt from CaseOpened on stodspar.cases.v1 (its contract carries pupil_name), kept in the
deviations database. Nothing of the cases service is imported; only its public contract is used.
"""
from __future__ import annotations

from functools import lru_cache

import psycopg
from psycopg_pool import ConnectionPool

from eventkit.config import Postgres

SCHEMA = """
CREATE TABLE IF NOT EXISTS pupil_name (
    organisation text NOT NULL,
    name text NOT NULL,
    PRIMARY KEY (organisation, name)
);
"""


@lru_cache(maxsize=1)
def _pool() -> ConnectionPool:
    pool = ConnectionPool(Postgres.for_database("DEVIATIONS_DB").conninfo, min_size=1, max_size=4, open=True)
    with pool.connection() as conn:
        conn.execute(SCHEMA)
    return pool


def names_in(organisation: str) -> list[str]:
    with _pool().connection() as conn:
        rows = conn.execute("SELECT name FROM pupil_name WHERE organisation = %s", (organisation,)).fetchall()
    return [name for (name,) in rows]


def remember(conn: psycopg.Connection, opened: list[tuple[str, str]]) -> None:
    """(organisation, name) of CaseOpened events, in one transaction. Idempotent: a
    redelivered event changes nothing."""
    with conn.transaction(), conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO pupil_name (organisation, name) VALUES (%s, %s) ON CONFLICT DO NOTHING",
            [(organisation, " ".join(name.split())) for organisation, name in opened],
        )
