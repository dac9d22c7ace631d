"""R9, the appeal: from delivery per recipient through the appeal, reconsideration and
forwarding to the board's outcome (förvaltningslagen 37–39, 44, 45 §§). In memory, no I/O."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from cases.domain.appeal import AppealStatus, BoardOutcome, SentBackTo
from cases.domain.decision import DecisionKind, Placement
from cases.domain.delegation import Grant
from cases.domain.disposal import (
    PupilIsNotDisposedWhileAnAppealIsPending,
    RetentionPlan,
    record_of,
    why_held_back,
)
from cases.domain.model import SupportCase
from cases.domain.rules import (
    AppealAfterThreeWeeksIsLate,
    AppealDateIsPlausible,
    AppealFromOneGuardianIsIncomplete,
    AppealIsCompleteAlready,
    AppealIsHandledOnce,
    AppealIsOnlyOfAnAppealableDecision,
    AppealNamesWhoAppeals,
    AppealSaysWhatIsAsked,
    BoardDateIsPlausible,
    BoardDecidesOnAForwardedAppeal,
    BoardOutcomeIsRecordedOnce,
    ChangedDecisionStatesTheNewDecision,
    DecisionCannotBeForwardedAndChangedAtOnce,
    DecisionOnSpecialTeachingGroupCannotBeDelegated,
    DeliveryCannotPrecedeTheDecision,
    DeliveryIsRecordedOnce,
    DeliveryToARecipientIsRecordedOnce,
    ForwardingDateIsPlausible,
    OnlyALateAppealIsRejected,
    OnlyRektorOrTheDeciderReconsiders,
    PupilUnderSixteenAppealsWithTheGuardians,
    SentBackSaysWhereTheMatterGoes,
    SingleGuardianNeedsAReason,
)
from cases.domain.values import PersonalIdentityNumber
from tests.unit.workflow import (
    ALL_PARTS, DAY, FATHER, MOTHER, PROGRAMME, REFERRED_AT, TODAY, appeal, decided, received, with_participation, young_case,
)

# -- delivery per recipient ------------------------------------------------------------------------
def test_r9_each_recipient_has_three_weeks_from_their_own_day_of_receipt():
    case = received(young_case(), (MOTHER, DAY + timedelta(days=1)), (FATHER, DAY + timedelta(days=6)))
    decision = case.decisions[0]
    assert decision.delivered_on == DAY + timedelta(days=1)  # delivered when the first received it
    assert decision.appeal_last_day == DAY + timedelta(days=6, weeks=3)  # open until the last one's last day
    assert [d.last_day_to_appeal for d in decision.deliveries] == [DAY + timedelta(days=1, weeks=3),
                                                                   DAY + timedelta(days=6, weeks=3)]
    with pytest.raises(DeliveryToARecipientIsRecordedOnce):
        received(case, (MOTHER, DAY + timedelta(days=2)))


def test_r9_a_day_of_receipt_before_the_decision_is_refused_at_its_own_field():
    with pytest.raises(DeliveryCannotPrecedeTheDecision) as refused:
        received(young_case(), ("pupil", DAY - timedelta(days=1)))
    assert set(refused.value.fields) == {"received_on"} and "mottagaren" in refused.value.message


def test_r9_a_decision_delivered_as_a_whole_is_not_delivered_again_per_recipient():
    case = young_case()
    case.record_delivery(decision_number=1, delivered_on=DAY, recorded_by="rolf.ek", today=TODAY)
    with pytest.raises(DeliveryIsRecordedOnce):
        received(case, (MOTHER, DAY))


def test_r16_a_recipients_day_of_receipt_is_corrected_not_edited():
    case = received(young_case(), (MOTHER, DAY + timedelta(days=1)))
    version = next(v for v, (kind, _) in case.entries.items() if kind == "receipt")
    case.correct(corrects_version=version, value=(DAY + timedelta(days=3)).isoformat(), reason="Fel datum",
                 corrected_by="rolf.ek", today=TODAY)
    assert case.decisions[0].deliveries[0].received_on == DAY + timedelta(days=3)
    assert case.decisions[0].appeal_last_day == DAY + timedelta(days=3, weeks=3)


# -- the appeal comes in -----------------------------------------------------------------------------
def test_r9_an_appeal_after_three_weeks_is_late():
    got_it = DAY + timedelta(days=1)
    case = appeal(received(young_case(), (MOTHER, got_it), (FATHER, got_it)), got_it + timedelta(weeks=3, days=1))
    late = case.appeals[0]
    assert not late.timely and late.status is AppealStatus.LATE and late.last_day == got_it + timedelta(weeks=3)
    with pytest.raises(AppealAfterThreeWeeksIsLate):  # rejected, not forwarded (FL 45 §)
        case.forward_appeal(appeal_number=1, forwarded_on=TODAY, comments="", documents=[], forwarded_by="rolf.ek", today=TODAY)
    case.reject_late_appeal(appeal_number=1, reasons="Överklagandet kom in en dag för sent.", decided_by="rolf.ek",
                            by_rektor=True, on=TODAY)
    assert case.appeals[0].status is AppealStatus.REJECTED and case.appeals[0].rejection.decided_on == TODAY
    assert not case.appeal_pending()


def test_r9_an_appeal_on_the_last_day_is_in_time_and_cannot_be_rejected():
    got_it = DAY + timedelta(days=1)
    case = appeal(received(young_case(), (MOTHER, got_it), (FATHER, got_it)), got_it + timedelta(weeks=3))
    assert case.appeals[0].timely and case.appeals[0].status is AppealStatus.REGISTERED
    with pytest.raises(OnlyALateAppealIsRejected):
        case.reject_late_appeal(appeal_number=1, reasons="", decided_by="rolf.ek", by_rektor=True, on=TODAY)


def test_r9_a_late_appeal_the_school_delayed_is_examined_all_the_same():
    got_it = DAY + timedelta(days=1)
    case = appeal(received(young_case(), (MOTHER, got_it), (FATHER, got_it)), got_it + timedelta(weeks=5),
                  delay_caused_by_school=True)
    assert not case.appeals[0].timely and case.appeals[0].may_be_examined
    assert case.appeals[0].status is AppealStatus.REGISTERED


def test_r9_an_appeal_before_the_decision_reached_the_appellant_is_in_time():
    case = appeal(young_case(), DAY + timedelta(days=40))  # never recorded as delivered: the window has not begun
    assert case.appeals[0].timely and case.appeals[0].last_day is None


def test_r9_an_appeal_of_a_decision_that_is_not_appealable_is_refused_with_the_reason():
    case = with_participation(decided())
    case.issue_programme(**PROGRAMME, issued_by="rolf.ek", on=DAY)
    case.record_evaluation(outcome="Målen nådda", evaluated_by="rolf.ek", on=DAY)
    case.start_investigation(started_by="rolf.ek", by_rektor=True, investigator="sara.berg", student_health_team=True, on=DAY)
    case.record_investigation(ALL_PARTS, recorded_by="sara.berg")
    case.conclude_investigation(proposal="Avsluta", concluded_by="sara.berg", on=DAY)
    case.decide(kind=DecisionKind.CLOSE_PROGRAMME, decided_by="rolf.ek", by_rektor=True, on=DAY)
    with pytest.raises(AppealIsOnlyOfAnAppealableDecision) as refused:
        case._require_open = lambda: None  # a closed case: the rule about the decision is what is tested here
        appeal(case, DAY, number=2)
    assert "skollagen 28 kap. 16 §" in refused.value.message


def test_r9_an_appeal_of_a_decision_no_longer_in_force_names_the_one_that_is():
    case = appeal(young_case(), DAY + timedelta(days=2))
    case.change_on_reconsideration(appeal_number=1, kind=DecisionKind.ESTABLISH_PROGRAMME,
                                   placements=(Placement.SPECIAL_TEACHING_GROUP,), reasons="", in_full=True,
                                   decided_by="rolf.ek", by_rektor=True, on=TODAY)
    with pytest.raises(AppealIsOnlyOfAnAppealableDecision) as refused:
        appeal(case, TODAY, number=1)
    assert "beslut 2" in refused.value.message
    appeal(case, TODAY, number=2)  # the new decision can be appealed in its turn
    assert case.appeals[-1].decision_number == 2


def test_r9_an_appeal_names_who_appeals_what_is_asked_and_a_plausible_day():
    case = young_case()
    with pytest.raises(AppealNamesWhoAppeals):
        appeal(case, DAY, appellants=("grannen",))
    with pytest.raises(AppealSaysWhatIsAsked):
        case.register_appeal(decision_number=1, received_on=DAY, appellants=[MOTHER, FATHER], asks="  ",
                             registered_by="rolf.ek", today=TODAY)
    with pytest.raises(AppealDateIsPlausible):
        appeal(case, DAY - timedelta(days=1))
    with pytest.raises(AppealDateIsPlausible):
        appeal(case, TODAY + timedelta(days=1))
    assert case.appeals == ()


def test_r9_a_pupil_under_sixteen_appeals_with_the_guardians_and_one_of_sixteen_alone():
    with pytest.raises(PupilUnderSixteenAppealsWithTheGuardians):
        appeal(young_case(), DAY, appellants=("pupil",))
    older = decided()  # born 2010: 16 on the day
    appeal(older, DAY, appellants=("pupil",))
    assert older.appeals[0].complete and older.appeals[0].status is AppealStatus.REGISTERED


def test_r9_an_appeal_from_one_guardian_alone_is_incomplete_until_the_other_joins():
    case = appeal(young_case(), DAY + timedelta(days=2), appellants=(MOTHER,))
    assert case.appeals[0].status is AppealStatus.INCOMPLETE
    with pytest.raises(AppealFromOneGuardianIsIncomplete):
        case.forward_appeal(appeal_number=1, forwarded_on=TODAY, comments="", documents=[], forwarded_by="rolf.ek", today=TODAY)
    case.join_appeal(appeal_number=1, guardian=FATHER, joined_on=DAY + timedelta(days=3), recorded_by="rolf.ek", today=TODAY)
    assert case.appeals[0].complete and case.appeals[0].status is AppealStatus.REGISTERED
    with pytest.raises(AppealIsCompleteAlready):
        case.join_appeal(appeal_number=1, guardian=FATHER, joined_on=TODAY, recorded_by="rolf.ek", today=TODAY)


def test_r9_an_appeal_from_one_guardian_is_complete_when_the_school_notes_why_one_suffices():
    case = appeal(young_case(), DAY + timedelta(days=2), appellants=(MOTHER,))
    with pytest.raises(SingleGuardianNeedsAReason):
        case.note_one_guardian_suffices(appeal_number=1, reason=" ", recorded_by="rolf.ek")
    case.note_one_guardian_suffices(appeal_number=1, reason="Modern har ensam vårdnad.", recorded_by="rolf.ek")
    assert case.appeals[0].complete


# -- reconsideration and forwarding ------------------------------------------------------------------
def test_r9_a_decision_changed_as_the_appeal_asks_in_full_makes_the_appeal_lapse():
    case = appeal(young_case(), DAY + timedelta(days=2))
    case.change_on_reconsideration(appeal_number=1, kind=DecisionKind.ESTABLISH_PROGRAMME,
                                   placements=(Placement.SPECIAL_TEACHING_GROUP,), reasons="Omprövat.", in_full=True,
                                   decided_by="rolf.ek", by_rektor=True, on=TODAY)
    old, new = case.decisions
    assert (old.changed_by_decision, old.in_force) == (2, False)
    assert (new.changes_decision, new.placements, new.appealable) == (1, (Placement.SPECIAL_TEACHING_GROUP,), True)
    assert case.appeals[0].status is AppealStatus.LAPSED and not case.appeal_pending()
    assert case.decision_awaiting_programme() is new  # the programme is worked out under the new decision


def test_r9_a_decision_cannot_be_forwarded_and_changed_at_once():
    case = appeal(young_case(), DAY + timedelta(days=2))
    case.change_on_reconsideration(appeal_number=1, kind=DecisionKind.ESTABLISH_PROGRAMME,
                                   placements=(Placement.SPECIAL_TEACHING_GROUP,), reasons="", in_full=True,
                                   decided_by="rolf.ek", by_rektor=True, on=TODAY)
    with pytest.raises(DecisionCannotBeForwardedAndChangedAtOnce):  # changed in full: nothing left to forward
        case.forward_appeal(appeal_number=1, forwarded_on=TODAY, comments="", documents=[], forwarded_by="rolf.ek", today=TODAY)
    other = appeal(young_case(), DAY + timedelta(days=2))
    other.forward_appeal(appeal_number=1, forwarded_on=DAY + timedelta(days=5), comments="Skolan står fast.",
                         documents=["Överklagandet", "Beslutet"], forwarded_by="rolf.ek", today=TODAY)
    with pytest.raises(DecisionCannotBeForwardedAndChangedAtOnce):  # forwarded: the board has the matter
        other.change_on_reconsideration(appeal_number=1, kind=DecisionKind.NO_PROGRAMME, reasons="", in_full=True,
                                        decided_by="rolf.ek", by_rektor=True, on=TODAY)


def test_r9_a_decision_changed_in_part_is_forwarded_as_changed():
    case = appeal(young_case(), DAY + timedelta(days=2))
    case.change_on_reconsideration(appeal_number=1, kind=DecisionKind.ESTABLISH_PROGRAMME, reasons="Delvis.",
                                   in_full=False, decided_by="rolf.ek", by_rektor=True, on=DAY + timedelta(days=3))
    assert case.appeals[0].status is AppealStatus.REGISTERED and case.appeals[0].decision_in_question == 2
    case.forward_appeal(appeal_number=1, forwarded_on=DAY + timedelta(days=4), comments="", documents=[],
                        forwarded_by="rolf.ek", today=TODAY)
    assert case.appeals[0].status is AppealStatus.FORWARDED and not case.appeals[0].forwarded.late


def test_r9_forwarding_is_due_within_seven_days_of_receipt_and_flagged_when_late():
    came_in = DAY + timedelta(days=2)
    case = appeal(young_case(), came_in)
    assert case.appeals[0].forward_due == came_in + timedelta(days=7)
    with pytest.raises(ForwardingDateIsPlausible):
        case.forward_appeal(appeal_number=1, forwarded_on=came_in - timedelta(days=1), comments="", documents=[],
                            forwarded_by="rolf.ek", today=TODAY)
    case.forward_appeal(appeal_number=1, forwarded_on=came_in + timedelta(days=8), comments="", documents=[],
                        forwarded_by="rolf.ek", today=TODAY)
    assert case.appeals[0].forwarded.late
    with pytest.raises(AppealIsHandledOnce):  # forwarded once
        case.forward_appeal(appeal_number=1, forwarded_on=TODAY, comments="", documents=[], forwarded_by="rolf.ek", today=TODAY)


def test_r9_only_rektor_or_the_delegate_who_decided_reconsiders():
    case = appeal(young_case(), DAY + timedelta(days=2))
    with pytest.raises(OnlyRektorOrTheDeciderReconsiders):
        case.change_on_reconsideration(appeal_number=1, kind=DecisionKind.ESTABLISH_PROGRAMME, reasons="", in_full=True,
                                       decided_by="sara.berg", by_rektor=False, on=TODAY)


def test_r6_a_placement_on_reconsideration_is_rektors_own_decision():
    case = SupportCase.open(municipality="0180", school_unit="0180-ENG", pupil=PersonalIdentityNumber.parse("201405122381"),
                            pupil_name="Elev Yngre", opened_by="anna.lind", today=date(2026, 9, 1))
    case.record_extra_adaptation("Extra tid", recorded_by="anna.lind")
    case.refer_to_rektor(referred_by="anna.lind", referred_at=REFERRED_AT, why_not_enough="Räcker inte")
    case.start_investigation(started_by="rolf.ek", by_rektor=True, investigator="sara.berg", student_health_team=True, on=DAY)
    case.record_investigation(ALL_PARTS, recorded_by="sara.berg")
    case.conclude_investigation(proposal="Inget program", concluded_by="sara.berg", on=DAY)
    grant = Grant(number=1, school_unit="0180-ENG", delegate="sara.berg",
                  kinds=(DecisionKind.NO_PROGRAMME, DecisionKind.ESTABLISH_PROGRAMME), valid_from=DAY, valid_to=date(2027, 6, 30))
    case.decide(kind=DecisionKind.NO_PROGRAMME, decided_by="sara.berg", by_rektor=False, delegation=grant, on=DAY)
    appeal(case, DAY + timedelta(days=2))
    with pytest.raises(DecisionOnSpecialTeachingGroupCannotBeDelegated):
        case.change_on_reconsideration(appeal_number=1, kind=DecisionKind.ESTABLISH_PROGRAMME,
                                       placements=(Placement.SPECIAL_TEACHING_GROUP,), reasons="", in_full=True,
                                       decided_by="sara.berg", by_rektor=False, delegation=grant, on=DAY + timedelta(days=3))
    case.change_on_reconsideration(appeal_number=1, kind=DecisionKind.ESTABLISH_PROGRAMME, reasons="", in_full=False,
                                   decided_by="sara.berg", by_rektor=False, delegation=grant, on=DAY + timedelta(days=3))
    assert case.decisions[1].delegation_number == 1


# -- the board ---------------------------------------------------------------------------------------
def forwarded(kind=DecisionKind.ESTABLISH_PROGRAMME) -> SupportCase:
    case = appeal(received(young_case(kind), (MOTHER, DAY), (FATHER, DAY)), DAY + timedelta(days=2))
    case.forward_appeal(appeal_number=1, forwarded_on=DAY + timedelta(days=5), comments="", documents=["Beslutet"],
                        forwarded_by="rolf.ek", today=TODAY)
    return case


def test_r9_the_board_decides_on_a_forwarded_appeal_once():
    case = appeal(young_case(), DAY + timedelta(days=2))
    with pytest.raises(BoardDecidesOnAForwardedAppeal):
        case.record_board_decision(appeal_number=1, outcome=BoardOutcome.UPHELD, decided_on=TODAY, reasons="",
                                   recorded_by="rolf.ek", today=TODAY)
    case = forwarded()
    case.record_board_decision(appeal_number=1, outcome=BoardOutcome.UPHELD, decided_on=TODAY, reasons="Står fast.",
                               recorded_by="rolf.ek", today=TODAY)
    assert case.appeals[0].status is AppealStatus.DECIDED and case.decisions[0].in_force
    with pytest.raises(BoardOutcomeIsRecordedOnce):
        case.record_board_decision(appeal_number=1, outcome=BoardOutcome.UPHELD, decided_on=TODAY, reasons="",
                                   recorded_by="rolf.ek", today=TODAY)


def test_r9_the_boards_changed_decision_is_the_one_in_force_and_cannot_be_appealed_again():
    case = forwarded(DecisionKind.NO_PROGRAMME)
    case.record_board_decision(appeal_number=1, outcome=BoardOutcome.CHANGED, decided_on=TODAY, reasons="Behov finns.",
                               kind=DecisionKind.ESTABLISH_PROGRAMME, recorded_by="rolf.ek", today=TODAY)
    old, board = case.decisions
    assert not old.in_force and board.by_board and board.in_force and board.changes_decision == 1
    assert case.decision_awaiting_programme() is board
    with pytest.raises(AppealIsOnlyOfAnAppealableDecision):
        appeal(case, TODAY, number=2)


def test_r9_sent_back_for_a_new_decision_reopens_the_decision_step_and_ends_its_programme():
    case = with_participation(young_case())
    case.issue_programme(**PROGRAMME, issued_by="rolf.ek", on=DAY)
    appeal(case, DAY + timedelta(days=2))
    case.forward_appeal(appeal_number=1, forwarded_on=DAY + timedelta(days=5), comments="", documents=[],
                        forwarded_by="rolf.ek", today=TODAY)
    with pytest.raises(SentBackSaysWhereTheMatterGoes):
        case.record_board_decision(appeal_number=1, outcome=BoardOutcome.SENT_BACK, decided_on=TODAY, reasons="",
                                   recorded_by="rolf.ek", today=TODAY)
    case.record_board_decision(appeal_number=1, outcome=BoardOutcome.SENT_BACK, decided_on=TODAY,
                               reasons="Åtgärderna saknar koppling till behoven.", sent_back_to=SentBackTo.DECISION,
                               recorded_by="rolf.ek", today=TODAY)
    assert case.decisions[0].overturned and case.programme_in_force() is None
    assert case.status == "investigated"  # rektor decides again on the same investigation
    case.decide(kind=DecisionKind.ESTABLISH_PROGRAMME, decided_by="rolf.ek", by_rektor=True, on=TODAY)
    assert len(case.decisions) == 2


def test_r9_sent_back_for_a_new_investigation_lets_rektor_start_one():
    case = forwarded(DecisionKind.NO_PROGRAMME)
    case.record_board_decision(appeal_number=1, outcome=BoardOutcome.SENT_BACK, decided_on=TODAY, reasons="Utred igen.",
                               sent_back_to=SentBackTo.INVESTIGATION, recorded_by="rolf.ek", today=TODAY)
    assert case.status == "sent_back"
    case.start_investigation(started_by="rolf.ek", by_rektor=True, investigator="sara.berg", student_health_team=True, on=TODAY)
    assert case.status == "investigating" and len(case.investigations) == 2


def test_r9_a_handled_appeal_is_handled_once():
    case = forwarded()
    with pytest.raises(DecisionCannotBeForwardedAndChangedAtOnce):
        case.reject_late_appeal(appeal_number=1, reasons="", decided_by="rolf.ek", by_rektor=True, on=TODAY)
    lapsed = appeal(young_case(), DAY + timedelta(days=2))
    lapsed.change_on_reconsideration(appeal_number=1, kind=DecisionKind.ESTABLISH_PROGRAMME, reasons="", in_full=True,
                                     decided_by="rolf.ek", by_rektor=True, on=TODAY)
    with pytest.raises(AppealIsHandledOnce):
        lapsed.note_one_guardian_suffices(appeal_number=1, reason="x", recorded_by="rolf.ek")


# -- disposal ----------------------------------------------------------------------------------------
def test_r17_a_pupil_with_an_appeal_pending_is_never_disposed():
    case = forwarded(DecisionKind.NO_PROGRAMME)
    long_after = TODAY + timedelta(days=365 * 10)
    held = why_held_back(RetentionPlan({"support_case": 0}), [record_of(case)], long_after)
    assert isinstance(held, PupilIsNotDisposedWhileAnAppealIsPending)
    case.record_board_decision(appeal_number=1, outcome=BoardOutcome.UPHELD, decided_on=TODAY, reasons="",
                               recorded_by="rolf.ek", today=TODAY)
    assert why_held_back(RetentionPlan({"support_case": 0}), [record_of(case)], long_after) is None


def test_r9_the_boards_date_is_not_before_the_forwarding_nor_after_today():
    case = forwarded()
    for day in (DAY + timedelta(days=4), TODAY + timedelta(days=1)):  # forwarded on DAY + 5
        with pytest.raises(BoardDateIsPlausible):
            case.record_board_decision(appeal_number=1, outcome=BoardOutcome.UPHELD, decided_on=day, reasons="",
                                       recorded_by="rolf.ek", today=TODAY)
    assert case.appeals[0].board is None


def test_r9_a_changed_decision_states_what_it_was_changed_to():
    case = forwarded()
    with pytest.raises(ChangedDecisionStatesTheNewDecision):
        case.record_board_decision(appeal_number=1, outcome=BoardOutcome.CHANGED, decided_on=TODAY, reasons="",
                                   recorded_by="rolf.ek", today=TODAY)
    other = appeal(young_case(), DAY + timedelta(days=2))
    with pytest.raises(ChangedDecisionStatesTheNewDecision):  # closing a programme is no answer to an appeal
        other.change_on_reconsideration(appeal_number=1, kind=DecisionKind.CLOSE_PROGRAMME, reasons="", in_full=True,
                                        decided_by="rolf.ek", by_rektor=True, on=TODAY)
    assert len(case.decisions) == 1 and len(other.decisions) == 1
