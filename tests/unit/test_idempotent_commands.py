"""A retried or double-submitted command stores once (#11, ADR 0023): the same idempotency key
creates the same aggregate once and appends the same command once, with the events in memory.
And the key's form is checked at the door of every service."""
from __future__ import annotations

import pytest
from fastapi import Depends
from fastapi.testclient import TestClient

from cases.application import CasesApplication
from eventkit.http import current_identity, service_api
from eventkit.identity import HEADER, Identity, Role, sign
from eventkit.store import request_key

TEACHER = Identity("anna.lind", "Anna Lind", Role.TEACHER, "0180", ("0180-ENG",))


@pytest.fixture
def app() -> CasesApplication:
    return CasesApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


def open_case(app: CasesApplication, number: str = "201001012382"):
    return app.open_case(TEACHER, school_unit="0180-ENG", pupil_personal_number=number, pupil_name="Elsa Provsson")


def stored(app: CasesApplication, case_id) -> list[str]:
    return [type(e).__name__ for e in app.events.get(case_id)]


def test_a_create_retried_with_the_same_key_stores_one_aggregate_and_answers_with_it(app):
    with request_key("form-1234567890.1"):
        first = open_case(app)
        again = open_case(app)
    assert again == first
    assert stored(app, first) == ["Opened"]
    with request_key("form-0987654321.1"):
        other = open_case(app)
    assert other != first
    assert open_case(app) not in (first, other)  # without a key every call creates


def test_a_command_retried_with_the_same_key_is_stored_once(app):
    case_id = open_case(app)
    with request_key("form-adaptation-1.1"):
        app.record_extra_adaptation(TEACHER, case_id, "Förlängd skrivtid")
        app.record_extra_adaptation(TEACHER, case_id, "Förlängd skrivtid")  # the double click
    with request_key("form-adaptation-2.1"):
        app.record_extra_adaptation(TEACHER, case_id, "Bildstöd")
    assert stored(app, case_id) == ["Opened", "ExtraAdaptationRecorded", "ExtraAdaptationRecorded"]


def test_every_service_refuses_a_malformed_key_and_ignores_one_on_reads():
    api = service_api("test", audience="cases")

    @api.post("/things", status_code=201)
    def make(who: Identity = Depends(current_identity)) -> dict:
        return {"by": who.user_id}

    @api.get("/things")
    def read(who: Identity = Depends(current_identity)) -> dict:
        return {"by": who.user_id}

    client = TestClient(api)

    def header(key: str) -> dict:
        return {HEADER: sign(TEACHER, audience="cases", caller="frontend"), "Idempotency-Key": key}

    refused = client.post("/things", headers=header("no spaces allowed"))
    assert refused.status_code == 422 and "Idempotency-Key" in refused.json()["message"]
    assert client.post("/things", headers=header("a" * 8)).status_code == 201
    assert client.get("/things", headers=header("no spaces allowed")).status_code == 200
