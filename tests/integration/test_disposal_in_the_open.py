"""Gallring in the open (R17), over the real stack: the Huddinge administrator previews what
falls due (counts per unit, year and kind; how many pupils each named rule keeps), runs the
disposal once however often the run is sent with its key, and reads the run's record; the rule
that keeps a pupil with an open case or an open appeal window holds for the run as for the
scheduled job; and afterwards nothing of the disposed pupil is readable anywhere."""
from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest

from eventkit.dates import local_today
from tests.conftest import TEACHER, headers_for
from tests.integration.test_access_log_and_disposal import (
    ADMIN, HUDDINGE_ADMIN, HUDDINGE_REKTOR, HUDDINGE_TEACHER, _scan_databases, _scan_logs, _scan_topics, forms_of,
    logged, open_case, post, read,
)
from tests.support.infrastructure import query
from tests.support.past_cases import finished_huddinge_case
from tests.support.pupils import personal_number, pupil_name

pytestmark = pytest.mark.integration


def preview(stack, who=HUDDINGE_ADMIN, expect=200) -> dict:
    response = httpx.get(f"{stack.cases_url}/disposal", headers=headers_for(who, "cases"), timeout=60)
    assert response.status_code == expect, response.text
    return response.json()


def runs(stack, who=HUDDINGE_ADMIN) -> list[dict]:
    response = httpx.get(f"{stack.cases_url}/disposal/runs", headers=headers_for(who, "cases"), timeout=60)
    assert response.status_code == 200, response.text
    return response.json()["runs"]


def run(stack, key: str, who=HUDDINGE_ADMIN) -> httpx.Response:
    return httpx.post(f"{stack.cases_url}/disposal/runs", json={}, timeout=120,
                      headers={**headers_for(who, "cases"), "Idempotency-Key": key})


def held(answer: dict, rule: str) -> int:
    return next((row["pupils"] for row in answer["held_back"] if row["rule"] == rule), 0)


def test_r17_preview_run_and_record_of_a_disposal_from_the_page_with_the_rules_that_keep_a_pupil(stack):
    # What an earlier test left due in Huddinge is disposed of first, so the counts below are ours.
    assert run(stack, f"clean-{personal_number()}").status_code == 201

    due_pin, due_name = personal_number(), pupil_name()
    due = finished_huddinge_case(stack, due_pin, due_name)  # decided and delivered 40 days ago
    undelivered = finished_huddinge_case(stack, personal_number(), pupil_name(), delivered=False)
    recent = finished_huddinge_case(stack, personal_number(), pupil_name(), days_ago=10)  # window open 11 more days
    running = open_case(stack, HUDDINGE_TEACHER, "0126-SKO")
    before = preview(stack)

    # Counts only: the due pupil at Skogås skola in the year the records became due, and what they hold.
    assert (before["pupils"], before["cases"], before["retention_years"]) == (1, 1, 0)
    due_year = (local_today() - timedelta(days=40)).year
    assert before["per_unit_and_year"] == [{"school_unit": "0126-SKO", "year": due_year, "pupils": 1}]
    assert {k["kind"]: k["pupils"] for k in before["kinds"]} == {
        "extra_adaptations": 1, "referral": 1, "investigation": 1, "decision": 1}
    assert all(k["label"] for k in before["kinds"])
    assert held(before, "PupilIsNotDisposedWhileAnAppealWindowIsOpen") >= 2
    assert held(before, "PupilWithAnOpenCaseIsNotDisposed") >= 1
    assert due_name not in str(before) and due not in str(before)  # the administrator sees counts

    # Only the administrator; another municipality's sees its own (nothing of Huddinge's).
    preview(stack, TEACHER, expect=403)
    assert run(stack, "teacher-run", TEACHER).status_code == 403
    assert "0126-SKO" not in str(preview(stack, ADMIN))

    # The run, sent twice with one key (a double submit): one run, one record, the same answer.
    key = f"gallring-{personal_number()}"
    first, second = run(stack, key), run(stack, key)
    assert first.status_code == second.status_code == 201, first.text
    assert first.json() == second.json()
    done = first.json()
    assert (done["pupils"], done["cases"], done["run_by"], done["scheduled"]) == (1, 1, "huddinge.admin", False)
    assert query("CASES_DB", "SELECT count(*) FROM cases_events WHERE originator_id = %s",
                 (done["run_id"],))[0][0] == 1

    # The record of the run, newest first: who, when, how many, which kinds.
    [latest, *_] = runs(stack)
    assert latest == done and latest["recorded_at"].startswith(local_today().isoformat()[:4])
    assert done["run_id"] not in str(runs(stack, ADMIN))  # Stockholm's record is Stockholm's

    # The due pupil is gone; the others are kept, as the rules say.
    read(stack, HUDDINGE_TEACHER, due, expect=404)
    for kept in (undelivered, recent, running):
        assert read(stack, HUDDINGE_REKTOR, kept)["case_id"] == kept
    after = preview(stack)
    assert after["pupils"] == 0
    assert held(after, "PupilIsNotDisposedWhileAnAppealWindowIsOpen") == held(before, "PupilIsNotDisposedWhileAnAppealWindowIsOpen")

    # The run was logged per case, and nothing of the pupil is readable anywhere (R17).
    assert logged(stack, HUDDINGE_ADMIN, user="huddinge.admin")(action="disposal", resource_id=due)
    forms = forms_of(due_pin, due_name)
    assert _scan_databases(forms) == []
    on_kafka, per_key = asyncio.run(_scan_topics(forms))
    assert on_kafka == [] and per_key.get(due, 0) == 7  # its structure stays: opened … decided, delivered
    assert _scan_logs(forms) == []


def test_r17_a_run_with_nothing_due_records_nothing(stack):
    run(stack, f"clean-{personal_number()}")
    count = query("CASES_DB", "SELECT count(*) FROM cases_events")[0][0]
    answer = run(stack, f"empty-{personal_number()}")
    assert answer.status_code == 201 and answer.json()["pupils"] == 0 and answer.json()["run_id"] is None
    assert query("CASES_DB", "SELECT count(*) FROM cases_events")[0][0] == count
