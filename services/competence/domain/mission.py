"""The special educator's mission at one school unit (uppdrag), as one event-sourced aggregate:
the mission description and goals formulated in dialogue and confirmed by both parties (R12);
competence needs mapped in dialogue, the competence plan linked to the mission with its
development activities, the hours rektor allots and what was done; access to supervision
(R12); and the quality cycle of its goals (R13, in `cycle.py`).

One aggregate per mission: the chain of goals stays consistent in one stream, and its history
is the stream. A special educator may have a mission at each unit, and a new one when the
old has run its course (a new school year); the old stays readable.
"""
from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event
from eventkit.aggregates import created

from competence.domain import dates
from competence.domain.cycle import DESCRIPTION, QualityCycle
from competence.domain.rules import (
    ActivityAddressesAMappedNeed,
    ActivityIsCompletedOnce,
    ActivityNeedsATitle,
    CompetenceNeedNeedsADescription,
    ConfirmationIsOfTheCurrentWording,
    HoursAreBetweenHalfAnHourAndFiveHundred,
    MissionDescriptionNeedsAText,
    MissionIsStartedByRektorForASpecialEducator,
    OnlyRektorAllotsTime,
    OnlyRektorArrangesSupervision,
    SupervisionHasAProvider,
    SupervisionIsRecordedWhenArranged,
    SupervisionSessionLastsFifteenMinutesToADay,
    SupervisionSessionsPerTermAreCounted,
    UnknownPartOfTheMission,
)
from competence.domain.values import Party, SupervisionProvider, hours, text


