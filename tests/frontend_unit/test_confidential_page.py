"""The Sekretess page (R14): rektor marks protected identity and grants access; the medical
part is on the page only for the school nurse, and the page does not even ask for it otherwise."""
from __future__ import annotations

from uuid import uuid4

from eventkit.identity import HEADER, verify
from tests.frontend_unit.helpers import log_in

CASE = {"case_id": "", "version": 3, "municipality": "0180", "school_unit": "0180-ENG", "pupil_name": "Elsa Exempel",
        "pupil_personal_number": "20150315-1234", "opened_at": "2026-03-02T08:15:00+00:00", "protected": True}


def _answer(cases_service, case_id):
    cases_service.answer("GET", f"/cases/{case_id}", 200, {**CASE, "case_id": str(case_id)})
    cases_service.answer("GET", f"/cases/{case_id}/protection", 200, {
        "case_id": str(case_id), "version": 3, "protected": True, "granted_to": ["rolf.ek"],
        "history": [{"change": "ProtectedIdentityMarked", "user_id": "rolf.ek", "changed_by": "rolf.ek",
                     "changed_on": "2026-03-03", "at": "2026-03-03T09:00:00+00:00", "version": 3}]})
    cases_service.answer("GET", f"/cases/{case_id}/medical", 200, {
        "case_id": str(case_id), "version": 1,
        "entries": [{"text": "Hörseltest utan anmärkning", "recorded_by": "eva.nord", "recorded_on": "2026-03-04"}]})


def test_r14_rektor_sees_who_has_access_and_can_grant_but_not_the_medical_part(frontend, cases_service):
    case_id = uuid4()
    _answer(cases_service, case_id)
    log_in(frontend, "rolf.ek")
    page = frontend.get(f"/arenden/{case_id}/sekretess")
    assert page.status_code == 200
    assert "Markerad med skyddad identitet – Rolf Ek, beslut av Rolf Ek" in page.text
    assert 'name="user_id"' in page.text and "Tomas Åhl" in page.text  # a colleague of the unit to grant
    assert "Hörseltest" not in page.text and "medicinska delen" not in page.text
    assert not any(r.path.endswith("/medical") for r in cases_service.received)

    cases_service.answer("POST", f"/cases/{case_id}/protection/grants", 201, {"case_id": str(case_id)})
    response = frontend.post(f"/arenden/{case_id}/sekretess/behorighet", data={"user_id": "tomas.ahl"})
    assert response.status_code == 303
    assert cases_service.received[-1].body == {"user_id": "tomas.ahl"}


def test_r14_the_school_nurse_sees_and_writes_the_medical_part(frontend, cases_service):
    case_id = uuid4()
    _answer(cases_service, case_id)
    log_in(frontend, "eva.nord")
    page = frontend.get(f"/arenden/{case_id}/sekretess")
    assert "Hörseltest utan anmärkning" in page.text
    asked = next(r for r in cases_service.received if r.path.endswith("/medical"))
    assert verify(asked.headers[HEADER], audience="cases").identity.medical is True  # the claim travels signed

    cases_service.answer("POST", f"/cases/{case_id}/medical/entries", 422, {
        "error": "rule", "message": "Skriv anteckningen (högst 8000 tecken). (R14)", "rule": "R14",
        "rule_name": "MedicalEntryNeedsText", "fields": {"text": "Skriv anteckningen (högst 8000 tecken)."}})
    refused = frontend.post(f"/arenden/{case_id}/sekretess/medicinskt", data={"text": ""})
    assert refused.status_code == 422 and "Skriv anteckningen" in refused.text
