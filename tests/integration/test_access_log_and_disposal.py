"""R15 and R17 over the real stack: every access to a pupil's record lands in loggkontroll
(searched by user and by pupil, unusual access flagged); and after disposal no personal data
of the pupil is readable anywhere — event store, Kafka, read models, process logs — while the
anonymous structure remains. A normal run leaves no personal data in logs or spans either."""
from __future__ import annotations

import asyncio
import json
import uuid

import httpx
import psycopg
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from fastapi.testclient import TestClient

from eventkit.config import Postgres, kafka_bootstrap, topic
from eventkit.identity import Role
from tests.conftest import OTHER_REKTOR, REKTOR, TEACHER, headers_for, identity
from tests.support.environment import ROOT
from tests.support.infrastructure import eventually, query
from tests.support.past_cases import finished_huddinge_case
from tests.support.pupils import directory_pupil, personal_number, pupil_name
from tests.support.stack import LOGS

pytestmark = pytest.mark.integration
ADMIN = identity("lars.moberg", Role.MUNICIPALITY_ADMIN, "0180", "0180-ENG", "0180-KAT")
EDUCATOR = identity("sara.berg", Role.SPECIAL_EDUCATOR, "0180", "0180-ENG", "0180-KAT")
HUDDINGE_TEACHER = identity("lena.dahl", Role.TEACHER, "0126", "0126-SKO")
HUDDINGE_REKTOR = identity("per.wiklund", Role.REKTOR, "0126", "0126-SKO")
HUDDINGE_ADMIN = identity("huddinge.admin", Role.MUNICIPALITY_ADMIN, "0126", "0126-SKO")
DATABASES = ("CASES_DB", "FOLLOWUP_DB", "DEVIATIONS_DB", "COUNTY_DB", "ACCESSLOG_DB", "WORKLIST_DB", "NOTIFICATIONS_DB")


def post(stack, who, path, body=None, expect=201):
    response = httpx.post(f"{stack.cases_url}{path}", json=body or {}, headers=headers_for(who, "cases"))
    assert response.status_code == expect, response.text
    return response.json()


def open_case(stack, who, unit, pin=None, name=None) -> str:
    body = {"school_unit": unit, "pupil_id": directory_pupil(stack, unit, number=pin, name=name)}
    return post(stack, who, "/cases", body)["case_id"]


def read(stack, who, case_id, expect=200, **params):
    response = httpx.get(f"{stack.cases_url}/cases/{case_id}", params=params, headers=headers_for(who, "cases"))
    assert response.status_code == expect, response.text
    return response.json()


def loggkontroll(stack, who=ADMIN, expect=200, **params):
    response = httpx.get(f"{stack.accesslog_url}/accesslog", params=params, headers=headers_for(who, "accesslog"))
    assert response.status_code == expect, response.text
    return response.json().get("entries", [])


def logged(stack, who=ADMIN, **params):
    def check(**wanted):
        def found():
            entries = loggkontroll(stack, who, **params)
            return [e for e in entries if all(e.get(k) == v for k, v in wanted.items())]
        return eventually(found, timeout=40, interval=0.3)
    return check


# -- R15 ------------------------------------------------------------------------------------------
def test_r15_a_teachers_read_is_in_loggkontroll_by_user_and_by_pupil(stack):
    pin = personal_number()
    case_id = open_case(stack, TEACHER, "0180-ENG", pin=pin)
    read(stack, TEACHER, case_id)
    read(stack, TEACHER, case_id, purpose="print")

    by_user = logged(stack, user="anna.lind")
    [entry] = by_user(resource_id=case_id, action="read")
    assert entry["role"] == "teacher" and entry["school_unit"] == "0180-ENG" and entry["resource"] == "/cases/{case_id}"
    assert by_user(resource_id=case_id, action="print") and by_user(resource_id=case_id, action="change")

    pupil_ref = post(stack, ADMIN, "/pupils/lookup", {"personal_number": pin}, expect=200)["pupil_ref"]
    by_pupil = logged(stack, pupil_ref=pupil_ref)
    assert {e["action"] for e in by_pupil(resource_id=case_id)} >= {"change", "read", "print"}
    assert by_pupil(user_id="lars.moberg", action="search")  # the administrator's search is logged too
    assert pin not in json.dumps(loggkontroll(stack, pupil_ref=pupil_ref))


