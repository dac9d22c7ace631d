"""The connection pool of a projection's read API, in one place.

Built once per process (eventkit.wiring.once_per_process) and given the view's tables (the API
may start before its worker). The pool waits at most DATABASE_WAIT_SECONDS for a connection and
checks each before lending it (eventkit.config.Postgres.pool), so while PostgreSQL is away a
request is answered 503 with Retry-After (eventkit.http), and the connections a restart of
PostgreSQL broke are replaced, not handed out. A pool that could not be built is closed again
(its connecting threads would otherwise live on) and built anew at the next request.
"""
from __future__ import annotations

from typing import Callable

from psycopg_pool import ConnectionPool

from eventkit.config import Postgres
from eventkit.projection import Projection
from eventkit.wiring import once_per_process


def view_pool(projection: Projection, max_size: int = 8) -> Callable[[], ConnectionPool]:
    """`pool()`: the read API's pool on the view's database."""

    @once_per_process
    def pool() -> ConnectionPool:
        built = Postgres.for_database(projection.database).pool(max_size)
        try:
            with built.connection() as conn:
                projection.create_schema_sync(conn)
        except BaseException:
            built.close()
            raise
        return built

    return pool
