"""The pupil's support case (elevärende) as an event-sourced aggregate.

Every change is an event; nothing is updated in place (R16). Methods check the rules
before they decide anything, so a refused command leaves no event behind. The case's parts
(referral, investigations, decisions, programmes, ...) are frozen values, replaced when an
event changes them; only events are stored (no snapshots), so old events load into them as
they are (ADR 0006).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from eventkit.aggregates import created
from eventkit.dates import local_day, local_today

from cases.domain.appeal import AppealSteps
from cases.domain.corrections import Correction, CorrectionSteps
from cases.domain.deadlines import ReferralDeadlines
from cases.domain.decision import Decision, DecisionSteps
from cases.domain.investigation import Investigation, InvestigationSteps
from cases.domain.programme import Participation, Programme, ProgrammeSteps
from cases.domain.protection import ProtectionSteps
from cases.domain.rules import (
    ClosedCaseTakesNoNewEntries,
    ExtraAdaptationNeedsOneShortDescription,
    MoveMustBeToAnotherSchoolUnit,
    OpenReferralCannotBeMadeTwice,
    ReferralNeedsTriedAdaptationsOrSpecialReason,
)
from cases.domain.values import PersonalIdentityNumber, plausible_pupil

ADAPTATION_MAX_LENGTH = 500


@dataclass(frozen=True)
class Adaptation:
    """An extra adaptation (extra anpassning, R1)."""

    description: str
    recorded_by: str


@dataclass(frozen=True)
class Referral:
    """The referral to rektor (anmälan, R2) and the deadlines it starts."""

    referred_by: str
    referred_on: date
    tried_adaptations: str
    why_not_enough: str
    special_reason: str
    direct: bool  # a special reason instead of tried adaptations
    investigation_due: date
    decision_due: date


@dataclass(frozen=True)
class Move:
    """The pupil's move to another school unit (R11)."""

    from_unit: str
    to_unit: str
    moved_by: str
    moved_on: date


@dataclass(frozen=True)
class LeftSchoolUnit:
    """The register ended the pupil's placement at the case's unit (R11)."""

    school_unit: str
    left_on: date


