"""Mina elever: the pupils of the user's units from the directory, a page at a time and
searchable, each with the open case and its status from the worklist; listed all the same
when the worklist cannot say. For the staff who have pupils, one click from the start page."""
from __future__ import annotations

import re
from urllib.parse import parse_qs

import pytest

from eventkit.identity import HEADER, verify
from tests.frontend_unit.conftest import environment
from tests.frontend_unit.helpers import HTMX, log_in, unused_url
from tests.frontend_unit.stub_service import StubService

ELSA = {"pupil_id": "5a0c1e7e-7b1d-5c1e-9a53-2d8f0b7e9c41", "name": "Elsa Exempel", "class_name": "4A",
        "school_unit": "0180-ENG", "birth_date": "2016-03-15", "protected": False}
OMAR = {"pupil_id": "7b1d5a0c-1e7e-5c1e-9a53-2d8f0b7e9c42", "name": "Omar Prov", "class_name": "4B",
        "school_unit": "0180-ENG", "birth_date": "2016-05-01", "protected": False}
CASE_ID = "0d7f6a1e-3b2c-4e8f-9a1b-2c3d4e5f6a7b"


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def worklist():
    stub = StubService().start()
    with environment(WORKLIST_URL=stub.url):
        yield stub
    stub.stop()


def test_a_teacher_sees_her_pupils_with_the_open_case_its_status_and_a_way_to_open_one(frontend, directory_service,
                                                                                        worklist):
    directory_service.answer("GET", "/pupils", 200, {"pupils": [ELSA, OMAR], "total": 2})
    worklist.answer("GET", "/pupil-cases", 200, {"cases": [
        {"pupil_id": ELSA["pupil_id"], "case_id": CASE_ID, "status": "investigating", "overdue": True}]})
    log_in(frontend, "anna.lind")

    page = frontend.get("/elever")

    assert page.status_code == 200
    text = _text(page.text)
    assert "Mina elever" in text and "2 elever." in text
    assert "Elsa Exempel" in text and "Utreds" in text and "Försenat" in text
    assert f'href="/arenden/{CASE_ID}"' in page.text and "Öppna ärendet" in text
    omar_row = page.text[page.text.index("Omar Prov"):]
    assert "Inget ärende" in _text(omar_row) and f'name="pupil_id" value="{OMAR["pupil_id"]}"' in omar_row
    assert 'action="/arenden"' in omar_row and "Öppna ett ärende" in _text(omar_row)
    assert "Ärendestatus kan inte visas" not in text and CASE_ID not in text and "investigating" not in text
    listed = next(r for r in directory_service.received if r.path == "/pupils")
    assert parse_qs(listed.query) == {"limit": ["100"], "offset": ["0"]}  # no q: the list, not a search
    asked = worklist.received[-1]
    assert parse_qs(asked.query) == {"unit": ["0180-ENG"]}
    signed = verify(asked.headers[HEADER], audience="worklist")
    assert (signed.identity.user_id, signed.caller) == ("anna.lind", "frontend")


@pytest.mark.parametrize("worklist_url", [unused_url(), ""], ids=["down", "not configured"])
def test_without_the_worklist_the_pupils_are_listed_and_the_page_says_the_status_cannot_be_shown(
        frontend, directory_service, worklist_url):
    directory_service.answer("GET", "/pupils", 200, {"pupils": [ELSA], "total": 1})
    log_in(frontend, "anna.lind")

    with environment(WORKLIST_URL=worklist_url):
        page = frontend.get("/elever")

    assert page.status_code == 200
    text = _text(page.text)
    assert "Elsa Exempel" in text and "Ärendestatus kan inte visas just nu" in text
    assert "Inget ärende" not in text  # not known, so not said
    assert "Visa eller öppna ärendet" in text and f'value="{ELSA["pupil_id"]}"' in page.text


def test_a_worklist_that_refuses_is_said_the_same_way(frontend, directory_service, worklist):
    directory_service.answer("GET", "/pupils", 200, {"pupils": [ELSA], "total": 1})
    worklist.answer("GET", "/pupil-cases", 403, {"message": "Nej."})
    log_in(frontend, "anna.lind")

    assert "Ärendestatus kan inte visas just nu" in frontend.get("/elever").text


def test_the_search_asks_the_directory_within_the_users_scope_and_answers_the_table_only(frontend, directory_service,
                                                                                           worklist):
    directory_service.answer("GET", "/pupils", 200, {"pupils": [ELSA]})
    worklist.answer("GET", "/pupil-cases", 200, {"cases": []})
    log_in(frontend, "anna.lind")

    found = frontend.get("/elever", params={"q": "els"}, headers=HTMX)

    assert found.status_code == 200 and found.text.lstrip().startswith('<div id="pupil-table"')
    assert "1 elev hittades" in _text(found.text) and "Elsa Exempel" in found.text and "Inget ärende" in _text(found.text)
    asked = [r for r in directory_service.received if r.path == "/pupils"][-1]
    assert parse_qs(asked.query)["q"] == ["els"] and "school_unit" not in parse_qs(asked.query)
    short = frontend.get("/elever", params={"q": "e"}, headers=HTMX)
    assert "Skriv minst två tecken" in short.text and len([r for r in directory_service.received if r.path == "/pupils"]) == 1
    assert frontend.get("/elever", params={"skolenhet": "0180-KAT"}).status_code == 404  # not her unit


def test_the_list_is_paged_a_hundred_at_a_time(frontend, directory_service, worklist):
    directory_service.answer("GET", "/pupils", 200, {"pupils": [OMAR], "total": 250})
    worklist.answer("GET", "/pupil-cases", 200, {"cases": []})
    log_in(frontend, "anna.lind")

    page = frontend.get("/elever", params={"sida": 3})

    assert "250 elever, sida 3 av 3" in _text(page.text) and "Föregående" in page.text and "Nästa" not in page.text
    assert parse_qs(directory_service.received[-1].query)["offset"] == ["200"]


def test_a_directory_that_is_down_is_said_without_an_error_page(frontend, directory_service):
    directory_service.answer("GET", "/pupils", 503, {"message": "nere"})
    log_in(frontend, "anna.lind")

    page = frontend.get("/elever")

    assert page.status_code == 200 and "Elevregistret går inte att nå just nu" in page.text


@pytest.mark.parametrize("user_id", ["anna.lind", "sara.berg", "eva.nord", "rolf.ek"])
def test_the_staff_with_pupils_reach_mina_elever_from_the_start_page(frontend, user_id):
    log_in(frontend, user_id)
    assert 'href="/elever"' in frontend.get("/").text


@pytest.mark.parametrize("user_id", ["lars.moberg", "erik.sjo", "birgitta.sund"])
def test_administrators_region_staff_and_the_bus_secretariat_have_no_pupils(frontend, directory_service, user_id):
    log_in(frontend, user_id)
    assert 'href="/elever"' not in frontend.get("/").text
    assert frontend.get("/elever").status_code == 403
    assert not [r for r in directory_service.received if r.path == "/pupils"]
