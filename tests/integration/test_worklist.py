"""Att göra (the worklist projection): events of the four topics → each user's tasks, on the real
PostgreSQL read model and, through the running system, from the cases API over real Kafka to the
worklist's read API. Who sees which task, R14 protected cases, overdue first, the counts, and the
open case of each pupil of a unit (Mina elever)."""
from __future__ import annotations

import asyncio
import itertools
import uuid
from datetime import date, datetime, timezone

import httpx
import psycopg
import pytest

from eventkit.config import Postgres
from eventkit.contracts import contract_for, validate_message
from eventkit.identity import Identity, Role
from projections.worklist import queries, readmodel
from tests.conftest import OTHER_REKTOR, REKTOR, TEACHER, headers_for, identity
from tests.support.infrastructure import eventually

pytestmark = pytest.mark.integration

MUNICIPALITY, UNIT, OTHER_UNIT = "9998", "9998-ATT", "9998-BOR"  # this test's own: no other rows
TODAY = date(2026, 11, 26)
RECTOR = identity("rektor.att", Role.REKTOR, MUNICIPALITY, UNIT)
RECTOR_ELSEWHERE = identity("rektor.bor", Role.REKTOR, MUNICIPALITY, OTHER_UNIT)
EDUCATOR = identity("spec.att", Role.SPECIAL_EDUCATOR, MUNICIPALITY, UNIT)
MANAGER = identity("chef.att", Role.EHT_MEMBER, MUNICIPALITY, UNIT)
_versions: dict[str, itertools.count] = {}


def message(event_type: str, aggregate_id: str, data: dict, municipality: str = MUNICIPALITY) -> dict:
    """A message as its relay publishes it (checked against its contract)."""
    version = next(_versions.setdefault(aggregate_id, itertools.count(1)))
    built = {
        "event_id": str(uuid.uuid4()), "event_type": event_type, "schema_version": contract_for(event_type).version,
        "occurred_at": datetime.now(timezone.utc).isoformat(), "aggregate_id": aggregate_id,
        "aggregate_version": version, "municipality": municipality, "data": data,
    }
    validate_message(built)
    return built


def referred_case(unit: str = UNIT, *, investigation_due: str = "2026-12-03", decision_due: str = "2026-12-24",
                  protected: bool = False, granted_to: tuple[str, ...] = ()) -> tuple[str, str, list[dict]]:
    case_id, pupil = str(uuid.uuid4()), str(uuid.uuid4())
    opened = {"case_id": case_id, "school_unit": unit, "pupil_ref": pupil}
    if protected:
        opened.update(protected=True, granted_to=list(granted_to))
    return case_id, pupil, [
        message("CaseOpened", case_id, opened),
        message("CaseReferredToRektor", case_id, {"case_id": case_id, "referred_on": "2026-11-10", "direct": False,
                                                  "investigation_due": investigation_due, "decision_due": decision_due}),
    ]


async def _apply(messages: list[dict]) -> None:
    async with await psycopg.AsyncConnection.connect(readmodel.PROJECTION.conninfo, autocommit=True) as conn:
        await readmodel.PROJECTION.create_schema(conn)
        for m in messages:
            await readmodel.PROJECTION.apply(conn, m)


def apply(*messages: dict) -> None:
    asyncio.run(_apply(list(messages)))


@pytest.fixture
def view(stack):
    """The worklist's database, emptied of this test municipality's rows (`stack`: this session's)."""
    with psycopg.connect(readmodel.PROJECTION.conninfo) as conn:
        readmodel.PROJECTION.create_schema_sync(conn)
        for table in ("worklist_task", "worklist_case", "worklist_mission"):
            conn.execute(f"DELETE FROM {table} WHERE municipality = %s", (MUNICIPALITY,))
        conn.commit()
    with psycopg.connect(Postgres.for_database("WORKLIST_DB").conninfo) as conn:
        yield conn


def kinds(conn, who: Identity, today: date = TODAY) -> list[tuple[str, str, bool]]:
    return [(t["kind"], t["subject_id"], t["overdue"]) for t in queries.tasks(conn, who, today)["tasks"]]


