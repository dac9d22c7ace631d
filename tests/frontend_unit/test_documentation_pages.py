"""The documentation pages against stub services: the form sends what the special educator
chose, refusals land next to their field, the overview shows the recurring hinders and
supports, and the case page's fragment shows what is linked and attached."""
from __future__ import annotations

from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from frontend.app import create_app
from tests.frontend_unit.helpers import HTMX, log_in
from tests.frontend_unit.stub_service import StubService

CASE_ID = str(uuid4())
INTERVENTION_ID = str(uuid4())
R3 = "Ärendet har ingen pågående utredning att bifoga till. Utredningen ska vara inledd av rektor och inte avslutad."
ITEM = {
    "intervention_id": INTERVENTION_ID, "version": 1, "school_unit": "0180-ENG", "special_educator": "sara.berg",
    "level": "individual", "kind": "pedagogical_assessment", "group": "", "performed_on": "2026-03-02",
    "term": "VT2026", "minutes": 90, "hinders": ["instruction"], "supports": ["materials"],
    "attached_to_investigation": True, "corrected": False, "withdrawn": False, "case_id": CASE_ID,
    "investigation": 1, "description": "Läsbedömning.", "hinders_note": "", "supports_note": "",
    "corrections": [], "withdrawal": None,
    "history": [{"version": 1, "event_type": "Recorded", "at": "2026-03-02T10:00:00+00:00", "actor": "sara.berg"}],
}


@pytest.fixture
def documentation():
    stub = StubService().start()
    yield stub
    stub.stop()


@pytest.fixture
def client(documentation, cases_service, followup_service):
    app = create_app(cases_url=cases_service.url, followup_url=followup_service.url, documentation_url=documentation.url)
    with TestClient(app, follow_redirects=False) as c:
        yield c


FORM = {"school_unit": "0180-ENG", "level": "group", "kind": "supervision", "performed_on": "2026-03-02",
        "minutes": "60", "group": "7B", "hinders": ["structure", "physical"], "supports": ["staffing"],
        "description": "Handledning av arbetslaget."}


def test_the_form_sends_level_kind_time_and_the_chosen_hinders_and_supports(client, documentation):
    log_in(client, "sara.berg")
    documentation.answer("POST", "/interventions", 201, {"intervention_id": INTERVENTION_ID})
    response = client.post("/dokumentation", data=FORM)
    assert response.status_code == 303 and response.headers["location"] == f"/dokumentation/{INTERVENTION_ID}"
    sent = documentation.received[-1].body
    assert sent["hinders"] == ["structure", "physical"] and sent["supports"] == ["staffing"]
    assert (sent["level"], sent["kind"], sent["minutes"], sent["group"]) == ("group", "supervision", "60", "7B")
    assert "case_id" not in sent and sent["attach_to_investigation"] is False


def test_refusals_land_next_to_their_fields_and_keep_what_was_chosen(client, documentation):
    log_in(client, "sara.berg")
    documentation.answer("POST", "/interventions", 422, {
        "error": "validation", "message": "Uppgifterna behöver rättas.",
        "fields": {"minutes": "Ange ett heltal.", "hinders.0": "Välj ett av alternativen."}})
    response = client.post("/dokumentation", data={**FORM, "minutes": "en timme"}, headers=HTMX)
    assert response.status_code == 422
    assert 'id="minutes-error"' in response.text and "Ange ett heltal." in response.text
    assert 'id="hinders-error"' in response.text
    assert 'id="hinders-physical" name="hinders" value="physical" checked' in response.text


def test_r3_an_attachment_refused_by_the_service_is_shown_at_the_checkbox(client, documentation, cases_service):
    log_in(client, "sara.berg")
    cases_service.answer("GET", f"/cases/{CASE_ID}", 200, {"case_id": CASE_ID, "school_unit": "0180-ENG",
                                                          "pupil_name": "Wilma Test"})
    documentation.answer("POST", "/interventions", 422, {
        "error": "rule", "message": f"{R3} (R3)", "rule": "R3", "rule_name": "InvestigationMustBeOpenToAttach",
        "fields": {"attach_to_investigation": R3}})
    data = {**FORM, "level": "individual", "case_id": CASE_ID, "kind": "mapping", "attach_to_investigation": "ja"}
    response = client.post("/dokumentation", data=data, headers=HTMX)
    assert response.status_code == 422
    assert 'id="attach_to_investigation-error"' in response.text and "Wilma Test" in response.text
    assert documentation.received[-1].body["case_id"] == CASE_ID


