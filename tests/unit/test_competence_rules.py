"""The special educator's mission and the quality cycle (R12, R13), in memory: no database,
no broker."""
from datetime import date, timedelta

import pytest

from competence.domain import rules
from competence.domain.mission import Mission
from competence.domain.profile import EducatorProfile, ProfileNamesADegree, SpecialisationsAreFromTheList
from competence.domain.values import Party

TODAY = date(2026, 3, 10)
REKTOR, EDUCATOR = Party.REKTOR, Party.SPECIAL_EDUCATOR


def mission() -> Mission:
    m = Mission.start(municipality="0180", school_unit="0180-ENG", special_educator="sara.berg",
                      started_by="rolf.ek", on=TODAY)
    m.describe(REKTOR, "rolf.ek", "Främst förebyggande arbete på organisations- och gruppnivå.", TODAY)
    return m


def goal(m: Mission, **changes) -> str:
    fields = dict(text_="Handleda alla arbetslag i läsfrämjande lärmiljö.", today=TODAY,
                  follow_up_dates=[TODAY + timedelta(days=30), TODAY + timedelta(days=90)])
    fields.update(changes)
    return m.propose_goal(REKTOR, "rolf.ek", **fields)


def agreed_goal(m: Mission) -> str:
    goal_id = goal(m)
    m.confirm_goal(REKTOR, "rolf.ek", goal_id, TODAY)
    m.confirm_goal(EDUCATOR, "sara.berg", goal_id, TODAY)
    return goal_id


def refused(rule: type, call) -> rules.RuleBroken:
    with pytest.raises(rule) as caught:
        call()
    assert str(caught.value).startswith(rule.rule_id) and caught.value.message
    return caught.value


def test_r12_a_goal_is_in_force_only_when_both_rektor_and_the_special_educator_confirmed():
    m = mission()
    goal_id = goal(m)
    assert m.goal_status(goal_id) == "proposed"
    assert m.confirm_goal(REKTOR, "rolf.ek", goal_id, TODAY) is False
    assert m.goal_status(goal_id) == "proposed"
    assert m.confirm_goal(EDUCATOR, "sara.berg", goal_id, TODAY + timedelta(days=1)) is True
    assert m.goal_status(goal_id) == "in_force"
    assert m.goals[goal_id]["in_force_on"] == TODAY + timedelta(days=1)
    assert set(m.goals[goal_id]["confirmed"]) == {"rektor", "special_educator"}


def test_r12_each_party_confirms_once_and_one_party_alone_never_puts_a_goal_in_force():
    m = mission()
    goal_id = goal(m)
    m.confirm_goal(REKTOR, "rolf.ek", goal_id, TODAY)
    version = m.version
    error = refused(rules.EachPartyConfirmsOnce, lambda: m.confirm_goal(REKTOR, "rolf.ek", goal_id, TODAY))
    assert error.rule_id == "R12"
    assert m.version == version and m.goal_status(goal_id) == "proposed"


def test_r12_the_mission_description_is_in_force_when_both_confirmed_the_current_wording():
    m = mission()
    m.confirm_description(REKTOR, "rolf.ek", 1, TODAY)
    revision = m.describe(EDUCATOR, "sara.berg", "Förebyggande arbete och pedagogiska bedömningar.", TODAY)
    assert revision == 2 and m.description["confirmed"] == {}  # a new wording is confirmed anew
    refused(rules.ConfirmationIsOfTheCurrentWording, lambda: m.confirm_description(EDUCATOR, "sara.berg", 1, TODAY))
    m.confirm_description(EDUCATOR, "sara.berg", 2, TODAY)
    assert not m.in_force
    m.confirm_description(REKTOR, "rolf.ek", 2, TODAY)
    assert m.in_force


def test_r12_goals_are_set_within_a_described_mission_and_need_a_text():
    bare = Mission.start(municipality="0180", school_unit="0180-ENG", special_educator="sara.berg",
                         started_by="rolf.ek", on=TODAY)
    refused(rules.GoalsAreSetWithinADescribedMission, lambda: goal(bare))
    refused(rules.GoalNeedsAText, lambda: goal(mission(), text_="   "))
    refused(rules.MissionDescriptionNeedsAText, lambda: mission().describe(REKTOR, "rolf.ek", "", TODAY))
    refused(rules.MissionIsStartedByRektorForASpecialEducator, lambda: Mission.start(
        municipality="0180", school_unit="0180-ENG", special_educator="rolf.ek", started_by="rolf.ek", on=TODAY))


