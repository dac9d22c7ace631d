"""The frontend against small stub services and the development identity provider (real
HTTP, no running system needed)."""
from __future__ import annotations

import os

import pytest

os.environ.setdefault("IDENTITY_SIGNING_KEY", "frontend-unit-tests")
# Logins here take role and units from the development provider's claims; the tests of the
# directory's way (the running system's) say so by name (test_authentication.py).
os.environ["OIDC_IDENTITY_SOURCE"] = "token"

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


@pytest.fixture(scope="session", autouse=True)
def identity_provider():
    """The development OIDC provider every frontend made in these tests logs in through."""
    port = free_port()
    provider = provider_at(port)
    before = os.environ.get("OIDC_ISSUER")
    with serving(provider, port) as url:
        os.environ["OIDC_ISSUER"] = url
        try:
            yield provider
        finally:
            if before is None:
                os.environ.pop("OIDC_ISSUER", None)
            else:
                os.environ["OIDC_ISSUER"] = before


@pytest.fixture(scope="session", autouse=True)
def directory_register():
    """The directory service every frontend made in these tests asks (DIRECTORY_URL)."""
    stub = StubService().start()
    _directory_defaults(stub)
    before = os.environ.get("DIRECTORY_URL")
    os.environ["DIRECTORY_URL"] = stub.url
    try:
        yield stub
    finally:
        stub.stop()
        if before is None:
            os.environ.pop("DIRECTORY_URL", None)
        else:
            os.environ["DIRECTORY_URL"] = before


@pytest.fixture
def directory_service(directory_register):
    """The directory stub for one test: the defaults, and what the test tells it to answer."""
    _directory_defaults(directory_register)
    yield directory_register
    _directory_defaults(directory_register)


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
