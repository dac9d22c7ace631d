"""The decision that answers an investigation (R4), who may take it (R5, R6), and the appeal
instructions and window of an appealable decision (R9)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from eventsourcing.domain import Aggregate, event

from cases.domain import dates
from cases.domain.rules import (
    DecisionByOthersThanRektorNeedsAValidDelegation,
    DecisionKindNeedsAProgrammeInPlace,
    DecisionMustExist,
    DecisionNeedsAConcludedInvestigation,
    DecisionOnSpecialTeachingGroupCannotBeDelegated,
    DeliveryIsRecordedOnce,
    DeliveryNamesARecipient,
    DeliveryToARecipientIsRecordedOnce,
    ProgrammeCannotBeClosedWithoutAnEvaluation,
    ProgrammeIsAlreadyInPlace,
)
from cases.domain.values import replaced_at
from eventkit.vocabulary import LabelledEnum

if TYPE_CHECKING:  # delegation.py imports DecisionKind from here
    from cases.domain.delegation import Grant


class DecisionKind(LabelledEnum):
    """Exactly one of these answers an investigation (R4)."""

    ESTABLISH_PROGRAMME = "establish_programme", "Upprätta åtgärdsprogram"
    NO_PROGRAMME = "no_programme", "Inte upprätta åtgärdsprogram"
    CONTINUE_WITH_NEW_MEASURES = "continue_with_new_measures", "Fortsätta åtgärdsprogrammet med nya åtgärder"
    CLOSE_PROGRAMME = "close_programme", "Avsluta åtgärdsprogrammet"


class Placement(LabelledEnum):
    """Decisions only rektor takes in person (R6; skollagen 3 kap. 11 §, 12 §)."""

    SPECIAL_TEACHING_GROUP = "special_teaching_group", "Särskild undervisningsgrupp"
    INDIVIDUAL_TUITION = "individual_tuition", "Enskild undervisning"
    ADAPTED_STUDY_PATH = "adapted_study_path", "Anpassad studiegång"


APPEALABLE_KINDS = {DecisionKind.ESTABLISH_PROGRAMME, DecisionKind.NO_PROGRAMME, DecisionKind.CONTINUE_WITH_NEW_MEASURES}
APPEAL_WEEKS = 3
APPEAL_INSTRUCTIONS = (
    "Hur man överklagar: Beslutet kan överklagas till Skolväsendets överklagandenämnd. "
    "Överklagandet ska vara skriftligt och ha kommit in inom tre veckor från den dag ni fick "
    "del av beslutet. Skicka det till skolan, som lämnar det vidare till nämnden."
)


class DeliveryMethod(LabelledEnum):
    """How a decision reached a recipient (R9)."""

    HANDED_OVER = "handed_over", "Överlämnat personligen"
    POST = "post", "Med post"
    SECURE_DIGITAL = "secure_digital", "Med säker digital post"


def is_appealable(kind: DecisionKind, placements: tuple[Placement, ...]) -> bool:
    return kind in APPEALABLE_KINDS or bool(placements)


def last_day_to_appeal(delivered_on: date) -> date:
    return delivered_on + timedelta(weeks=APPEAL_WEEKS)


@dataclass(frozen=True)
class Delivery:
    """The decision reached one recipient on `received_on` by `method` (R9): their appeal window
    runs three weeks from that day (FL 44 §). `method` None: recorded before methods were kept."""

    recipient: str  # "pupil", "guardians" (both together) or "guardian:<the register's id>"
    method: str | None
    received_on: date
    recorded_by: str

    @property
    def last_day_to_appeal(self) -> date:
        return last_day_to_appeal(self.received_on)


@dataclass(frozen=True)
class Decision:
    """One decision answering an investigation, at the unit that took it; or a decision that
    changed one (the school's own on reconsideration, or the board's), naming it."""

    number: int
    kind: DecisionKind
    placements: tuple[Placement, ...]
    reasons: str
    decided_by: str
    delegation_number: int | None
    decided_on: date
    school_unit: str
    appealable: bool
    appeal_instructions: str
    delivered_on: date | None = None
    appeal_last_day: date | None = None
    programme_number: int | None = None  # the programme it established, once issued
    deliveries: tuple[Delivery, ...] = ()  # per recipient (R9); empty for a decision delivered as a whole
    changes_decision: int | None = None  # the decision this one changed (FL 37–39 §§, or the board's change)
    changed_by_decision: int | None = None  # the later decision that changed this one
    by_board: bool = False  # Skolväsendets överklagandenämnd's decision (final: not appealable)
    overturned: bool = False  # the board overturned it and sent the matter back

    def delivered(self, on: date) -> "Decision":
        """As delivered to the guardians on `on` (or corrected to it): the appeal window runs from it (R9)."""
        return replace(self, delivered_on=on, appeal_last_day=last_day_to_appeal(on) if self.appealable else None)

    def delivered_to(self, deliveries: tuple[Delivery, ...]) -> "Decision":
        """As delivered to these recipients: delivered when the first received it; the window is
        open until the last recipient's last day (each recipient's own three weeks, FL 44 §)."""
        if not deliveries:
            return replace(self, deliveries=())
        return replace(self, deliveries=deliveries, delivered_on=min(d.received_on for d in deliveries),
                       appeal_last_day=max(d.last_day_to_appeal for d in deliveries) if self.appealable else None)

    def received_by(self, party: str) -> date | None:
        """When `party` received the decision: a guardian by a delivery to them or to both
        guardians, both guardians by the later of theirs; None when not (yet) recorded. A decision
        delivered as a whole (before deliveries per recipient) reached everyone that day."""
        if not self.deliveries:
            return self.delivered_on
        if party == "guardians":
            days = [d.received_on for d in self.deliveries if d.recipient == "guardians" or d.recipient.startswith("guardian:")]
            return max(days) if days else None
        days = [d.received_on for d in self.deliveries
                if d.recipient == party or (party.startswith("guardian:") and d.recipient == "guardians")]
        return min(days) if days else None

    @property
    def in_force(self) -> bool:
        return self.changed_by_decision is None and not self.overturned


class DecisionSteps(Aggregate):
    """The decision's part of the support case (mixed into `SupportCase`)."""


    def decide(
        self,
        *,
        kind: DecisionKind,
        placements: tuple[Placement, ...] = (),
        reasons: str = "",
        decided_by: str,
        by_rektor: bool,
        delegation: Grant | None = None,
        on: date,
    ) -> None:
        self._require_open()
        investigation = self.open_investigation()
        if investigation is None or investigation.concluded_on is None:
            raise DecisionNeedsAConcludedInvestigation()
        in_force = self.programme_in_force()
        if kind is DecisionKind.ESTABLISH_PROGRAMME and in_force is not None:
            raise ProgrammeIsAlreadyInPlace()
        if kind in (DecisionKind.CONTINUE_WITH_NEW_MEASURES, DecisionKind.CLOSE_PROGRAMME) and in_force is None:
            raise DecisionKindNeedsAProgrammeInPlace()
        if kind is DecisionKind.CLOSE_PROGRAMME and in_force.evaluation is None:
            raise ProgrammeCannotBeClosedWithoutAnEvaluation()
        self._may_decide(kind, placements, decided_by=decided_by, by_rektor=by_rektor, delegation=delegation, on=on)
        self._decided(
            number=len(self.decisions) + 1,
            kind=kind.value,
            placements=[p.value for p in placements],
            reasons=reasons.strip(),
            decided_by=decided_by,
            delegation_number=None if by_rektor else delegation.number,
            decided_on=on,
            appealable=is_appealable(kind, placements),
        )

    def _may_decide(self, kind: DecisionKind, placements: tuple[Placement, ...], *, decided_by: str, by_rektor: bool,
                    delegation: Grant | None, on: date) -> None:
        """R6 before R5: placements are rektor's own decisions, delegation or not; anyone else
        decides under a delegation in force that covers the kind."""
        if placements and not by_rektor:
            raise DecisionOnSpecialTeachingGroupCannotBeDelegated()
        if not by_rektor and (
            delegation is None or not delegation.covers(decided_by, self.school_unit, kind, on)
        ):
            raise DecisionByOthersThanRektorNeedsAValidDelegation()

    @event("Decided")
    def _decided(
        self,
        number: int,
        kind: str,
        placements: list,
        reasons: str,
        decided_by: str,
        delegation_number: int | None,
        decided_on: date,
        appealable: bool,
    ) -> None:
        self._replace_investigation(self.investigation.number, decided=True)
        decision = Decision(
            number=number,
            kind=DecisionKind(kind),
            placements=tuple(Placement(p) for p in placements),
            reasons=reasons,
            decided_by=decided_by,
            delegation_number=delegation_number,
            decided_on=decided_on,
            school_unit=self.school_unit,
            appealable=appealable,
            appeal_instructions=APPEAL_INSTRUCTIONS if appealable else "",
        )
        self.decisions = (*self.decisions, decision)
        if decision.kind is DecisionKind.CLOSE_PROGRAMME:
            self._close_programme(closed_on=decided_on)
            self.closed = True

    def decision(self, number: int) -> Decision:
        if not 1 <= number <= len(self.decisions):
            raise DecisionMustExist()
        return self.decisions[number - 1]

    def record_delivery(self, *, decision_number: int, delivered_on: date, recorded_by: str, today: date) -> None:
        """The day the decision reached the guardians; the appeal window runs from it (R9). A
        plausible day (cases.domain.dates): not before the decision, at most a year ahead."""
        decision = self.decision(decision_number)
        if decision.delivered_on is not None:
            raise DeliveryIsRecordedOnce()
        dates.delivery(delivered_on, decided_on=decision.decided_on, today=today)
        self._delivered(decision_number=decision_number, delivered_on=delivered_on, recorded_by=recorded_by)

    @event("DecisionDelivered")
    def _delivered(self, decision_number: int, delivered_on: date, recorded_by: str) -> None:
        self._decision_delivered(decision_number, delivered_on)
        self._remember_entry("delivery", decision_number)

    def _decision_delivered(self, number: int, on: date) -> None:
        """Decision `number` as delivered on `on`: recorded, or corrected (R16)."""
        self.decisions = replaced_at(self.decisions, number - 1, self.decisions[number - 1].delivered(on))

    # R9: delivery per recipient ----------------------------------------------------------------
    def record_receipt(self, *, decision_number: int, recipient: str, method: str, received_on: date,
                       recorded_by: str, today: date) -> None:
        """The day one recipient received the decision, and how (DeliveryMethod). Each
        recipient's appeal window runs from their own day (FL 44 §); plausible as a delivery."""
        from cases.domain.programme import is_party  # programme.py imports this module

        decision = self.decision(decision_number)
        if not is_party(recipient):
            raise DeliveryNamesARecipient()
        if decision.delivered_on is not None and not decision.deliveries:
            raise DeliveryIsRecordedOnce()  # delivered as a whole: correct that day instead
        if any(d.recipient == recipient for d in decision.deliveries):
            raise DeliveryToARecipientIsRecordedOnce()
        dates.delivery(received_on, decided_on=decision.decided_on, today=today, who="mottagaren", field="received_on")
        # The decision's window after this receipt: until the last recipient's last day (published).
        last_day = max([last_day_to_appeal(received_on), *(d.last_day_to_appeal for d in decision.deliveries)])
        self._received(decision_number=decision_number, recipient=recipient, method=DeliveryMethod(method).value,
                       received_on=received_on, recorded_by=recorded_by,
                       appeal_last_day=last_day if decision.appealable else None)

    @event("DecisionReceived")
    def _received(self, decision_number: int, recipient: str, method: str, received_on: date, recorded_by: str,
                  appeal_last_day: date | None = None) -> None:
        decision = self.decisions[decision_number - 1]
        deliveries = (*decision.deliveries, Delivery(recipient, method, received_on, recorded_by))
        self.decisions = replaced_at(self.decisions, decision_number - 1, decision.delivered_to(deliveries))
        self._remember_entry("receipt", [decision_number, len(deliveries) - 1])

    def _receipt_corrected(self, decision_number: int, index: int, on: date) -> None:
        """A recipient's day of receipt as corrected (R16)."""
        decision = self.decisions[decision_number - 1]
        deliveries = replaced_at(decision.deliveries, index, replace(decision.deliveries[index], received_on=on))
        self.decisions = replaced_at(self.decisions, decision_number - 1, decision.delivered_to(deliveries))