class Mission(QualityCycle, Aggregate):
    """Uppdragsbeskrivning, mål, kompetensplan och handledning for one special educator."""

    @classmethod
    def start(cls, *, municipality: str, school_unit: str, special_educator: str, started_by: str, on: date,
              id: UUID | None = None) -> "Mission":  # noqa: A002 - given for an idempotent create
        special_educator = (special_educator or "").strip()
        if not special_educator or special_educator == started_by or len(special_educator) > 64:
            raise MissionIsStartedByRektorForASpecialEducator()
        return created(cls, cls.Started, id, municipality=municipality, school_unit=school_unit,
                       special_educator=special_educator, rektor=started_by, on=on)

    @event("Started")
    def __init__(self, municipality: str, school_unit: str, special_educator: str, rektor: str, on: date) -> None:
        self.municipality = municipality
        self.school_unit = school_unit
        self.special_educator = special_educator
        self.started_by = rektor
        self.started_on = on
        self.description: dict[str, Any] | None = None
        self.goals: dict[str, dict[str, Any]] = {}
        self.reports: dict[str, dict[str, Any]] = {}
        self.assessments: dict[str, dict[str, Any]] = {}
        self.actions: dict[str, dict[str, Any]] = {}
        self.needs: dict[str, dict[str, Any]] = {}
        self.activities: dict[str, dict[str, Any]] = {}
        self.supervision: dict[str, Any] | None = None
        self.sessions: list[dict[str, Any]] = []

    # -- the mission description, agreed by both (R12) ------------------------------------------
    def describe(self, party: Party, by: str, text_: str, on: date) -> int:
        """A new wording; confirmations start over, since each party confirms what it read."""
        wording = text(text_, 4000, MissionDescriptionNeedsAText)
        revision = (self.description["revision"] + 1) if self.description else 1
        self._described(revision=revision, text=wording, party=party.value, by=by, on=on)
        return revision

    @event("Described")
    def _described(self, revision: int, text: str, party: str, by: str, on: date) -> None:
        self.description = {"revision": revision, "text": text, "written_by": by, "written_on": on,
                            "confirmed": {}, "in_force_on": None}

    def confirm_description(self, party: Party, by: str, revision: int, on: date) -> bool:
        if self.description is None or self.description["revision"] != revision:
            raise ConfirmationIsOfTheCurrentWording()
        return self._confirm(DESCRIPTION, str(revision), self.description["confirmed"], party, by, on)

    @property
    def in_force(self) -> bool:
        return bool(self.description and self.description["in_force_on"])

    # -- competence needs and the competence plan (R12) -------------------------------------------
    def map_need(self, party: Party, by: str, text_: str, on: date) -> str:
        wording = text(text_, 2000, CompetenceNeedNeedsADescription)
        need_id = str(uuid4())
        self._need_mapped(need_id=need_id, text=wording, party=party.value, by=by, on=on)
        return need_id

    @event("CompetenceNeedMapped")
    def _need_mapped(self, need_id: str, text: str, party: str, by: str, on: date) -> None:
        self.needs[need_id] = {"need_id": need_id, "text": text, "mapped_by": by, "mapped_on": on}

    def plan_activity(self, party: Party, by: str, *, need_id: str, title: str, planned_hours: float,
                      planned_by: date | None, on: date) -> str:
        if need_id not in self.needs:
            raise ActivityAddressesAMappedNeed()
        wording = text(title, 300, ActivityNeedsATitle)
        planned = hours(planned_hours, HoursAreBetweenHalfAnHourAndFiveHundred)
        planned_by = dates.planned_by(planned_by, started_on=self.started_on, today=on)
        activity_id = str(uuid4())
        self._activity_planned(activity_id=activity_id, need_id=need_id, title=wording, planned_hours=planned,
                               planned_by=planned_by, party=party.value, by=by, on=on)
        return activity_id

    @event("ActivityPlanned")
    def _activity_planned(self, activity_id: str, need_id: str, title: str, planned_hours: float,
                          planned_by: date | None, party: str, by: str, on: date) -> None:
        self.activities[activity_id] = {
            "activity_id": activity_id, "need_id": need_id, "title": title, "planned_hours": planned_hours,
            "planned_by": planned_by, "allotted_hours": None, "allotted_by": None, "completed_on": None,
            "hours_spent": None,
        }

    def allot_time(self, party: Party, by: str, activity_id: str, hours_: float, on: date) -> None:
        """Rektor gives time for competence development (R12; seed §3)."""
        if party is not Party.REKTOR:
            raise OnlyRektorAllotsTime()
        self._activity(activity_id)
        self._time_allotted(activity_id=activity_id, hours=hours(hours_, HoursAreBetweenHalfAnHourAndFiveHundred),
                            by=by, on=on)

    @event("TimeAllotted")
    def _time_allotted(self, activity_id: str, hours: float, by: str, on: date) -> None:
        self.activities[activity_id].update(allotted_hours=hours, allotted_by=by)

    def complete_activity(self, party: Party, by: str, activity_id: str, *, completed_on: date, hours_spent: float,
                          today: date) -> None:
        activity = self._activity(activity_id)
        if activity["completed_on"] is not None:
            raise ActivityIsCompletedOnce()
        dates.done_on(completed_on, started_on=self.started_on, today=today)
        spent = hours(hours_spent, HoursAreBetweenHalfAnHourAndFiveHundred)
        self._activity_completed(activity_id=activity_id, completed_on=completed_on, hours=spent, by=by)

    @event("ActivityCompleted")
    def _activity_completed(self, activity_id: str, completed_on: date, hours: float, by: str) -> None:
        self.activities[activity_id].update(completed_on=completed_on, hours_spent=hours)

    # -- supervision (handledning) (R12) -----------------------------------------------------------
    def arrange_supervision(self, party: Party, by: str, *, provider: str, sessions_per_term: int, on: date) -> None:
        if party is not Party.REKTOR:
            raise OnlyRektorArrangesSupervision()
        try:
            provider = SupervisionProvider(provider).value
        except ValueError:
            raise SupervisionHasAProvider() from None
        if isinstance(sessions_per_term, bool) or not isinstance(sessions_per_term, int) or not 1 <= sessions_per_term <= 40:
            raise SupervisionSessionsPerTermAreCounted()
        self._supervision_arranged(provider=provider, sessions_per_term=sessions_per_term, by=by, on=on)

    @event("SupervisionArranged")
    def _supervision_arranged(self, provider: str, sessions_per_term: int, by: str, on: date) -> None:
        self.supervision = {"provider": provider, "sessions_per_term": sessions_per_term, "arranged_by": by,
                            "arranged_on": on}

    def record_supervision(self, party: Party, by: str, *, held_on: date, minutes: int, today: date) -> str:
        if self.supervision is None:
            raise SupervisionIsRecordedWhenArranged()
        dates.done_on(held_on, started_on=self.started_on, today=today)
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not 15 <= minutes <= 480:
            raise SupervisionSessionLastsFifteenMinutesToADay()
        session_id = str(uuid4())
        self._supervision_held(session_id=session_id, held_on=held_on, minutes=minutes, by=by)
        return session_id

    @event("SupervisionHeld")
    def _supervision_held(self, session_id: str, held_on: date, minutes: int, by: str) -> None:
        self.sessions.append({"session_id": session_id, "held_on": held_on, "minutes": minutes, "recorded_by": by})

    def _activity(self, activity_id: str) -> dict[str, Any]:
        activity = self.activities.get(activity_id)
        if activity is None:
            raise UnknownPartOfTheMission()
        return activity
