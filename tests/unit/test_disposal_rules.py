"""R17 in the open: the named rules that keep a pupil's records from disposal (an open case, an
appeal window still open, the plan's retention), one code path for the page's preview, the
administrator's run and the scheduled job; and the record of a run. In memory, no I/O."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from cases.domain.decision import DecisionKind
from cases.domain.disposal import (
    PupilIsNotDisposedWhileAnAppealIsPending,
    HELD_BACK, HOLDS, DisposalRun, Preview, PupilIsNotDisposedWhileAnAppealWindowIsOpen, PupilRecordsDisposal,
    PupilWithAnOpenCaseIsNotDisposed, RecordsAreDisposedOnlyWhenDue, RetentionPlan, case_record, disposed_pupil,
    record_of, why_held_back,
)
from tests.unit.workflow import DAY, a_decision, decided, with_programme

NOW = RetentionPlan({"support_case": 0})  # Huddinge in the test settings: due as soon as it ended
DECIDED = date(2026, 3, 2)


def ended(case_id="a", *, delivered: date | None = DECIDED, kind=DecisionKind.NO_PROGRAMME, unit="0126-SKO",
          on: date = DECIDED):
    decision = a_decision(kind, on)
    if delivered is not None:
        decision = decision.delivered(delivered)
    status = "closed" if kind is DecisionKind.CLOSE_PROGRAMME else "decided"
    return case_record(case_id, status, [decision], school_unit=unit, kinds=["referral", "investigation", "decision"])


def running(case_id="b"):
    return case_record(case_id, "open", [], school_unit="0126-SKO", kinds=["extra_adaptations"])


def dispose(cases, today, plan=NOW):
    return PupilRecordsDisposal.dispose(pupil_ref="r", municipality="0126", cases=cases, plan=plan, today=today,
                                        disposed_by="huddinge.admin", scheduled=False)


def test_r17_a_pupil_with_an_open_case_is_never_disposed():
    long_after = DECIDED + timedelta(days=4000)
    with pytest.raises(PupilWithAnOpenCaseIsNotDisposed) as refused:
        dispose([ended(), running()], long_after)
    assert refused.value.rule_id == "R17" and refused.value.rule_name == "PupilWithAnOpenCaseIsNotDisposed"
    assert isinstance(refused.value, RecordsAreDisposedOnlyWhenDue)  # the scheduled job skips it as not due
    with pytest.raises(PupilWithAnOpenCaseIsNotDisposed):
        dispose([running()], long_after)


def test_r17_a_decision_not_yet_delivered_keeps_the_records_however_old():
    with pytest.raises(PupilIsNotDisposedWhileAnAppealWindowIsOpen) as refused:
        dispose([ended(delivered=None)], DECIDED + timedelta(days=4000))
    assert refused.value.rule_id == "R17" and "överklagas" in refused.value.message


def test_r17_a_decision_delivered_less_than_three_weeks_ago_keeps_the_records_to_the_last_day_to_appeal():
    delivered = DECIDED + timedelta(days=1)
    last_day = delivered + timedelta(weeks=3)  # R9: the appeal may come in on this day still
    for today in (delivered, delivered + timedelta(days=20), last_day):
        with pytest.raises(PupilIsNotDisposedWhileAnAppealWindowIsOpen):
            dispose([ended(delivered=delivered)], today)
    assert dispose([ended(delivered=delivered)], last_day + timedelta(days=1)).case_ids == ["a"]


def test_r17_a_decision_that_cannot_be_appealed_opens_no_window():
    # Closing a programme after its evaluation is not appealable (R9): nothing to wait for.
    closing = ended(kind=DecisionKind.CLOSE_PROGRAMME, delivered=None)
    assert dispose([closing], DECIDED).case_ids == ["a"]


def test_r17_the_plans_retention_still_runs_after_the_appeal_window():
    plan = RetentionPlan({"support_case": 5})
    case = ended(delivered=DECIDED)
    with pytest.raises(RecordsAreDisposedOnlyWhenDue) as refused:
        dispose([case], date(2031, 3, 1), plan)
    assert type(refused.value) is RecordsAreDisposedOnlyWhenDue
    assert dispose([case], date(2031, 3, 2), plan).case_ids == ["a"]


def test_r17_the_holds_are_named_checked_in_order_and_each_has_its_words_on_the_page():
    # An open case is named before an open window on another case, before the retention.
    assert type(why_held_back(NOW, [running(), ended(delivered=None)], DECIDED)) is PupilWithAnOpenCaseIsNotDisposed
    assert type(why_held_back(NOW, [ended(delivered=None)], DECIDED)) is PupilIsNotDisposedWhileAnAppealWindowIsOpen
    assert why_held_back(NOW, [ended()], DECIDED + timedelta(weeks=4)) is None
    appealed = replace(ended(), appeals_pending=1)  # an appeal the board has not decided (R9)
    assert type(why_held_back(NOW, [appealed], DECIDED + timedelta(weeks=4))) is PupilIsNotDisposedWhileAnAppealIsPending
    names = {type(hold(NOW, [], DECIDED) or hold(NOW, [running()], DECIDED) or
                  hold(NOW, [ended(delivered=None)], DECIDED) or hold(NOW, [appealed], DECIDED)).__name__ for hold in HOLDS}
    assert names == set(HELD_BACK)


def test_r17_a_support_case_is_seen_by_disposal_as_structure_with_its_kinds_of_record():
    case = with_programme()
    record = record_of(case)
    assert record.ended_on is None and record.school_unit == "0180-ENG"
    assert record.kinds == ("extra_adaptations", "referral", "investigation", "decision", "programme")
    [decision] = record.decisions
    assert decision.appealable and decision.delivered_on is None
    no_programme = record_of(decided(DecisionKind.NO_PROGRAMME))
    assert no_programme.ended_on == DAY and "programme" not in no_programme.kinds


def test_r17_the_preview_counts_per_unit_year_and_kind_and_how_many_each_rule_keeps():
    today = date(2027, 1, 10)
    pupils = [
        [ended("a", unit="0126-SKO")],
        [ended("b", unit="0126-SKO"), ended("c", unit="0126-ALB", on=date(2026, 12, 1), delivered=date(2026, 12, 2))],
        [ended("d", unit="0126-ALB", on=date(2025, 5, 5), delivered=date(2025, 5, 6))],
        [running("e")],
        [ended("f", delivered=None)],
        [ended("g", delivered=date(2027, 1, 5), on=date(2027, 1, 4))],
    ]
    preview = Preview.of(NOW, pupils, today)
    counts = preview.counts()
    assert counts["pupils"] == 3 and counts["cases"] == 4
    # The second pupil at the unit of the case that ended last, in the year it became due.
    assert counts["per_unit_and_year"] == [["0126-ALB", 2025, 1], ["0126-ALB", 2026, 1], ["0126-SKO", 2026, 1]]
    assert counts["kinds"] == [["decision", 3], ["investigation", 3], ["referral", 3]]
    assert preview.held_back == {"PupilWithAnOpenCaseIsNotDisposed": 1, "PupilIsNotDisposedWhileAnAppealWindowIsOpen": 2}


def test_r17_a_run_is_recorded_by_whom_when_and_in_counts_without_any_pupil():
    due = [disposed_pupil(NOW, [ended("a")]), disposed_pupil(NOW, [ended("b"), ended("c")])]
    run = DisposalRun.record(municipality="0126", run_by="huddinge.admin", scheduled=False, on=DAY, pupils=due)
    [event] = run.collect_events()
    assert (event.municipality, event.run_by, event.run_on, event.pupils, event.cases) == (
        "0126", "huddinge.admin", DAY, 2, 3)
    assert event.per_unit_and_year == [["0126-SKO", 2026, 2]]
    assert event.kinds == [["decision", 2], ["investigation", 2], ["referral", 2]]
    assert set(vars(event)) - {"originator_id", "originator_version", "timestamp", "originator_topic"} == {
        "municipality", "run_by", "scheduled", "run_on", "pupils", "cases", "per_unit_and_year", "kinds"}  # no pupil
