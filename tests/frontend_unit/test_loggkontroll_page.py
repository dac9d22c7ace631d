"""Loggkontroll (R15) in the frontend: for the municipality administrator only; a search by
personnummer goes to the cases service in a POST body and reaches the log API only as the
pseudonymous reference; each entry is a Swedish sentence with the pupil's name or a neutral
phrase; unusual access and refused attempts are shown as such; filters, paging and the CSV
export (itself logged); bad input is explained at the field."""
from __future__ import annotations

import pytest

from tests.frontend_unit.helpers import log_in
from tests.frontend_unit.stub_service import StubService

REF = "5f0c3a52-9a43-4d2e-8a55-4e2a0f5b7c11"
ENTRY = {"entry_id": "0b6f3f8e-3f2c-4b8e-9d4e-6c3f1f1b2a10", "at": "2026-09-08T08:00:00+00:00", "service": "cases",
         "user_id": "sara.berg", "role": "special_educator", "user_units": ["0180-ENG", "0180-KAT"],
         "school_unit": "0180-KAT", "action": "read", "resource": "/cases/{case_id}", "resource_id": "c1",
         "pupil_ref": REF, "outcome": "granted", "outside_usual_units": True, "many_records": False, "refused": False}
THRESHOLDS = {"usual_days": 90, "burst_pupils": 20, "burst_minutes": 10}


def page(*entries, total=None):
    return {"entries": list(entries), "total": len(entries) if total is None else total, "offset": 0, "limit": 50,
            "thresholds": THRESHOLDS}


@pytest.fixture
def accesslog_service(monkeypatch):
    stub = StubService().start()
    monkeypatch.setenv("ACCESSLOG_URL", stub.url)
    yield stub
    stub.stop()


def test_r15_the_administrator_searches_by_personnummer_and_sees_unusual_access(frontend, cases_service, accesslog_service):
    cases_service.answer("POST", "/pupils/lookup", 200, {"pupil_ref": REF})
    cases_service.answer("POST", "/pupils/log-names", 200, {"pupils": {REF: {"name": "Hedvig Holm"}}})
    accesslog_service.answer("GET", "/accesslog", 200, page(ENTRY))
    log_in(frontend, "lars.moberg")

    assert 'href="/loggkontroll"' in frontend.get("/").text
    html = frontend.post("/loggkontroll", data={"personnummer": "20100101-2382", "fran": "2026-09-01"}).text

    [lookup] = [r for r in cases_service.received if r.path == "/pupils/lookup"]
    assert lookup.body == {"personal_number": "20100101-2382"}
    [search] = accesslog_service.received
    assert f"pupil_ref={REF}" in search.query and "2010" not in search.query and "from=2026-09-01" in search.query
    assert "Visar 1–1 av 1 åtkomst, varav 1 ovanliga" in html and "Utanför användarens vanliga enheter" in html
    assert "Sara Berg, specialpedagog, läste elevärendet" in html and "Hedvig Holm" in html
    assert "special_educator" not in html and "{case_id}" not in html and REF[:8] not in html
    table = html.split('id="accesslog"')[1]
    assert "Katarina Södra skola" in table and "0180-KAT" not in table


def test_r15_every_entry_reads_as_a_sentence_with_the_pupil_by_name_or_in_neutral_words(frontend, cases_service, accesslog_service):
    protected, disposed = "6f0c3a52-9a43-4d2e-8a55-4e2a0f5b7c12", "7f0c3a52-9a43-4d2e-8a55-4e2a0f5b7c13"
    printed = {**ENTRY, "entry_id": "1b6f3f8e-3f2c-4b8e-9d4e-6c3f1f1b2a10", "user_id": "rolf.ek", "role": "rektor",
               "action": "print", "pupil_ref": protected, "outside_usual_units": False}
    refused = {**ENTRY, "entry_id": "2b6f3f8e-3f2c-4b8e-9d4e-6c3f1f1b2a10", "user_id": "anna.lind", "role": "teacher",
               "outcome": "refused", "refused": True, "pupil_ref": disposed, "outside_usual_units": False}
    cases_service.answer("POST", "/pupils/log-names", 200, {"pupils": {protected: {"protected": True}, disposed: {"disposed": True}}})
    accesslog_service.answer("GET", "/accesslog", 200, page(printed, refused))
    log_in(frontend, "lars.moberg")
    html = frontend.post("/loggkontroll", data={"anvandare": "Anna Lind"}).text

    assert "user=anna.lind" in accesslog_service.received[0].query  # a name typed, the user name asked
    assert "Rolf Ek, rektor, skrev ut åtgärdsprogrammet" in html and "elev med skyddade personuppgifter" in html
    assert "Anna Lind, lärare, försökte läsa elevärendet – nekades" in html and "gallrad elev" in html
    assert 'data-flag="refused"' in html and "Nekad åtkomst" in html
    [names] = [r for r in cases_service.received if r.path == "/pupils/log-names"]
    assert set(names.body["pupil_refs"]) == {protected, disposed} and names.body["purpose"] == "list"