def test_r2_a_referral_makes_tasks_for_rektor_of_the_unit_and_the_investigator_once_named(view):
    case_id, _, events = referred_case()
    apply(*events, *events)  # delivered twice: the same tasks

    assert kinds(view, RECTOR) == [("start_investigation", case_id, False), ("decide", case_id, False)]
    assert kinds(view, RECTOR_ELSEWHERE) == [] and kinds(view, EDUCATOR) == []

    apply(message("InvestigationStarted", case_id, {"case_id": case_id, "started_on": "2026-11-12",
                                                     "investigator": EDUCATOR.user_id, "student_health_team": True}))
    assert kinds(view, RECTOR) == [("decide", case_id, False)]
    [task] = queries.tasks(view, EDUCATOR, TODAY)["tasks"]
    assert task["kind"] == "conduct_investigation" and task["due_on"] == "2026-12-24" and task["school_unit"] == UNIT

    apply(message("InvestigationConcluded", case_id, {"case_id": case_id, "concluded_on": "2026-11-20"}))
    assert kinds(view, EDUCATOR) == []


def test_r9_r10_a_decision_to_establish_a_programme_leads_to_issuing_delivering_following_up_and_evaluating(view):
    case_id, _, events = referred_case()
    apply(*events, message("CaseDecided", case_id, {"case_id": case_id, "decision_number": 1,
                                                    "kind": "establish_programme", "decided_on": "2026-11-20",
                                                    "appealable": True, "delegated": False, "rektor_only": False}))
    assert {k for k, _, _ in kinds(view, RECTOR)} == {"deliver_decision", "issue_programme"}

    apply(message("DecisionDelivered", case_id, {"case_id": case_id, "decision_number": 1, "delivered_on": "2026-11-21",
                                                 "appeal_last_day": "2026-12-12", "corrected": False}),
          message("ActionProgrammeIssued", case_id, {"case_id": case_id, "programme_number": 1, "decision_number": 1,
                                                     "issued_on": "2026-11-22",
                                                     "follow_up_dates": ["2026-11-25", "2027-01-15"],
                                                     "evaluation_on": "2027-03-01"}))
    tasks = queries.tasks(view, RECTOR, TODAY)["tasks"]
    assert [(t["kind"], t["due_on"], t["overdue"]) for t in tasks] == [
        ("follow_up", "2026-11-25", True), ("evaluate", "2027-03-01", False)]

    apply(message("ProgrammeFollowedUp", case_id, {"case_id": case_id, "programme_number": 1,
                                                   "followed_up_on": "2026-11-26"}))
    assert [(t["kind"], t["due_on"]) for t in queries.tasks(view, RECTOR, TODAY)["tasks"]] == [
        ("follow_up", "2027-01-15"), ("evaluate", "2027-03-01")]


def test_overdue_first_by_date_or_by_the_overdue_topic_and_the_counts_agree(view):
    late, _, late_events = referred_case(investigation_due="2026-11-20", decision_due="2026-12-20")
    reported, _, reported_events = referred_case(investigation_due="2026-12-01", decision_due="2027-01-05")
    apply(*late_events, *reported_events)
    assert kinds(view, RECTOR)[0] == ("start_investigation", late, True)

    # The follow-up view's timer found the other's investigation start passed (its clock ahead of ours).
    apply(message("CaseDeadlineOverdue", reported, {"case_id": reported, "school_unit": UNIT,
                                                     "deadline": "investigation_start", "due_on": "2026-12-01",
                                                     "detected_on": "2026-12-02"}))
    assert kinds(view, RECTOR) == [
        ("start_investigation", late, True), ("start_investigation", reported, True),
        ("decide", late, False), ("decide", reported, False)]
    assert queries.summary(view, RECTOR, TODAY) == {"count": 4, "overdue": 2}
    assert queries.summary(view, RECTOR, date(2026, 12, 21)) == {"count": 4, "overdue": 3}


def test_r14_a_protected_pupils_tasks_and_case_are_there_only_for_those_granted(view):
    hidden, pupil, events = referred_case(protected=True, granted_to=("spec.att",))
    apply(*events)

    assert kinds(view, RECTOR) == [] and queries.summary(view, RECTOR, TODAY) == {"count": 0, "overdue": 0}
    assert queries.pupil_cases(view, RECTOR, UNIT, TODAY) == []
    assert [c["pupil_id"] for c in queries.pupil_cases(view, EDUCATOR, UNIT, TODAY)] == [pupil]

    apply(message("CaseProtectionChanged", hidden, {"case_id": hidden, "change": "granted", "protected": True,
                                                    "granted_to": ["spec.att", RECTOR.user_id],
                                                    "user_id": RECTOR.user_id, "changed_on": "2026-11-12"}))
    assert [k for k, _, _ in kinds(view, RECTOR)] == ["start_investigation", "decide"]


