"""The quality cycle of one mission (R13, seed §9): goals agreed by both parties, each with a
follow-up schedule; the special educator's follow-up reports to rektor; the joint assessment
of goal attainment with its analysis; improvement actions; and revised or new goals that link
back to the goal they replace. Every link is kept both ways, so the chain
goal → follow-ups → assessment → action → new goal can be walked forwards and backwards.
"""
from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

from eventsourcing.domain import Aggregate, event

from competence.domain.rules import (
    ActionsFollowAJointAssessment,
    ANewGoalFollowsFromAnActionOnTheGoalItReplaces,
    AReplacedGoalIsNotFollowedUp,
    AssessmentNeedsAnAnalysis,
    AssessmentRestsOnAFollowUp,
    AttainmentIsMetPartlyMetOrNotMet,
    EachPartyConfirmsOnce,
    FollowUpReportNeedsAText,
    FollowUpsAreOnGoalsInForce,
    GoalNeedsAText,
    GoalsAreSetWithinADescribedMission,
    ImprovementActionNeedsADescription,
    TheSpecialEducatorReportsToRektor,
    UnknownPartOfTheMission,
)
from competence.domain import dates as plausible
from competence.domain.values import Attainment, Party, text

GOAL, ASSESSMENT, DESCRIPTION = "goal", "assessment", "description"


