"""The cases service and the directory, on the real stack: a case is opened for a pupil chosen
in the directory, once per pupil and unit (also for a double submit); a pupil the register
protects has a protected case from the start; and the pupil's cases follow what the directory
publishes (DirectoryPersonChanged, produced here onto Kafka as the directory would): protection
set and lifted (R14), the placement ended (R11, on the case and the follow-up view), removed
from the register."""
from __future__ import annotations

import asyncio
import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import httpx
import pytest

from eventkit.config import topic
from eventkit.identity import Role
from tests.conftest import REKTOR, TEACHER, headers_for, identity
from tests.integration.test_case_to_followup_view import followup_rows
from tests.support.infrastructure import eventually, query
from tests.support.pupils import directory_pupil
from eventkit.dates import local_today

pytestmark = pytest.mark.integration
DIRECTORY_TOPIC = topic("stodspar.directory.v1")
ADMIN = identity("lars.moberg", Role.MUNICIPALITY_ADMIN, "0180", "0180-ENG", "0180-KAT")



def open_for(stack, pupil_id: str, who=TEACHER, unit: str = "0180-ENG", key: str | None = None) -> httpx.Response:
    headers = {**headers_for(who, "cases"), **({"Idempotency-Key": key} if key else {})}
    return httpx.post(f"{stack.cases_url}/cases", json={"school_unit": unit, "pupil_id": pupil_id}, headers=headers,
                      timeout=30)


def case_of(stack, who, case_id: str) -> httpx.Response:
    return httpx.get(f"{stack.cases_url}/cases/{case_id}", headers=headers_for(who, "cases"))


def opened_events(pupil_id: str) -> int:
    return query("CASES_DB", "SELECT count(*) FROM cases_events WHERE topic LIKE %s AND convert_from(state, 'UTF8') LIKE %s",
                 ("%SupportCase.Opened", f'%"pupil_ref":"{pupil_id}"%'))[0][0]


def test_a_case_is_opened_for_a_directory_pupil_and_opening_again_answers_it(stack):
    pupil_id = directory_pupil(stack, name="Tindra Öppnasson")
    first = open_for(stack, pupil_id)
    assert first.status_code == 201, first.text
    case = case_of(stack, TEACHER, first.json()["case_id"]).json()
    assert (case["pupil_ref"], case["pupil_name"]) == (pupil_id, "Tindra Öppnasson")
    again = open_for(stack, pupil_id, who=REKTOR)
    assert again.status_code == 200 and again.json() == {"case_id": first.json()["case_id"], "existing": True}


def test_a_double_submit_with_two_keys_stores_one_case_and_answers_it_twice(stack):
    pupil_id = directory_pupil(stack)
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda i: open_for(stack, pupil_id, key=f"double-{pupil_id}-{i}"), range(4)))
    assert sorted(a.status_code for a in answers) == [200, 200, 200, 201], [a.text for a in answers]
    assert len({a.json()["case_id"] for a in answers}) == 1
    assert opened_events(pupil_id) == 1


def test_a_pupil_not_in_the_directory_or_another_units_gets_no_case(stack):
    unknown = open_for(stack, str(uuid.uuid4()))
    assert unknown.status_code == 422 and "elevregistret" in unknown.json()["fields"]["pupil_id"]
    elsewhere = directory_pupil(stack, "0180-KAT")
    assert open_for(stack, elsewhere).status_code == 422  # the teacher's directory does not give it


def test_r14_a_pupil_the_register_protects_has_a_protected_case_from_the_start(stack):
    def protected_pupil() -> dict | None:
        for letter in "abcdefghijklmnopqrstuvwxyzåäö":
            hits = httpx.get(f"{stack.directory_url}/pupils", params={"q": letter, "school_unit": "0180-ENG", "limit": 25},
                             headers=headers_for(REKTOR, "directory")).json().get("pupils", [])
            if found := next((h for h in hits if h["protected"]), None):
                return found
        return None

    protected = protected_pupil()
    assert protected is not None
    opened = open_for(stack, protected["pupil_id"], who=REKTOR)
    assert opened.status_code in (200, 201), opened.text
    case_id = opened.json()["case_id"]
    assert case_of(stack, REKTOR, case_id).json()["protected_by_register"] is True
    assert case_of(stack, TEACHER, case_id).status_code == 404
    assert open_for(stack, protected["pupil_id"]).status_code == 422  # the teacher is not given the pupil
    eventually(lambda: case_id in followup_rows(stack, REKTOR), timeout=60)


