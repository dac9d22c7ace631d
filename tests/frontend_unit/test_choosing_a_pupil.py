"""Nytt elevärende: the pupil is chosen from the directory (search within the user's scope,
never the personnummer in the list), one open case per pupil and unit, and rektor's
registration of a pupil the register lacks (ADR 0026)."""
from __future__ import annotations

import re
from urllib.parse import parse_qs
from uuid import uuid4

from eventkit.identity import HEADER, verify
from tests.frontend_unit.helpers import HTMX, log_in

PUPIL_ID = "5a0c1e7e-7b1d-5c1e-9a53-2d8f0b7e9c41"
HIT = {"pupil_id": PUPIL_ID, "name": "Elsa Exempel", "class_name": "4A", "school_unit": "0180-ENG",
       "birth_date": "2016-03-15", "protected": False}
REGISTRATION = {"school_unit": "0180-ENG", "personal_number": "20160315-1230", "given_name": "Nils",
                "family_name": "Nyinflyttad", "class_name": "4A", "reason": "new_pupil"}


def _signed(received):
    return verify(received.headers[HEADER], audience="directory")


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_search_offers_name_class_and_birth_date_but_never_the_personnummer(frontend, directory_service):
    directory_service.answer("GET", "/pupils", 200, {"pupils": [HIT]})
    log_in(frontend, "anna.lind")

    response = frontend.get("/arenden/nytt", params={"q": "els", "school_unit": "0180-ENG"}, headers=HTMX)

    assert response.status_code == 200 and response.text.lstrip().startswith('<div id="pupil-results"')
    text = _text(response.text)
    assert "1 elev hittades" in text and "Elsa Exempel" in text and "Klass 4A" in text and "född 15 mars 2016" in text
    assert "20160315" not in response.text and "-1234" not in response.text
    assert f'name="pupil_id" value="{PUPIL_ID}"' in response.text
    asked = next(r for r in directory_service.received if r.path == "/pupils")
    assert parse_qs(asked.query)["q"] == ["els"] and parse_qs(asked.query)["school_unit"] == ["0180-ENG"]
    signed = _signed(asked)
    assert (signed.identity.user_id, signed.caller) == ("anna.lind", "frontend")


def test_a_search_of_another_units_pupils_is_not_asked(frontend, directory_service):
    log_in(frontend, "anna.lind")

    response = frontend.get("/arenden/nytt", params={"q": "els", "school_unit": "0180-KAT"})

    assert response.status_code == 404
    assert not [r for r in directory_service.received if r.path == "/pupils"]


def test_one_letter_is_not_searched_and_a_directory_that_is_down_is_said(frontend, directory_service):
    log_in(frontend, "anna.lind")
    short = frontend.get("/arenden/nytt", params={"q": "e"}, headers=HTMX).text
    assert "Skriv minst två tecken" in short and not [r for r in directory_service.received if r.path == "/pupils"]

    directory_service.answer("GET", "/pupils", 503, {"message": "nere"})
    down = frontend.get("/arenden/nytt", params={"q": "elsa"}, headers=HTMX).text

    assert "Elevregistret går inte att nå just nu" in down


def test_choosing_the_pupil_opens_the_case_with_the_pupil_id(frontend, cases_service):
    case_id = uuid4()
    cases_service.answer("POST", "/cases", 201, {"case_id": str(case_id)})
    log_in(frontend, "anna.lind")

    response = frontend.post("/arenden", data={"school_unit": "0180-ENG", "pupil_id": PUPIL_ID})

    assert response.status_code == 303 and response.headers["location"] == f"/arenden/{case_id}"
    assert cases_service.received[-1].body == {"school_unit": "0180-ENG", "pupil_id": PUPIL_ID}


def test_a_pupil_with_an_open_case_at_the_unit_leads_to_that_case_with_a_note(frontend, cases_service):
    case_id = uuid4()
    cases_service.answer("POST", "/cases", 200, {"case_id": str(case_id), "existing": True})
    cases_service.answer("GET", f"/cases/{case_id}", 200, {
        "case_id": str(case_id), "version": 3, "municipality": "0180", "school_unit": "0180-ENG",
        "pupil_name": "Elsa Exempel", "pupil_personal_number": "20160315-1234",
        "opened_at": "2026-03-02T08:15:00+00:00", "extra_adaptations": [], "referral": None})
    log_in(frontend, "anna.lind")

    response = frontend.post("/arenden", data={"school_unit": "0180-ENG", "pupil_id": PUPIL_ID}, headers=HTMX)
    page = frontend.get(response.headers["HX-Redirect"]).text

    assert response.headers["HX-Redirect"] == f"/arenden/{case_id}"
    assert "Eleven har redan ett öppet ärende på skolenheten" in page


