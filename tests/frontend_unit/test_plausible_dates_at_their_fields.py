"""Plausible dates (docs/rules.md): every form that takes a date shows the domain's refusal
next to the date field and keeps what was typed. The stub services answer exactly what the
services do: the refusal is the domain's own rule, broken in memory by the date the testers
typed, and answered by eventkit.http.rule_refusal (the services' 422)."""
from __future__ import annotations

import re
from datetime import date
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from cases.domain.delegation import DelegationRegister
from competence.domain.values import Party
from competence.views import mission_details
from eventkit.http import rule_refusal
from eventkit.rules import RuleBroken
from frontend.app import create_app
from tests.frontend_unit.helpers import HTMX, log_in
from tests.frontend_unit.stub_service import StubService
from tests.frontend_unit.test_competence_pages import a_mission
from tests.frontend_unit.test_deviation_pages import REPORT
from tests.frontend_unit.test_documentation_pages import FORM as INTERVENTION
from tests.frontend_unit.test_workflow_forms import DECISION, _case
from tests.unit import test_deviation_rules as deviations
from tests.unit import test_documentation_rules as documentation
from tests.unit.workflow import DAY, PROGRAMME, decided, with_participation
from eventkit.dates import local_today

FAR_FUTURE, FAR_PAST = date(2999, 1, 1), date(1900, 1, 1)


def refusal(action) -> dict:
    """What the service answers when the domain refuses `action`."""
    with pytest.raises(RuleBroken) as broken:
        action()
    return rule_refusal(broken.value)


def error_at(html: str, field_id: str) -> str:
    found = re.search(rf'<p class="field-error" id="{re.escape(field_id)}-error">(.*?)</p>', html, re.S)
    assert found, f"no message at {field_id}"
    return re.sub(r"<[^>]+>", "", found.group(1)).replace("Fel: ", "").strip()


@pytest.fixture
def stubs():
    started = {name: StubService().start() for name in ("deviations", "county", "documentation", "competence", "quality")}
    yield started
    for stub in started.values():
        stub.stop()


@pytest.fixture
def client(stubs, cases_service, followup_service):
    app = create_app(cases_url=cases_service.url, followup_url=followup_service.url,
                     **{f"{name}_url": stub.url for name, stub in stubs.items()})
    with TestClient(app, follow_redirects=False) as c:
        yield c


def test_r9_a_delivery_in_2999_is_refused_next_to_the_delivery_date(client, cases_service):
    case_id = uuid4()
    undelivered = {**DECISION, "delivered_on": None, "appeal_last_day": None}
    cases_service.answer("GET", f"/cases/{case_id}", 200, _case(case_id, status="decided", decisions=[undelivered]))
    case = decided()
    # Delivery per recipient (issue 16): the form's fields are its own (`mottagen1-…`).
    answer = refusal(lambda: case.record_receipt(decision_number=1, recipient="guardians", method="post",
                                                 received_on=FAR_FUTURE, recorded_by="rolf.ek", today=DAY))
    cases_service.answer("POST", f"/cases/{case_id}/decisions/1/receipts", 422, answer)
    log_in(client, "rolf.ek")
    response = client.post(f"/arenden/{case_id}/steg/mottagen", headers=HTMX,
                           data={"expected_version": "9", "number": "1", "mottagen1-recipient": "guardians",
                                 "mottagen1-method": "post", "mottagen1-received_on": "2999-01-01"})
    assert response.status_code == 422
    assert "högst ett år fram i tiden" in error_at(response.text, "mottagen1-received_on")
    assert 'value="2999-01-01"' in response.text and "Sista dag att överklaga" not in response.text


def test_r8_participation_in_1900_is_refused_next_to_the_date_of_the_offer(client, cases_service):
    case_id = uuid4()
    cases_service.answer("GET", f"/cases/{case_id}", 200, _case(case_id, status="decided", decisions=[DECISION]))
    case = decided()
    cases_service.answer("POST", f"/cases/{case_id}/participation", 422, refusal(lambda: case.record_participation(
        party="pupil", offered_on=FAR_PAST, took_part=True, views="", recorded_by="sara.berg", today=DAY)))
    log_in(client, "sara.berg")
    response = client.post(f"/arenden/{case_id}/steg/delaktighet", headers=HTMX,
                           data={"expected_version": "9", "party": "pupil", "offered_on": "1900-01-01", "took_part": "ja"})
    assert response.status_code == 422
    assert "Ärendet öppnades 1 september 2026" in error_at(response.text, "offered_on")


