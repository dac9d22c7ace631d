"""Events the case service stored before its state was typed (commit d63b3da: referral,
investigations, decisions and programmes as dicts; tests/support/stored_cases.py) are written
into the real PostgreSQL event store as they were stored, then read through the running
service as a user reads them: status, decisions, programme measures, deadlines and the appeal
window come out as before, the old case takes a new command, and the relay carries it to
rektor's follow-up view. No upcasting is needed: only events are stored (no snapshots), and no
event changed shape."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from cases.application import CasesApplication
from tests.conftest import OTHER_REKTOR, REKTOR
from tests.integration.test_support_case_workflow import case, post, view_shows
from tests.support.stored_cases import store_old_events
from eventkit.dates import local_today

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def old_cases(stack):
    store = CasesApplication()  # only its recorder: the stored rows are written as they were
    try:
        return {name: str(case_id) for name, case_id in store_old_events(store.recorder).items()}
    finally:
        store.close()


def test_a_case_with_a_continued_programme_reads_as_before(stack, old_cases):
    shown = case(stack, old_cases["case_a"])
    assert (shown["status"], shown["version"], shown["programme_in_force"]) == ("programme", 23, True)
    assert shown["referral"]["investigation_due"] == "2026-09-14" and shown["referral"]["decision_due"] == "2026-10-05"
    assert shown["referral"]["tried_adaptations"] == "Förlängd skrivtid; Bildstöd"
    first, second = shown["decisions"]
    assert (first["kind"], first["programme_number"], first["appealable"]) == ("establish_programme", 1, True)
    assert (first["delivered_on"], first["appeal_last_day"]) == ("2026-09-24", "2026-10-15")  # as corrected
    assert (second["kind"], second["decided_by"], second["delegation_number"]) == ("continue_with_new_measures", "sara.berg", 1)
    assert [p["superseded"] for p in shown["programmes"]] == [True, False]
    assert shown["programme"]["measures"] == [
        {"description": "Skrivstöd i datorn", "extent": "Alla lektioner", "responsible": "anna.lind"}]
    assert shown["programme"]["follow_up_dates"] == ["2027-02-01"] and shown["programme"]["evaluation_on"] == "2027-04-12"
    earlier = shown["programmes"][0]
    assert [m["description"] for m in earlier["measures"]] == ["Läsförståelse med speciallärare", "Inlästa läromedel"]
    assert earlier["follow_ups"][0]["findings"] == "Läser längre stycken med visst stöd."  # as corrected
    assert earlier["evaluation"]["outcome"] == "Delvis resultat; behöver fler åtgärder."
    assert shown["extra_adaptations"][1]["description"] == "Bildstöd och tydliga instruktioner"  # as corrected
    assert [c["field"] for c in shown["corrections"]] == ["description", "text", "findings", "delivered_on"]


def test_a_closed_case_and_a_moved_case_read_as_before(stack, old_cases):
    closed = case(stack, old_cases["case_b"])
    assert (closed["status"], closed["closed"], closed["referral"]["direct"]) == ("closed", True, True)
    assert [d["kind"] for d in closed["decisions"]] == ["establish_programme", "close_programme"]
    assert closed["decisions"][0]["placements"] == ["special_teaching_group"]
    assert closed["programme"]["closed_on"] == "2026-11-04" and closed["programme"]["superseded"] is False
    moved = case(stack, old_cases["case_c"], who=OTHER_REKTOR)
    assert (moved["status"], moved["school_unit"], moved["moves"][0]["from_unit"]) == ("referred", "0180-KAT", "0180-ENG")
    assert (moved["decisions"][0]["kind"], moved["decisions"][0]["appeal_last_day"]) == ("no_programme", "2026-10-20")


def test_an_old_case_takes_a_new_command_and_reaches_rektors_view(stack, old_cases):
    # A delivery holds no personal data: the fixture's cases predate pupil keys (pupil_ref ""),
    # and a command storing personal data about a pupil without a key is refused (R17), as before.
    case_id = old_cases["case_a"]
    # A delivery is plausible from the decision's day (the fixture's: 17 December 2026) to a year ahead.
    delivered = max(local_today(), date(2026, 12, 18))
    post(stack, REKTOR, f"/cases/{case_id}/decisions/2/delivery", {"delivered_on": delivered.isoformat(), "expected_version": 23})
    shown = case(stack, case_id)
    assert shown["version"] == 24
    assert (shown["decisions"][1]["delivered_on"], shown["decisions"][1]["appeal_last_day"]) == (
        delivered.isoformat(), (delivered + timedelta(weeks=3)).isoformat())
    view_shows(stack, case_id, status="programme")
