"""R9 on the read side, in memory (no I/O): how the follow-up view and Att göra follow an appeal from
the public events (projections.appeals), the overdue deadline it adds, and the school owner's
counts of appeals and their outcomes (projections.followup.ownerview)."""
from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

from eventkit.contracts import contract_for
from eventkit.vocabulary import labels
from projections import appeals
from projections.followup.overdue import DEADLINES, overdue_message
from projections.followup.ownerview import FEWER_THAN_FIVE, Appeal as AppealFact, Facts, Per, aggregate, overview
from projections.worklist.tasks import KIND_OF_DEADLINE, KINDS

CASE = str(uuid4())
KINDS_OF_DECISION = tuple(labels("DecisionKind"))


def registered(*, timely=True, complete=True, number=1, received_on="2026-11-02") -> appeals.Appeal:
    return appeals.registered({
        "case_id": CASE, "appeal_number": number, "decision_number": 1, "received_on": received_on,
        "timely": timely, "complete": complete, "forward_due": "2026-11-09", "by_pupil": False,
    })


def after(appeal: appeals.Appeal, *events: tuple[str, dict]) -> appeals.Appeal:
    for event_type, data in events:
        assert appeals.concerns(event_type, {"case_id": CASE, **data}) == appeal.appeal_number
        appeal = appeals.apply(appeal, event_type, {"case_id": CASE, **data})
    return appeal


COMPLETED = ("AppealCompleted", {"appeal_number": 1, "completed_on": "2026-11-03", "how": "other_guardian_joined"})
IN_PART = ("CaseDecided", {"appeal_number": 1, "decision_number": 2, "changes_decision": 1, "kind": "establish_programme",
                           "decided_on": "2026-11-04", "appealable": True, "delegated": False, "rektor_only": False,
                           "appeal_lapsed": False})
IN_FULL = ("CaseDecided", {**IN_PART[1], "appeal_lapsed": True})
FORWARDED = ("AppealForwarded", {"appeal_number": 1, "forwarded_on": "2026-11-06", "late": False})
SENT_BACK = ("AppealDecidedByBoard", {"appeal_number": 1, "outcome": "sent_back", "decided_on": "2027-01-20",
                                      "sent_back_to": "decision", "decision_number": None, "kind": None})
REJECTED = ("AppealRejected", {"appeal_number": 1, "rejected_on": "2026-11-03"})


def test_r9_an_appeal_from_one_guardian_waits_to_be_completed_then_to_be_reconsidered_or_forwarded():
    appeal = registered(complete=False)
    assert appeal.status == "incomplete" and appeals.tasks(appeal) == {"complete_appeal": date(2026, 11, 9)}

    appeal = after(appeal, COMPLETED)
    assert appeal.status == "registered"
    assert appeals.tasks(appeal) == {"reconsider_appeal": date(2026, 11, 9)}


def test_r9_changed_in_part_the_appeal_goes_on_against_the_new_decision_and_only_forwarding_is_left():
    appeal = after(registered(), IN_PART)
    assert appeal.status == "registered" and appeal.decision_in_question == 2
    assert appeals.tasks(appeal) == {"forward_appeal": date(2026, 11, 9)}

    forwarded = after(appeal, FORWARDED)
    assert forwarded.status == "forwarded" and appeals.tasks(forwarded) == {}
    assert not forwarded.forwarding_overdue(date(2026, 12, 1))


def test_r9_changed_in_full_as_asked_the_appeal_lapses_and_its_tasks_are_gone():
    appeal = after(registered(), IN_FULL)
    assert appeal.status == "lapsed" and appeals.tasks(appeal) == {}


def test_r9_a_late_appeal_is_to_be_rejected_and_the_rejection_ends_it():
    appeal = registered(timely=False, complete=False)
    assert appeal.status == "late" and appeals.tasks(appeal) == {"reject_late_appeal": date(2026, 11, 9)}
    appeal = after(appeal, REJECTED)
    assert appeal.status == "rejected" and appeals.tasks(appeal) == {}


def test_r9_the_forwarding_is_overdue_the_day_after_forward_due_until_forwarded_rejected_or_lapsed():
    appeal = registered()
    assert not appeal.forwarding_overdue(date(2026, 11, 9))  # the day itself is in time
    assert appeal.forwarding_overdue(date(2026, 11, 10))
    for ending in (FORWARDED, IN_FULL):
        assert not after(appeal, ending).forwarding_overdue(date(2026, 11, 10))
    assert not after(registered(timely=False), REJECTED).forwarding_overdue(date(2026, 11, 10))


def test_r9_the_boards_outcome_is_kept_with_where_a_sent_back_matter_goes():
    appeal = after(registered(), FORWARDED, SENT_BACK)
    assert appeal.status == "decided" and appeal.board_outcome == "sent_back" and appeal.sent_back_to == "decision"
    assert appeal.board_on == date(2027, 1, 20) and appeals.tasks(appeal) == {}
    assert appeals.SENT_BACK_TASKS == {"decision": "decide_again", "investigation": "investigate_again"}


