"""The support case after the referral, rule by rule (R3–R11, R16, R18), in memory."""
from __future__ import annotations

from dataclasses import fields
from datetime import date, timedelta

import pytest

from cases.domain import rules
from cases.domain.decision import APPEAL_INSTRUCTIONS, DecisionKind, Placement
from cases.domain.delegation import DelegationRegister
from cases.domain.programme import Measure
from tests.unit.workflow import (
    ALL_PARTS, DAY, MEASURES, PROGRAMME, decided, investigated, investigating, opened, referred,
    with_participation, with_programme,
)


def refused(rule: type[rules.RuleBroken], case, action):
    """Runs `action`; it must break `rule` and leave no new event behind."""
    case.collect_events()
    with pytest.raises(rule) as broken:
        action()
    assert case.collect_events() == [], "a refused command stores nothing"
    return broken.value


def register(**overrides) -> DelegationRegister:
    register = DelegationRegister(municipality="0180", school_unit="0180-ENG")
    grant = dict(delegate="sara.berg", kinds=("establish_programme", "no_programme"), valid_from=date(2026, 8, 1),
                 valid_to=date(2027, 6, 30), registered_by="rolf.ek", by_rektor=True)
    register.register(**{**grant, **overrides}, today=DAY)
    return register


# R3 ----------------------------------------------------------------------------------------
def test_r3_only_rektor_starts_the_investigation_and_only_after_a_referral():
    refused(rules.ReferralMustComeBeforeTheInvestigation, case := opened(), lambda: case.start_investigation(
        started_by="rolf.ek", by_rektor=True, investigator="sara.berg", student_health_team=True, on=DAY))
    refused(rules.OnlyRektorStartsTheInvestigation, case := referred(), lambda: case.start_investigation(
        started_by="sara.berg", by_rektor=False, investigator="sara.berg", student_health_team=True, on=DAY))


def test_r3_without_the_student_health_team_a_reason_is_required():
    case = referred()
    rule = refused(rules.InvestigationWithoutStudentHealthTeamNeedsAReason, case, lambda: case.start_investigation(
        started_by="rolf.ek", by_rektor=True, investigator="sara.berg", student_health_team=False, on=DAY))
    assert rule.rule_id == "R3"
    case.start_investigation(started_by="rolf.ek", by_rektor=True, investigator="sara.berg", student_health_team=False,
                             without_team_reason="Enbart ett ämne berörs; läraren och specialpedagogen räcker.", on=DAY)
    assert case.investigation.without_team_reason.startswith("Enbart")


def test_r3_the_investigation_cannot_conclude_without_every_view_and_the_environment_analysis():
    case = investigating()
    case.record_investigation({k: v for k, v in ALL_PARTS.items() if k != "environment_group"}, recorded_by="sara.berg")
    rule = refused(rules.InvestigationMustCoverEveryPerspective, case,
                   lambda: case.conclude_investigation(proposal="", concluded_by="sara.berg", on=DAY))
    assert set(rule.fields) == {"environment_group", "proposal"}
    case.record_investigation({"environment_group": "Stökig klass"}, recorded_by="sara.berg")
    case.conclude_investigation(proposal="Upprätta åtgärdsprogram", concluded_by="sara.berg", on=DAY)
    assert case.status == "investigated"


# R4 ----------------------------------------------------------------------------------------
def test_r4_a_decision_needs_a_concluded_investigation_and_answers_it_exactly_once():
    case = investigating()
    refused(rules.DecisionNeedsAConcludedInvestigation, case,
            lambda: case.decide(kind=DecisionKind.NO_PROGRAMME, decided_by="rolf.ek", by_rektor=True, on=DAY))
    case = decided(DecisionKind.NO_PROGRAMME)
    refused(rules.DecisionNeedsAConcludedInvestigation, case,
            lambda: case.decide(kind=DecisionKind.ESTABLISH_PROGRAMME, decided_by="rolf.ek", by_rektor=True, on=DAY))


