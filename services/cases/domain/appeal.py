"""The appeal of a decision (R9), from the day it comes in to the board's outcome.

The law it follows (docs/appeals.md cites it):
- An appeal is written and handed in to the school (the deciding authority) within three weeks of
  the day the party received the decision (förvaltningslagen 44 §); each recipient's own day
  counts. One that came in late is rejected (avvisas) by the school, unless the delay was the
  school's own doing (45 §); the rejection is itself a decision that can be appealed.
- Both guardians stand behind an appeal made for a child; a pupil of 16 or more may appeal alone.
  An appeal from one guardian is recorded as incomplete until the other joins, or the school notes
  why one suffices (sole custody, say).
- The school reconsiders (omprövning, 37–39 §§): it changes the decision, a new decision naming
  the one it changes (when it meets the appeal in full, the appeal lapses; otherwise the appeal
  covers the new decision and goes on), or it keeps it and forwards the appeal with its comments
  and the documents to Skolväsendets överklagandenämnd (skollagen 28 kap. 16 §) without delay:
  within seven days of receipt, as the Ombudsman has put it. Once forwarded, the matter is the
  board's: the school does not change it then.
- The board's decision is final: it upholds the decision, changes it (its decision is then the one
  in force), or overturns it and sends the matter back to the school to investigate or decide again.

Every step is an event of the support case (`SupportCase` mixes these steps in), checked by the
named rules of cases.domain.rules before anything is stored.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from eventsourcing.domain import Aggregate, event

from cases.domain.decision import APPEALABLE_KINDS, Decision, DecisionKind, Placement, is_appealable, last_day_to_appeal
from cases.domain.programme import is_guardian
from cases.domain.rules import (
    AppealAfterThreeWeeksIsLate,
    AppealDateIsPlausible,
    AppealFromOneGuardianIsIncomplete,
    AppealIsCompleteAlready,
    AppealIsHandledOnce,
    AppealIsOnlyOfAnAppealableDecision,
    AppealMustExist,
    AppealNamesWhoAppeals,
    AppealSaysWhatIsAsked,
    BoardDateIsPlausible,
    BoardDecidesOnAForwardedAppeal,
    BoardOutcomeIsRecordedOnce,
    ChangedDecisionStatesTheNewDecision,
    DecisionCannotBeForwardedAndChangedAtOnce,
    ForwardingDateIsPlausible,
    OnlyALateAppealIsRejected,
    OnlyRektorOrTheDeciderReconsiders,
    PupilUnderSixteenAppealsWithTheGuardians,
    SentBackSaysWhereTheMatterGoes,
    SingleGuardianNeedsAReason,
)
from cases.domain.values import replaced_at
from eventkit import personnummer
from eventkit.vocabulary import LabelledEnum

if TYPE_CHECKING:
    from cases.domain.delegation import Grant

FORWARD_WITHIN_DAYS = 7  # "without delay": about a week (JO), from the day the appeal came in
AGE_TO_APPEAL_ALONE = 16
TEXT_MAX_LENGTH = 4000


class BoardOutcome(LabelledEnum):
    """What Skolväsendets överklagandenämnd decided (final)."""

    UPHELD = "upheld", "Nämnden avslog överklagandet: beslutet står fast"
    CHANGED = "changed", "Nämnden ändrade beslutet"
    SENT_BACK = "sent_back", "Nämnden upphävde beslutet och återförvisade ärendet till skolan"


class SentBackTo(LabelledEnum):
    """Where a matter the board sent back starts again."""

    INVESTIGATION = "investigation", "Ny utredning"
    DECISION = "decision", "Nytt beslut"


class AppealStatus(LabelledEnum):
    """Where an appeal stands (derived; no event carries it)."""

    INCOMPLETE = "incomplete", "Väntar på att båda vårdnadshavarna står bakom överklagandet"
    LATE = "late", "Kom in för sent – ska avvisas"
    REGISTERED = "registered", "Ska omprövas eller lämnas vidare till nämnden"
    REJECTED = "rejected", "Avvisat (kom in för sent)"
    LAPSED = "lapsed", "Förfallet – beslutet ändrades som begärt"
    FORWARDED = "forwarded", "Hos Skolväsendets överklagandenämnd"
    DECIDED = "decided", "Avgjort av nämnden"


# An appeal the school or the board still has to act on: the pupil's records are kept (R17).
PENDING = frozenset({AppealStatus.INCOMPLETE, AppealStatus.LATE, AppealStatus.REGISTERED, AppealStatus.FORWARDED})


@dataclass(frozen=True)
class Rejection:
    """The school's decision to reject a late appeal (FL 45 §); it can itself be appealed."""

    decided_by: str
    delegation_number: int | None
    decided_on: date
    reasons: str


