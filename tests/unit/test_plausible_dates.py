"""Plausible dates everywhere (docs/rules.md, "Plausible dates"), rule by rule, in memory: a
typed date the domain cannot believe is refused by a rule named as a sentence, its message at
the form field, and nothing is stored. Found by testers: a delivery on 2999-01-01 gave a last
day to appeal in 2999; participation in 1900 and a delegation from 1900 to 2999 were accepted."""
from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

import pytest

from cases.domain import rules
from cases.domain.delegation import DelegationRegister
from cases.domain.model import SupportCase
from competence.domain import rules as competence_rules
from deviations.domain import rules as deviation_rules
from documentation.domain import rules as documentation_rules
from documentation.domain.values import CaseReference
from eventkit.dates import latest_ahead, local_day, school_year_end, school_year_start
from tests.unit import test_competence_rules as competence
from tests.unit import test_deviation_rules as deviations
from tests.unit import test_documentation_rules as documentation
from tests.unit.workflow import DAY, OPENED, PROGRAMME, decided, opened, with_participation

FAR_FUTURE, FAR_PAST = date(2999, 1, 1), date(1900, 1, 1)


def refused(rule: type[rules.RuleBroken], aggregate, action) -> rules.RuleBroken:
    """Runs `action`; it must break `rule` (its name and id in the refusal) and store nothing."""
    aggregate.collect_events()
    with pytest.raises(rule) as broken:
        action()
    assert aggregate.collect_events() == [], "a refused command stores nothing"
    assert str(broken.value).startswith(f"{rule.rule_id} {rule.__name__}".strip())
    return broken.value


# The school year and the year ahead ---------------------------------------------------------------
@pytest.mark.parametrize("day, start, end", [
    (date(2027, 6, 30), date(2026, 7, 1), date(2027, 6, 30)),
    (date(2027, 7, 1), date(2027, 7, 1), date(2028, 6, 30)),
    (date(2026, 12, 31), date(2026, 7, 1), date(2027, 6, 30)),
])
def test_the_school_year_runs_from_1_july_to_30_june(day, start, end):
    assert (school_year_start(day), school_year_end(day)) == (start, end)


def test_a_year_ahead_is_the_same_day_next_year_or_28_february():
    assert latest_ahead(date(2026, 9, 8)) == date(2027, 9, 8)
    assert latest_ahead(date(2028, 2, 29)) == date(2029, 2, 28)


# R9 delivery ----------------------------------------------------------------------------------------
def test_r9_delivery_date_is_not_before_the_decision():
    case = decided()  # on DAY
    rule = refused(rules.DeliveryCannotPrecedeTheDecision, case, lambda: case.record_delivery(
        decision_number=1, delivered_on=DAY - timedelta(days=1), recorded_by="rolf.ek", today=DAY))
    assert rule.rule_id == "R9" and set(rule.fields) == {"delivered_on"}
    assert "8 september 2026" in rule.fields["delivered_on"]


def test_r9_delivery_date_in_2999_is_refused_and_no_last_day_to_appeal_is_shown():
    case = decided()
    rule = refused(rules.DeliveryDateIsAtMostAYearAhead, case, lambda: case.record_delivery(
        decision_number=1, delivered_on=FAR_FUTURE, recorded_by="rolf.ek", today=DAY))
    assert "senast 8 september 2027" in rule.fields["delivered_on"]
    assert case.decision(1).delivered_on is None and case.decision(1).appeal_last_day is None
    case.record_delivery(decision_number=1, delivered_on=latest_ahead(DAY), recorded_by="rolf.ek", today=DAY)
    assert case.decision(1).delivered_on == date(2027, 9, 8)  # the last plausible day is taken


def test_r9_a_corrected_delivery_date_is_held_to_the_same_bounds_at_the_corrections_field():
    case = decided()
    case.record_delivery(decision_number=1, delivered_on=DAY, recorded_by="rolf.ek", today=DAY)
    delivery = case.version
    for value, rule in ((FAR_FUTURE, rules.DeliveryDateIsAtMostAYearAhead),
                        (DAY - timedelta(days=1), rules.DeliveryCannotPrecedeTheDecision)):
        broken = refused(rule, case, lambda: case.correct(corrects_version=delivery, value=value.isoformat(),
                                                          reason="Fel datum", corrected_by="rolf.ek", today=DAY))
        assert set(broken.fields) == {"value"}
    assert case.decision(1).delivered_on == DAY


# R8 participation -------------------------------------------------------------------------------------
def test_r8_participation_in_1900_is_refused_as_before_the_case_was_opened():
    case = decided()
    rule = refused(rules.ParticipationDateIsNotBeforeTheCaseWasOpened, case, lambda: case.record_participation(
        party="pupil", offered_on=FAR_PAST, took_part=True, views="", recorded_by="sara.berg", today=DAY))
    assert rule.rule_id == "R8" and set(rule.fields) == {"offered_on"}
    assert "1 september 2026" in rule.message  # the day the case was opened
    refused(rules.ParticipationDateIsNotBeforeTheCaseWasOpened, case, lambda: case.record_participation(
        party="pupil", offered_on=OPENED - timedelta(days=1), took_part=True, views="", recorded_by="sara.berg", today=DAY))
    case.record_participation(party="pupil", offered_on=OPENED, took_part=True, views="", recorded_by="sara.berg", today=DAY)
    assert case.participation[-1].offered_on == OPENED


