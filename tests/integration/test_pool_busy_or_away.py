"""A service's pool of PostgreSQL connections (eventkit.config.ServicePool) tells a busy service
from a database that is away: with its connections at work, a request queues for one; with the
database away, it is refused within the short wait, so the service answers 503 at once."""
from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest
from psycopg_pool import PoolTimeout

from eventkit.config import DATABASE_WAIT_SECONDS, Postgres
from tests.support.stack import free_port

pytestmark = pytest.mark.integration


def test_a_request_waits_for_a_busy_pool_instead_of_being_told_the_database_is_away():
    pool = Postgres.for_database("CASES_DB").pool(2)
    try:
        pool.wait(timeout=10)
        at_work = threading.Barrier(3)

        def hold() -> None:
            with pool.connection() as conn:
                at_work.wait()
                conn.execute("SELECT pg_sleep(%s)", (DATABASE_WAIT_SECONDS + 1.0,))

        holders = [threading.Thread(target=hold) for _ in range(2)]
        for holder in holders:
            holder.start()
        at_work.wait()  # both connections are lent out, each for longer than the short wait
        started = time.monotonic()
        with pool.connection() as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
        assert DATABASE_WAIT_SECONDS < time.monotonic() - started < DATABASE_WAIT_SECONDS + 5
        for holder in holders:
            holder.join()
    finally:
        pool.close()


def test_a_database_that_is_away_is_not_waited_for():
    away = replace(Postgres.for_database("CASES_DB"), port=free_port())  # nothing listens there
    pool = away.pool(2)
    try:
        started = time.monotonic()
        with pytest.raises(PoolTimeout):
            with pool.connection():
                pass
        assert time.monotonic() - started < DATABASE_WAIT_SECONDS + 1
    finally:
        pool.close(timeout=1)