@dataclass(frozen=True)
class Reconsideration:
    """The school changed the decision on reconsideration: the new decision's number."""

    decision_number: int
    in_full: bool
    reconsidered_on: date
    by: str


@dataclass(frozen=True)
class Forwarding:
    forwarded_on: date
    forwarded_by: str
    comments: str
    documents: tuple[str, ...]
    late: bool  # after FORWARD_WITHIN_DAYS


@dataclass(frozen=True)
class BoardDecision:
    outcome: BoardOutcome
    decided_on: date
    reasons: str
    sent_back_to: SentBackTo | None
    decision_number: int | None  # the board's own decision, when it changed the school's
    recorded_by: str


@dataclass(frozen=True)
class Appeal:
    number: int
    decision_number: int  # the decision appealed
    received_on: date
    appellants: tuple[str, ...]  # "pupil", "guardians" (both) or "guardian:<the register's id>"
    asks: str
    registered_by: str
    last_day: date | None  # the appellants' last day to appeal; None when they had not received it
    timely: bool
    delay_caused_by_school: bool
    pupil_may_appeal_alone: bool  # 16 or older on the day it came in
    single_guardian_reason: str = ""
    rejection: Rejection | None = None
    reconsidered: Reconsideration | None = None
    forwarded: Forwarding | None = None
    board: BoardDecision | None = None

    @property
    def forward_due(self) -> date:
        return self.received_on + timedelta(days=FORWARD_WITHIN_DAYS)

    @property
    def complete(self) -> bool:
        return is_complete(self.appellants, self.pupil_may_appeal_alone, self.single_guardian_reason)

    @property
    def may_be_examined(self) -> bool:
        """In time, or late by the school's own doing (FL 45 §)."""
        return self.timely or self.delay_caused_by_school

    @property
    def status(self) -> AppealStatus:
        if self.board is not None:
            return AppealStatus.DECIDED
        if self.rejection is not None:
            return AppealStatus.REJECTED
        if self.reconsidered is not None and self.reconsidered.in_full:
            return AppealStatus.LAPSED
        if self.forwarded is not None:
            return AppealStatus.FORWARDED
        if not self.may_be_examined:
            return AppealStatus.LATE
        if not self.complete:
            return AppealStatus.INCOMPLETE
        return AppealStatus.REGISTERED

    @property
    def pending(self) -> bool:
        return self.status in PENDING

    @property
    def decision_in_question(self) -> int:
        """The decision the appeal is about now: a decision changed in part on reconsideration
        is appealed in its new form (FL 39 §)."""
        return self.reconsidered.decision_number if self.reconsidered else self.decision_number


def is_complete(appellants: tuple[str, ...] | list[str], pupil_may_appeal_alone: bool, single_guardian_reason: str = "") -> bool:
    """Both guardians stand behind the appeal, or the pupil of 16 or more appeals, or the school
    noted why one guardian suffices."""
    guardians = {a for a in appellants if a.startswith("guardian:")}
    return ("guardians" in appellants or len(guardians) >= 2 or bool(single_guardian_reason)
            or ("pupil" in appellants and pupil_may_appeal_alone))


def last_day_for(decision: Decision, appellants: tuple[str, ...]) -> date | None:
    """The appellants' last day to appeal: the latest of their own three weeks; None when one of
    them has not received the decision (their window has not begun)."""
    days = [decision.received_by(party) for party in appellants]
    if not days or any(day is None for day in days):
        return None
    return max(last_day_to_appeal(day) for day in days)