def test_mina_elever_lists_each_pupils_open_case_with_its_status_and_overdue_flag(view):
    late, late_pupil, late_events = referred_case(investigation_due="2026-11-20")
    fresh, fresh_pupil, fresh_events = referred_case()
    elsewhere, _, elsewhere_events = referred_case(OTHER_UNIT)
    closed, _, closed_events = referred_case()
    apply(*late_events, *fresh_events, *elsewhere_events, *closed_events,
          message("CaseDecided", closed, {"case_id": closed, "decision_number": 1, "kind": "close_programme",
                                          "decided_on": "2026-11-20", "appealable": False, "delegated": False,
                                          "rektor_only": False}))

    cases = {c["pupil_id"]: c for c in queries.pupil_cases(view, EDUCATOR, UNIT, TODAY)}
    assert set(cases) == {late_pupil, fresh_pupil}
    assert cases[late_pupil] == {"pupil_id": late_pupil, "case_id": late, "status": "referred", "overdue": True}
    assert cases[fresh_pupil]["overdue"] is False
    assert kinds(view, RECTOR) and closed not in {s for _, s, _ in kinds(view, RECTOR)}


def test_r17_a_disposed_pupils_tasks_leave_the_worklist_in_either_order(view):
    before, pupil, events = referred_case()
    after, pupil_after, events_after = referred_case()
    disposal = message("PupilRecordsDisposed", pupil, {"pupil_ref": pupil, "case_ids": [before, after],
                                                       "disposed_on": "2026-11-25", "record_types": ["support_case"]})
    apply(*events, disposal, *events_after)  # the second case's events arrive after its disposal

    assert kinds(view, RECTOR) == []
    assert queries.pupil_cases(view, RECTOR, UNIT, TODAY) == []


def test_r21_a_deviation_is_the_responsible_managers_to_handle_and_to_record_the_answer(view):
    deviation = str(uuid.uuid4())
    apply(message("DeviationReported", deviation, {
        "deviation_id": deviation, "organisation": MUNICIPALITY, "unit": UNIT, "municipality": MUNICIPALITY,
        "reported_by": "municipality", "organisations": [{"side": "municipality", "kind": "school"},
                                                         {"side": "region", "kind": "child_psychiatry"}],
        "arose_in": {"side": "region", "kind": "child_psychiatry"}, "category": "responsibility_disputed",
        "occurred_on": "2026-11-01", "principled": False, "answer_due": "2026-11-25",
        "responsible_manager": MANAGER.user_id}))

    assert kinds(view, MANAGER) == [("handle_deviation", deviation, True), ("record_deviation_answer", deviation, True)]
    assert kinds(view, RECTOR) == []
    apply(message("DeviationAnswered", deviation, {"deviation_id": deviation, "answered_on": "2026-11-24"}),
          message("DeviationSolvedLocally", deviation, {"deviation_id": deviation, "solved_on": "2026-11-26"}))
    assert kinds(view, MANAGER) == []