def test_r4_every_new_programme_needs_a_new_decision():
    case = with_programme()
    refused(rules.ProgrammeNeedsADecisionToEstablishIt, case, lambda: case.issue_programme(**PROGRAMME, issued_by="rolf.ek", on=DAY))
    investigated(case)
    refused(rules.ProgrammeIsAlreadyInPlace, case,
            lambda: case.decide(kind=DecisionKind.ESTABLISH_PROGRAMME, decided_by="rolf.ek", by_rektor=True, on=DAY))
    case.decide(kind=DecisionKind.CONTINUE_WITH_NEW_MEASURES, decided_by="rolf.ek", by_rektor=True, on=DAY)
    case.issue_programme(**{**PROGRAMME, "needs": "Nya behov i matematik"}, issued_by="rolf.ek", on=DAY)
    assert [p.closed_on is None for p in case.programmes] == [False, True]


def test_r4_continue_or_close_need_a_programme_in_place():
    case = investigated()
    refused(rules.DecisionKindNeedsAProgrammeInPlace, case,
            lambda: case.decide(kind=DecisionKind.CLOSE_PROGRAMME, decided_by="rolf.ek", by_rektor=True, on=DAY))


# R5 ----------------------------------------------------------------------------------------
def test_r5_a_delegate_decides_under_a_registered_delegation_and_the_decision_says_so():
    case = investigated()
    grant = register().grant_for("sara.berg", "establish_programme", DAY)
    case.decide(kind=DecisionKind.ESTABLISH_PROGRAMME, decided_by="sara.berg", by_rektor=False, delegation=grant, on=DAY)
    assert case.decisions[-1].delegation_number == 1


@pytest.mark.parametrize("when, kind", [(date(2027, 7, 1), "establish_programme"), (DAY, "close_programme")])
def test_r5_no_decision_outside_the_delegation_in_time_or_kind(when, kind):
    case = investigated()
    grant = register().grant_for("sara.berg", kind, when)
    assert grant is None
    rule = refused(rules.DecisionByOthersThanRektorNeedsAValidDelegation, case, lambda: case.decide(
        kind=DecisionKind.ESTABLISH_PROGRAMME, decided_by="sara.berg", by_rektor=False, delegation=grant, on=when))
    assert rule.rule_id == "R5" and "2 kap. 10 §" in rule.message


def test_r5_a_revoked_delegation_no_longer_covers_and_both_events_are_kept():
    delegations = register()
    delegations.revoke(number=1, on=DAY, revoked_by="rolf.ek", by_rektor=True)
    assert delegations.grant_for("sara.berg", "establish_programme", DAY) is None
    assert [type(e).__name__ for e in delegations.collect_events()] == ["Created", "DelegationRegistered", "DelegationRevoked"]


def test_r5_only_rektor_delegates_and_a_delegation_states_who_what_and_when():
    with pytest.raises(rules.OnlyRektorDelegates):
        register(by_rektor=False)
    with pytest.raises(rules.DelegationMustStateWhoWhatAndWhen) as broken:
        register(delegate="", valid_to=None)
    assert set(broken.value.fields) == {"delegate", "valid_to"}


# R6 ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("placement", list(Placement))
def test_r6_special_teaching_group_individual_tuition_or_adapted_study_path_is_refused_from_a_delegate(placement):
    case = investigated()
    grant = register().grant_for("sara.berg", "establish_programme", DAY)
    rule = refused(rules.DecisionOnSpecialTeachingGroupCannotBeDelegated, case, lambda: case.decide(
        kind=DecisionKind.ESTABLISH_PROGRAMME, placements=(placement,), decided_by="sara.berg", by_rektor=False,
        delegation=grant, on=DAY))
    assert rule.rule_id == "R6"
    assert "3 kap. 11 §" in rule.message and "12 §" in rule.message and "2 kap. 10 §" in rule.message


def test_r6_rektor_in_person_may_take_it():
    case = investigated()
    case.decide(kind=DecisionKind.ESTABLISH_PROGRAMME, placements=(Placement.SPECIAL_TEACHING_GROUP,),
                decided_by="rolf.ek", by_rektor=True, on=DAY)
    assert case.decisions[-1].placements == (Placement.SPECIAL_TEACHING_GROUP,)