def test_r10_an_evaluation_in_2999_is_refused_next_to_the_evaluation_date(client, cases_service):
    case_id = uuid4()
    cases_service.answer("GET", f"/cases/{case_id}", 200, _case(
        case_id, status="decided", decisions=[{**DECISION, "programme_number": None}], programme_to_issue=True))
    case = with_participation(decided())
    cases_service.answer("POST", f"/cases/{case_id}/programme", 422, refusal(lambda: case.issue_programme(
        **{**PROGRAMME, "evaluation_on": FAR_FUTURE}, issued_by="rolf.ek", on=DAY)))
    log_in(client, "rolf.ek")
    response = client.post(f"/arenden/{case_id}/steg/atgardsprogram", headers=HTMX, data={
        "expected_version": "9", "needs": "Stöd i läsning", "measures.0.description": "Lästräning",
        "measures.0.extent": "2 x 40 min", "measures.0.responsible": "sara.berg", "follow_up_dates.0": "2026-10-01",
        "follow_up_responsible": "sara.berg", "evaluation_on": "2999-01-01", "evaluation_responsible": "rolf.ek"})
    assert response.status_code == 422
    assert "Utvärderingen kan planeras högst ett år fram i tiden" in error_at(response.text, "evaluation_on")


def test_r5_a_delegation_from_1900_to_2999_is_refused_next_to_its_first_day(client, cases_service):
    register = DelegationRegister(municipality="0180", school_unit="0180-ENG")
    cases_service.answer("POST", "/delegations/0180-ENG", 422, refusal(lambda: register.register(
        delegate="sara.berg", kinds=("no_programme",), valid_from=FAR_PAST, valid_to=FAR_FUTURE, registered_by="rolf.ek",
        by_rektor=True, today=DAY)))
    cases_service.answer("GET", "/delegations/0180-ENG", 200, {"school_unit": "0180-ENG", "delegations": [], "history": []})
    log_in(client, "rolf.ek")
    response = client.post("/delegationer", headers=HTMX, data={
        "school_unit": "0180-ENG", "delegate": "sara.berg", "kinds": "no_programme", "valid_from": "1900-01-01",
        "valid_to": "2999-01-01"})
    assert response.status_code == 422
    assert "kan inte börja före det här läsåret" in error_at(response.text, "valid_from")
    assert 'value="1900-01-01"' in response.text and 'value="2999-01-01"' in response.text


def test_r19_a_deviation_in_1900_is_refused_next_to_its_date(client, stubs):
    stubs["deviations"].answer("POST", "/deviations", 422, refusal(lambda: deviations.report(occurred_on=FAR_PAST)))
    log_in(client, "anna.lind")
    response = client.post("/avvikelser", data={**REPORT, "occurred_on": "1900-01-01"}, headers=HTMX)
    assert response.status_code == 422
    assert "för långt bak i tiden" in error_at(response.text, "occurred_on")


def test_an_intervention_in_2999_is_refused_next_to_its_date(client, stubs):
    stubs["documentation"].answer("POST", "/interventions", 422, refusal(
        lambda: documentation.record(performed_on=FAR_FUTURE)))
    log_in(client, "sara.berg")
    response = client.post("/dokumentation", data={**INTERVENTION, "performed_on": "2999-01-01"}, headers=HTMX)
    assert response.status_code == 422
    assert "kan inte ligga i framtiden" in error_at(response.text, "performed_on")


def test_r12_an_activity_planned_for_2999_is_refused_next_to_its_planned_day(client, stubs):
    m, _, _ = a_mission()
    need = next(iter(m.needs))
    stubs["competence"].answer("GET", f"/missions/{m.id}", 200, mission_details(m, Party.SPECIAL_EDUCATOR, local_today()))
    stubs["competence"].answer("GET", "/profiles/sara.berg", 404, {"error": "not_found", "message": "Ingen profil."})
    stubs["competence"].answer("POST", f"/missions/{m.id}/activities", 422, refusal(lambda: m.plan_activity(
        Party.SPECIAL_EDUCATOR, "sara.berg", need_id=need, title="Kurs", planned_hours=8, planned_by=FAR_FUTURE,
        on=local_today())))
    log_in(client, "sara.berg")
    response = client.post(f"/kompetens/uppdrag/{m.id}/aktivitet", data={
        "need_id": need, "title": "Kurs", "planned_hours": "8", "planned_by": "2999-01-01"})
    assert response.status_code == 422
    assert "högst ett år fram i tiden" in error_at(response.text, "aktivitet-planned_by")