class SupportCase(InvestigationSteps, DecisionSteps, AppealSteps, ProgrammeSteps, CorrectionSteps, ProtectionSteps,
                  Aggregate):
    """Elevärende: one pupil's support at one school unit.

    The steps after the referral live in their own modules (investigation, decision, appeal,
    programme, corrections) as parts of this one aggregate: one case, one history."""

    @event("Opened")
    def __init__(
        self,
        municipality: str,
        school_unit: str,
        pupil_personal_number: str,
        pupil_name: str,
        opened_by: str,
        pupil_ref: str = "",
        protected_by_register: bool = False,
        opened_on: date | None = None,
    ) -> None:
        self.municipality = municipality
        self._opened_on = opened_on  # the day by the application's clock; None in cases opened before it was kept
        self.pupil_ref = pupil_ref  # pseudonymous; the key of the pupil's personal data (R17)
        self.school_unit = school_unit
        self.pupil_personal_number = pupil_personal_number
        self.pupil_name = pupil_name
        self.opened_by = opened_by
        self.adaptations: tuple[Adaptation, ...] = ()
        self.referral: Referral | None = None
        self.investigations: tuple[Investigation, ...] = ()
        self.decisions: tuple[Decision, ...] = ()
        self.programmes: tuple[Programme, ...] = ()
        self.participation: tuple[Participation, ...] = ()
        self.moves: tuple[Move, ...] = ()
        self.entries: dict[int, list] = {}  # version → [kind, ref]: what a correction may name (R16)
        self.corrections: tuple[Correction, ...] = ()
        self.closed = False
        if protected_by_register:  # R14: protected from the first event; the opener decides on access
            self.protected_by_register = self.protected = True
            self.granted_to = (opened_by,)

    @classmethod
    def open(
        cls,
        *,
        municipality: str,
        school_unit: str,
        pupil: PersonalIdentityNumber,
        pupil_name: str,
        opened_by: str,
        pupil_ref: str = "",
        protected_by_register: bool = False,
        today: date | None = None,
        id: UUID | None = None,  # noqa: A002 - given for an idempotent create (eventkit.store.creation_id)
    ) -> "SupportCase":
        """A case for a pupil whose birth date is plausible for a pupil on `today`
        (PupilBirthDateMustBePlausible); protected from its first event when the register
        protects the pupil."""
        today = today or local_today()
        plausible_pupil(pupil, today)
        return created(
            cls, cls.Opened, id,
            opened_on=today,
            pupil_ref=pupil_ref,
            protected_by_register=protected_by_register,
            municipality=municipality,
            school_unit=school_unit,
            pupil_personal_number=pupil.value,
            pupil_name=pupil_name.strip(),
            opened_by=opened_by,
        )

    @property
    def opened_on(self) -> date:
        """The day the case was opened: what dates in it are measured from (cases.domain.dates)."""
        return self._opened_on or local_day(self.created_on)

    # R1 -----------------------------------------------------------------------------
    def record_extra_adaptation(self, description: str, recorded_by: str) -> None:
        """Extra anpassning: the teacher's own quick decision; one short field, no approval."""
        self._require_open()
        text = (description or "").strip()
        if not text or len(text) > ADAPTATION_MAX_LENGTH:
            raise ExtraAdaptationNeedsOneShortDescription()
        self._extra_adaptation_recorded(description=text, recorded_by=recorded_by)

    @event("ExtraAdaptationRecorded")
    def _extra_adaptation_recorded(self, description: str, recorded_by: str) -> None:
        self.adaptations = (*self.adaptations, Adaptation(description, recorded_by))
        self._remember_entry("adaptation", len(self.adaptations) - 1)

    # R2 -----------------------------------------------------------------------------
    def refer_to_rektor(
        self,
        *,
        referred_by: str,
        referred_at: datetime,
        tried_adaptations: str = "",
        why_not_enough: str = "",
        special_reason: str = "",
        deadlines: ReferralDeadlines = ReferralDeadlines(),
    ) -> None:
        """Anmälan till rektor. Rektor cannot refuse it; the investigation must start promptly."""
        self._require_open()
        if self.referral is not None:
            raise OpenReferralCannotBeMadeTwice()
        tried = tried_adaptations.strip() or "; ".join(a.description for a in self.adaptations)
        direct = bool(special_reason.strip())
        if not direct and not (tried and why_not_enough.strip()):
            raise ReferralNeedsTriedAdaptationsOrSpecialReason()
        referred_on = local_day(referred_at)  # the Swedish calendar day
        self._referred_to_rektor(
            referred_by=referred_by,
            referred_on=referred_on,
            tried_adaptations=tried,
            why_not_enough=why_not_enough.strip(),
            special_reason=special_reason.strip(),
            investigation_due=deadlines.investigation_due(referred_on),
            decision_due=deadlines.decision_due(referred_on),
        )

    @event("ReferredToRektor")
    def _referred_to_rektor(
        self,
        referred_by: str,
        referred_on: date,
        tried_adaptations: str,
        why_not_enough: str,
        special_reason: str,
        investigation_due: date,
        decision_due: date,
    ) -> None:
        self.referral = Referral(
            referred_by=referred_by,
            referred_on=referred_on,
            tried_adaptations=tried_adaptations,
            why_not_enough=why_not_enough,
            special_reason=special_reason,
            direct=bool(special_reason),
            investigation_due=investigation_due,
            decision_due=decision_due,
        )

    # R11 ----------------------------------------------------------------------------
    def move_to_school_unit(self, *, to_unit: str, moved_by: str, on: date) -> None:
        """The pupil moves to another unit: programmes and open investigations stay with the
        unit that made them; the new unit needs its own investigation and decision."""
        self._require_open()
        if not to_unit.strip() or to_unit.strip() == self.school_unit:
            raise MoveMustBeToAnotherSchoolUnit()
        self._moved(from_unit=self.school_unit, to_unit=to_unit.strip(), moved_by=moved_by, moved_on=on)

    @event("MovedToSchoolUnit")
    def _moved(self, from_unit: str, to_unit: str, moved_by: str, moved_on: date) -> None:
        self.moves = (*self.moves, Move(from_unit, to_unit, moved_by, moved_on))
        self.school_unit = to_unit

    # What the register says of the pupil (followed from the directory) --------------------
    # Facts, not entries: recorded on a closed case too (its pupil is protected all the same).
    left_school_unit: LeftSchoolUnit | None = None  # class defaults: cases stored before these facts
    removed_from_register = False

    def pupil_left_school_unit(self, *, school_unit: str, on: date) -> bool:
        """R11: the register ended the pupil's placement at `school_unit`. Recorded when that is
        the case's unit and it is not recorded yet; whether anything changed."""
        if school_unit != self.school_unit or (self.left_school_unit and self.left_school_unit.school_unit == school_unit):
            return False
        self._pupil_left_school_unit(school_unit=school_unit, left_on=on)
        return True

    def pupil_in_register(self, *, removed: bool, on: date) -> bool:
        """The pupil was removed from the register (the case keeps its history, flagged), or is
        back in it; whether anything changed."""
        if removed == self.removed_from_register:
            return False
        if removed:
            self._removed_from_register(changed_on=on)
        else:
            self._back_in_register(changed_on=on)
        return True

    @event("PupilLeftSchoolUnit")
    def _pupil_left_school_unit(self, school_unit: str, left_on: date) -> None:
        self.left_school_unit = LeftSchoolUnit(school_unit, left_on)

    @event("PupilRemovedFromRegister")
    def _removed_from_register(self, changed_on: date) -> None:
        self.removed_from_register = True

    @event("PupilBackInRegister")
    def _back_in_register(self, changed_on: date) -> None:
        self.removed_from_register = False

    def counts_as_open_at(self, school_unit: str) -> bool:
        """Whether this is the pupil's open case at `school_unit` (one per pupil and unit): not
        closed, and still at that unit (a case moved away is the new unit's). A pupil who left
        the unit keeps the case open until rektor closes it: it is still that case."""
        return not self.closed and self.school_unit == school_unit

    @property
    def status(self) -> str:
        """Where the case stands, in one word (used by the views)."""
        if self.closed:
            return "closed"
        if self.programme_in_force() is not None:
            return "programme"
        current = self.open_investigation()
        if current is not None:
            return "investigated" if current.concluded_on else "investigating"
        if self.decisions and self.decisions[-1].overturned:
            return "sent_back"  # the board sent the matter back for a new investigation (R9)
        if self.decisions and self.decisions[-1].school_unit == self.school_unit:
            return "decided"
        if self.referral is not None:
            return "referred"
        return "open"

    def _require_open(self) -> None:
        if self.closed:
            raise ClosedCaseTakesNoNewEntries()