class QualityCycle(Aggregate):
    # State (set up by Mission.__init__): goals, reports, assessments, actions by id, and the
    # mission description, whose confirmations share the mechanism below.

    # -- goals, agreed by both parties (R12) ---------------------------------------------------
    def propose_goal(
        self, party: Party, by: str, *, text_: str, follow_up_dates: list[date], today: date,
        replaces: str | None = None, because_of: str | None = None,
    ) -> str:
        if self.description is None:
            raise GoalsAreSetWithinADescribedMission()
        wording = text(text_, 2000, GoalNeedsAText)
        dates = plausible.follow_up_schedule(follow_up_dates, today=today)
        if replaces or because_of:
            self._goal(replaces or "")
            action = self.actions.get(because_of or "")
            if action is None or action["goal_id"] != replaces:
                raise ANewGoalFollowsFromAnActionOnTheGoalItReplaces()
        goal_id = str(uuid4())
        self._goal_proposed(goal_id=goal_id, text=wording, follow_up_dates=dates, replaces=replaces,
                            because_of=because_of, party=party.value, by=by, on=today)
        return goal_id

    @event("GoalProposed")
    def _goal_proposed(self, goal_id: str, text: str, follow_up_dates: list[date], replaces: str | None,
                       because_of: str | None, party: str, by: str, on: date) -> None:
        self.goals[goal_id] = {
            "goal_id": goal_id, "text": text, "follow_up_dates": list(follow_up_dates), "replaces": replaces,
            "because_of": because_of, "proposed_by": by, "proposed_on": on, "confirmed": {}, "in_force_on": None,
            "reports": [], "assessments": [], "actions": [], "replaced_by": [],
        }
        if replaces:
            self.goals[replaces]["replaced_by"].append(goal_id)
            self.actions[because_of]["led_to"].append(goal_id)

    def confirm_goal(self, party: Party, by: str, goal_id: str, on: date) -> bool:
        """Returns True when this confirmation puts the goal in force (both parties agree)."""
        goal = self._goal(goal_id)
        return self._confirm(GOAL, goal_id, goal["confirmed"], party, by, on)

    def goal_in_force(self, goal_id: str) -> bool:
        return self._goal(goal_id)["in_force_on"] is not None

    def goal_replaced(self, goal_id: str) -> bool:
        return any(self.goals[g]["in_force_on"] is not None for g in self._goal(goal_id)["replaced_by"])

    def goal_status(self, goal_id: str) -> str:
        if self.goal_replaced(goal_id):
            return "replaced"
        return "in_force" if self.goal_in_force(goal_id) else "proposed"

    # -- follow-up reports: the special educator reports to rektor (R13) ------------------------
    def report_follow_up(self, party: Party, by: str, goal_id: str, text_: str, on: date) -> str:
        goal = self._goal(goal_id)
        if party is not Party.SPECIAL_EDUCATOR:
            raise TheSpecialEducatorReportsToRektor()
        self._require_followed_up(goal_id)
        wording = text(text_, 4000, FollowUpReportNeedsAText)
        done = len(goal["reports"])
        scheduled_for = goal["follow_up_dates"][done] if done < len(goal["follow_up_dates"]) else None
        report_id = str(uuid4())
        self._followed_up(goal_id=goal_id, report_id=report_id, text=wording, scheduled_for=scheduled_for, by=by, on=on)
        return report_id

    @event("FollowUpReported")
    def _followed_up(self, goal_id: str, report_id: str, text: str, scheduled_for: date | None, by: str, on: date) -> None:
        self.reports[report_id] = {"report_id": report_id, "goal_id": goal_id, "text": text,
                                   "scheduled_for": scheduled_for, "reported_by": by, "reported_on": on}
        self.goals[goal_id]["reports"].append(report_id)

    def next_follow_up(self, goal_id: str) -> date | None:
        goal = self._goal(goal_id)
        done = len(goal["reports"])
        return goal["follow_up_dates"][done] if done < len(goal["follow_up_dates"]) else None

    # -- the joint assessment of goal attainment, with analysis (R13) ---------------------------
    def assess_goal(self, party: Party, by: str, goal_id: str, attainment: str, analysis: str, on: date) -> str:
        goal = self._goal(goal_id)
        self._require_followed_up(goal_id)
        if not goal["reports"]:
            raise AssessmentRestsOnAFollowUp()
        try:
            attainment = Attainment(attainment).value
        except ValueError:
            raise AttainmentIsMetPartlyMetOrNotMet() from None
        wording = text(analysis, 4000, AssessmentNeedsAnAnalysis)
        assessed = {r for a in goal["assessments"] for r in self.assessments[a]["based_on"]}
        based_on = [r for r in goal["reports"] if r not in assessed] or list(goal["reports"])
        assessment_id = str(uuid4())
        self._assessed(goal_id=goal_id, assessment_id=assessment_id, attainment=attainment, analysis=wording,
                       based_on=based_on, party=party.value, by=by, on=on)
        return assessment_id

    @event("GoalAssessed")
    def _assessed(self, goal_id: str, assessment_id: str, attainment: str, analysis: str, based_on: list[str],
                  party: str, by: str, on: date) -> None:
        self.assessments[assessment_id] = {
            "assessment_id": assessment_id, "goal_id": goal_id, "attainment": attainment, "analysis": analysis,
            "based_on": list(based_on), "assessed_by": by, "assessed_on": on, "confirmed": {}, "joint_on": None,
            "actions": [],
        }
        self.goals[goal_id]["assessments"].append(assessment_id)

    def confirm_assessment(self, party: Party, by: str, assessment_id: str, on: date) -> bool:
        assessment = self.assessments.get(assessment_id)
        if assessment is None:
            raise UnknownPartOfTheMission()
        return self._confirm(ASSESSMENT, assessment_id, assessment["confirmed"], party, by, on)

    # -- improvement actions (R13) -------------------------------------------------------------
    def decide_action(self, party: Party, by: str, goal_id: str, assessment_id: str, text_: str, on: date) -> str:
        self._goal(goal_id)
        assessment = self.assessments.get(assessment_id)
        if assessment is None or assessment["goal_id"] != goal_id or assessment["joint_on"] is None:
            raise ActionsFollowAJointAssessment()
        wording = text(text_, 2000, ImprovementActionNeedsADescription)
        action_id = str(uuid4())
        self._action_decided(goal_id=goal_id, assessment_id=assessment_id, action_id=action_id, text=wording,
                             party=party.value, by=by, on=on)
        return action_id

    @event("ImprovementActionDecided")
    def _action_decided(self, goal_id: str, assessment_id: str, action_id: str, text: str, party: str, by: str,
                        on: date) -> None:
        self.actions[action_id] = {"action_id": action_id, "goal_id": goal_id, "assessment_id": assessment_id,
                                   "text": text, "decided_by": by, "decided_on": on, "led_to": []}
        self.goals[goal_id]["actions"].append(action_id)
        self.assessments[assessment_id]["actions"].append(action_id)

    # -- confirmations: one per party, the second puts the subject in force (R12) ----------------
    def _confirm(self, subject: str, subject_id: str, confirmed: dict, party: Party, by: str, on: date) -> bool:
        if party.value in confirmed:
            raise EachPartyConfirmsOnce()
        complete = party.other.value in confirmed
        self._confirmed(subject=subject, subject_id=subject_id, party=party.value, by=by, on=on, complete=complete)
        return complete

    @event("Confirmed")
    def _confirmed(self, subject: str, subject_id: str, party: str, by: str, on: date, complete: bool) -> None:
        if subject == GOAL:
            target = self.goals[subject_id]
            target["confirmed"][party] = {"by": by, "on": on}
            if complete:
                target["in_force_on"] = on
        elif subject == ASSESSMENT:
            target = self.assessments[subject_id]
            target["confirmed"][party] = {"by": by, "on": on}
            if complete:
                target["joint_on"] = on
        else:
            self.description["confirmed"][party] = {"by": by, "on": on}
            if complete:
                self.description["in_force_on"] = on

    # -- helpers --------------------------------------------------------------------------------
    def _goal(self, goal_id: str) -> dict[str, Any]:
        goal = self.goals.get(goal_id)
        if goal is None:
            raise UnknownPartOfTheMission()
        return goal

    def _require_followed_up(self, goal_id: str) -> None:
        if not self.goal_in_force(goal_id):
            raise FollowUpsAreOnGoalsInForce()
        if self.goal_replaced(goal_id):
            raise AReplacedGoalIsNotFollowedUp()