def test_r12_the_competence_plan_links_activities_to_mapped_needs_and_only_rektor_allots_time():
    m = mission()
    refused(rules.ActivityAddressesAMappedNeed, lambda: m.plan_activity(
        EDUCATOR, "sara.berg", need_id="nope", title="Kurs", planned_hours=8, planned_by=None, on=TODAY))
    need = m.map_need(EDUCATOR, "sara.berg", "Fördjupning i matematiksvårigheter", TODAY)
    activity = m.plan_activity(EDUCATOR, "sara.berg", need_id=need, title="Kurs i dyskalkyli", planned_hours=16,
                               planned_by=date(2026, 6, 1), on=TODAY)
    refused(rules.OnlyRektorAllotsTime, lambda: m.allot_time(EDUCATOR, "sara.berg", activity, 16, TODAY))
    refused(rules.HoursAreBetweenHalfAnHourAndFiveHundred, lambda: m.allot_time(REKTOR, "rolf.ek", activity, 0, TODAY))
    m.allot_time(REKTOR, "rolf.ek", activity, 12, TODAY)
    refused(rules.DateIsNotInTheFuture, lambda: m.complete_activity(
        EDUCATOR, "sara.berg", activity, completed_on=TODAY + timedelta(days=1), hours_spent=12, today=TODAY))
    m.complete_activity(EDUCATOR, "sara.berg", activity, completed_on=TODAY, hours_spent=12, today=TODAY)
    refused(rules.ActivityIsCompletedOnce, lambda: m.complete_activity(
        EDUCATOR, "sara.berg", activity, completed_on=TODAY, hours_spent=1, today=TODAY))
    assert (m.activities[activity]["allotted_hours"], m.activities[activity]["hours_spent"]) == (12.0, 12.0)


def test_r12_supervision_access_is_arranged_by_rektor_before_sessions_are_recorded():
    m = mission()
    refused(rules.SupervisionIsRecordedWhenArranged, lambda: m.record_supervision(
        EDUCATOR, "sara.berg", held_on=TODAY, minutes=90, today=TODAY))
    refused(rules.OnlyRektorArrangesSupervision, lambda: m.arrange_supervision(
        EDUCATOR, "sara.berg", provider="external", sessions_per_term=4, on=TODAY))
    refused(rules.SupervisionHasAProvider, lambda: m.arrange_supervision(
        REKTOR, "rolf.ek", provider="neighbour", sessions_per_term=4, on=TODAY))
    m.arrange_supervision(REKTOR, "rolf.ek", provider="external", sessions_per_term=4, on=TODAY)
    refused(rules.SupervisionSessionLastsFifteenMinutesToADay, lambda: m.record_supervision(
        EDUCATOR, "sara.berg", held_on=TODAY, minutes=5, today=TODAY))
    m.record_supervision(EDUCATOR, "sara.berg", held_on=TODAY, minutes=90, today=TODAY)
    assert [s["minutes"] for s in m.sessions] == [90]


def test_r12_the_profile_names_degree_qualification_and_specialisations_from_the_lists():
    profile = EducatorProfile.record(municipality="0180", user_id="sara.berg", degree="Speciallärarexamen 2019",
                                     qualification="special_teacher_degree", specialisations=["mathematics"])
    assert profile.change(degree="Speciallärarexamen 2019", qualification="special_teacher_degree",
                          specialisations=["mathematics"]) is False
    refused(ProfileNamesADegree, lambda: profile.change(degree="", qualification="not_qualified", specialisations=[]))
    refused(SpecialisationsAreFromTheList, lambda: profile.change(degree="x", qualification="not_qualified",
                                                                  specialisations=["astrology"]))


def test_r13_a_goal_has_a_follow_up_schedule_in_order_from_today():
    m = mission()
    for dates in ([], [TODAY - timedelta(days=1)], [TODAY + timedelta(days=9), TODAY + timedelta(days=2)],
                  [TODAY + timedelta(days=n) for n in range(1, 14)]):
        refused(rules.GoalHasAFollowUpSchedule, lambda: goal(m, follow_up_dates=dates))
    assert not m.goals


def test_r13_only_the_special_educator_reports_follow_ups_and_only_on_goals_in_force():
    m = mission()
    goal_id = goal(m)
    refused(rules.FollowUpsAreOnGoalsInForce, lambda: m.report_follow_up(EDUCATOR, "sara.berg", goal_id, "Två av fem lag", TODAY))
    m.confirm_goal(REKTOR, "rolf.ek", goal_id, TODAY)
    m.confirm_goal(EDUCATOR, "sara.berg", goal_id, TODAY)
    refused(rules.TheSpecialEducatorReportsToRektor, lambda: m.report_follow_up(REKTOR, "rolf.ek", goal_id, "x", TODAY))
    refused(rules.FollowUpReportNeedsAText, lambda: m.report_follow_up(EDUCATOR, "sara.berg", goal_id, " ", TODAY))
    assert m.next_follow_up(goal_id) == TODAY + timedelta(days=30)
    report = m.report_follow_up(EDUCATOR, "sara.berg", goal_id, "Två av fem arbetslag handledda.", TODAY)
    assert m.reports[report]["scheduled_for"] == TODAY + timedelta(days=30)
    assert m.next_follow_up(goal_id) == TODAY + timedelta(days=90)


