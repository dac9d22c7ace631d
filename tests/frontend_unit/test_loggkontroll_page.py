"""Loggkontroll (R15) in the frontend: for the municipality administrator only; a search by
personnummer goes to the cases service in a POST body and reaches the log API only as the
pseudonymous reference; unusual access is shown as such; bad input is explained at the field."""
from __future__ import annotations

import pytest

from tests.frontend_unit.helpers import log_in
from tests.frontend_unit.stub_service import StubService

REF = "5f0c3a52-9a43-4d2e-8a55-4e2a0f5b7c11"
ENTRY = {"entry_id": "0b6f3f8e-3f2c-4b8e-9d4e-6c3f1f1b2a10", "at": "2026-09-08T08:00:00+00:00", "service": "cases",
         "user_id": "sara.berg", "role": "special_educator", "user_units": ["0180-ENG", "0180-KAT"],
         "school_unit": "0180-KAT", "action": "read", "resource": "/cases/{case_id}", "resource_id": "c1",
         "pupil_ref": REF, "outside_usual_units": True, "many_records": False}


@pytest.fixture
def accesslog_service(monkeypatch):
    stub = StubService().start()
    monkeypatch.setenv("ACCESSLOG_URL", stub.url)
    yield stub
    stub.stop()


def test_r15_the_administrator_searches_by_personnummer_and_sees_unusual_access(frontend, cases_service, accesslog_service):
    cases_service.answer("POST", "/pupils/lookup", 200, {"pupil_ref": REF})
    accesslog_service.answer("GET", "/accesslog", 200, {"entries": [ENTRY], "thresholds": {"usual_days": 90, "burst_pupils": 20, "burst_minutes": 10}})
    log_in(frontend, "lars.moberg")

    assert 'href="/loggkontroll"' in frontend.get("/").text
    html = frontend.post("/loggkontroll", data={"personnummer": "20100101-2382", "fran": "2026-09-01"}).text

    [lookup] = [r for r in cases_service.received if r.path == "/pupils/lookup"]
    assert lookup.body == {"personal_number": "20100101-2382"}
    [search] = accesslog_service.received
    assert f"pupil_ref={REF}" in search.query and "2010" not in search.query and "from=2026-09-01" in search.query
    assert "1 åtkomst, varav 1 ovanliga" in html and "Utanför användarens vanliga enheter" in html
    assert "Sara Berg" in html and "specialpedagog" in html and "special_educator" not in html


def test_r15_a_search_without_user_or_pupil_is_explained_at_the_field(frontend, accesslog_service):
    log_in(frontend, "lars.moberg")
    response = frontend.post("/loggkontroll", data={"fran": "inte ett datum"})
    assert response.status_code == 422
    assert 'id="anvandare-error"' in response.text and 'id="fran-error"' in response.text
    assert accesslog_service.received == []


def test_r15_an_unknown_personnummer_is_explained_at_the_field(frontend, cases_service, accesslog_service):
    cases_service.answer("POST", "/pupils/lookup", 404, {"error": "not_found", "message": "Ingen elev."})
    log_in(frontend, "lars.moberg")
    response = frontend.post("/loggkontroll", data={"personnummer": "20100101-2382"})
    assert response.status_code == 422 and 'id="personnummer-error"' in response.text
    assert accesslog_service.received == []


@pytest.mark.parametrize("user", ["anna.lind", "rolf.ek"])
def test_r15_loggkontroll_is_not_for_other_roles(frontend, user):
    log_in(frontend, user)
    assert frontend.get("/loggkontroll").status_code == 403
    assert 'href="/loggkontroll"' not in frontend.get("/").text