def is_timely(received_on: date, last_day: date | None) -> bool:
    return last_day is None or received_on <= last_day


class AppealSteps(Aggregate):
    """The appeal's part of the support case (mixed into `SupportCase`)."""

    appeals: tuple[Appeal, ...] = ()  # class default: cases stored before appeals

    def appeal(self, number: int) -> Appeal:
        if not 1 <= number <= len(self.appeals):
            raise AppealMustExist()
        return self.appeals[number - 1]

    def appeal_pending(self) -> bool:
        return any(a.pending for a in self.appeals)

    def _replace_appeal(self, number: int, **changes: object) -> None:
        self.appeals = replaced_at(self.appeals, number - 1, replace(self.appeals[number - 1], **changes))

    def _replace_decision(self, number: int, **changes: object) -> None:
        self.decisions = replaced_at(self.decisions, number - 1, replace(self.decisions[number - 1], **changes))

    # -- the appeal comes in ----------------------------------------------------------------------
    def register_appeal(self, *, decision_number: int, received_on: date, appellants: list[str], asks: str,
                        delay_caused_by_school: bool = False, registered_by: str, today: date) -> None:
        """The school registers an appeal the day it came in; the domain says whether it is in time."""
        self._require_open()
        decision = self.decision(decision_number)
        if not decision.appealable or decision.by_board:
            raise AppealIsOnlyOfAnAppealableDecision()
        if not decision.in_force:
            raise AppealIsOnlyOfAnAppealableDecision(
                f"Beslut {decision_number} gäller inte längre"
                + (f": det ändrades genom beslut {decision.changed_by_decision}, som är det som kan överklagas."
                   if decision.changed_by_decision else ": överklagandenämnden har upphävt det."))
        parties = tuple(dict.fromkeys(a.strip() for a in appellants if a and a.strip()))
        if not parties or not all(a == "pupil" or is_guardian(a) for a in parties):
            raise AppealNamesWhoAppeals()
        if not asks.strip():
            raise AppealSaysWhatIsAsked()
        if received_on < decision.decided_on or received_on > today:
            raise AppealDateIsPlausible()
        may_alone = self._pupil_age_on(received_on) >= AGE_TO_APPEAL_ALONE
        if parties == ("pupil",) and not may_alone:
            raise PupilUnderSixteenAppealsWithTheGuardians()
        last_day = last_day_for(decision, parties)
        self._appeal_registered(
            number=len(self.appeals) + 1, decision_number=decision_number, received_on=received_on,
            appellants=list(parties), asks=asks.strip()[:TEXT_MAX_LENGTH], registered_by=registered_by,
            last_day=last_day, timely=is_timely(received_on, last_day),
            delay_caused_by_school=delay_caused_by_school, pupil_may_appeal_alone=may_alone,
        )

    def _pupil_age_on(self, day: date) -> int:
        try:
            born = personnummer.birth_date(self.pupil_personal_number.replace("-", ""))
        except (ValueError, AttributeError):  # no readable personnummer: not shown to be 16
            return 0
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @event("AppealRegistered")
    def _appeal_registered(self, number: int, decision_number: int, received_on: date, appellants: list, asks: str,
                           registered_by: str, last_day: date | None, timely: bool, delay_caused_by_school: bool,
                           pupil_may_appeal_alone: bool) -> None:
        self.appeals = (*self.appeals, Appeal(
            number=number, decision_number=decision_number, received_on=received_on, appellants=tuple(appellants),
            asks=asks, registered_by=registered_by, last_day=last_day, timely=timely,
            delay_caused_by_school=delay_caused_by_school, pupil_may_appeal_alone=pupil_may_appeal_alone,
        ))

    def join_appeal(self, *, appeal_number: int, guardian: str, joined_on: date, recorded_by: str, today: date) -> None:
        """The other guardian stands behind the appeal too."""
        appeal = self._open_appeal(appeal_number)
        if appeal.complete:
            raise AppealIsCompleteAlready()
        if not guardian.startswith("guardian:") or not is_guardian(guardian) or guardian in appeal.appellants:
            raise AppealNamesWhoAppeals("Ange den andra vårdnadshavaren, som ansluter sig till överklagandet.")
        if joined_on < appeal.received_on or joined_on > today:
            raise AppealDateIsPlausible("Den andra vårdnadshavaren kan inte ha anslutit sig före överklagandet kom in "
                                        "eller senare än i dag.")
        self._appeal_joined(appeal_number=appeal_number, guardian=guardian, joined_on=joined_on, recorded_by=recorded_by)

    @event("AppealJoined")
    def _appeal_joined(self, appeal_number: int, guardian: str, joined_on: date, recorded_by: str) -> None:
        self._replace_appeal(appeal_number, appellants=(*self.appeals[appeal_number - 1].appellants, guardian))

    def note_one_guardian_suffices(self, *, appeal_number: int, reason: str, recorded_by: str) -> None:
        """Why one guardian's appeal suffices (sole custody, say)."""
        appeal = self._open_appeal(appeal_number)
        if appeal.complete:
            raise AppealIsCompleteAlready()
        if not reason.strip():
            raise SingleGuardianNeedsAReason()
        self._one_guardian_suffices(appeal_number=appeal_number, reason=reason.strip()[:TEXT_MAX_LENGTH],
                                    recorded_by=recorded_by)

    @event("OneGuardianSuffices")
    def _one_guardian_suffices(self, appeal_number: int, reason: str, recorded_by: str) -> None:
        self._replace_appeal(appeal_number, single_guardian_reason=reason)

    # -- the school's answer: reject, change, or forward --------------------------------------------
    def reject_late_appeal(self, *, appeal_number: int, reasons: str, decided_by: str, by_rektor: bool,
                           on: date, delegation: Grant | None = None) -> None:
        """A late appeal is rejected by the school (FL 45 §), by rektor or the one who decided."""
        appeal = self._open_appeal(appeal_number, changing=True)
        if appeal.may_be_examined:
            raise OnlyALateAppealIsRejected()
        self._may_reconsider(appeal, decided_by=decided_by, by_rektor=by_rektor)
        if on < appeal.received_on:
            raise AppealDateIsPlausible("Avvisningen kan inte vara beslutad före den dag överklagandet kom in.")
        self._appeal_rejected(appeal_number=appeal_number, decided_by=decided_by,
                              delegation_number=None if by_rektor else self._decider_delegation(appeal, delegation),
                              decided_on=on, reasons=reasons.strip()[:TEXT_MAX_LENGTH])

    @event("AppealRejected")
    def _appeal_rejected(self, appeal_number: int, decided_by: str, delegation_number: int | None, decided_on: date,
                         reasons: str) -> None:
        self._replace_appeal(appeal_number, rejection=Rejection(decided_by, delegation_number, decided_on, reasons))

    def change_on_reconsideration(self, *, appeal_number: int, kind: DecisionKind, placements: tuple[Placement, ...] = (),
                                  reasons: str, in_full: bool, decided_by: str, by_rektor: bool, on: date,
                                  delegation: Grant | None = None) -> None:
        """The school changes its decision (FL 37–39 §§): a new decision naming the one it changes.
        In full as asked, the appeal lapses; in part, the appeal goes on against the new decision."""
        appeal = self._open_appeal(appeal_number, changing=True)
        if appeal.reconsidered is not None:
            raise AppealIsHandledOnce("Beslutet är redan omprövat. Lämna överklagandet vidare till nämnden.")
        if kind not in APPEALABLE_KINDS:
            raise ChangedDecisionStatesTheNewDecision()
        self._may_reconsider(appeal, decided_by=decided_by, by_rektor=by_rektor)
        self._may_decide(kind, placements, decided_by=decided_by, by_rektor=by_rektor, delegation=delegation, on=on)
        if on < appeal.received_on:
            raise AppealDateIsPlausible("Omprövningen kan inte vara beslutad före den dag överklagandet kom in.")
        self._reconsidered(
            appeal_number=appeal_number, changes_decision=appeal.decision_in_question, number=len(self.decisions) + 1,
            kind=kind.value, placements=[p.value for p in placements], reasons=reasons.strip()[:TEXT_MAX_LENGTH],
            in_full=in_full, decided_by=decided_by, delegation_number=None if by_rektor else delegation.number,
            decided_on=on, appealable=is_appealable(kind, placements),
        )

    @event("DecisionReconsidered")
    def _reconsidered(self, appeal_number: int, changes_decision: int, number: int, kind: str, placements: list,
                      reasons: str, in_full: bool, decided_by: str, delegation_number: int | None, decided_on: date,
                      appealable: bool) -> None:
        self._new_decision_replacing(changes_decision, number=number, kind=kind, placements=placements, reasons=reasons,
                                     decided_by=decided_by, delegation_number=delegation_number, decided_on=decided_on,
                                     appealable=appealable, by_board=False)
        self._replace_appeal(appeal_number, reconsidered=Reconsideration(number, in_full, decided_on, decided_by))

    def forward_appeal(self, *, appeal_number: int, forwarded_on: date, comments: str, documents: list[str],
                       forwarded_by: str, today: date) -> None:
        """The school keeps its decision (or changed it in part) and sends the appeal, its comments
        and the documents to the board; due within FORWARD_WITHIN_DAYS of receipt."""
        appeal = self.appeal(appeal_number)
        if appeal.reconsidered is not None and appeal.reconsidered.in_full:
            raise DecisionCannotBeForwardedAndChangedAtOnce()
        appeal = self._open_appeal(appeal_number)
        if not appeal.may_be_examined:
            raise AppealAfterThreeWeeksIsLate()
        if not appeal.complete:
            raise AppealFromOneGuardianIsIncomplete()
        if forwarded_on < appeal.received_on or forwarded_on > today:
            raise ForwardingDateIsPlausible()
        listed = [d.strip()[:200] for d in documents if d and d.strip()]
        self._forwarded(appeal_number=appeal_number, forwarded_on=forwarded_on, forwarded_by=forwarded_by,
                        comments=comments.strip()[:TEXT_MAX_LENGTH], documents=listed[:20],
                        late=forwarded_on > appeal.forward_due)

    @event("AppealForwarded")
    def _forwarded(self, appeal_number: int, forwarded_on: date, forwarded_by: str, comments: str, documents: list,
                   late: bool) -> None:
        self._replace_appeal(appeal_number, forwarded=Forwarding(forwarded_on, forwarded_by, comments, tuple(documents), late))

    # -- the board ----------------------------------------------------------------------------------
    def record_board_decision(self, *, appeal_number: int, outcome: BoardOutcome, decided_on: date, reasons: str,
                              sent_back_to: SentBackTo | None = None, kind: DecisionKind | None = None,
                              placements: tuple[Placement, ...] = (), recorded_by: str, today: date) -> None:
        """The board's final outcome, as its decision says. Changed: the board's decision is the one
        in force. Sent back: the decision no longer stands; the school investigates or decides again."""
        self._require_open()
        appeal = self.appeal(appeal_number)
        if appeal.board is not None:
            raise BoardOutcomeIsRecordedOnce()
        if appeal.forwarded is None:
            raise BoardDecidesOnAForwardedAppeal()
        if decided_on < appeal.forwarded.forwarded_on or decided_on > today:
            raise BoardDateIsPlausible()
        if outcome is BoardOutcome.CHANGED and (kind is None or kind not in APPEALABLE_KINDS):
            raise ChangedDecisionStatesTheNewDecision()
        if outcome is BoardOutcome.SENT_BACK and sent_back_to is None:
            raise SentBackSaysWhereTheMatterGoes()
        changed = outcome is BoardOutcome.CHANGED
        self._board_decided(
            appeal_number=appeal_number, board_outcome=outcome.value, decided_on=decided_on,
            reasons=reasons.strip()[:TEXT_MAX_LENGTH],
            sent_back_to=sent_back_to.value if outcome is BoardOutcome.SENT_BACK else None,
            decision_in_question=appeal.decision_in_question,
            number=len(self.decisions) + 1 if changed else None,
            kind=kind.value if changed else None, placements=[p.value for p in placements] if changed else [],
            recorded_by=recorded_by,
        )

    @event("BoardDecided")
    def _board_decided(self, appeal_number: int, board_outcome: str, decided_on: date, reasons: str, sent_back_to: str | None,
                       decision_in_question: int, number: int | None, kind: str | None, placements: list,
                       recorded_by: str) -> None:
        if board_outcome == BoardOutcome.CHANGED.value:
            self._new_decision_replacing(decision_in_question, number=number, kind=kind, placements=placements,
                                         reasons=reasons, decided_by="", delegation_number=None, decided_on=decided_on,
                                         appealable=False, by_board=True)
        elif board_outcome == BoardOutcome.SENT_BACK.value:
            self._end_programme_of(decision_in_question, decided_on)
            self._replace_decision(decision_in_question, overturned=True)
            if sent_back_to == SentBackTo.DECISION.value and self.investigation is not None:
                self._replace_investigation(self.investigation.number, decided=False)  # to be decided again
        self._replace_appeal(appeal_number, board=BoardDecision(
            BoardOutcome(board_outcome), decided_on, reasons, SentBackTo(sent_back_to) if sent_back_to else None, number,
            recorded_by))

    # -- shared ---------------------------------------------------------------------------------------
    def _open_appeal(self, number: int, *, changing: bool = False) -> Appeal:
        """An appeal the school still handles: not rejected, lapsed, forwarded or decided.
        `changing`: the school would decide on it (reject it, change the decision), which a
        forwarded appeal names as its own rule."""
        self._require_open()
        appeal = self.appeal(number)
        if appeal.forwarded is not None and appeal.board is None and changing:
            raise DecisionCannotBeForwardedAndChangedAtOnce()
        if appeal.forwarded is not None or appeal.board is not None:
            raise AppealIsHandledOnce()
        if appeal.rejection is not None or (appeal.reconsidered is not None and appeal.reconsidered.in_full):
            raise AppealIsHandledOnce()
        return appeal

    def _may_reconsider(self, appeal: Appeal, *, decided_by: str, by_rektor: bool) -> None:
        """The deciding authority answers the appeal: rektor, or the delegate who decided."""
        if not by_rektor and self.decisions[appeal.decision_in_question - 1].decided_by != decided_by:
            raise OnlyRektorOrTheDeciderReconsiders()

    def _decider_delegation(self, appeal: Appeal, delegation: Grant | None) -> int | None:
        if delegation is not None:
            return delegation.number
        return self.decisions[appeal.decision_in_question - 1].delegation_number

    def _new_decision_replacing(self, old: int, *, number: int, kind: str, placements: list, reasons: str,
                                decided_by: str, delegation_number: int | None, decided_on: date, appealable: bool,
                                by_board: bool) -> None:
        """A decision that changes decision `old`: `old` is no longer in force; a programme issued
        under it ends when the new decision establishes none (a new programme replaces it when issued)."""
        from cases.domain.decision import APPEAL_INSTRUCTIONS

        previous = self.decisions[old - 1]
        if DecisionKind(kind) not in (DecisionKind.ESTABLISH_PROGRAMME, DecisionKind.CONTINUE_WITH_NEW_MEASURES):
            self._end_programme_of(old, decided_on)
        self._replace_decision(old, changed_by_decision=number)
        self.decisions = (*self.decisions, Decision(
            number=number, kind=DecisionKind(kind), placements=tuple(Placement(p) for p in placements), reasons=reasons,
            decided_by=decided_by, delegation_number=delegation_number, decided_on=decided_on,
            school_unit=previous.school_unit, appealable=appealable,
            appeal_instructions=APPEAL_INSTRUCTIONS if appealable else "", changes_decision=old, by_board=by_board,
        ))

    def _end_programme_of(self, decision_number: int, on: date) -> None:
        in_force = self.programme_in_force()
        if in_force is not None and in_force.decision_number == decision_number:
            self._close_programme(closed_on=on)
