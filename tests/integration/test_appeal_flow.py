"""R9, the appeal, through the cases API, the relay, real Kafka and the follow-up and worklist
projections to what rektor sees: a decision delivered to both guardians, an appeal from one of
them that the other joins, a reconsideration in part, the forwarding to Skolväsendets
överklagandenämnd, the board sending the matter back for a new decision, and rektor deciding
again. After each step: the case's row on Uppföljning and rektor's tasks on Att göra."""
from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest

from eventkit.dates import local_today
from projections.followup.overdue import TOPIC as OVERDUE_TOPIC
from projections.followup.overdue import OverdueDetector
from tests.conftest import REKTOR, headers_for
from tests.integration.test_support_case_workflow import investigate, post, referred_case, view_shows
from tests.support.infrastructure import end_of, eventually, messages_after

pytestmark = pytest.mark.integration
MOTHER = "guardian:6f1c3a52-0b7e-4c1a-9d55-2e8f0a1b3c4d"
FATHER = "guardian:9a2b4c6d-8e0f-4a1b-8c3d-5e7f9a1b2c3d"


def tasks_of(stack, case_id: str) -> list[dict]:
    answer = httpx.get(f"{stack.worklist_url}/tasks", params={"limit": 1000}, headers=headers_for(REKTOR, "worklist"))
    assert answer.status_code == 200, answer.text
    return [t for t in answer.json()["tasks"] if t["case_id"] == case_id]


def tasks_are(stack, case_id: str, expected: set[tuple[str, str | None]]) -> list[dict]:
    """Rektor's tasks about the case are, by kind and due day, `expected` (eventually)."""

    def check():
        found = tasks_of(stack, case_id)
        return found if {(t["kind"], t["due_on"]) for t in found} == expected else None

    check.__doc__ = f"rektor's tasks about {case_id} are {expected}"
    return eventually(check, timeout=60, interval=0.2)


