"""A service's API, relay and listeners start at the same moment and each creates its tables if
they are missing; none of them may fail because a twin was creating the same table (a relay
that died that way once left the documentation topic silent)."""
from __future__ import annotations

import threading

import psycopg
import pytest

from eventkit.config import Postgres
from eventkit.store import ServiceApplication
from projections.followup import readmodel as followup_readmodel
from tests.support.infrastructure import reset_database

pytestmark = pytest.mark.integration

TOGETHER = 6


class RaceApplication(ServiceApplication):
    name = "race"
    database_variable = "SCHEMA_RACE_DB"


def all_at_once(work) -> list[BaseException]:
    barrier = threading.Barrier(TOGETHER)
    failures: list[BaseException] = []

    def run() -> None:
        barrier.wait()
        try:
            work()
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            failures.append(exc)

    threads = [threading.Thread(target=run) for _ in range(TOGETHER)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return failures


@pytest.fixture
def empty_database(monkeypatch):
    monkeypatch.setenv("SCHEMA_RACE_DB", "stodspar_schema_race")
    reset_database("SCHEMA_RACE_DB")
    return Postgres.for_database("SCHEMA_RACE_DB")


def test_event_stores_of_one_service_created_by_several_processes_at_once(empty_database):
    assert all_at_once(lambda: RaceApplication()) == []
    with psycopg.connect(empty_database.conninfo) as conn:
        tables = {row[0] for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert "race_events" in tables


def test_a_read_model_created_by_its_worker_and_its_api_at_once(empty_database):
    def create() -> None:
        with psycopg.connect(empty_database.conninfo) as conn:
            followup_readmodel.PROJECTION.create_schema_sync(conn)

    assert all_at_once(create) == []