def test_r8_participation_more_than_a_year_ahead_is_refused():
    case = decided()
    refused(rules.ParticipationDateIsAtMostAYearAhead, case, lambda: case.record_participation(
        party="guardians", offered_on=latest_ahead(DAY) + timedelta(days=1), took_part=True, views="",
        recorded_by="sara.berg", today=DAY))


def test_r8_a_case_stored_before_its_opening_day_was_kept_is_measured_from_when_it_was_stored():
    case = SupportCase(municipality="0180", school_unit="0180-ENG", pupil_personal_number="20100101-2382",
                       pupil_name="Elev Test", opened_by="anna.lind")  # the Opened event as stored before
    assert case.opened_on == local_day(case.created_on)
    assert opened().opened_on == OPENED  # a case opened now keeps its day in its first event


# R10 the programme's follow-up and evaluation ------------------------------------------------------
@pytest.mark.parametrize("changes, field", [
    ({"follow_up_dates": [date(2026, 10, 1), FAR_FUTURE]}, "follow_up_dates"),
    ({"evaluation_on": FAR_FUTURE}, "evaluation_on"),
])
def test_r10_follow_up_and_evaluation_dates_are_at_most_a_year_ahead(changes, field):
    case = with_participation(decided())
    rule = refused(rules.FollowUpAndEvaluationAreAtMostAYearAhead, case, lambda: case.issue_programme(
        **{**PROGRAMME, **changes}, issued_by="rolf.ek", on=DAY))
    assert rule.rule_id == "R10" and set(rule.fields) == {field} and "senast 8 september 2027" in rule.fields[field]
    case.issue_programme(**{**PROGRAMME, "evaluation_on": latest_ahead(DAY)}, issued_by="rolf.ek", on=DAY)
    assert case.programme_in_force().evaluation_on == date(2027, 9, 8)


# R5 delegation periods ----------------------------------------------------------------------------------
def delegate(register: DelegationRegister, valid_from: date, valid_to: date, today: date = DAY):
    return lambda: register.register(delegate="sara.berg", kinds=("no_programme",), valid_from=valid_from,
                                     valid_to=valid_to, registered_by="rolf.ek", by_rektor=True, today=today)


def test_r5_a_delegation_from_1900_to_2999_is_refused():
    register = DelegationRegister(municipality="0180", school_unit="0180-ENG")
    rule = refused(rules.DelegationDoesNotStartBeforeTheCurrentSchoolYear, register, delegate(register, FAR_PAST, FAR_FUTURE))
    assert rule.rule_id == "R5" and set(rule.fields) == {"valid_from"} and "1 juli 2026" in rule.message
    assert register.grants == []


def test_r5_a_delegation_starts_no_earlier_than_the_current_school_year_and_at_most_a_year_ahead():
    register = DelegationRegister(municipality="0180", school_unit="0180-ENG")
    refused(rules.DelegationDoesNotStartBeforeTheCurrentSchoolYear, register, delegate(register, date(2026, 6, 30), date(2026, 6, 30)))
    refused(rules.DelegationStartsAtMostAYearAhead, register, delegate(register, date(2027, 9, 9), date(2028, 6, 30)))
    delegate(register, date(2026, 7, 1), date(2027, 6, 30))()  # the whole current school year
    delegate(register, date(2027, 8, 1), date(2028, 6, 30))()  # next school year, planned ahead
    assert [(g.valid_from, g.valid_to) for g in register.grants] == [
        (date(2026, 7, 1), date(2027, 6, 30)), (date(2027, 8, 1), date(2028, 6, 30))]


def test_r5_a_delegation_lasts_at_most_to_30_june_of_the_school_year_it_starts_in():
    register = DelegationRegister(municipality="0180", school_unit="0180-ENG")
    rule = refused(rules.DelegationLastsAtMostToTheEndOfItsSchoolYear, register,
                   delegate(register, date(2026, 8, 1), date(2027, 7, 1)))
    assert set(rule.fields) == {"valid_to"} and "30 juni 2027" in rule.message
    rule = refused(rules.DelegationEndsNoEarlierThanItStarts, register, delegate(register, date(2026, 9, 10), date(2026, 9, 9)))
    assert set(rule.fields) == {"valid_to"}


# R19 deviations -------------------------------------------------------------------------------------------
def test_r19_a_deviation_did_not_occur_in_the_future_nor_before_the_child_could_have_been_a_pupil():
    today = deviations.TODAY  # 10 March 2026
    with pytest.raises(deviation_rules.DeviationDateIsNotInTheFuture):
        deviations.report(occurred_on=today + timedelta(days=1))
    with pytest.raises(deviation_rules.DeviationOccurredWhileTheChildCouldBeAPupil) as broken:
        deviations.report(occurred_on=FAR_PAST)
    assert broken.value.rule_id == "R19" and set(broken.value.fields) == {"occurred_on"}
    assert "10 mars 2001" in broken.value.message  # 25 years back: eventkit.personnummer.PUPIL_AGE_YEARS
    with pytest.raises(deviation_rules.DeviationOccurredWhileTheChildCouldBeAPupil):
        deviations.report(occurred_on=date(2001, 3, 9))
    assert deviations.report(occurred_on=date(2001, 3, 10)).occurred_on == date(2001, 3, 10)
    assert deviations.report(occurred_on=today).occurred_on == today