# R7 ----------------------------------------------------------------------------------------
def test_r7_a_programme_missing_any_part_is_refused_with_a_message_per_part():
    case = with_participation(decided())
    rule = refused(rules.ActionProgrammeMustStateNeedsMeasuresAndFollowUp, case, lambda: case.issue_programme(
        needs=" ", measures=[{"description": "Lästräning", "extent": "", "responsible": ""}], follow_up_dates=[],
        follow_up_responsible="", evaluation_on=None, evaluation_responsible="", issued_by="rolf.ek", on=DAY))
    assert set(rule.fields) == {
        "needs", "measures.0.extent", "measures.0.responsible", "follow_up_dates", "follow_up_responsible",
        "evaluation_on", "evaluation_responsible",
    }
    assert all(message for message in rule.fields.values())


def test_r7_a_complete_programme_is_issued_with_measures_extent_and_responsible():
    case = with_programme()
    assert case.status == "programme"
    assert case.programmes[-1].measures == tuple(Measure(**m) for m in MEASURES)
    assert case.decisions[-1].programme_number == 1


# R8 ----------------------------------------------------------------------------------------
def test_r8_no_programme_before_pupil_and_guardians_were_offered_participation():
    case = decided()
    case.record_participation(party="pupil", offered_on=DAY, took_part=True, views="Vill ha lugn plats", recorded_by="sara.berg", today=DAY)
    refused(rules.ProgrammeNeedsPupilAndGuardiansOfferedParticipation, case,
            lambda: case.issue_programme(**PROGRAMME, issued_by="rolf.ek", on=DAY))
    case.record_participation(party="guardians", offered_on=DAY, took_part=False, views="", recorded_by="sara.berg", today=DAY)
    case.issue_programme(**PROGRAMME, issued_by="rolf.ek", on=DAY)
    assert [(p.party, p.took_part) for p in case.participation] == [("pupil", True), ("guardians", False)]


def test_r8_each_guardian_of_the_register_can_be_offered_participation_on_their_own():
    mother, father = "guardian:6f1c5a2e-4b7d-4c1e-9a53-2d8f0b7e9c41", "guardian:0b2d7c1e-9a53-4c1e-8f0b-7e9c416f1c5a"
    case = decided()
    case.record_participation(party="pupil", offered_on=DAY, took_part=True, views="", recorded_by="sara.berg", today=DAY)
    case.record_participation(party=mother, offered_on=DAY, took_part=True, views="Vill ha veckobrev", recorded_by="sara.berg", today=DAY)
    case.record_participation(party=father, offered_on=DAY, took_part=False, views="", recorded_by="sara.berg", today=DAY)
    case.issue_programme(**PROGRAMME, issued_by="rolf.ek", on=DAY)
    assert [(p.party, p.took_part) for p in case.participation][1:] == [(mother, True), (father, False)]
    for nobody in ("guardian:anna", "guardian:", "granne", "guardians:6f1c5a2e-4b7d-4c1e-9a53-2d8f0b7e9c41"):
        refused(rules.ProgrammeNeedsPupilAndGuardiansOfferedParticipation, case,
                lambda: case.record_participation(party=nobody, offered_on=DAY, took_part=True, views="", recorded_by="x", today=DAY))


# R9 ----------------------------------------------------------------------------------------
def test_r9_an_appealable_decision_carries_instructions_and_the_window_runs_three_weeks_from_delivery():
    case = decided(DecisionKind.NO_PROGRAMME)
    decision = case.decisions[-1]
    assert decision.appealable and decision.appeal_instructions == APPEAL_INSTRUCTIONS
    assert "Skolväsendets överklagandenämnd" in APPEAL_INSTRUCTIONS and "skriftligt" in APPEAL_INSTRUCTIONS
    refused(rules.DeliveryCannotPrecedeTheDecision, case,
            lambda: case.record_delivery(decision_number=1, delivered_on=DAY - timedelta(days=1), recorded_by="rolf.ek", today=DAY))
    case.record_delivery(decision_number=1, delivered_on=date(2026, 9, 10), recorded_by="rolf.ek", today=DAY)
    assert case.decision(1).appeal_last_day == date(2026, 10, 1)  # a new value; the one read above stays as it was