def test_r9_an_appeal_from_delivery_to_the_boards_sending_back_and_a_new_decision_on_rektors_pages(stack):
    today = local_today()
    forward_due = (today + timedelta(days=7)).isoformat()
    case_id = referred_case(stack)
    investigate(stack, case_id)
    post(stack, REKTOR, f"/cases/{case_id}/decisions", {"kind": "establish_programme"})
    row = view_shows(stack, case_id, status="decided", undelivered=1)
    assert row["appeal_status"] is None
    tasks_are(stack, case_id, {("deliver_decision", None), ("issue_programme", None)})

    # Delivered to each guardian (receipts): the appeal window runs from their day of receipt.
    for guardian, method in ((MOTHER, "post"), (FATHER, "secure_digital")):
        post(stack, REKTOR, f"/cases/{case_id}/decisions/1/receipts",
             {"recipient": guardian, "method": method, "received_on": today.isoformat()})
    row = view_shows(stack, case_id, undelivered=0)
    assert row["appeal_open"] is True and row["appeal_open_until"] == (today + timedelta(weeks=3)).isoformat()
    tasks_are(stack, case_id, {("issue_programme", None)})

    # One guardian appeals: incomplete until the other stands behind it; due to be forwarded in 7 days.
    post(stack, REKTOR, f"/cases/{case_id}/decisions/1/appeals",
         {"received_on": today.isoformat(), "appellants": [MOTHER], "asks": "Eleven ska få undervisning i liten grupp.",
          "delay_caused_by_school": False})
    row = view_shows(stack, case_id, appeal_status="incomplete")
    assert row["appeal_forward_due"] == forward_due and row["appeal_waiting"] is True
    assert row["appeal_forwarding_overdue"] is False and row["overdue"] is False
    tasks_are(stack, case_id, {("issue_programme", None), ("complete_appeal", forward_due)})

    # The other guardian joins: rektor reconsiders the decision or forwards the appeal.
    post(stack, REKTOR, f"/cases/{case_id}/appeals/1/joined", {"guardian": FATHER, "joined_on": today.isoformat()})
    view_shows(stack, case_id, appeal_status="registered")
    [task] = [t for t in tasks_are(stack, case_id, {("issue_programme", None), ("reconsider_appeal", forward_due)})
              if t["kind"] == "reconsider_appeal"]
    assert task["overdue"] is False

    # Not forwarded by its day: the follow-up view's timer publishes the deadline once, and the
    # worklist marks rektor's task overdue with it (a clock 8 days ahead).
    mark = end_of(OVERDUE_TOPIC)

    async def detect():
        detector = OverdueDetector(clock=lambda: today + timedelta(days=8))
        found = []
        try:
            while batch := await detector.run_once():  # other cases may be overdue too
                found.extend(batch)
            return found
        finally:
            await detector.close()

    found = [m for m in asyncio.run(detect()) if m["aggregate_id"] == case_id]
    assert [(m["data"]["deadline"], m["data"]["due_on"]) for m in found] == [("appeal_forwarding", forward_due)]
    assert messages_after(OVERDUE_TOPIC, mark, lambda r: r.key == case_id.encode())
    eventually(lambda: [t for t in tasks_of(stack, case_id) if t["kind"] == "reconsider_appeal" and t["overdue"]],
               timeout=60, interval=0.2)

    # Reconsidered in part: a new decision replaces the old one; the appeal goes on and is to be forwarded.
    post(stack, REKTOR, f"/cases/{case_id}/appeals/1/reconsideration",
         {"kind": "establish_programme", "placements": [], "reasons": "Fler anpassningar i helklass.", "in_full": False})
    row = view_shows(stack, case_id, appeal_reconsidered=True)
    assert row["appeal_status"] == "registered" and row["undelivered"] == 1 and row["status"] == "decided"
    tasks_are(stack, case_id, {("issue_programme", None), ("deliver_decision", None), ("forward_appeal", forward_due)})

    # Forwarded to the board in time: nothing of the appeal is left for the school.
    post(stack, REKTOR, f"/cases/{case_id}/appeals/1/forwarding",
         {"forwarded_on": today.isoformat(), "comments": "Skolan står fast vid beslutet i övrigt.",
          "documents": ["Överklagandet", "Det överklagade beslutet", "Utredningen"]})
    row = view_shows(stack, case_id, appeal_status="forwarded")
    assert row["appeal_forwarded_on"] == today.isoformat() and row["appeal_waiting"] is False
    assert row["appeal_forwarding_overdue"] is False
    tasks_are(stack, case_id, {("issue_programme", None), ("deliver_decision", None)})

    # The board overturns the decision and sends the matter back for a new decision.
    post(stack, REKTOR, f"/cases/{case_id}/appeals/1/board",
         {"outcome": "sent_back", "decided_on": today.isoformat(), "reasons": "Behovet av liten grupp är inte prövat.",
          "sent_back_to": "decision", "kind": None, "placements": []})
    row = view_shows(stack, case_id, appeal_status="decided", sent_back_to="decision")
    assert row["appeal_board_outcome"] == "sent_back" and row["status"] == "investigated"
    assert row["decision_overdue"] is False
    # The overturned decision is neither to be delivered nor to have a programme issued under it.
    [task] = tasks_are(stack, case_id, {("decide_again", None)})
    assert task["school_unit"] == "0180-ENG" and task["overdue"] is False

    # Rektor decides again: the matter is decided, the board's sending back is done with.
    post(stack, REKTOR, f"/cases/{case_id}/decisions", {"kind": "establish_programme"})
    row = view_shows(stack, case_id, status="decided", sent_back_to=None)
    assert row["appeal_status"] == "decided" and row["appeal_waiting"] is False
    tasks = tasks_are(stack, case_id, {("issue_programme", None), ("deliver_decision", None)})
    assert sorted(t["kind"] for t in tasks) == ["deliver_decision", "issue_programme"]
    decisions = httpx.get(f"{stack.cases_url}/cases/{case_id}", headers=headers_for(REKTOR, "cases")).json()["decisions"]
    assert len(decisions) == 3