def test_the_same_event_twice_changes_nothing_more():
    once = after(registered(complete=False), COMPLETED, IN_PART, FORWARDED)
    assert after(once, COMPLETED, IN_PART, FORWARDED) == once


def test_events_about_no_appeal_are_passed_by():
    assert appeals.concerns("CaseDecided", {"case_id": CASE, "decision_number": 1, "kind": "no_programme"}) is None
    assert appeals.concerns("DecisionDelivered", {"case_id": CASE, "decision_number": 1}) is None


def test_the_case_shows_the_latest_appeal_the_school_has_to_act_on_else_the_latest():
    first, second = registered(number=1), after(registered(number=2), ("AppealRejected", {"appeal_number": 2,
                                                                                         "rejected_on": "2026-11-03"}))
    assert appeals.current([second, first]).appeal_number == 1
    done = after(first, FORWARDED)
    assert appeals.current([done, second]).appeal_number == 2
    assert appeals.current([]) is None


def test_r9_the_forwarding_deadline_is_published_on_the_overdue_topic_and_makes_rektors_task_overdue():
    assert "appeal_forwarding" in contract_for("CaseDeadlineOverdue").schema["properties"]["deadline"]["enum"]
    column, condition = DEADLINES["appeal_forwarding"]
    assert column == "appeal_forward_due" and all(f"'{s}'" in condition for s in appeals.AWAITING_SCHOOL)
    message = overdue_message({"case_id": CASE, "municipality": "0180", "school_unit": "0180-ENG", "last_version": 9,
                               "deadline": "appeal_forwarding", "due_on": date(2026, 11, 9)}, date(2026, 11, 10))
    assert message["data"]["deadline"] == "appeal_forwarding"
    assert KIND_OF_DEADLINE["appeal_forwarding"] == "reconsider_appeal"
    assert {*appeals.APPEAL_TASKS, *appeals.SENT_BACK_TASKS.values()} <= set(KINDS)


# -- the school owner's counts -------------------------------------------------------------------
def appeal_fact(unit="ENG", on=date(2026, 9, 10), *, timely=True, forwarded=None, rejected=False, lapsed=False,
                board=None) -> AppealFact:
    return AppealFact(unit, on, timely, on + timedelta(days=7), forwarded, rejected, lapsed, board)


def test_r9_appeals_count_in_the_period_they_came_in_with_what_became_of_them():
    facts = Facts(appeals=(
        *(appeal_fact(forwarded=date(2026, 9, 15), board="upheld") for _ in range(3)),
        appeal_fact(forwarded=date(2026, 9, 20), board="sent_back"),  # forwarded after 10 days
        appeal_fact(forwarded=date(2026, 9, 12), board="changed"),
        appeal_fact(timely=False, rejected=True),
        appeal_fact(lapsed=True),
        appeal_fact(on=date(2026, 10, 5)),  # still with the school
        appeal_fact(unit="KAT", on=date(2026, 10, 6), forwarded=date(2026, 10, 8)),
    ))
    cells = aggregate(facts, Per.MONTH, date(2026, 9, 1), date(2026, 10, 31), date(2026, 12, 7))
    september = cells[("ENG", "2026-09")].appeals
    assert september["received"] == 7 and september["in_time"] == 6 and september["forwarded_in_time"] == 4
    assert september["rejected_late"] == 1 and september["lapsed"] == 1
    assert (september["upheld"], september["changed"], september["sent_back"]) == (3, 1, 1)
    assert cells[("", "")].appeals["received"] == 9 and cells[("ENG", "")].appeals["received"] == 8
    assert cells[("", "2026-10")].appeals["forwarded_in_time"] == 1


def test_r9_appeal_counts_from_one_to_four_are_never_shown():
    facts = Facts(appeals=tuple(appeal_fact(forwarded=date(2026, 9, 15), board="upheld") for _ in range(5))
                  + (appeal_fact(timely=False, rejected=True),))
    answer = overview(facts, Per.MONTH, date(2026, 9, 1), date(2026, 9, 30), date(2026, 12, 7), KINDS_OF_DECISION)
    shown = answer["municipality"]["total"]["appeals"]
    assert shown == {"received": 6, "in_time": 5, "forwarded_in_time": 5, "rejected_late": FEWER_THAN_FIVE,
                     "lapsed": 0, "upheld": 5, "changed": 0, "sent_back": 0}
    assert answer["units"][0]["total"]["appeals"]["received"] == 6
    nothing = overview(Facts(), Per.MONTH, date(2026, 9, 1), date(2026, 9, 30), date(2026, 12, 7), KINDS_OF_DECISION)
    assert set(nothing["municipality"]["total"]["appeals"].values()) == {0}


def test_r9_every_state_the_views_fold_is_one_of_the_cases_services_appeal_states():
    """The views may not import the domain (ADR 0001): the states they derive are held to the
    published list (contracts/vocabularies/AppealStatus) here, each reached once."""
    reached = {
        registered(complete=False).status, registered(timely=False).status, registered().status,
        after(registered(timely=False), REJECTED).status, after(registered(), IN_FULL).status,
        after(registered(), FORWARDED).status, after(registered(), FORWARDED, SENT_BACK).status,
    }
    assert reached == set(labels("AppealStatus"))
