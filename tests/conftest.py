"""Fixtures shared by the integration and end-to-end tests (the unit tests need none)."""
from __future__ import annotations

import os

import pytest

from tests.support import environment

environment.load()

from eventkit.identity import Identity, Role, sign  # noqa: E402


@pytest.fixture(scope="session")
def stack():
    """The whole system running as real processes against the real Kafka and PostgreSQL."""
    from tests.support.stack import Stack, emptied

    emptied()
    running = Stack()
    try:
        running.start_all()
        yield running
    finally:
        running.stop_all()


def identity(user_id: str, role: Role, municipality: str, *units: str) -> Identity:
    return Identity(user_id, user_id.replace(".", " ").title(), role, municipality, tuple(units))


TEACHER = identity("anna.lind", Role.TEACHER, "0180", "0180-ENG")
REKTOR = identity("rolf.ek", Role.REKTOR, "0180", "0180-ENG")
OTHER_REKTOR = identity("karin.holm", Role.REKTOR, "0180", "0180-KAT")
SOLNA_TEACHER = identity("ola.nilsson", Role.TEACHER, "0184", "0184-TAL")


# The port variable of each service's API (deploy/stodspar.env), for headers_for(who, url).
SERVICE_PORTS = {"CASES_PORT": "cases", "DEVIATIONS_PORT": "deviations", "COMPETENCE_PORT": "competence",
                 "DOCUMENTATION_PORT": "documentation", "FOLLOWUP_API_PORT": "followup", "COUNTY_API_PORT": "county",
                 "QUALITY_API_PORT": "quality", "ACCESSLOG_API_PORT": "accesslog",
                 "DIRECTORY_PORT": "directory", "NOTIFICATIONS_PORT": "notifications",
                 "WORKLIST_API_PORT": "worklist"}


def headers_for(who: Identity, service: str, caller: str = "frontend") -> dict[str, str]:
    """The identity header a test sends as the frontend (or `caller`) would: a fresh token (an
    identity that changed data once is refused the second time) for `service`, named or given by
    its URL."""
    from urllib.parse import urlsplit

    from eventkit.identity import HEADER

    if "://" in service:
        port = urlsplit(service).port
        service = next(name for variable, name in SERVICE_PORTS.items() if os.environ.get(variable) == str(port))
    return {HEADER: sign(who, audience=service, caller=caller)}


def pytest_collection_modifyitems(items) -> None:
    """A test that stops PostgreSQL under the running system runs after all the others: the
    first request a pool meets after the database is back may still be answered 503 (as it
    should: the caller tries again), and no other test should be that caller."""
    items.sort(key=lambda item: item.get_closest_marker("stops_the_database") is not None)
