"""The frontend against small stub services and the development identity provider (real
HTTP, no running system needed)."""
from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterator

import pytest

os.environ.setdefault("IDENTITY_SIGNING_KEY", "frontend-unit-tests")

from fastapi.testclient import TestClient  # noqa: E402

from frontend.app import create_app  # noqa: E402
from ss12000dev.seed import SCHOOL_STAFF  # noqa: E402
from tests.frontend_unit.stub_service import StubService  # noqa: E402
from tests.support.identity_provider import free_port, provider_at, serving  # noqa: E402

# The directory's GET /staff as the stub answers it: the register's named school staff.
DIRECTORY_STAFF = {"staff": [
    {"user_id": u["user_id"], "name": u["name"], "role": u["role"], "school_units": u["school_units"],
     "municipality": u["municipality"]} for u in SCHOOL_STAFF
]}


def _directory_defaults(stub: StubService) -> None:
    stub.answers.clear()
    stub.received.clear()
    stub.answer("GET", "/staff", 200, DIRECTORY_STAFF)


@contextmanager
def environment(**values: str):
    """The variables set for these tests only: the tests after this package (the running
    system's) see the deployment's values again."""
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture(scope="package", autouse=True)
def identity_provider():
    """The development OIDC provider every frontend made in these tests logs in through. Logins
    here take role and units from its claims; the tests of the directory's way (the running
    system's) say so by name (test_authentication.py)."""
    port = free_port()
    provider = provider_at(port)
    with serving(provider, port) as url, environment(OIDC_ISSUER=url, OIDC_IDENTITY_SOURCE="token"):
        yield provider


def _standing(variable: str, defaults) -> Iterator[StubService]:
    """A stub every frontend made in these tests asks (at `variable`), answering `defaults`."""
    stub = StubService().start()
    defaults(stub)
    try:
        with environment(**{variable: stub.url}):
            yield stub
    finally:
        stub.stop()


@pytest.fixture(scope="package", autouse=True)
def directory_register():
    """The directory service every frontend made in these tests asks (DIRECTORY_URL)."""
    yield from _standing("DIRECTORY_URL", _directory_defaults)


@pytest.fixture
def directory_service(directory_register):
    """The directory stub for one test: the defaults, and what the test tells it to answer."""
    _directory_defaults(directory_register)
    yield directory_register
    _directory_defaults(directory_register)


def _worklist_defaults(stub: StubService) -> None:
    stub.answers.clear()
    stub.received.clear()
    stub.answer("GET", "/tasks/summary", 200, {"count": 0, "overdue": 0})


@pytest.fixture(scope="package", autouse=True)
def worklist_register():
    """The worklist read API every frontend made in these tests asks (WORKLIST_URL)."""
    yield from _standing("WORKLIST_URL", _worklist_defaults)


@pytest.fixture
def worklist_service(worklist_register):
    """The worklist stub for one test: the defaults, and what the test tells it to answer."""
    _worklist_defaults(worklist_register)
    yield worklist_register
    _worklist_defaults(worklist_register)


@pytest.fixture
def cases_service():
    stub = StubService().start()
    yield stub
    stub.stop()


@pytest.fixture
def followup_service():
    stub = StubService().start()
    yield stub
    stub.stop()


@pytest.fixture
def frontend(cases_service, followup_service):
    app = create_app(cases_url=cases_service.url, followup_url=followup_service.url)
    with TestClient(app, follow_redirects=False) as client:
        yield client