# Documentation: a recorded intervention --------------------------------------------------------------------
def test_an_intervention_is_not_dated_in_the_future_nor_more_than_a_year_back():
    today = documentation.TODAY  # 10 March 2026
    with pytest.raises(documentation_rules.InterventionDateIsNotInTheFuture) as broken:
        documentation.record(performed_on=today + timedelta(days=1))
    assert set(broken.value.fields) == {"performed_on"}
    with pytest.raises(documentation_rules.InterventionDateIsAtMostAYearBack) as broken:
        documentation.record(performed_on=FAR_PAST)
    assert "10 mars 2025" in broken.value.message
    assert documentation.record(performed_on=date(2025, 3, 10)).performed_on == date(2025, 3, 10)


def test_an_implausible_day_beside_other_problems_stands_at_its_field_among_them():
    with pytest.raises(documentation_rules.InvalidIntervention) as refused_:
        documentation.record(performed_on=FAR_FUTURE, minutes=0)
    assert set(refused_.value.fields) == {"performed_on", "minutes"}


def test_r14_an_intervention_in_a_pupils_case_is_not_dated_before_the_case_was_opened():
    case = CaseReference(uuid4(), "0180", "0180-ENG", open_investigation=None, opened_on=date(2026, 3, 1))
    individual = dict(level="individual", group="", case=case, kind="teaching")
    with pytest.raises(documentation_rules.InterventionDateIsNotBeforeThePupilsCase) as broken:
        documentation.record(**individual, performed_on=date(2026, 2, 27))
    assert "1 mars 2026" in broken.value.message and set(broken.value.fields) == {"performed_on"}
    assert documentation.record(**individual, performed_on=date(2026, 3, 1)).case_id == str(case.case_id)


def test_a_correction_keeping_a_day_believed_when_recorded_is_not_refused_for_it_a_year_later():
    intervention = documentation.record(performed_on=date(2026, 3, 2))
    documentation.correct(intervention, minutes=45, today=date(2027, 5, 1))
    assert intervention.minutes == 45
    with pytest.raises(documentation_rules.InterventionDateIsAtMostAYearBack):
        documentation.correct(intervention, performed_on=date(2026, 3, 3), today=date(2027, 5, 1))


# R12, R13 the mission ---------------------------------------------------------------------------------------
def test_r13_a_goals_last_follow_up_is_at_most_a_year_ahead():
    m = competence.mission()
    rule = competence.refused(competence_rules.GoalIsFollowedUpWithinAYear, lambda: competence.goal(
        m, follow_up_dates=[competence.TODAY + timedelta(days=30), FAR_FUTURE]))
    assert set(rule.fields) == {"follow_up_dates"} and "senast 10 mars 2027" in rule.message
    assert m.goals == {}
    competence.goal(m, follow_up_dates=[latest_ahead(competence.TODAY)])


def test_r12_an_activity_is_planned_from_the_missions_start_to_a_year_ahead_and_done_after_the_start():
    m = competence.mission()  # started on TODAY, 10 March 2026
    need = m.map_need(competence.REKTOR, "rolf.ek", "Läsfrämjande lärmiljö", competence.TODAY)
    plan = dict(need_id=need, title="Kurs", planned_hours=8, on=competence.TODAY)
    rule = competence.refused(competence_rules.DateIsNotBeforeTheMission, lambda: m.plan_activity(
        competence.EDUCATOR, "sara.berg", **plan, planned_by=FAR_PAST))
    assert set(rule.fields) == {"planned_by"} and "10 mars 2026" in rule.message
    competence.refused(competence_rules.ActivityIsPlannedAtMostAYearAhead, lambda: m.plan_activity(
        competence.EDUCATOR, "sara.berg", **plan, planned_by=FAR_FUTURE))
    activity = m.plan_activity(competence.EDUCATOR, "sara.berg", **plan, planned_by=date(2026, 6, 1))
    rule = competence.refused(competence_rules.DateIsNotBeforeTheMission, lambda: m.complete_activity(
        competence.EDUCATOR, "sara.berg", activity, completed_on=FAR_PAST, hours_spent=8, today=competence.TODAY))
    assert set(rule.fields) == {"on"}  # the form's completed_on (frontend ALIASES)
    m.arrange_supervision(competence.REKTOR, "rolf.ek", provider="external", sessions_per_term=4, on=competence.TODAY)
    competence.refused(competence_rules.DateIsNotBeforeTheMission, lambda: m.record_supervision(
        competence.EDUCATOR, "sara.berg", held_on=competence.TODAY - timedelta(days=1), minutes=60, today=competence.TODAY))