def test_r12_r13_the_missions_parties_confirm_and_the_special_educator_reports_the_goals_follow_ups(view):
    mission, goal = str(uuid.uuid4()), str(uuid.uuid4())
    apply(message("MissionStarted", mission, {"mission_id": mission, "school_unit": UNIT, "special_educator": EDUCATOR.user_id,
                                              "rektor": RECTOR.user_id, "started_on": "2026-11-01"}),
          message("MissionDescribed", mission, {"mission_id": mission, "revision": 1, "described_on": "2026-11-02"}),
          message("AgreementConfirmed", mission, {"mission_id": mission, "subject": "mission_description", "subject_id": "1",
                                                  "party": "rektor", "confirmed_on": "2026-11-02", "in_force": False}))
    assert kinds(view, RECTOR) == [] and kinds(view, EDUCATOR) == [("confirm_mission", mission, False)]

    apply(message("GoalProposed", mission, {"mission_id": mission, "goal_id": goal,
                                            "follow_up_dates": ["2026-11-20", "2027-02-01"], "replaces": None,
                                            "because_of": None, "proposed_on": "2026-11-03"}))
    assert [k for k, _, _ in kinds(view, RECTOR)] == ["confirm_goal"]
    for party in ("rektor", "special_educator"):
        apply(message("AgreementConfirmed", mission, {"mission_id": mission, "subject": "goal", "subject_id": goal,
                                                      "party": party, "confirmed_on": "2026-11-04",
                                                      "in_force": party == "special_educator"}))
    [report] = [t for t in queries.tasks(view, EDUCATOR, TODAY)["tasks"] if t["kind"] == "report_goal_follow_up"]
    assert report["due_on"] == "2026-11-20" and report["overdue"] is True and report["subject_id"] == mission

    apply(message("GoalFollowedUp", mission, {"mission_id": mission, "goal_id": goal, "report_id": str(uuid.uuid4()),
                                              "scheduled_for": "2026-11-20", "reported_on": "2026-11-26"}))
    [report] = [t for t in queries.tasks(view, EDUCATOR, TODAY)["tasks"] if t["kind"] == "report_goal_follow_up"]
    assert report["due_on"] == "2027-02-01" and report["overdue"] is False


# -- through the running system ------------------------------------------------------------------
def _open_and_refer(stack) -> tuple[str, str]:
    from tests.support.pupils import directory_pupil

    pupil = directory_pupil(stack, "0180-ENG")
    opened = httpx.post(f"{stack.cases_url}/cases", json={"school_unit": "0180-ENG", "pupil_id": pupil},
                        headers=headers_for(TEACHER, "cases"))
    assert opened.status_code == 201, opened.text
    case_id = opened.json()["case_id"]
    referred = httpx.post(f"{stack.cases_url}/cases/{case_id}/referral",
                          json={"why_not_enough": "Eleven når inte målen trots anpassningarna", "special_reason": "Akut"},
                          headers=headers_for(TEACHER, "cases"))
    assert referred.status_code == 201, referred.text
    return case_id, pupil


def _tasks(stack, who) -> list[dict]:
    answer = httpx.get(f"{stack.worklist_url}/tasks", headers=headers_for(who, "worklist"))
    assert answer.status_code == 200, answer.text
    return answer.json()["tasks"]


def test_a_referral_through_kafka_is_rektors_task_and_the_notifications_service_gets_the_counts_only(stack):
    case_id, pupil = _open_and_refer(stack)

    mine = eventually(lambda: [t for t in _tasks(stack, REKTOR) if t["case_id"] == case_id])
    assert {t["kind"] for t in mine} == {"start_investigation", "decide"}
    assert all(t["subject_kind"] == "case" and t["school_unit"] == "0180-ENG" and not t["overdue"] for t in mine)
    assert not [t for t in _tasks(stack, OTHER_REKTOR) if t["case_id"] == case_id]
    assert not [t for t in _tasks(stack, TEACHER) if t["case_id"] == case_id]

    counts = httpx.get(f"{stack.worklist_url}/tasks/summary", headers=headers_for(REKTOR, "worklist", caller="notifications"))
    assert counts.status_code == 200 and set(counts.json()) == {"count", "overdue"} and counts.json()["count"] >= 2
    for path in ("/tasks", "/pupil-cases?unit=0180-ENG"):
        refused = httpx.get(f"{stack.worklist_url}{path}", headers=headers_for(REKTOR, "worklist", caller="notifications"))
        assert refused.status_code == 403, path
    stranger = httpx.get(f"{stack.worklist_url}/tasks/summary", headers=headers_for(REKTOR, "worklist", caller="deviations"))
    assert stranger.status_code == 401

    cases = httpx.get(f"{stack.worklist_url}/pupil-cases", params={"unit": "0180-ENG"}, headers=headers_for(TEACHER, "worklist"))
    assert cases.status_code == 200
    assert {"pupil_id": pupil, "case_id": case_id, "status": "referred", "overdue": False} in cases.json()["cases"]
    elsewhere = httpx.get(f"{stack.worklist_url}/pupil-cases", params={"unit": "0180-KAT"}, headers=headers_for(TEACHER, "worklist"))
    assert elsewhere.status_code == 403