def test_r15_only_the_municipality_administrator_of_that_municipality_may_search_the_log(stack):
    case_id = open_case(stack, TEACHER, "0180-ENG")
    read(stack, TEACHER, case_id)
    logged(stack, user="anna.lind")(resource_id=case_id, action="read")

    loggkontroll(stack, TEACHER, expect=403, user="anna.lind")
    loggkontroll(stack, REKTOR, expect=403, user="anna.lind")
    assert loggkontroll(stack, HUDDINGE_ADMIN, user="anna.lind") == []
    post(stack, TEACHER, "/pupils/lookup", {"personal_number": personal_number()}, expect=403)


def test_r15_a_read_outside_the_users_usual_units_and_many_records_in_a_short_time_are_flagged(stack):
    own = open_case(stack, EDUCATOR, "0180-ENG")  # Sara Berg works in ENG ...
    elsewhere = open_case(stack, OTHER_REKTOR, "0180-KAT")
    read(stack, EDUCATOR, own)
    read(stack, EDUCATOR, elsewhere)  # ... and reads a KAT pupil: allowed by her identity, but unusual

    by_user = logged(stack, user="sara.berg")
    [flagged] = by_user(resource_id=elsewhere, action="read")
    [usual] = by_user(resource_id=own, action="read")
    assert flagged["outside_usual_units"] and not usual["outside_usual_units"]
    assert any(e["resource_id"] == elsewhere for e in loggkontroll(stack, user="sara.berg", flagged="true"))

    # A rektor of this test's own, so no other test's reads (Rolf Ek's, in the browser tests just
    # before) count towards the many records in a short time.
    reader = identity(f"rektor.{uuid.uuid4().hex[:8]}", Role.REKTOR, "0180", "0180-ENG")
    many = [open_case(stack, TEACHER, "0180-ENG") for _ in range(21)]
    for case_id in many:
        read(stack, reader, case_id)
    [last] = logged(stack, user=reader.user_id)(resource_id=many[-1], action="read")
    [first] = logged(stack, user=reader.user_id)(resource_id=many[0], action="read")
    assert last["many_records"] and not first["many_records"]


def test_r15_a_refused_read_of_another_units_case_is_in_loggkontroll_flagged_and_the_user_learns_nothing(stack):
    elsewhere = open_case(stack, OTHER_REKTOR, "0180-KAT")
    own = open_case(stack, TEACHER, "0180-ENG")
    refused = httpx.get(f"{stack.cases_url}/cases/{elsewhere}", headers=headers_for(TEACHER, "cases"))
    missing = httpx.get(f"{stack.cases_url}/cases/{uuid.uuid4()}", headers=headers_for(TEACHER, "cases"))
    assert refused.status_code == missing.status_code == 404 and refused.json() == missing.json()
    medical = httpx.get(f"{stack.cases_url}/cases/{own}/medical", headers=headers_for(TEACHER, "cases"))
    assert medical.status_code == 404  # the medical part is not the teacher's (R14)

    by_refusal = logged(stack, user="anna.lind", kind="refused")
    [entry] = by_refusal(resource_id=elsewhere)
    assert entry["outcome"] == "refused" and entry["refused"] and entry["action"] == "read"
    assert entry["school_unit"] == "0180-KAT" and entry["pupil_ref"]  # whose record it was, for the administrator
    assert by_refusal(resource_id=own, resource="/cases/{case_id}/medical")
    flagged = loggkontroll(stack, user="anna.lind", flagged="true")
    assert any(e["resource_id"] == elsewhere and e["refused"] for e in flagged)
    # ... and by the pupil, among the pupil's other entries
    assert logged(stack, pupil_ref=entry["pupil_ref"])(resource_id=elsewhere, outcome="refused")