def test_r15_filters_reach_the_read_api_and_the_pages_turn_fifty_at_a_time(frontend, cases_service, accesslog_service):
    accesslog_service.answer("GET", "/accesslog", 200, page(*[ENTRY] * 50, total=120))
    cases_service.answer("POST", "/pupils/log-names", 200, {"pupils": {}})
    log_in(frontend, "lars.moberg")
    html = frontend.post("/loggkontroll", data={"enhet": "0180-KAT", "typ": "refused", "fran": "2026-09-01",
                                                "till": "2026-09-30", "ovanliga": "ja", "sida": "2"}).text
    query = accesslog_service.received[0].query
    for part in ("school_unit=0180-KAT", "kind=refused", "from=2026-09-01", "to=2026-09-30", "flagged=true",
                 "limit=50", "offset=50"):
        assert part in query
    assert "Visar 51–100 av 120 åtkomster" in html
    assert 'name="sida" value="1"' in html and "Föregående" in html and 'name="sida" value="3"' in html and "Nästa" in html


def test_r15_a_period_the_read_api_refuses_is_explained_at_its_field(frontend, accesslog_service):
    accesslog_service.answer("GET", "/accesslog", 422, {"error": "rule", "message": "Slutdatumet kan inte vara före startdatumet. (R15)",
                                                        "rule": "R15", "fields": {"to": "Slutdatumet kan inte vara före startdatumet."}})
    log_in(frontend, "lars.moberg")
    response = frontend.post("/loggkontroll", data={"fran": "2026-09-10", "till": "2026-09-01"})
    assert response.status_code == 422 and 'id="till-error"' in response.text
    assert "Slutdatumet kan inte vara före startdatumet." in response.text


def test_r15_a_personnummer_with_a_wrong_check_digit_is_explained_at_the_field_and_nothing_is_asked(frontend, cases_service, accesslog_service):
    log_in(frontend, "lars.moberg")
    response = frontend.post("/loggkontroll", data={"personnummer": "20100101-2383"})
    assert response.status_code == 422 and 'id="personnummer-error"' in response.text and "kontrollsiffra" in response.text
    assert cases_service.received == [] and accesslog_service.received == []


def test_r14_a_unit_of_another_municipality_is_refused_at_the_field(frontend, accesslog_service):
    log_in(frontend, "lars.moberg")
    response = frontend.post("/loggkontroll", data={"enhet": "0184-TAL"})
    assert response.status_code == 422 and 'id="enhet-error"' in response.text
    assert accesslog_service.received == []


def test_r15_a_date_that_is_not_a_date_is_explained_at_the_field(frontend, accesslog_service):
    log_in(frontend, "lars.moberg")
    response = frontend.post("/loggkontroll", data={"fran": "inte ett datum"})
    assert response.status_code == 422 and 'id="fran-error"' in response.text
    assert accesslog_service.received == []


def test_r15_an_unknown_personnummer_is_explained_at_the_field(frontend, cases_service, accesslog_service):
    cases_service.answer("POST", "/pupils/lookup", 404, {"error": "not_found", "message": "Ingen elev."})
    log_in(frontend, "lars.moberg")
    response = frontend.post("/loggkontroll", data={"personnummer": "20100101-2382"})
    assert response.status_code == 422 and 'id="personnummer-error"' in response.text
    assert accesslog_service.received == []


def test_r15_the_filtered_result_exports_as_csv_and_the_export_is_logged(frontend, cases_service, accesslog_service):
    cases_service.answer("POST", "/pupils/log-names", 200, {"pupils": {REF: {"name": "Hedvig Holm"}}})
    accesslog_service.answer("GET", "/accesslog", 200, page(ENTRY))
    log_in(frontend, "lars.moberg")
    response = frontend.post("/loggkontroll/export", data={"anvandare": "sara.berg"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffTid;Användare;Roll;Vad;Elev;Skolenhet;Ovanligt")
    assert "Sara Berg;specialpedagog;läste elevärendet;Hedvig Holm;Katarina Södra skola;Utanför användarens vanliga enheter" in text
    assert "special_educator" not in text and REF not in text
    [names] = [r for r in cases_service.received if r.path == "/pupils/log-names"]
    assert names.body == {"pupil_refs": [REF], "purpose": "export"}  # the cases service logs the export


def test_r15_an_export_that_cannot_be_logged_is_not_sent(frontend, cases_service, accesslog_service):
    cases_service.answer("POST", "/pupils/log-names", 503, {"error": "unavailable", "message": "Åtkomsten kunde inte loggas."})
    accesslog_service.answer("GET", "/accesslog", 200, page(ENTRY))
    log_in(frontend, "lars.moberg")
    response = frontend.post("/loggkontroll/export", data={"anvandare": "sara.berg"})
    assert response.status_code == 503 and "text/html" in response.headers["content-type"]


@pytest.mark.parametrize("user", ["anna.lind", "rolf.ek"])
def test_r15_loggkontroll_is_not_for_other_roles(frontend, user):
    log_in(frontend, user)
    assert frontend.get("/loggkontroll").status_code == 403
    assert 'href="/loggkontroll"' not in frontend.get("/").text