def test_r9_closing_a_programme_is_not_appealable():
    case = with_programme()
    case.record_evaluation(outcome="Målen nådda", evaluated_by="rolf.ek", on=DAY)
    investigated(case)
    case.decide(kind=DecisionKind.CLOSE_PROGRAMME, decided_by="rolf.ek", by_rektor=True, on=DAY)
    assert case.decisions[-1].appealable is False and case.decisions[-1].appeal_instructions == ""


# R10 ---------------------------------------------------------------------------------------
def test_r10_a_programme_cannot_be_closed_without_an_evaluation_and_a_closing_decision():
    case = with_programme()
    for _ in range(3):
        case.record_follow_up(findings="Läser längre texter", followed_up_by="sara.berg", on=DAY)
    investigated(case)
    refused(rules.ProgrammeCannotBeClosedWithoutAnEvaluation, case,
            lambda: case.decide(kind=DecisionKind.CLOSE_PROGRAMME, decided_by="rolf.ek", by_rektor=True, on=DAY))
    case.record_evaluation(outcome="Målen nådda", evaluated_by="rolf.ek", on=DAY)
    case.decide(kind=DecisionKind.CLOSE_PROGRAMME, decided_by="rolf.ek", by_rektor=True, on=DAY)
    assert case.status == "closed" and case.programmes[-1].closed_on == DAY


def test_r10_support_is_not_withdrawn_without_a_new_investigation_and_decision():
    case = with_programme()
    case.record_evaluation(outcome="Målen nådda", evaluated_by="rolf.ek", on=DAY)
    refused(rules.DecisionNeedsAConcludedInvestigation, case,
            lambda: case.decide(kind=DecisionKind.CLOSE_PROGRAMME, decided_by="rolf.ek", by_rektor=True, on=DAY))
    assert case.programme_in_force() is not None


def test_r10_follow_ups_need_a_programme_in_force():
    case = decided()
    refused(rules.FollowUpNeedsAProgrammeInForce, case,
            lambda: case.record_follow_up(findings="x", followed_up_by="sara.berg", on=DAY))


# R11 ---------------------------------------------------------------------------------------
def test_r11_a_programme_is_valid_only_at_the_unit_that_made_it():
    case = with_programme()
    case.move_to_school_unit(to_unit="0180-KAT", moved_by="rolf.ek", on=DAY)
    assert case.programme_in_force() is None and case.programmes[-1].school_unit == "0180-ENG"
    refused(rules.ProgrammeIsValidOnlyAtTheSchoolUnitThatMadeIt, case,
            lambda: case.record_follow_up(findings="x", followed_up_by="sara.berg", on=DAY))
    # The new unit investigates and decides anew.
    investigated(case)
    case.decide(kind=DecisionKind.ESTABLISH_PROGRAMME, decided_by="karin.holm", by_rektor=True, on=DAY)
    assert case.decisions[-1].school_unit == "0180-KAT"


def test_r11_an_undecided_investigation_does_not_follow_the_pupil():
    case = investigated()
    case.move_to_school_unit(to_unit="0180-KAT", moved_by="rolf.ek", on=DAY)
    refused(rules.DecisionNeedsAConcludedInvestigation, case,
            lambda: case.decide(kind=DecisionKind.NO_PROGRAMME, decided_by="karin.holm", by_rektor=True, on=DAY))


# R16 ---------------------------------------------------------------------------------------
def test_r16_a_correction_is_a_new_event_that_references_what_it_corrects():
    case = decided(DecisionKind.NO_PROGRAMME)
    case.record_delivery(decision_number=1, delivered_on=date(2026, 9, 10), recorded_by="rolf.ek", today=DAY)
    delivery_version = case.version
    case.collect_events()
    case.correct(corrects_version=delivery_version, value="2026-09-14", reason="Fel datum", corrected_by="rolf.ek", today=DAY)
    [correction] = case.collect_events()
    assert type(correction).__name__ == "Corrected" and correction.corrects_version == delivery_version
    assert case.decisions[0].appeal_last_day == date(2026, 10, 5)