def test_r15_the_administrator_sees_a_pupils_name_a_protected_pupil_only_as_protected_and_the_names_are_logged(stack):
    pin, name = personal_number(), pupil_name()
    case_id = open_case(stack, TEACHER, "0180-ENG", pin=pin, name=name)
    ref = post(stack, ADMIN, "/pupils/lookup", {"personal_number": pin}, expect=200)["pupil_ref"]
    assert post(stack, ADMIN, "/pupils/log-names", {"pupil_refs": [ref]}, expect=200)["pupils"] == {ref: {"name": name}}
    post(stack, TEACHER, "/pupils/log-names", {"pupil_refs": [ref]}, expect=403)  # the administrator's only
    assert post(stack, HUDDINGE_ADMIN, "/pupils/log-names", {"pupil_refs": [ref]}, expect=200)["pupils"] == {ref: {"unknown": True}}

    post(stack, REKTOR, f"/cases/{case_id}/protection", {})
    assert post(stack, ADMIN, "/pupils/log-names", {"pupil_refs": [ref]}, expect=200)["pupils"] == {ref: {"protected": True}}
    assert logged(stack, pupil_ref=ref)(user_id="lars.moberg", action="list", resource="/pupils/log-names")

    exported = post(stack, ADMIN, "/pupils/log-names", {"pupil_refs": [ref], "purpose": "export"}, expect=200)
    assert exported["pupils"] == {ref: {"protected": True}}
    assert logged(stack, pupil_ref=ref)(user_id="lars.moberg", action="export", resource="/accesslog/export")


def test_r15_loggkontroll_pages_in_sql_and_refuses_a_period_that_cannot_be_true(stack):
    case_id = open_case(stack, TEACHER, "0180-ENG")
    for _ in range(3):
        read(stack, TEACHER, case_id)
    logged(stack, user="anna.lind")(resource_id=case_id, action="read")
    first = httpx.get(f"{stack.accesslog_url}/accesslog", params={"user": "anna.lind", "limit": 2},
                      headers=headers_for(ADMIN, "accesslog")).json()
    second = httpx.get(f"{stack.accesslog_url}/accesslog", params={"user": "anna.lind", "limit": 2, "offset": 2},
                       headers=headers_for(ADMIN, "accesslog")).json()
    assert len(first["entries"]) == 2 and first["total"] >= 4 and first["total"] == second["total"]
    assert not {e["entry_id"] for e in first["entries"]} & {e["entry_id"] for e in second["entries"]}

    backwards = httpx.get(f"{stack.accesslog_url}/accesslog", params={"from": "2026-09-10", "to": "2026-09-01"},
                          headers=headers_for(ADMIN, "accesslog"))
    assert backwards.status_code == 422 and "före startdatumet" in backwards.json()["fields"]["to"]
    ahead = httpx.get(f"{stack.accesslog_url}/accesslog", params={"from": "2999-01-01"}, headers=headers_for(ADMIN, "accesslog"))
    assert ahead.status_code == 422 and "from" in ahead.json()["fields"]


def test_r15_a_read_that_cannot_be_logged_is_refused_and_shows_nothing(stack):
    from cases.entrypoints.api import app
    from cases.entrypoints.records import records
    from cases.entrypoints.workflow import cases
    from cases.records import RecordKeepingCases
    from eventkit.accesslog import AccessLog

    name = pupil_name()
    case_id = open_case(stack, TEACHER, "0180-ENG", name=name)
    unlogged = RecordKeepingCases(access_log=AccessLog("CASES_DB", "cases"))
    unlogged.access_log.postgres = Postgres(**{**vars(unlogged.access_log.postgres), "dbname": "no_such_database"})
    app.dependency_overrides[cases] = app.dependency_overrides[records] = lambda: unlogged
    try:
        client = TestClient(app)
        for path in (f"/cases/{case_id}", f"/cases/{case_id}/history"):
            response = client.get(path, headers=headers_for(TEACHER, "cases"))
            assert response.status_code == 503 and name not in response.text
        refused = client.post("/cases/pupil-names", json={"case_ids": [case_id]}, headers=headers_for(REKTOR, "cases"))
        assert refused.status_code == 503 and name not in refused.text
    finally:
        app.dependency_overrides.clear()


