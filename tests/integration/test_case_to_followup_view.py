"""A pupil's case from the cases API through the relay, real Kafka and the faust projection
to rektor's follow-up view; and what the system refuses."""
from __future__ import annotations

import re
import uuid

import httpx
import pytest

from eventkit.config import topic
from eventkit.contracts import validate_message
from tests.conftest import OTHER_REKTOR, REKTOR, SOLNA_TEACHER, TEACHER, headers_for
from tests.support.infrastructure import decoded, end_of, eventually, messages_after, query
from tests.support.pupils import directory_pupil

pytestmark = pytest.mark.integration
TOPIC = topic("stodspar.cases.v1")


def open_case(stack, who=TEACHER, unit="0180-ENG") -> str:
    response = httpx.post(
        f"{stack.cases_url}/cases",
        json={"school_unit": unit, "pupil_id": directory_pupil(stack, unit)},
        headers=headers_for(who, "cases"),
    )
    assert response.status_code == 201, response.text
    return response.json()["case_id"]


def add_adaptation(stack, case_id: str, text: str = "Extra tid på prov") -> None:
    response = httpx.post(
        f"{stack.cases_url}/cases/{case_id}/extra-adaptations", json={"description": text}, headers=headers_for(TEACHER, "cases")
    )
    assert response.status_code == 201, response.text


def followup_rows(stack, who=REKTOR) -> dict[str, dict]:
    response = httpx.get(f"{stack.followup_url}/followup", params={"page_size": 1000}, headers=headers_for(who, "followup"))
    assert response.status_code == 200, response.text
    return {row["case_id"]: row for row in response.json()["rows"]}


def stored_event_count() -> int:
    return query("CASES_DB", "SELECT count(*) FROM cases_events")[0][0]


def test_an_opened_case_reaches_kafka_keyed_by_case_with_headers_and_contract(stack):
    mark = end_of(TOPIC)
    case_id = open_case(stack)
    [record] = messages_after(TOPIC, mark, lambda r: r.key == case_id.encode())
    headers = {key: value.decode() for key, value in record.headers}
    assert headers["event_type"] == "CaseOpened"
    assert headers["schema_version"].startswith("2.")  # v2: no pupil name (R17, ADR 0020)
    assert headers["municipality"] == "0180"
    assert re.fullmatch(r"00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}", headers["traceparent"])
    message = decoded(record)
    assert message["event_id"] == headers["event_id"]
    validate_message(message)
    # The pupil by the directory's id only (2.2), never a name or personnummer (R17).
    assert message["data"].keys() == {"case_id", "school_unit", "pupil_ref"}
    assert uuid.UUID(message["data"]["pupil_ref"])


def test_a_referred_case_appears_on_rektors_followup_view_of_that_unit_only(stack):
    case_id = open_case(stack)
    add_adaptation(stack, case_id)
    response = httpx.post(
        f"{stack.cases_url}/cases/{case_id}/referral",
        json={"why_not_enough": "Eleven når inte kunskapskraven trots anpassningarna"},
        headers=headers_for(TEACHER, "cases"),
    )
    assert response.status_code == 201, response.text

    row = eventually(lambda: (followup_rows(stack).get(case_id) or {}).get("status") == "referred" and followup_rows(stack)[case_id])
    assert row["adaptations"] == 1
    assert row["days_waiting"] == 0
    assert row["overdue"] is False
    assert row["investigation_due"] > row["referred_on"]
    assert case_id not in followup_rows(stack, OTHER_REKTOR)
    teacher_view = httpx.get(f"{stack.followup_url}/followup", headers=headers_for(TEACHER, "followup"))
    assert teacher_view.status_code == 403


@pytest.mark.parametrize(
    "body, field",
    [
        ({"school_unit": "0180-ENG", "pupil_id": str(uuid.uuid4())}, "pupil_id"),  # not in the directory
        ({"school_unit": "0180-ENG", "pupil_id": "20100101-2382"}, "pupil_id"),  # a number is not chosen
        ({"school_unit": "0180-ENG", "pupil_id": str(uuid.uuid4()), "diagnos": "x"}, "diagnos"),
        ({"school_unit": "0180-ENG", "pupil_personal_number": "20100101-2382", "pupil_name": "Test"}, "pupil_id"),
    ],
)
def test_bad_input_gets_a_clear_422_and_nothing_is_stored(stack, body, field):
    before = stored_event_count()
    response = httpx.post(f"{stack.cases_url}/cases", json=body, headers=headers_for(TEACHER, "cases"))
    assert response.status_code == 422
    assert field in response.json()["fields"]
    assert stored_event_count() == before


def test_malformed_json_and_foreign_units_are_refused_and_nothing_is_stored(stack):
    before = stored_event_count()
    malformed = httpx.post(
        f"{stack.cases_url}/cases", content=b'{"school_unit": ', headers={**headers_for(TEACHER, "cases"), "content-type": "application/json"}
    )
    assert malformed.status_code == 422
    assert malformed.json()["fields"] == {"body": "Innehållet är inte giltig JSON."}
    foreign = httpx.post(
        f"{stack.cases_url}/cases",
        json={"school_unit": "0180-KAT", "pupil_id": str(uuid.uuid4())},
        headers=headers_for(TEACHER, "cases"),
    )
    assert foreign.status_code == 403
    anonymous = httpx.post(f"{stack.cases_url}/cases", json={})
    assert anonymous.status_code == 401
    assert stored_event_count() == before


def test_another_municipality_cannot_read_or_write_the_case(stack):
    case_id = open_case(stack)
    assert httpx.get(f"{stack.cases_url}/cases/{case_id}", headers=headers_for(SOLNA_TEACHER, "cases")).status_code == 404
    write = httpx.post(
        f"{stack.cases_url}/cases/{case_id}/extra-adaptations", json={"description": "x"}, headers=headers_for(SOLNA_TEACHER, "cases")
    )
    assert write.status_code == 404


def test_a_broken_rule_is_named_and_stores_nothing(stack):
    case_id = open_case(stack)
    before = stored_event_count()
    response = httpx.post(f"{stack.cases_url}/cases/{case_id}/referral", json={}, headers=headers_for(TEACHER, "cases"))
    assert response.status_code == 422
    assert response.json()["rule"] == "R2"
    assert response.json()["rule_name"] == "ReferralNeedsTriedAdaptationsOrSpecialReason"
    assert stored_event_count() == before
