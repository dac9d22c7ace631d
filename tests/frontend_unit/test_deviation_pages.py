"""The deviation forms and the county view against stub services: refusals land next to their
field, overdue answers show on the manager's view, and the county view is the secretariat's."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from frontend.app import create_app
from tests.frontend_unit.helpers import HTMX, log_in
from tests.frontend_unit.stub_service import StubService

R19 = "En avvikelse gäller samverkan mellan minst två verksamheter – ange alla som berörs."


@pytest.fixture
def services():
    deviations, county = StubService().start(), StubService().start()
    yield deviations, county
    deviations.stop()
    county.stop()


@pytest.fixture
def client(services, cases_service, followup_service):
    deviations, county = services
    app = create_app(cases_url=cases_service.url, followup_url=followup_service.url,
                     deviations_url=deviations.url, county_url=county.url)
    with TestClient(app, follow_redirects=False) as c:
        yield c


REPORT = {"unit": "0180-ENG", "org_school": "municipality", "arose_in": "school", "category": "other",
          "occurred_on": "2026-02-01", "description": "BUP kom inte.", "tried_locally": "Ringt."}


def test_r19_a_refused_report_shows_the_rule_next_to_the_organisations_and_keeps_the_text(client, services):
    deviations, _ = services
    deviations.answer("POST", "/deviations", 422, {
        "error": "rule", "message": R19, "rule": "R19", "rule_name": "DeviationInvolvesTwoOrMoreOrganisations",
        "fields": {"organisations": R19},
    })
    log_in(client, "anna.lind")
    response = client.post("/avvikelser", data=REPORT, headers=HTMX)
    assert response.status_code == 422
    assert 'id="organisations-error"' in response.text and R19 in response.text
    assert "BUP kom inte." in response.text
    assert "<html" not in response.text  # only the form block, for htmx
    sent = deviations.received[-1].body
    assert sent["organisations"] == [{"kind": "school", "side": "municipality"}]
    assert sent["arose_in"] == {"kind": "school", "side": "municipality"}


def test_r21_the_managers_view_marks_overdue_answers(client, services):
    deviations, _ = services
    row = {"deviation_id": "5b2f7a6e-1f0c-4c55-9b0e-1d2f3a4b5c6d", "unit": "0180-ENG", "category": "other",
           "organisations": [], "occurred_on": "2026-01-02", "reported_on": "2026-01-03", "answer_due": "2026-03-04",
           "answered": False, "answer_overdue": True, "days_overdue": 3, "status": "handling", "mine_to_handle": True}
    deviations.answer("GET", "/deviations", 200, {"rows": [row]})
    log_in(client, "rolf.ek")
    page = client.get("/avvikelser").text
    assert "Att hantera som ansvarig chef" in page
    assert "1 med försenat svar" in page and "Svar försenat 3 dagar" in page


def test_r23_the_county_view_is_for_the_bus_secretariat_only(client, services):
    _, county = services
    county.answer("GET", "/county/counts", 200, {
        "period_kind": "month", "total": 2, "years": [2026], "trend": [],
        "by_period": [{"key": "2026-01", "deviations": 2}], "by_municipality": [{"key": "0184", "deviations": 2}],
        "by_category": [{"key": "other", "deviations": 2}], "by_organisation": [{"key": "school", "deviations": 2}],
    })
    log_in(client, "anna.lind")
    assert client.get("/lan").status_code == 403
    log_in(client, "birgitta.sund")
    page = client.get("/lan?ar=2026&kommun=0184&verksamhet=nonsense").text
    assert 'class="chart bars" role="img" aria-label="Avvikelser per kommun"' in page and "Solna" in page and "2 avvikelser" in page
    asked = county.received[-1].query
    assert "municipality=0184" in asked and "year=2026" in asked and "organisation" not in asked
    assert client.get("/avvikelser").status_code == 403  # the secretariat sees only the county view


def test_r21_an_empty_action_is_refused_at_the_actions_field(client, services):
    deviations, _ = services
    deviation_id = "5b2f7a6e-1f0c-4c55-9b0e-1d2f3a4b5c6d"
    message = "Beskriv åtgärden (högst 2000 tecken)."
    deviations.answer("POST", f"/deviations/{deviation_id}/actions", 422, {
        "error": "rule", "message": message, "rule": "R21", "rule_name": "ActionNeedsADescription",
        "fields": {"action": message},
    })
    deviations.answer("GET", f"/deviations/{deviation_id}", 200, {
        "deviation_id": deviation_id, "unit": "0180-ENG", "category": "other", "status": "reported",
        "organisations": [{"kind": "school", "side": "municipality"}, {"kind": "habilitation", "side": "region"}],
        "arose_in": {"kind": "habilitation", "side": "region"}, "occurred_on": "2026-01-02", "reported_on": "2026-01-03",
        "answer_due": "2026-03-04", "answered": False, "answer_overdue": False, "days_overdue": 0, "mine_to_handle": True,
        "reporter_side": "municipality", "municipality": "0180", "description": "x", "tried_locally": "", "principled": True,
        "actions": [], "answer": None, "outcome": None, "outcome_on": None, "summary": "", "sent": None,
    })
    log_in(client, "rolf.ek")
    page = client.post(f"/avvikelser/{deviation_id}/atgarder", data={"text": " "})
    assert page.status_code == 422
    assert 'id="text-error"' in page.text and page.text.count(message) == 1


def test_r19_a_region_unit_names_the_municipality_that_is_the_other_party(client, services):
    deviations, _ = services
    deviations.answer("POST", "/deviations", 201, {"deviation_id": "5b2f7a6e-1f0c-4c55-9b0e-1d2f3a4b5c6d"})
    log_in(client, "erik.sjo")
    form = client.get("/avvikelser/ny").text
    assert "Vilken kommun är den andra parten?" in form
    assert '<option value="0126">Huddinge</option>' in form and '<option value="01">' not in form
    answer = client.post("/avvikelser", data={**REPORT, "unit": "01-BUPS", "org_child_psychiatry": "region",
                                              "counterpart_municipality": "0126"})
    assert answer.status_code == 303
    sent = deviations.received[-1].body
    assert sent["counterpart_municipality"] == "0126" and sent["unit"] == "01-BUPS"
    assert {"kind": "child_psychiatry", "side": "region"} in sent["organisations"]


DEVIATION_ID = "5b2f7a6e-1f0c-4c55-9b0e-1d2f3a4b5c6d"
DETAILS = {"deviation_id": DEVIATION_ID, "reporter_side": "municipality", "outcome": None, "mine_to_handle": True,
           "status": "handling", "description": "Kalle Lindqvist (120914-2387) fick ingen tid.", "tried_locally": "Ringt."}


def test_r22_identity_numbers_and_registered_names_can_only_be_removed_on_the_send_page(client, services):
    deviations, _ = services
    deviations.answer("GET", f"/deviations/{DEVIATION_ID}", 200, DETAILS)
    findings = [
        {"key": "description|registered_name|Kalle Lindqvist", "field": "description", "kind": "registered_name",
         "label": "Namn på en elev eller vårdnadshavare", "redact_only": True, "text": "Kalle Lindqvist", "start": 0, "end": 15},
        {"key": "description|identity_number|120914-2387", "field": "description", "kind": "identity_number",
         "label": "Personnummer, samordningsnummer eller reservnummer", "redact_only": True, "text": "120914-2387",
         "start": 17, "end": 28},
        {"key": "description|phone|08-123", "field": "description", "kind": "phone", "label": "Telefonnummer",
         "redact_only": False, "text": "08-123", "start": 30, "end": 36},
    ]
    deviations.answer("POST", f"/deviations/{DEVIATION_ID}/check", 200, {"findings": findings})
    log_in(client, "rolf.ek")
    page = client.get(f"/avvikelser/{DEVIATION_ID}/skicka").text
    assert "Namn på en elev eller vårdnadshavare" in page and "Personnummer, samordningsnummer eller reservnummer" in page
    assert 'id="beslut-0-behall"' not in page and 'id="beslut-1-behall"' not in page
    assert 'id="beslut-2-behall"' in page  # a phone number may be an organisation's: it can be kept
    assert page.count("Kan inte behållas") == 2


def test_r22_when_the_check_cannot_be_made_the_page_says_why_and_nothing_is_sent(client, services):
    deviations, _ = services
    deviations.answer("GET", f"/deviations/{DEVIATION_ID}", 200, DETAILS)
    why = "Texten kan inte kontrolleras just nu: kommunens register svarar inte. Ingenting har skickats."
    deviations.answer("POST", f"/deviations/{DEVIATION_ID}/check", 503, {"error": "unavailable", "message": why})
    log_in(client, "rolf.ek")
    response = client.get(f"/avvikelser/{DEVIATION_ID}/skicka")
    assert response.status_code == 503
    assert why in response.text
    assert "Kalle Lindqvist (120914-2387) fick ingen tid." in response.text  # the text is still there to work on
