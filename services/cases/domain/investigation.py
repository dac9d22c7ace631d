"""The investigation (utredning) after a referral (R2, R3): rektor starts it promptly and
assigns the investigator; the student health team takes part unless clearly unnecessary;
it records the pupil's, the guardians' and the school's views, the pedagogical assessment
and the learning-environment analysis at organisation, group and individual level, and ends
in a proposal that one decision answers (R4).

Least privilege (R14): the investigation's content (the views, the assessment, the learning
environment, the proposal) is for those who take part in it. Special educators, the student
health team and rektor see it by their role (`cases.read_investigation`); a teacher sees what she
needs to act on (her adaptations, the referral, the decision, the programme), and the
investigation only when she investigates it or rektor has invited her. Invitations and their
withdrawal are events of the case, so its history says who was let in and when."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Mapping

from eventsourcing.domain import Aggregate, event

from cases.domain.rules import (
    InvestigationIsAlreadyUnderWay,
    InvestigationIsForThoseTakingPart,
    InvitationIsGivenOnce,
    InvitationNamesATeacherOfTheUnit,
    OnlyAnInvitationCanBeWithdrawn,
    OnlyRektorInvitesToTheInvestigation,
    InvestigationMustBeUnderWay,
    InvestigationMustCoverEveryPerspective,
    InvestigationNeedsAnInvestigator,
    InvestigationWithoutStudentHealthTeamNeedsAReason,
    OnlyRektorStartsTheInvestigation,
    ReferralMustComeBeforeTheInvestigation,
)
from cases.domain.values import replaced_at

# The parts an investigation must cover (R3), in the order the form asks for them.
PARTS: dict[str, str] = {
    "pupil_view": "Elevens syn",
    "guardians_view": "Vårdnadshavarnas syn",
    "school_view": "Skolans syn",
    "pedagogical_assessment": "Pedagogisk bedömning",
    "environment_organisation": "Lärmiljön på organisationsnivå",
    "environment_group": "Lärmiljön på gruppnivå",
    "environment_individual": "Lärmiljön på individnivå",
}
PART_MAX_LENGTH = 8000


@dataclass(frozen=True)
class Investigation:
    """One investigation at one school unit, from its start to the decision that answers it."""

    number: int
    school_unit: str
    started_by: str
    started_on: date
    investigator: str
    student_health_team: bool
    without_team_reason: str
    parts: Mapping[str, str] = field(default_factory=dict)  # by PARTS name; replaced, never updated
    proposal: str = ""
    concluded_on: date | None = None
    decided: bool = False


class InvestigationSteps(Aggregate):
    """The investigation's part of the support case (mixed into `SupportCase`)."""

    # Class default: cases stored before invitations existed have invited no one.
    invited_to_investigation = ()  # teachers' user ids (not annotated: it is no argument of Opened)

    # -- who takes part (R14) ------------------------------------------------------------------
    def takes_part_in_investigation(self, user_id: str) -> bool:
        """Invited by rektor, or named investigator of one of the case's investigations."""
        return user_id in self.invited_to_investigation or any(i.investigator == user_id for i in self.investigations)

    def investigation_visible_to(self, user_id: str, *, by_role: bool) -> bool:
        """Whether the user may read the investigation's content: by role (special educator, the
        student health team, rektor), or by taking part in it (a teacher)."""
        return by_role or self.takes_part_in_investigation(user_id)

    def invite_to_investigation(
        self, *, teacher: str, invited_by: str, by_rektor: bool, teachers_of_unit: tuple[str, ...] | frozenset[str], on: date,
    ) -> None:
        """Rektor lets a named teacher of the case's unit take part in the investigation."""
        self._require_open()
        if not by_rektor:
            raise OnlyRektorInvitesToTheInvestigation()
        teacher = (teacher or "").strip()
        if not teacher or teacher not in teachers_of_unit:
            raise InvitationNamesATeacherOfTheUnit()
        if teacher in self.invited_to_investigation:
            raise InvitationIsGivenOnce()
        self._invited_to_investigation(teacher=teacher, invited_by=invited_by, invited_on=on)

    def withdraw_invitation(self, *, teacher: str, withdrawn_by: str, by_rektor: bool, on: date) -> None:
        if not by_rektor:
            raise OnlyRektorInvitesToTheInvestigation()
        teacher = (teacher or "").strip()
        if teacher not in self.invited_to_investigation:
            raise OnlyAnInvitationCanBeWithdrawn()
        self._invitation_withdrawn(teacher=teacher, withdrawn_by=withdrawn_by, withdrawn_on=on)

    @event("InvitedToInvestigation")
    def _invited_to_investigation(self, teacher: str, invited_by: str, invited_on: date) -> None:
        self.invited_to_investigation = (*self.invited_to_investigation, teacher)

    @event("InvitationWithdrawn")
    def _invitation_withdrawn(self, teacher: str, withdrawn_by: str, withdrawn_on: date) -> None:
        self.invited_to_investigation = tuple(t for t in self.invited_to_investigation if t != teacher)

    @property
    def investigation(self) -> Investigation | None:
        """The latest investigation, whatever its state."""
        return self.investigations[-1] if self.investigations else None

    def open_investigation(self) -> Investigation | None:
        """An investigation at this unit that has not yet been answered by a decision."""
        current = self.investigation
        if current and not current.decided and current.school_unit == self.school_unit:
            return current
        return None

    def _replace_investigation(self, number: int, **changes: object) -> None:
        self.investigations = replaced_at(self.investigations, number - 1, replace(self.investigations[number - 1], **changes))

    def start_investigation(
        self,
        *,
        started_by: str,
        by_rektor: bool,
        investigator: str,
        student_health_team: bool,
        without_team_reason: str = "",
        on: date,
    ) -> None:
        self._require_open()
        if not by_rektor:
            raise OnlyRektorStartsTheInvestigation()
        if self.referral is None:
            raise ReferralMustComeBeforeTheInvestigation()
        if self.open_investigation() is not None:
            raise InvestigationIsAlreadyUnderWay()
        if not investigator.strip():
            raise InvestigationNeedsAnInvestigator()
        reason = without_team_reason.strip()
        if not student_health_team and not reason:
            raise InvestigationWithoutStudentHealthTeamNeedsAReason()
        self._investigation_started(
            started_by=started_by,
            investigator=investigator.strip(),
            student_health_team=student_health_team,
            without_team_reason="" if student_health_team else reason,
            started_on=on,
        )

    @event("InvestigationStarted")
    def _investigation_started(
        self, started_by: str, investigator: str, student_health_team: bool, without_team_reason: str, started_on: date
    ) -> None:
        self.investigations = (*self.investigations, Investigation(
            number=len(self.investigations) + 1,
            school_unit=self.school_unit,
            started_by=started_by,
            started_on=started_on,
            investigator=investigator,
            student_health_team=student_health_team,
            without_team_reason=without_team_reason,
        ))

    def record_investigation(self, parts: dict[str, str], recorded_by: str, *, taking_part: bool = True) -> None:
        """Records the parts that were filled in; the others can follow later. Only by those
        who may see the investigation (`taking_part`, R14)."""
        self._require_open()
        if not taking_part:
            raise InvestigationIsForThoseTakingPart()
        current = self._investigation_under_way()
        given = {name: (parts.get(name) or "").strip()[:PART_MAX_LENGTH] for name in PARTS}
        changed = {name: text for name, text in given.items() if text and text != current.parts.get(name)}
        if not changed:
            first = next((name for name in PARTS if name not in current.parts), "pupil_view")
            raise InvestigationMustCoverEveryPerspective({first: "Fyll i minst en del av utredningen innan du sparar."})
        self._investigation_recorded(parts=changed, recorded_by=recorded_by)

    @event("InvestigationRecorded")
    def _investigation_recorded(self, parts: dict, recorded_by: str) -> None:
        self._replace_investigation(self.investigation.number, parts={**self.investigation.parts, **parts})
        # One entry, each part it recorded correctable on its own (R16).
        self._remember_entry("investigation", (self.investigation.number, tuple(name for name in PARTS if name in parts)))

    def conclude_investigation(self, *, proposal: str, concluded_by: str, on: date, taking_part: bool = True) -> None:
        self._require_open()
        if not taking_part:
            raise InvestigationIsForThoseTakingPart()
        current = self._investigation_under_way()
        missing = {
            name: f"{label} saknas i utredningen." for name, label in PARTS.items() if not current.parts.get(name)
        }
        if not proposal.strip():
            missing["proposal"] = "Avsluta utredningen med ett förslag till beslut."
        if missing:
            raise InvestigationMustCoverEveryPerspective(missing)
        self._investigation_concluded(proposal=proposal.strip(), concluded_by=concluded_by, concluded_on=on)

    @event("InvestigationConcluded")
    def _investigation_concluded(self, proposal: str, concluded_by: str, concluded_on: date) -> None:
        self._replace_investigation(self.investigation.number, proposal=proposal, concluded_on=concluded_on)
        self._remember_entry("proposal", self.investigation.number)

    def _investigation_under_way(self) -> Investigation:
        current = self.open_investigation()
        if current is None or current.concluded_on is not None:
            raise InvestigationMustBeUnderWay()
        return current