def test_r13_the_assessment_rests_on_follow_ups_is_joint_and_names_met_partly_or_not_met():
    m = mission()
    goal_id = agreed_goal(m)
    refused(rules.AssessmentRestsOnAFollowUp, lambda: m.assess_goal(REKTOR, "rolf.ek", goal_id, "met", "Bra", TODAY))
    report = m.report_follow_up(EDUCATOR, "sara.berg", goal_id, "Tre av fem lag.", TODAY)
    refused(rules.AttainmentIsMetPartlyMetOrNotMet, lambda: m.assess_goal(REKTOR, "rolf.ek", goal_id, "almost", "x", TODAY))
    refused(rules.AssessmentNeedsAnAnalysis, lambda: m.assess_goal(REKTOR, "rolf.ek", goal_id, "partly_met", "", TODAY))
    assessment = m.assess_goal(REKTOR, "rolf.ek", goal_id, "partly_met", "Schemat gav för lite tid.", TODAY)
    assert m.assessments[assessment]["based_on"] == [report]
    refused(rules.ActionsFollowAJointAssessment, lambda: m.decide_action(
        REKTOR, "rolf.ek", goal_id, assessment, "Avsätt tid i arbetslagens schema.", TODAY))
    m.confirm_assessment(REKTOR, "rolf.ek", assessment, TODAY)
    assert m.confirm_assessment(EDUCATOR, "sara.berg", assessment, TODAY) is True


def test_r13_the_chain_goal_follow_up_assessment_action_new_goal_is_linked_both_ways():
    m = mission()
    old = agreed_goal(m)
    report = m.report_follow_up(EDUCATOR, "sara.berg", old, "Tre av fem lag.", TODAY)
    assessment = m.assess_goal(EDUCATOR, "sara.berg", old, "not_met", "För lite tid i schemat.", TODAY)
    m.confirm_assessment(EDUCATOR, "sara.berg", assessment, TODAY)
    m.confirm_assessment(REKTOR, "rolf.ek", assessment, TODAY)
    action = m.decide_action(REKTOR, "rolf.ek", old, assessment, "Avsätt en timme i veckan per arbetslag.", TODAY)

    refused(rules.ANewGoalFollowsFromAnActionOnTheGoalItReplaces, lambda: goal(m, replaces=old))
    other = agreed_goal(m)
    refused(rules.ANewGoalFollowsFromAnActionOnTheGoalItReplaces, lambda: goal(m, replaces=other, because_of=action))
    new = goal(m, replaces=old, because_of=action, text_="Handleda alla fem arbetslag en timme i veckan.")
    assert m.goal_status(old) == "in_force"  # until both parties agreed the new goal
    m.confirm_goal(REKTOR, "rolf.ek", new, TODAY)
    m.confirm_goal(EDUCATOR, "sara.berg", new, TODAY)
    assert m.goal_status(old) == "replaced" and m.goal_status(new) == "in_force"

    # forwards: goal → follow-ups → assessment → action → new goal
    assert m.goals[old]["reports"] == [report] and m.goals[old]["assessments"] == [assessment]
    assert m.assessments[assessment]["actions"] == [action] and m.actions[action]["led_to"] == [new]
    assert m.goals[old]["replaced_by"] == [new]
    # backwards: new goal → action → assessment → follow-ups → old goal
    assert m.goals[new]["replaces"] == old and m.goals[new]["because_of"] == action
    assert m.actions[action]["assessment_id"] == assessment and m.assessments[assessment]["based_on"] == [report]
    assert m.reports[report]["goal_id"] == old
    refused(rules.AReplacedGoalIsNotFollowedUp, lambda: m.report_follow_up(EDUCATOR, "sara.berg", old, "x", TODAY))


def test_r13_the_chain_survives_replay_from_its_events():
    m = mission()
    old = agreed_goal(m)
    m.report_follow_up(EDUCATOR, "sara.berg", old, "Tre av fem lag.", TODAY)
    events = m.collect_events()
    replayed = None
    for e in events:
        replayed = e.mutate(replayed)
    assert replayed.goals == m.goals and replayed.reports == m.reports


def test_terms_are_spring_january_to_june_and_autumn_july_to_december():
    from projections.quality.clock import previous_term, term_of

    assert term_of(date(2026, 3, 10)) == (date(2026, 1, 1), date(2026, 6, 30), "VT 2026")
    assert term_of(date(2026, 8, 20)) == (date(2026, 7, 1), date(2026, 12, 31), "HT 2026")
    assert previous_term(date(2026, 3, 10))[2] == "HT 2025"
    assert previous_term(date(2026, 12, 31))[2] == "VT 2026"
