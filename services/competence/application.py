"""The competence application: commands and queries in the words of the special educator's
mission and the quality cycle (R12, R13).

Who may act is checked here: the parties of a mission are the rektor of its school unit and
the special educator it concerns, in the same municipality. Anyone else gets "not found", so
a mission's existence is not disclosed. The rules themselves live in the domain.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Callable, Iterable
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from competence.domain.mission import Mission
from competence.domain.profile import EducatorProfile
from competence.domain.values import Party
from competence.views import goal_chain, history_entry, mission_details, mission_row, profile_details
from eventkit import authz
from eventkit.identity import Identity, NotPermitted, Role
from eventkit.store import ServiceApplication
from eventkit.dates import local_today



class MissionNotFound(Exception):
    pass


def _put_in_force(confirmed: Any) -> bool:
    """A confirmation's answer, also to its retry: whether it put its subject in force."""
    return confirmed.complete


class CompetenceApplication(ServiceApplication):
    name = "competence"
    database_variable = "COMPETENCE_DB"

    def __init__(self, env: dict[str, str] | None = None,
                 today: Callable[[], date] = local_today) -> None:
        super().__init__(env)
        self.today = today

    # -- the special educator's profile (seed §2) ----------------------------------------------
    def record_profile(self, who: Identity, *, degree: str, qualification: str, specialisations: Iterable[str]) -> bool:
        authz.require(who, "competence.write")
        authz.require(who, "competence.profile.write")
        found = self._profile(who.municipality, who.user_id)
        if found is None:  # the first profile: its first event records it
            found = EducatorProfile.record(municipality=who.municipality, user_id=who.user_id, degree=degree,
                                           qualification=qualification, specialisations=specialisations)
            act: Callable[[EducatorProfile], bool] = lambda profile: True
        else:
            act = lambda profile: profile.change(degree=degree, qualification=qualification,
                                                 specialisations=specialisations)
        # A retry (same idempotency key) answers "changed" as the first time: it stored a change.
        return self.once(who, found, act, answer=lambda event: True)

    def profile(self, who: Identity, user_id: str) -> dict[str, Any]:
        """Own profile; a rektor reads the profile of a special educator with a mission in
        one of the rektor's units."""
        authz.require(who, "competence.read")
        # Another's profile: a special educator's missions are all the own, so only rektor finds one.
        if who.user_id != user_id and not any(r["special_educator"] == user_id for r in self.missions(who)):
            raise MissionNotFound(user_id)
        found = self._profile(who.municipality, user_id)
        return profile_details(user_id, found, self._history(found.id) if found else [])

    # -- the mission (R12) ------------------------------------------------------------------------
    def start_mission(self, who: Identity, *, school_unit: str, special_educator: str) -> UUID:
        authz.require(who, "competence.write")
        starting = authz.POLICY["competence.start"]
        if not starting.allows(who) or not who.belongs_to(school_unit):
            raise NotPermitted(starting.message)
        mission = Mission.start(municipality=who.municipality, school_unit=school_unit,
                                special_educator=special_educator, started_by=who.user_id, on=self.today(),
                                id=self.creation_id("mission", who))
        return self.save_created(who, mission)

    def describe(self, who: Identity, mission_id: UUID, text: str, expected_version: int | None = None) -> int:
        return self._command(who, mission_id, expected_version, lambda m, p: m.describe(p, who.user_id, text, self.today()),
                             answer=lambda e: e.revision)

    def confirm_description(self, who: Identity, mission_id: UUID, revision: int, expected_version: int | None = None) -> bool:
        return self._command(who, mission_id, expected_version,
                             lambda m, p: m.confirm_description(p, who.user_id, revision, self.today()), answer=_put_in_force)

    def propose_goal(self, who: Identity, mission_id: UUID, *, text: str, follow_up_dates: list[date],
                     replaces: str | None = None, because_of: str | None = None,
                     expected_version: int | None = None) -> str:
        return self._command(who, mission_id, expected_version, lambda m, p: m.propose_goal(
            p, who.user_id, text_=text, follow_up_dates=follow_up_dates, today=self.today(), replaces=replaces,
            because_of=because_of), answer=lambda e: e.goal_id)

    def confirm_goal(self, who: Identity, mission_id: UUID, goal_id: str, expected_version: int | None = None) -> bool:
        return self._command(who, mission_id, expected_version, lambda m, p: m.confirm_goal(p, who.user_id, goal_id, self.today()),
                             answer=_put_in_force)

    # -- the quality cycle (R13) -------------------------------------------------------------------
    def report_follow_up(self, who: Identity, mission_id: UUID, goal_id: str, text: str,
                         expected_version: int | None = None) -> str:
        return self._command(who, mission_id, expected_version,
                             lambda m, p: m.report_follow_up(p, who.user_id, goal_id, text, self.today()),
                             answer=lambda e: e.report_id)

    def assess_goal(self, who: Identity, mission_id: UUID, goal_id: str, *, attainment: str, analysis: str,
                    expected_version: int | None = None) -> str:
        return self._command(who, mission_id, expected_version, lambda m, p: m.assess_goal(
            p, who.user_id, goal_id, attainment, analysis, self.today()), answer=lambda e: e.assessment_id)

    def confirm_assessment(self, who: Identity, mission_id: UUID, assessment_id: str,
                           expected_version: int | None = None) -> bool:
        return self._command(who, mission_id, expected_version,
                             lambda m, p: m.confirm_assessment(p, who.user_id, assessment_id, self.today()),
                             answer=_put_in_force)

    def decide_action(self, who: Identity, mission_id: UUID, goal_id: str, *, assessment_id: str, text: str,
                      expected_version: int | None = None) -> str:
        return self._command(who, mission_id, expected_version, lambda m, p: m.decide_action(
            p, who.user_id, goal_id, assessment_id, text, self.today()), answer=lambda e: e.action_id)

    # -- competence plan and supervision (R12) ------------------------------------------------------
    def map_need(self, who: Identity, mission_id: UUID, text: str, expected_version: int | None = None) -> str:
        return self._command(who, mission_id, expected_version, lambda m, p: m.map_need(p, who.user_id, text, self.today()),
                             answer=lambda e: e.need_id)

    def plan_activity(self, who: Identity, mission_id: UUID, *, need_id: str, title: str, planned_hours: float,
                      planned_by: date | None = None, expected_version: int | None = None) -> str:
        return self._command(who, mission_id, expected_version, lambda m, p: m.plan_activity(
            p, who.user_id, need_id=need_id, title=title, planned_hours=planned_hours, planned_by=planned_by,
            on=self.today()), answer=lambda e: e.activity_id)

    def allot_time(self, who: Identity, mission_id: UUID, activity_id: str, hours: float,
                   expected_version: int | None = None) -> None:
        self._command(who, mission_id, expected_version,
                      lambda m, p: m.allot_time(p, who.user_id, activity_id, hours, self.today()))

    def complete_activity(self, who: Identity, mission_id: UUID, activity_id: str, *, completed_on: date,
                          hours: float, expected_version: int | None = None) -> None:
        self._command(who, mission_id, expected_version, lambda m, p: m.complete_activity(
            p, who.user_id, activity_id, completed_on=completed_on, hours_spent=hours, today=self.today()))

    def arrange_supervision(self, who: Identity, mission_id: UUID, *, provider: str, sessions_per_term: int,
                            expected_version: int | None = None) -> None:
        self._command(who, mission_id, expected_version, lambda m, p: m.arrange_supervision(
            p, who.user_id, provider=provider, sessions_per_term=sessions_per_term, on=self.today()))

    def record_supervision(self, who: Identity, mission_id: UUID, *, held_on: date, minutes: int,
                           expected_version: int | None = None) -> str:
        return self._command(who, mission_id, expected_version, lambda m, p: m.record_supervision(
            p, who.user_id, held_on=held_on, minutes=minutes, today=self.today()), answer=lambda e: e.session_id)

    # -- queries ------------------------------------------------------------------------------------------
    def missions(self, who: Identity) -> list[dict[str, Any]]:
        """The missions this user is a party to: a rektor's units, a special educator's own."""
        authz.require(who, "competence.read")
        rows = []
        # As the deviations manager's view (ADR 0012): the Started events of the event store.
        for mission_id in self.aggregate_ids(Mission.Started, lambda e: e.municipality == who.municipality):
            mission: Mission = self.repository.get(mission_id)
            party = _party(who, mission)
            if party is not None:
                rows.append(mission_row(mission, party, self.today()))
        return sorted(rows, key=lambda r: (r["school_unit"], r["special_educator"], r["started_on"]))

    def details(self, who: Identity, mission_id: UUID) -> dict[str, Any]:
        authz.require(who, "competence.read")
        mission, party = self._mission_for(who, mission_id)
        return mission_details(mission, party, self.today())

    def goal(self, who: Identity, mission_id: UUID, goal_id: str) -> dict[str, Any]:
        authz.require(who, "competence.read")
        mission, party = self._mission_for(who, mission_id)
        if goal_id not in mission.goals:
            raise MissionNotFound(goal_id)
        return goal_chain(mission, goal_id, party, self.today())

    def history(self, who: Identity, mission_id: UUID) -> list[dict[str, Any]]:
        """Every event of the mission with who and when (R13: the chain's history is kept)."""
        authz.require(who, "competence.read")
        self._mission_for(who, mission_id)
        return self._history(mission_id)

    # -- helpers -------------------------------------------------------------------------------------------
    def _history(self, aggregate_id: UUID) -> list[dict[str, Any]]:
        return [history_entry(event, meta) for event, meta in self.events_with_envelopes(aggregate_id)]

    def _command(self, who: Identity, mission_id: UUID, expected_version: int | None,
                 act: Callable[[Mission, Party], Any], answer: Callable[[Any], Any] = lambda event: None) -> Any:
        """A command on the mission, stored once per idempotency key (ADR 0023): a retry stores
        nothing and gets the first answer, read by `answer` from the event the command stored
        (the id of the new goal, need, activity ...; whether a confirmation put it in force)."""
        authz.require(who, "competence.write")
        mission, party = self._mission_for(who, mission_id)
        return self.once(who, mission, lambda m: act(m, party), answer=answer, expected_version=expected_version)

    def _mission_for(self, who: Identity, mission_id: UUID) -> tuple[Mission, Party]:
        try:
            mission = self.repository.get(mission_id)
        except AggregateNotFoundError:
            raise MissionNotFound(str(mission_id)) from None
        party = _party(who, mission) if isinstance(mission, Mission) else None
        if party is None:
            raise MissionNotFound(str(mission_id))
        return mission, party

    def _profile(self, municipality: str, user_id: str) -> EducatorProfile | None:
        try:
            return self.repository.get(EducatorProfile.id_for(municipality, user_id))
        except AggregateNotFoundError:
            return None


def _party(who: Identity, mission: Mission) -> Party | None:
    """Which party of the dialogue the user is, or None for anyone else (R12)."""
    if who.municipality != mission.municipality:
        return None
    if who.role is Role.SPECIAL_EDUCATOR and who.user_id == mission.special_educator:
        return Party.SPECIAL_EDUCATOR
    if who.role is Role.REKTOR and who.belongs_to(mission.school_unit):
        return Party.REKTOR
    return None
