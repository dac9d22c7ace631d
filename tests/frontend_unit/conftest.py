"""The frontend against small stub services (real HTTP, no running system needed)."""
from __future__ import annotations

import os

import pytest

os.environ.setdefault("IDENTITY_SIGNING_KEY", "frontend-unit-tests")

from fastapi.testclient import TestClient  # noqa: E402

from frontend.app import create_app  # noqa: E402
from tests.frontend_unit.stub_service import StubService  # noqa: E402


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