def test_the_overview_shows_recurring_hinders_and_supports_in_a_table_and_a_chart(client, documentation):
    log_in(client, "rolf.ek")
    documentation.answer("GET", "/units/0180-ENG/overview", 200, {
        "school_unit": "0180-ENG", "term": "VT2026", "terms": ["VT2026", "HT2025"], "count": 3, "minutes": 180,
        "by_level": {"organisation": {"count": 1, "minutes": 90}, "group": {"count": 2, "minutes": 90}},
        "by_kind": {"supervision": {"count": 3, "minutes": 180}},
        "by_term": [{"term": "HT2025", "count": 1, "minutes": 60}, {"term": "VT2026", "count": 3, "minutes": 180}],
        "hinders": [["structure", 3], ["physical", 1]], "supports": [["staffing", 2]]})
    response = client.get("/dokumentation/utveckling")
    assert response.status_code == 200
    assert "Vårterminen 2026" in response.text and "3 insatser" in response.text
    assert "<th scope=\"row\">Struktur och förutsägbarhet</th><td>3</td><td>0</td>" in response.text
    assert response.text.count('role="img" aria-label=') == 5  # four bar charts and the terms' columns


def test_the_case_fragment_shows_linked_and_attached_documentation_and_nothing_to_a_teacher(client, documentation):
    documentation.answer("GET", f"/cases/{CASE_ID}/interventions", 200, {
        "case_id": CASE_ID, "interventions": [ITEM], "attached": [ITEM], "open_investigation": 1})
    log_in(client, "rolf.ek")
    whole = client.get(f"/arenden/{CASE_ID}/dokumentation", headers=HTMX)
    assert "Pedagogisk bedömning, 2 mars 2026" in whole.text and "Läsbedömning." in whole.text
    assert "Dokumentera en insats" not in whole.text, "rektor reads; the special educator records"
    attached = client.get(f"/arenden/{CASE_ID}/dokumentation?del=utredning", headers=HTMX)
    assert "Bifogade bedömningar och kartläggningar" in attached.text and "Läsbedömning." in attached.text
    log_in(client, "anna.lind")
    calls = len(documentation.received)
    assert "Läsbedömning" not in client.get(f"/arenden/{CASE_ID}/dokumentation", headers=HTMX).text
    assert len(documentation.received) == calls, "a teacher's request never reaches the documentation"


def test_the_details_page_offers_correction_to_the_special_educator_only(client, documentation):
    documentation.answer("GET", f"/interventions/{INTERVENTION_ID}", 200, ITEM)
    log_in(client, "sara.berg")
    page = client.get(f"/dokumentation/{INTERVENTION_ID}")
    assert page.status_code == 200 and 'id="correction-form"' in page.text and 'value="90"' in page.text
    log_in(client, "rolf.ek")
    assert 'id="correction-form"' not in client.get(f"/dokumentation/{INTERVENTION_ID}").text
    log_in(client, "anna.lind")
    assert client.get(f"/dokumentation/{INTERVENTION_ID}").status_code == 403


def test_the_list_shows_rows_without_free_text_and_the_empty_form_is_ready_for_today(client, documentation):
    row = {k: v for k, v in ITEM.items() if k not in ("case_id", "description", "hinders_note", "supports_note",
                                                       "corrections", "withdrawal", "history", "investigation")}
    documentation.answer("GET", "/interventions", 200, {"rows": [row], "terms": ["VT2026"]})
    log_in(client, "sara.berg")
    page = client.get("/dokumentation")
    assert page.status_code == 200 and "Pedagogisk bedömning" in page.text and "1 h 30 min" in page.text
    assert "Läromedel, hjälpmedel och digitala verktyg" in page.text and "Bifogad till utredning" in page.text
    form = client.get("/dokumentation/ny")
    assert form.status_code == 200 and 'name="hinders" value="structure"' in form.text
    assert 'id="level-group" name="level" value="group" checked' in form.text
    log_in(client, "rolf.ek")
    assert client.get("/dokumentation/ny").status_code == 403


def test_a_correction_sends_the_reason_and_the_version_the_form_was_loaded_at(client, documentation):
    documentation.answer("GET", f"/interventions/{INTERVENTION_ID}", 200, ITEM)
    documentation.answer("POST", f"/interventions/{INTERVENTION_ID}/corrections", 422, {
        "error": "rule", "message": "Skriv varför uppgiften rättas; den ursprungliga finns kvar i historiken. (R16)",
        "rule": "R16", "rule_name": "CorrectionNeedsAReason",
        "fields": {"reason": "Skriv varför uppgiften rättas; den ursprungliga finns kvar i historiken."}})
    log_in(client, "sara.berg")
    data = {"expected_version": "1", "kind": "pedagogical_assessment", "performed_on": "2026-03-02", "minutes": "60",
            "hinders": ["instruction"], "supports": ["materials"], "description": "Läsbedömning.", "reason": ""}
    refused = client.post(f"/dokumentation/{INTERVENTION_ID}/rattelse", data=data)
    assert refused.status_code == 422 and 'id="reason-error"' in refused.text and 'value="60"' in refused.text
    sent = documentation.received[-2].body  # the last call is the page's GET of the intervention
    assert sent["expected_version"] == "1" and sent["minutes"] == "60" and sent["reason"] == ""
    documentation.answer("POST", f"/interventions/{INTERVENTION_ID}/corrections", 201, {"intervention_id": INTERVENTION_ID})
    done = client.post(f"/dokumentation/{INTERVENTION_ID}/rattelse", data={**data, "reason": "Fel tid."})
    assert done.status_code == 303 and done.headers["location"] == f"/dokumentation/{INTERVENTION_ID}"
