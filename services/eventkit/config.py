"""Configuration from the environment (deploy/stodspar.env is the one source of truth)."""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass

from psycopg_pool import ConnectionPool, PoolTimeout
from psycopg_pool.base import AttemptWithBackoff

# How long a request waits for PostgreSQL before the service answers 503 (with Retry-After):
# connecting, and getting a connection from a pool. A database that is away is not waited for.
DATABASE_WAIT_SECONDS = 1
# How much longer a request waits for one of our pools' connections while any of them is at
# work: PostgreSQL answers and the service is busy, so the request queues instead of being
# told the database is away (`make simulate` met such 503s under a county's load).
BUSY_WAIT_SECONDS = 15
# A pool that lost its database tries again after 1, 2, 4, 8 … seconds (psycopg_pool's doubling
# delay), so after half a minute away a service would stay unable to answer for another half
# minute once the database is back. Every pool of ours (and the event store's) tries each second.
AttemptWithBackoff.DELAY_BACKOFF = 1.0
# The same for the relays and the projection workers: a process that meets PostgreSQL or the
# broker away tries again at least each second, so its view catches up within seconds of the
# return (a doubling wait up to ten seconds kept a view behind for 18-29 s under load, #11).
RETRY_AT_MOST_SECONDS = 1.0


def env(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise RuntimeError(f"Environment variable {name} is not set (see deploy/stodspar.env)")
    return value


def prefixed(name: str) -> str:
    """`name` in this run's namespace. The test suite sets TEST_PREFIX (make test: "test_"), and
    it prefixes every database, consumer group and topic, so a test run never reads or moves
    what `make run` uses and the two can run side by side in one checkout."""
    return os.environ.get("TEST_PREFIX", "") + name


def database_name(base_variable: str) -> str:
    """The database for a service (deploy/stodspar.env), in this run's namespace."""
    return prefixed(env(base_variable))


def topic(name: str) -> str:
    """The Kafka topic `name` of contracts/topics.json, in this run's namespace."""
    return prefixed(name)


@dataclass(frozen=True)
class Postgres:
    host: str
    port: int
    user: str
    password: str
    dbname: str

    @classmethod
    def for_database(cls, base_variable: str) -> "Postgres":
        return cls(
            host=env("POSTGRES_HOST", "127.0.0.1"),
            port=int(env("POSTGRES_PORT", "5432")),
            user=env("POSTGRES_USER"),
            password=env("POSTGRES_PASSWORD"),
            dbname=database_name(base_variable),
        )

    @property
    def conninfo(self) -> str:
        return (
            f"host={self.host} port={self.port} user={self.user} "
            f"password={self.password} dbname={self.dbname} connect_timeout={DATABASE_WAIT_SECONDS}"
        )

    def pool(self, max_size: int = 8, **kwargs) -> ConnectionPool:
        """A connection pool (ServicePool) that checks a connection before lending it (so one
        broken while PostgreSQL restarted is replaced, not handed out)."""
        return ServicePool(self.conninfo, min_size=1, max_size=max_size, open=True, timeout=DATABASE_WAIT_SECONDS,
                           check=ConnectionPool.check_connection, **kwargs)

    def eventsourcing_env(self) -> dict[str, str]:
        """Settings for the eventsourcing library's PostgreSQL persistence."""
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": self.dbname,
            "POSTGRES_HOST": self.host,
            "POSTGRES_PORT": str(self.port),
            "POSTGRES_USER": self.user,
            "POSTGRES_PASSWORD": self.password,
            "POSTGRES_POOL_SIZE": env("POSTGRES_POOL_SIZE", "8"),
            "POSTGRES_MAX_OVERFLOW": env("POSTGRES_MAX_OVERFLOW", "8"),
            # Not the library's stored function for inserts: it takes no lock on the events table,
            # so two processes writing one store committed out of the order of their notification
            # ids, and the relay passed over events for good (ADR 0014's addendum). Without it the
            # library locks the table for each insert until commit, in one pipelined round trip.
            "POSTGRES_ENABLE_DB_FUNCTIONS": "n",
            "POSTGRES_CONNECT_TIMEOUT": str(DATABASE_WAIT_SECONDS),
            "POSTGRES_PRE_PING": "y",
            "CREATE_TABLE": "y",
        }


def kafka_bootstrap() -> str:
    return env("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")


class ServicePool(ConnectionPool):
    """Waits DATABASE_WAIT_SECONDS for a connection; then, if any of its connections is lent out
    at work (PostgreSQL answers: the service is busy, its other connections taken or still being
    made on a loaded machine), up to BUSY_WAIT_SECONDS more. With the database away, the
    connections a pool lends fail and come back, and no new one can be made, so it gives up
    after the first wait."""

    def __init__(self, *args, **kwargs):
        self._lent, self._counting = 0, threading.Lock()
        super().__init__(*args, **kwargs)

    def getconn(self, timeout: float | None = None):
        try:
            conn = super().getconn(timeout)
        except PoolTimeout:
            if not self.busy():
                raise
            conn = super().getconn(BUSY_WAIT_SECONDS)
        with self._counting:
            self._lent += 1
        return conn

    def putconn(self, conn) -> None:
        with self._counting:
            self._lent -= 1
        super().putconn(conn)

    def busy(self) -> bool:
        return self._lent > 0