def test_r16_a_correction_must_name_a_correctable_entry_and_a_reason():
    case = referred()
    refused(rules.CorrectionMustReferenceACorrectableEntry, case,
            lambda: case.correct(corrects_version=1, value="x", reason="y", corrected_by="anna.lind", today=DAY))
    refused(rules.CorrectionNeedsAReason, case,
            lambda: case.correct(corrects_version=2, value="Förlängd tid", reason=" ", corrected_by="anna.lind", today=DAY))
    case.correct(corrects_version=2, value="Förlängd tid", reason="Stavfel", corrected_by="anna.lind", today=DAY)
    assert case.adaptations[0].description == "Förlängd tid"


def test_r16_a_correction_names_the_part_of_the_investigation_it_corrects():
    """Parts saved together are one entry; each of them, and the proposal, is corrected on its own."""
    case = investigated()
    recorded = next(v for v, (kind, _) in case.entries.items() if kind == "investigation")
    assert set(case.correctable_fields(recorded)) == set(ALL_PARTS)
    case.collect_events()
    case.correct(corrects_version=recorded, field="guardians_view", value="Vårdnadshavarna ser oro inför prov.",
                 reason="Fel uppgift", corrected_by="sara.berg", today=DAY)
    [correction] = case.collect_events()
    assert correction.field == "guardians_view" and correction.corrects_version == recorded
    parts = case.investigations[0].parts
    assert parts["guardians_view"] == "Vårdnadshavarna ser oro inför prov."
    assert parts["pupil_view"] == ALL_PARTS["pupil_view"] and parts["environment_individual"] == ALL_PARTS["environment_individual"]
    assert case.correctable_fields(recorded)["guardians_view"] == "Vårdnadshavarna ser oro inför prov."
    proposal = next(v for v, (kind, _) in case.entries.items() if kind == "proposal")
    case.correct(corrects_version=proposal, value="Upprätta åtgärdsprogram i svenska.", reason="Förtydligat",
                 corrected_by="sara.berg", today=DAY)
    assert case.investigations[0].proposal == "Upprätta åtgärdsprogram i svenska."


def test_r16_a_correction_refuses_a_field_the_entry_does_not_have_and_an_unchanged_value():
    case = investigated()
    recorded = next(v for v, (kind, _) in case.entries.items() if kind == "investigation")
    for field in ("", "proposal", "diagnosis"):  # several parts: one must be named; none other than its own
        rule = refused(rules.CorrectionNamesAFieldOfTheEntry, case, lambda: case.correct(
            corrects_version=recorded, field=field, value="Ny text", reason="Fel", corrected_by="sara.berg", today=DAY))
        assert rule.rule_id == "R16" and set(rule.fields) == {"field"}
    rule = refused(rules.CorrectionChangesTheValue, case, lambda: case.correct(
        corrects_version=recorded, field="school_view", value=ALL_PARTS["school_view"], reason="Fel",
        corrected_by="sara.berg", today=DAY))
    assert set(rule.fields) == {"value"}


def test_r16_a_delivery_is_recorded_once_and_then_only_corrected():
    case = decided(DecisionKind.NO_PROGRAMME)
    case.record_delivery(decision_number=1, delivered_on=DAY, recorded_by="rolf.ek", today=DAY)
    refused(rules.DeliveryIsRecordedOnce, case,
            lambda: case.record_delivery(decision_number=1, delivered_on=DAY, recorded_by="rolf.ek", today=DAY))


# R18 ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("needs", ["Eleven har diagnosen ADHD", "Autism gör att eleven behöver struktur"])
def test_r18_a_programme_mentioning_a_diagnosis_is_refused(needs):
    case = with_participation(decided())
    rule = refused(rules.ActionProgrammeHoldsNoDiagnoses, case,
                   lambda: case.issue_programme(**{**PROGRAMME, "needs": needs}, issued_by="rolf.ek", on=DAY))
    assert set(rule.fields) == {"needs"} and rule.rule_id == "R18"


def test_r18_the_programme_holds_only_needs_measures_and_follow_up():
    case = with_programme()
    assert {f.name for f in fields(case.programmes[-1])} == {
        "number", "decision_number", "school_unit", "needs", "measures", "follow_up_dates", "follow_up_responsible",
        "evaluation_on", "evaluation_responsible", "issued_by", "issued_on", "follow_ups", "evaluation", "closed_on",
        "superseded",
    }
