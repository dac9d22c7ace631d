"""What the register says shows on the case: the pupil's guardians by name for participation
(R8) and on the printed programme, and the register's facts (protected identity, left the
unit, no longer in the register)."""
from __future__ import annotations

import re
from uuid import uuid4

from tests.frontend_unit.helpers import HTMX, log_in
from tests.frontend_unit.test_workflow_forms import DECISION, PROGRAMME, _case

PUPIL_ID = "5a0c1e7e-7b1d-5c1e-9a53-2d8f0b7e9c41"
PUPIL = {"pupil_id": PUPIL_ID, "name": "Elsa Exempel", "personal_number": "201503151234", "birth_date": "2015-03-15",
         "protected": False, "removed_from_register": False, "source": "register",
         "placements": [{"school_unit": "0180-ENG", "class_name": "5A", "start_date": "2026-08-17", "end_date": None}],
         "guardians": [{"guardian_id": "0b2d7c1e-9a53-4c1e-8f0b-7e9c416f1c5a", "name": "Anna Exempel"},
                       {"guardian_id": "1c3e8d2f-0b64-4d2f-9a1c-8f0d527a2d6b", "name": "Johan Exempel"}]}
ANNA = "guardian:0b2d7c1e-9a53-4c1e-8f0b-7e9c416f1c5a"


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_r8_participation_offers_the_pupil_each_guardian_and_both_by_name_and_stores_the_domains_values(
        frontend, cases_service, directory_service):
    case_id = uuid4()
    cases_service.answer("GET", f"/cases/{case_id}", 200, _case(case_id, pupil_ref=PUPIL_ID, participation=[
        {"party": "guardians", "offered_on": "2026-03-04", "took_part": True, "views": "", "recorded_by": "sara.berg"},
        {"party": ANNA, "offered_on": "2026-03-06", "took_part": False, "views": "", "recorded_by": "sara.berg"}]))
    cases_service.answer("POST", f"/cases/{case_id}/participation", 201, {})
    directory_service.answer("GET", f"/pupils/{PUPIL_ID}", 200, PUPIL)
    log_in(frontend, "sara.berg")

    page = frontend.get(f"/arenden/{case_id}").text
    frontend.post(f"/arenden/{case_id}/steg/delaktighet", headers=HTMX, data={
        "expected_version": "9", "party": ANNA, "offered_on": "2026-03-05", "took_part": "ja", "views": ""})

    assert '<option value="pupil">Eleven Elsa Exempel</option>' in page
    assert f'<option value="{ANNA}">Vårdnadshavaren Anna Exempel</option>' in page
    assert '<option value="guardians">Vårdnadshavarna tillsammans</option>' in page
    assert "Vårdnadshavarna Anna Exempel och Johan Exempel erbjöds att delta 4 mars 2026" in _text(page)
    assert "Vårdnadshavaren Anna Exempel erbjöds att delta 6 mars 2026, deltog inte" in _text(page)
    assert cases_service.received[-1].body["party"] == ANNA


def test_r8_without_an_answer_from_the_directory_the_parties_are_offered_without_guardians_names(
        frontend, cases_service, directory_service):
    case_id = uuid4()
    cases_service.answer("GET", f"/cases/{case_id}", 200, _case(case_id, pupil_ref=PUPIL_ID))
    directory_service.answer("GET", f"/pupils/{PUPIL_ID}", 503, {"message": "nere"})
    log_in(frontend, "sara.berg")

    page = frontend.get(f"/arenden/{case_id}")

    assert page.status_code == 200
    assert '<option value="guardians">Vårdnadshavarna</option>' in page.text