def publish(person_id: str, **data) -> None:
    """A DirectoryPersonChanged as the directory's relay publishes it (envelope and contract)."""
    from aiokafka import AIOKafkaProducer

    from eventkit.config import kafka_bootstrap
    from eventkit.contracts import validate_message

    body = {"person_id": person_id, "municipality": "0180", "source": "local", "kinds": ["pupil"], "protected": False,
            "removed_from_register": False, "guardian_ids": [], "duties": [], "changed_on": local_today().isoformat(),
            "placements": [{"school_unit": "0180-ENG", "class_name": "7A", "start_date": "2024-08-15", "end_date": None}],
            **data}
    message = {"event_id": str(uuid.uuid4()), "event_type": "DirectoryPersonChanged", "schema_version": "1.0",
               "occurred_at": datetime.now(timezone.utc).isoformat(), "aggregate_id": person_id,
               "aggregate_version": 100, "municipality": "0180", "data": body}
    validate_message(message)

    async def send() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap(), acks="all")
        await producer.start()
        try:
            await producer.send_and_wait(DIRECTORY_TOPIC, key=person_id.encode(), value=json.dumps(message).encode())
        finally:
            await producer.stop()

    asyncio.run(send())


def test_r14_r11_the_pupils_case_follows_the_register(stack):
    pupil_id = directory_pupil(stack)
    case_id = open_for(stack, pupil_id).json()["case_id"]

    publish(pupil_id, protected=True)
    eventually(lambda: case_of(stack, TEACHER, case_id).status_code == 404, timeout=60)
    seen = case_of(stack, REKTOR, case_id).json()  # the unit's rektor is granted
    assert seen["protected"] and seen["protected_by_register"]
    eventually(lambda: case_id not in followup_rows(stack, identity_of_other_rektor()) and case_id in followup_rows(stack, REKTOR),
               timeout=60)
    publish(pupil_id, protected=True)  # delivered again: nothing more
    publish(pupil_id, protected=False)
    eventually(lambda: case_of(stack, TEACHER, case_id).status_code == 200, timeout=60)

    publish(pupil_id, placements=[{"school_unit": "0180-ENG", "class_name": "7A", "start_date": "2024-08-15",
                                   "end_date": "2026-12-18"}])
    left = eventually(lambda: case_of(stack, TEACHER, case_id).json()["left_school_unit"], timeout=60)
    assert left == {"school_unit": "0180-ENG", "left_on": "2026-12-18"}
    eventually(lambda: (followup_rows(stack, REKTOR).get(case_id) or {}).get("pupil_left_on") == "2026-12-18", timeout=60)

    publish(pupil_id, removed_from_register=True)
    eventually(lambda: case_of(stack, TEACHER, case_id).json()["removed_from_register"], timeout=60)
    history = httpx.get(f"{stack.cases_url}/cases/{case_id}/history", headers=headers_for(TEACHER, "cases")).json()
    kinds = [e["event_type"] for e in history["events"]]
    assert kinds.count("RegisterProtectionChanged") == 2 and kinds.count("PupilLeftSchoolUnit") == 1


def identity_of_other_rektor():
    return identity("eva.granlund", Role.REKTOR, "0180", "0180-ENG")  # a rektor of the unit not granted


def test_r22_the_name_check_knows_every_pupil_of_the_directory(stack):
    """A pupil without a case is found by name: the register's names come from the directory."""
    hits = httpx.get(f"{stack.directory_url}/pupils", params={"q": "a", "school_unit": "0180-ENG", "limit": 25},
                     headers=headers_for(REKTOR, "directory")).json()["pupils"]
    open_pupil = next(h for h in hits if not h["protected"])
    answer = httpx.post(f"{stack.cases_url}/pupils/names-in-text", json={"texts": [f"Samtal med {open_pupil['name']} i dag."]},
                        headers=headers_for(TEACHER, "cases"))
    assert answer.status_code == 200, answer.text
    [found] = answer.json()["matches"]
    assert len(found) >= 2 and all(how in ("exact", "sound") for _, _, how in found)
    assert open_pupil["name"].split()[-1] not in answer.text  # positions, never a name