# -- R17 ------------------------------------------------------------------------------------------
def _finished_huddinge_case(stack, pin: str, name: str) -> str:
    """A Huddinge case decided and delivered weeks ago: its appeal window has closed, so it is due
    (retention 0 years in the test settings; tests/support/past_cases.py)."""
    return finished_huddinge_case(stack, pin, name)


def forms_of(pin: str, name: str) -> list[bytes]:
    digits = pin.replace("-", "")
    texts = {pin, digits, digits[2:], f"{digits[2:8]}-{digits[8:]}", name}
    return [t.encode() for t in texts]


def _scan_databases(forms: list[bytes]) -> list[str]:
    found = []
    for variable in DATABASES:
        with psycopg.connect(Postgres.for_database(variable).conninfo) as conn:
            tables = [t for (t,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
            for table in tables:
                for row in conn.execute(f'SELECT * FROM "{table}"'):
                    for value in row:
                        raw = bytes(value) if isinstance(value, (bytes, memoryview)) else str(value).encode()
                        found += [f"{variable}.{table}" for form in forms if form in raw]
    return found


async def _scan_topics(forms: list[bytes]) -> tuple[list[str], dict[str, int]]:
    topics = [topic(t["name"]) for t in json.loads((ROOT / "contracts" / "topics.json").read_text())["topics"]]
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka_bootstrap(), enable_auto_commit=False)
    await consumer.start()
    found, per_key = [], {}
    try:
        await consumer._client.force_metadata_update()
        partitions = [TopicPartition(t, p) for t in topics for p in sorted(consumer.partitions_for_topic(t) or ())]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        remaining = {tp for tp, end in ends.items() if end > 0}
        while remaining:
            batch = await consumer.getmany(timeout_ms=1000, max_records=5000)
            for tp, records in batch.items():
                for r in records:
                    blob = (r.key or b"") + (r.value or b"") + b"".join(v for _, v in (r.headers or ()))
                    found += [tp.topic for form in forms if form in blob]
                    if r.key:
                        per_key[r.key.decode(errors="replace")] = per_key.get(r.key.decode(errors="replace"), 0) + 1
                if records and records[-1].offset + 1 >= ends[tp]:
                    remaining.discard(tp)
    finally:
        await consumer.stop()
    return found, per_key


def _scan_logs(forms: list[bytes]) -> list[str]:
    return [path.name for path in LOGS.glob("*") if path.is_file() for form in forms if form in path.read_bytes()]


def test_r17_after_disposal_nothing_of_the_pupil_is_readable_anywhere_and_the_structure_remains(stack):
    pin, name = personal_number(), pupil_name()
    case_id = _finished_huddinge_case(stack, pin, name)
    assert read(stack, HUDDINGE_TEACHER, case_id)["pupil_name"] == name  # readable while the key exists
    pupil_ref = post(stack, HUDDINGE_ADMIN, "/pupils/lookup", {"personal_number": pin}, expect=200)["pupil_ref"]

    def projected():
        """the follow-up view shows the finished case (a disposed one stays hidden, kept only as
        the disposal statistics' anonymous structure)"""
        return query("FOLLOWUP_DB", "SELECT status FROM followup_case WHERE case_id = %s AND disposed_on IS NULL",
                     (case_id,))
    eventually(projected, timeout=60)
    events_before = query("CASES_DB", "SELECT count(*) FROM cases_events WHERE originator_id = %s", (case_id,))[0][0]

    post(stack, TEACHER, f"/pupils/{pupil_ref}/disposal", expect=403)  # only the administrator ...
    post(stack, ADMIN, f"/pupils/{pupil_ref}/disposal", expect=404)  # ... of the pupil's municipality
    disposed = post(stack, HUDDINGE_ADMIN, f"/pupils/{pupil_ref}/disposal")
    assert disposed["case_ids"] == [case_id]
    refused = post(stack, HUDDINGE_ADMIN, f"/pupils/{pupil_ref}/disposal", expect=422)
    assert refused["rule"] == "R17"

    read(stack, HUDDINGE_TEACHER, case_id, expect=404)
    post(stack, HUDDINGE_ADMIN, "/pupils/lookup", {"personal_number": pin}, expect=404)
    eventually(lambda: not projected(), timeout=60)
    assert query("FOLLOWUP_DB", "SELECT count(*) FROM followup_disposed_case WHERE school_unit = '0126-SKO'")[0][0] >= 1
    assert query("CASES_DB", "SELECT count(*) FROM cases_events WHERE originator_id = %s", (case_id,))[0][0] == events_before
    assert logged(stack, HUDDINGE_ADMIN, pupil_ref=pupil_ref)(action="disposal", resource_id=case_id)

    forms = forms_of(pin, name)
    assert _scan_databases(forms) == []
    on_kafka, per_key = asyncio.run(_scan_topics(forms))
    assert on_kafka == []
    # The case's seven public events (opened … decided, delivered: ids, dates, kinds) remain on the topic.
    assert per_key.get(case_id, 0) == 7
    assert _scan_logs(forms) == []


def test_r17_disposal_before_the_plan_says_so_is_refused(stack):
    pin = personal_number()
    open_case(stack, TEACHER, "0180-ENG", pin=pin)
    pupil_ref = post(stack, ADMIN, "/pupils/lookup", {"personal_number": pin}, expect=200)["pupil_ref"]
    refused = post(stack, ADMIN, f"/pupils/{pupil_ref}/disposal", expect=422)
    assert refused["rule"] == "R17" and refused["rule_name"] == "PupilWithAnOpenCaseIsNotDisposed"


def test_a_normal_run_leaves_no_personnummer_or_name_in_logs_or_spans(stack):
    pin, name = personal_number(), pupil_name()
    case_id = open_case(stack, TEACHER, "0180-ENG", pin=pin, name=name)
    post(stack, TEACHER, f"/cases/{case_id}/extra-adaptations", {"description": f"{name} får extra tid"})
    read(stack, TEACHER, case_id)
    post(stack, REKTOR, "/cases/pupil-names", {"case_ids": [case_id]}, expect=200)
    post(stack, ADMIN, "/pupils/lookup", {"personal_number": pin}, expect=200)
    logged(stack, user="anna.lind")(resource_id=case_id, action="read")  # the whole pipeline ran

    spans = list(LOGS.glob("*.spans.jsonl"))
    assert any(case_id in p.read_text(errors="replace") or "POST /cases" in p.read_text(errors="replace") for p in spans)
    assert _scan_logs(forms_of(pin, name)) == []


def test_r17_the_scheduled_disposal_disposes_of_what_is_due_and_nothing_else(stack):
    import os
    import subprocess
    import sys

    due_pin, kept_pin = personal_number(), personal_number()
    due = _finished_huddinge_case(stack, due_pin, pupil_name())
    kept = open_case(stack, HUDDINGE_TEACHER, "0126-SKO", pin=kept_pin)  # still running: not due
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'services'}{os.pathsep}{ROOT}"}
    subprocess.run([sys.executable, "-m", "cases.entrypoints.disposal"], env=env, cwd=ROOT, check=True, timeout=120,
                   capture_output=True)

    read(stack, HUDDINGE_TEACHER, due, expect=404)
    assert read(stack, HUDDINGE_TEACHER, kept)["status"] == "open"
    post(stack, HUDDINGE_ADMIN, "/pupils/lookup", {"personal_number": due_pin}, expect=404)
    recorded = query("CASES_DB", "SELECT count(*) FROM cases_events WHERE topic LIKE %s AND convert_from(state, 'UTF8') LIKE %s",
                     ("%PupilRecordsDisposal.Disposed", f'%"case_ids":["{due}"]%'))
    assert recorded[0][0] == 1