def test_r8_a_refused_participation_keeps_the_guardians_names_in_its_block(frontend, cases_service, directory_service):
    case_id = uuid4()
    cases_service.answer("GET", f"/cases/{case_id}", 200, _case(case_id, pupil_ref=PUPIL_ID))
    cases_service.answer("POST", f"/cases/{case_id}/participation", 422, {
        "error": "validation", "message": "Uppgifterna behöver rättas.", "fields": {"offered_on": "Ange datumet."}})
    directory_service.answer("GET", f"/pupils/{PUPIL_ID}", 200, PUPIL)
    log_in(frontend, "sara.berg")

    response = frontend.post(f"/arenden/{case_id}/steg/delaktighet", headers=HTMX, data={
        "expected_version": "9", "party": "guardians", "offered_on": "", "took_part": "ja", "views": ""})

    assert response.status_code == 422
    assert re.search(r'<option value="guardians" selected>Vårdnadshavarna tillsammans</option>', response.text)
    assert f'<option value="{ANNA}">Vårdnadshavaren Anna Exempel</option>' in response.text


def test_r18_the_printed_programme_names_the_guardians(frontend, cases_service, directory_service):
    case_id = uuid4()
    cases_service.answer("GET", f"/cases/{case_id}", 200, _case(
        case_id, pupil_ref=PUPIL_ID, programme=PROGRAMME, decisions=[DECISION], programme_in_force=True))
    directory_service.answer("GET", f"/pupils/{PUPIL_ID}", 200, PUPIL)
    log_in(frontend, "sara.berg")

    text = _text(frontend.get(f"/arenden/{case_id}/atgardsprogram").text)

    assert "Elev Elsa Exempel" in text and "Vårdnadshavare Anna Exempel, Johan Exempel" in text
    assert "201503151234" not in text and "20150315-1234" not in text


def test_the_case_page_says_what_the_register_says_of_the_pupil(frontend, cases_service):
    case_id = uuid4()
    cases_service.answer("GET", f"/cases/{case_id}", 200, _case(
        case_id, protected=True, protected_by_register=True, removed_from_register=True,
        left_school_unit={"school_unit": "0180-ENG", "left_on": "2027-01-15"}))
    log_in(frontend, "rolf.ek")

    text = _text(frontend.get(f"/arenden/{case_id}").text)

    assert "Skyddad identitet enligt folkbokföringen" in text
    assert "Eleven har lämnat skolenheten ( 15 januari 2027 )" in text
    assert "Eleven finns inte längre i elevregistret" in text


def test_a_case_the_register_says_nothing_of_shows_no_register_facts(frontend, cases_service):
    case_id = uuid4()
    cases_service.answer("GET", f"/cases/{case_id}", 200, _case(case_id, protected=True))
    log_in(frontend, "rolf.ek")

    html = frontend.get(f"/arenden/{case_id}").text

    assert "register-facts" not in html and "folkbokföringen" not in html


def test_staff_names_on_pages_come_from_the_directorys_staff_list_asked_once_in_a_while(
        frontend, cases_service, directory_service):
    from tests.frontend_unit.conftest import DIRECTORY_STAFF

    directory_service.answer("GET", "/staff", 200, {"staff": [*DIRECTORY_STAFF["staff"], {
        "user_id": "greta.nyanstalld.1a2b", "name": "Greta Nyanställd", "role": "special_educator",
        "school_units": ["0180-ENG"]}]})
    case_id = uuid4()
    measures = [{"description": "Lästräning", "extent": "2 x 40 min/vecka", "responsible": "greta.nyanstalld.1a2b"}]
    cases_service.answer("GET", f"/cases/{case_id}", 200, _case(
        case_id, programme={**PROGRAMME, "measures": measures}, decisions=[DECISION], programme_in_force=True))
    frontend.app.state.staff._until.clear()  # a new frontend: nothing cached yet
    log_in(frontend, "rolf.ek")

    first = frontend.get(f"/arenden/{case_id}/atgardsprogram").text
    frontend.get(f"/arenden/{case_id}/atgardsprogram")

    assert "Greta Nyanställd" in first and "greta.nyanstalld" not in first
    assert "Rolf Ek" in first  # the evaluation's responsible, from the directory too
    assert len([r for r in directory_service.received if r.path == "/staff"]) == 1
