"""POST /cases for a pupil chosen in the directory, with the directory and the event store in
memory: 201 for a new case, 200 with `existing` for the pupil's open case, the field's message
for a pupil the directory does not give, 503 when the directory does not answer."""
from __future__ import annotations

from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from cases.application import CasesApplication
from cases.bootstrap import directory
from cases.directory import DirectoryUnavailable, pupil_from
from cases.entrypoints.api import app as api
from cases.entrypoints.workflow import cases
from eventkit.identity import HEADER, Identity, Role, sign
from tests.support.pupils import register_pupil

TEACHER = Identity("anna.lind", "Anna Lind", Role.TEACHER, "0180", ("0180-ENG",))


class FakeDirectory:
    def __init__(self) -> None:
        self.pupils, self.down, self.asked_as = {}, False, []

    def pupil(self, who, pupil_id):
        self.asked_as.append(who.user_id)
        if self.down:
            raise DirectoryUnavailable()
        return self.pupils.get(pupil_id)


@pytest.fixture()
def client():
    people, store = FakeDirectory(), CasesApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    api.dependency_overrides[directory] = lambda: people
    api.dependency_overrides[cases] = lambda: store
    try:
        yield TestClient(api), people
    finally:
        api.dependency_overrides.clear()


def post(client: TestClient, body: dict):
    return client.post("/cases", json=body, headers={HEADER: sign(TEACHER, audience="cases", caller="frontend")})


def test_a_case_is_opened_for_the_chosen_pupil_and_opening_again_answers_it(client):
    http, people = client
    pupil = register_pupil()
    people.pupils[pupil.pupil_id] = pupil
    first = post(http, {"school_unit": "0180-ENG", "pupil_id": pupil.pupil_id})
    assert first.status_code == 201 and first.json()["existing"] is False
    again = post(http, {"school_unit": "0180-ENG", "pupil_id": pupil.pupil_id})
    assert again.status_code == 200 and again.json() == {"case_id": first.json()["case_id"], "existing": True}
    assert people.asked_as == ["anna.lind", "anna.lind"]  # the user's own identity, so the directory decides scope


def test_a_pupil_the_directory_does_not_give_is_refused_next_to_the_field(client):
    http, _ = client
    answer = post(http, {"school_unit": "0180-ENG", "pupil_id": str(uuid4())})
    assert answer.status_code == 422 and "elevregistret" in answer.json()["fields"]["pupil_id"]


def test_the_typed_personnummer_is_no_longer_taken(client):
    http, _ = client
    answer = post(http, {"school_unit": "0180-ENG", "pupil_personal_number": "201001012382", "pupil_name": "Elsa"})
    assert answer.status_code == 422


def test_a_directory_that_does_not_answer_is_503(client):
    http, people = client
    people.down = True
    answer = post(http, {"school_unit": "0180-ENG", "pupil_id": str(uuid4())})
    assert answer.status_code == 503 and "Elevregistret" in answer.json()["message"]


def test_a_pupil_not_placed_at_the_unit_is_refused_with_the_fields_message(client):
    http, people = client
    pupil = register_pupil(school_units=("0180-KAT",))
    people.pupils[pupil.pupil_id] = pupil
    answer = post(http, {"school_unit": "0180-ENG", "pupil_id": pupil.pupil_id})
    assert answer.status_code == 422 and "placerad" in answer.json()["fields"]["pupil_id"]


def test_the_directorys_answer_gives_the_units_where_the_pupil_is_placed_now():
    from datetime import date

    answer = {"pupil_id": str(uuid4()), "personal_number": "201001012382", "name": "Elsa Provsson", "protected": True,
              "removed_from_register": False, "placements": [
                  {"school_unit": "0180-ENG", "class_name": "7B", "start_date": "2023-08-15", "end_date": None},
                  {"school_unit": "0180-KAT", "class_name": "6A", "start_date": "2022-08-15", "end_date": "2023-06-10"}]}
    pupil = pupil_from(answer, date(2026, 11, 26))
    assert pupil.school_units == ("0180-ENG",) and pupil.protected
