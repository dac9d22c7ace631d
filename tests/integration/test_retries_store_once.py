"""A retried or double-submitted command stores once (#11, ADR 0023), over the real services
and PostgreSQL: the same Idempotency-Key answers with the first result and stores nothing more,
also when the first answer was never read (the client gave up and sent it again)."""
from __future__ import annotations

import httpx
import pytest

from tests.conftest import TEACHER, headers_for
from tests.support import deviations as dev
from tests.support.infrastructure import query
from tests.support.pupils import personal_number, pupil_name

pytestmark = pytest.mark.integration


def events_of(database: str, table: str, aggregate_id: str) -> int:
    return query(database, f"SELECT count(*) FROM {table} WHERE originator_id = %s", (aggregate_id,))[0][0]


def test_a_case_opened_twice_with_one_key_is_one_case_and_an_adaptation_sent_twice_is_one(stack):
    body = {"school_unit": "0180-ENG", "pupil_personal_number": personal_number(), "pupil_name": pupil_name()}
    key = {"Idempotency-Key": "retry-test-open-1"}
    first = httpx.post(f"{stack.cases_url}/cases", json=body, headers={**headers_for(TEACHER, "cases"), **key})
    again = httpx.post(f"{stack.cases_url}/cases", json=body, headers={**headers_for(TEACHER, "cases"), **key})
    assert first.status_code == again.status_code == 201
    case_id = first.json()["case_id"]
    assert again.json()["case_id"] == case_id
    assert events_of("CASES_DB", "cases_events", case_id) == 1

    adaptation = {"description": "Förlängd skrivtid"}
    key = {"Idempotency-Key": f"retry-test-adaptation-{case_id}"}
    for _ in range(3):
        answered = httpx.post(f"{stack.cases_url}/cases/{case_id}/extra-adaptations", json=adaptation,
                              headers={**headers_for(TEACHER, "cases"), **key})
        assert answered.status_code == 201, answered.text
    assert events_of("CASES_DB", "cases_events", case_id) == 2


def test_a_deviation_reported_twice_with_one_key_is_one_deviation(stack):
    dev.configure_units(stack.deviations_url)
    key = {"Idempotency-Key": "retry-test-deviation-1"}
    answers = [httpx.post(f"{stack.deviations_url}/deviations", json=dev.a_report(),
                          headers={**headers_for(dev.REPORTER, "deviations"), **key}) for _ in range(2)]
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json() == answers[1].json()
    assert events_of("DEVIATIONS_DB", "deviations_events", answers[0].json()["deviation_id"]) == 1
