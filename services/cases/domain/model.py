"""The pupil's support case (elevärende) as an event-sourced aggregate.

Every change is an event; nothing is updated in place (R16). Methods check the rules
before they decide anything, so a refused command leaves no event behind.
"""
from __future__ import annotations

from datetime import date, datetime

from eventsourcing.domain import Aggregate, event

from cases.domain.deadlines import ReferralDeadlines
from cases.domain.rules import (
    ClosedCaseTakesNoNewEntries,
    ExtraAdaptationNeedsOneShortDescription,
    OpenReferralCannotBeMadeTwice,
    ReferralNeedsTriedAdaptationsOrSpecialReason,
)
from cases.domain.values import PersonalIdentityNumber

ADAPTATION_MAX_LENGTH = 500


class SupportCase(Aggregate):
    """Elevärende: one pupil's support at one school unit."""

    @event("Opened")
    def __init__(
        self,
        municipality: str,
        school_unit: str,
        pupil_personal_number: str,
        pupil_name: str,
        opened_by: str,
    ) -> None:
        self.municipality = municipality
        self.school_unit = school_unit
        self.pupil_personal_number = pupil_personal_number
        self.pupil_name = pupil_name
        self.opened_by = opened_by
        self.adaptations: list[dict] = []
        self.referral: dict | None = None
        self.closed = False

    @classmethod
    def open(
        cls,
        *,
        municipality: str,
        school_unit: str,
        pupil: PersonalIdentityNumber,
        pupil_name: str,
        opened_by: str,
    ) -> "SupportCase":
        return cls(
            municipality=municipality,
            school_unit=school_unit,
            pupil_personal_number=pupil.value,
            pupil_name=pupil_name.strip(),
            opened_by=opened_by,
        )

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
        self.adaptations.append({"description": description, "recorded_by": recorded_by})

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
        tried = tried_adaptations.strip() or "; ".join(a["description"] for a in self.adaptations)
        direct = bool(special_reason.strip())
        if not direct and not (tried and why_not_enough.strip()):
            raise ReferralNeedsTriedAdaptationsOrSpecialReason()
        referred_on = referred_at.date()
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
        self.referral = {
            "referred_by": referred_by,
            "referred_on": referred_on,
            "tried_adaptations": tried_adaptations,
            "why_not_enough": why_not_enough,
            "special_reason": special_reason,
            "direct": bool(special_reason),
            "investigation_due": investigation_due,
            "decision_due": decision_due,
        }

    def _require_open(self) -> None:
        if self.closed:
            raise ClosedCaseTakesNoNewEntries()