def test_nothing_chosen_is_said_and_nothing_is_sent(frontend, cases_service):
    log_in(frontend, "anna.lind")

    response = frontend.post("/arenden", data={"school_unit": "0180-ENG", "pupil_id": ""}, headers=HTMX)

    assert response.status_code == 422 and "Välj eleven i listan" in response.text
    assert cases_service.received == []


def test_rektor_registers_a_missing_pupil_and_goes_on_to_the_new_case(frontend, cases_service, directory_service):
    new_pupil, case_id = str(uuid4()), uuid4()
    directory_service.answer("POST", "/pupils", 201, {"pupil_id": new_pupil})
    cases_service.answer("POST", "/cases", 201, {"case_id": str(case_id)})
    log_in(frontend, "rolf.ek")
    page = frontend.get("/arenden/nytt").text
    assert "Registrera en elev som saknas i elevregistret" in page
    assert '<option value="new_pupil">Ny elev som ännu inte finns i elevregistret</option>' in page

    response = frontend.post("/arenden/elev-saknas", data=REGISTRATION, headers=HTMX)

    assert response.headers["HX-Redirect"] == f"/arenden/{case_id}"
    registered = next(r for r in directory_service.received if r.method == "POST")
    assert registered.body == REGISTRATION
    assert cases_service.received[-1].body == {"school_unit": "0180-ENG", "pupil_id": new_pupil}


def test_a_refused_registration_says_why_next_to_each_field_and_opens_nothing(frontend, cases_service, directory_service):
    directory_service.answer("POST", "/pupils", 422, {"error": "validation", "message": "Uppgifterna behöver rättas.", "fields": {
        "personal_number": "Personnumret är inte giltigt – kontrollera datum och kontrollsiffra.",
        "given_name": "Skriv elevens förnamn."}})
    log_in(frontend, "rolf.ek")

    response = frontend.post("/arenden/elev-saknas", data={**REGISTRATION, "given_name": ""}, headers=HTMX)

    assert response.status_code == 422 and response.text.lstrip().startswith('<form id="registration-form"')
    assert re.search(r'id="personal_number-error">.*?Personnumret är inte giltigt', response.text, re.S)
    assert re.search(r'id="given_name-error">.*?Skriv elevens förnamn', response.text, re.S)
    assert 'value="Nyinflyttad"' in response.text  # what rektor typed stays
    assert cases_service.received == []


def test_a_personnummer_already_in_the_directory_is_said_at_its_field(frontend, cases_service, directory_service):
    directory_service.answer("POST", "/pupils", 409, {"message": "Finns redan.", "pupil_id": PUPIL_ID})
    log_in(frontend, "rolf.ek")

    response = frontend.post("/arenden/elev-saknas", data=REGISTRATION, headers=HTMX)

    assert response.status_code == 409
    assert re.search(r'id="personal_number-error">.*?Eleven finns redan i elevregistret', response.text, re.S)
    assert cases_service.received == []


def test_a_double_submitted_registration_sends_the_same_keys_so_each_service_stores_once(
        frontend, cases_service, directory_service):
    directory_service.answer("POST", "/pupils", 201, {"pupil_id": str(uuid4())})
    cases_service.answer("POST", "/cases", 201, {"case_id": str(uuid4())})
    log_in(frontend, "rolf.ek")
    key = re.search(r'id="registration-form".*?name="request_key" value="([0-9a-f]{32})"',
                    frontend.get("/arenden/nytt").text, re.S).group(1)

    for _ in range(2):
        frontend.post("/arenden/elev-saknas", data={**REGISTRATION, "request_key": key}, headers=HTMX)

    registered = [r.headers["Idempotency-Key"] for r in directory_service.received if r.method == "POST"]
    opened = [r.headers["Idempotency-Key"] for r in cases_service.received if r.method == "POST"]
    assert len(set(registered)) == 1 and registered[0].startswith(f"{key}.1.") and len(registered) == 2
    assert len(set(opened)) == 1 and opened[0].startswith(f"{key}.2.") and len(opened) == 2


def test_only_rektor_registers_a_pupil(frontend, directory_service):
    log_in(frontend, "anna.lind")

    response = frontend.post("/arenden/elev-saknas", data=REGISTRATION)

    assert response.status_code == 403
    assert not [r for r in directory_service.received if r.method == "POST"]


def test_an_open_case_the_teacher_may_not_see_is_said_without_opening_another(frontend, cases_service):
    cases_service.answer("POST", "/cases", 409, {"error": "conflict", "message": "Eleven har redan ett öppet ärende."})
    log_in(frontend, "anna.lind")

    response = frontend.post("/arenden", data={"school_unit": "0180-ENG", "pupil_id": PUPIL_ID}, headers=HTMX)

    assert response.status_code == 409
    assert "som du inte har behörighet till" in response.text and "Ladda om sidan" not in response.text
