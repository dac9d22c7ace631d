"""The cases application: commands and queries in the words of the support case.

Authorization of the acting identity happens here (who may act on which school unit);
the rules of the case itself live in the domain model. Every command on an existing case
may name the version the user's form was loaded at (`expected_version`): if someone else
saved in between, the command is refused with `eventkit.store.VersionConflict` and nothing
is stored.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any, Callable, NamedTuple
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from cases import access, views
from cases.confidential import ConfidentialCommands
from cases.domain.deadlines import ReferralDeadlines
from cases.domain.appeal import BoardOutcome, SentBackTo
from cases.domain.decision import DecisionKind, Placement
from cases.domain.delegation import DelegationRegister
from cases.domain.model import SupportCase
from cases.domain.open_cases import OpenCaseIndex
from cases.domain.rules import PupilMustBePlacedAtTheSchoolUnit
from cases.domain.values import PersonalIdentityNumber, RegisterChange, RegisterPupil, plausible_pupil
from eventkit.accesslog import refused_record
from eventkit.dates import LOCAL_TIME
from eventkit.identity import Identity, Role
from eventkit.store import ServiceApplication, acting_as

class CaseNotFound(Exception):
    pass


class OpenCaseHidden(Exception):
    """The pupil has an open case at the unit that the user may not see (a protected pupil's,
    R14): answered without the case, rather than opening a second, unprotected one."""


class OpenedCase(NamedTuple):
    case_id: UUID
    existing: bool  # the pupil's open case at the unit, answered instead of a new one


class CasesApplication(ConfidentialCommands, ServiceApplication):
    name = "cases"
    database_variable = "CASES_DB"

    def __init__(
        self,
        env: dict[str, str] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
        deadlines: Callable[[str], ReferralDeadlines] = lambda municipality: ReferralDeadlines(),
    ) -> None:
        super().__init__(env)
        self.clock = clock
        self.deadlines = deadlines

    def today(self) -> date:
        return self.clock().astimezone(LOCAL_TIME).date()

    # -- opening, R1, R2 --------------------------------------------------------------------
    def open_case(self, who: Identity, *, school_unit: str, pupil: RegisterPupil) -> OpenedCase:
        """A case for a pupil of the register placed at `school_unit`, or the pupil's open case
        there (one per pupil and unit, also when two requests open it at the same moment:
        the index is saved in the same transaction as the case, and the second save
        conflicts). A pupil the register protects gets a case protected from its first event,
        its opener granted (R14)."""
        today = self.today()
        number = self.admissible_pupil(who, school_unit, pupil)
        index = self._open_case_index(who.municipality, school_unit, pupil.pupil_id)
        if index is not None and (found := self._open_case_named(who, index, school_unit)) is not None:
            return found
        case = SupportCase.open(
            municipality=who.municipality, school_unit=school_unit, pupil=number, pupil_name=pupil.name,
            opened_by=who.user_id, pupil_ref=pupil.pupil_id, protected_by_register=pupil.protected, today=today,
            id=self.creation_id("case", who),
        )
        if index is None:
            index = OpenCaseIndex(municipality=who.municipality, school_unit=school_unit, pupil_ref=pupil.pupil_id,
                                  case_id=case.id)
        else:
            index.name_case(case.id)
        try:
            with acting_as(who):
                self.save(case, index)
        except IntegrityError:
            # Another request stored the pupil's case at the unit first (or this very request
            # did, and this is its retry): answer that case.
            if self.repeated(case.id):
                return OpenedCase(case.id, existing=False)
            index = self._open_case_index(who.municipality, school_unit, pupil.pupil_id)
            if index is None or (found := self._open_case_named(who, index, school_unit)) is None:
                raise
            return found._replace(existing=found.case_id != case.id)
        return OpenedCase(case.id, existing=False)

    def admissible_pupil(self, who: Identity, school_unit: str, pupil: RegisterPupil) -> PersonalIdentityNumber:
        """The pupil's number, if `who` may open a case at the unit and the pupil may have one
        there: placed at the unit now, with a birth date plausible for a pupil (refused before
        anything is stored, the pupil's key included)."""
        _require_case_worker(who, school_unit)
        if school_unit not in pupil.school_units:
            raise PupilMustBePlacedAtTheSchoolUnit()
        return plausible_pupil(PersonalIdentityNumber.parse(pupil.personal_number, self.today()), self.today())

    def _open_case_index(self, municipality: str, school_unit: str, pupil_ref: str) -> OpenCaseIndex | None:
        try:
            return self.repository.get(OpenCaseIndex.id_for(municipality, school_unit, pupil_ref))
        except AggregateNotFoundError:
            return None

    def _open_case_named(self, who: Identity, index: OpenCaseIndex, school_unit: str) -> OpenedCase | None:
        """The case the index names, if it still counts as the pupil's open case at the unit."""
        try:
            case: SupportCase = self.repository.get(index.case_id)
        except AggregateNotFoundError:
            return None
        if not case.counts_as_open_at(school_unit):
            return None
        if not access.sees_case(who, case):
            raise OpenCaseHidden()
        # A retry of this very request (same idempotency key) answers as the first time did.
        return OpenedCase(case.id, existing=case.id != self.creation_id("case", who))

    def record_extra_adaptation(self, who: Identity, case_id: UUID, description: str, expected_version: int | None = None) -> None:
        self._command(who, case_id, expected_version, lambda case: case.record_extra_adaptation(description, recorded_by=who.user_id))

    def refer_to_rektor(
        self, who: Identity, case_id: UUID, *, tried_adaptations: str = "", why_not_enough: str = "",
        special_reason: str = "", expected_version: int | None = None,
    ) -> None:
        self._command(who, case_id, expected_version, lambda case: case.refer_to_rektor(
            referred_by=who.user_id, referred_at=self.clock(), tried_adaptations=tried_adaptations,
            why_not_enough=why_not_enough, special_reason=special_reason, deadlines=self.deadlines(case.municipality),
        ))

    # -- R3 investigation ---------------------------------------------------------------------
    def start_investigation(
        self, who: Identity, case_id: UUID, *, investigator: str, student_health_team: bool,
        without_team_reason: str = "", expected_version: int | None = None,
    ) -> None:
        self._command(who, case_id, expected_version, lambda case: case.start_investigation(
            started_by=who.user_id, by_rektor=who.role is Role.REKTOR, investigator=investigator,
            student_health_team=student_health_team, without_team_reason=without_team_reason, on=self.today(),
        ))

    def record_investigation(self, who: Identity, case_id: UUID, *, parts: dict[str, str], expected_version: int | None = None) -> None:
        self._command(who, case_id, expected_version, lambda case: case.record_investigation(
            parts, recorded_by=who.user_id, taking_part=access.sees_investigation(who, case)))

    def conclude_investigation(self, who: Identity, case_id: UUID, *, proposal: str, expected_version: int | None = None) -> None:
        self._command(who, case_id, expected_version, lambda case: case.conclude_investigation(
            proposal=proposal, concluded_by=who.user_id, on=self.today(), taking_part=access.sees_investigation(who, case)))

    def invite_to_investigation(
        self, who: Identity, case_id: UUID, *, user_id: str, teachers: Callable[[str, str], tuple[str, ...]],
        expected_version: int | None = None,
    ) -> None:
        """Rektor invites a named teacher of the case's unit (`teachers(municipality, unit)`: the
        directory's teachers of the unit now) to the investigation (R14)."""
        access.require_role(who, access.INVITE)
        self._command(who, case_id, expected_version, lambda case: case.invite_to_investigation(
            teacher=user_id, invited_by=who.user_id, by_rektor=who.role is Role.REKTOR,
            teachers_of_unit=teachers(case.municipality, case.school_unit), on=self.today()))

    def withdraw_invitation(self, who: Identity, case_id: UUID, *, user_id: str, expected_version: int | None = None) -> None:
        access.require_role(who, access.INVITE)
        self._command(who, case_id, expected_version, lambda case: case.withdraw_invitation(
            teacher=user_id, withdrawn_by=who.user_id, by_rektor=who.role is Role.REKTOR, on=self.today()))

    # -- R4–R6, R9 decision -----------------------------------------------------------------
    def decide(
        self, who: Identity, case_id: UUID, *, kind: str, placements: list[str] | tuple[str, ...] = (),
        reasons: str = "", expected_version: int | None = None,
    ) -> None:
        def act(case: SupportCase) -> None:
            today, by_rektor, decision_kind = self.today(), who.role is Role.REKTOR, DecisionKind(kind)
            grant = self._grant(who, case, decision_kind, today)
            case.decide(
                kind=decision_kind, placements=tuple(Placement(p) for p in placements), reasons=reasons,
                decided_by=who.user_id, by_rektor=by_rektor, delegation=grant, on=today,
            )

        self._command(who, case_id, expected_version, act)

    def record_delivery(self, who: Identity, case_id: UUID, *, decision_number: int, delivered_on: date, expected_version: int | None = None) -> None:
        self._command(who, case_id, expected_version, lambda case: case.record_delivery(
            decision_number=decision_number, delivered_on=delivered_on, recorded_by=who.user_id, today=self.today()))

    def record_receipt(self, who: Identity, case_id: UUID, *, decision_number: int, recipient: str, method: str,
                       received_on: date, expected_version: int | None = None) -> None:
        self._command(who, case_id, expected_version, lambda case: case.record_receipt(
            decision_number=decision_number, recipient=recipient, method=method, received_on=received_on,
            recorded_by=who.user_id, today=self.today()))

    # -- R9 the appeal -----------------------------------------------------------------------
    def register_appeal(self, who: Identity, case_id: UUID, *, decision_number: int, received_on: date,
                        appellants: list[str], asks: str, delay_caused_by_school: bool = False,
                        expected_version: int | None = None) -> None:
        self._command(who, case_id, expected_version, lambda case: case.register_appeal(
            decision_number=decision_number, received_on=received_on, appellants=appellants, asks=asks,
            delay_caused_by_school=delay_caused_by_school, registered_by=who.user_id, today=self.today()))

    def join_appeal(self, who: Identity, case_id: UUID, *, appeal_number: int, guardian: str, joined_on: date,
                    expected_version: int | None = None) -> None:
        self._command(who, case_id, expected_version, lambda case: case.join_appeal(
            appeal_number=appeal_number, guardian=guardian, joined_on=joined_on, recorded_by=who.user_id,
            today=self.today()))

    def note_one_guardian_suffices(self, who: Identity, case_id: UUID, *, appeal_number: int, reason: str,
                                   expected_version: int | None = None) -> None:
        self._command(who, case_id, expected_version, lambda case: case.note_one_guardian_suffices(
            appeal_number=appeal_number, reason=reason, recorded_by=who.user_id))

    def reject_late_appeal(self, who: Identity, case_id: UUID, *, appeal_number: int, reasons: str,
                           expected_version: int | None = None) -> None:
        self._command(who, case_id, expected_version, lambda case: case.reject_late_appeal(
            appeal_number=appeal_number, reasons=reasons, decided_by=who.user_id, by_rektor=who.role is Role.REKTOR,
            on=self.today()))

    def change_on_reconsideration(self, who: Identity, case_id: UUID, *, appeal_number: int, kind: str,
                                  placements: list[str] | tuple[str, ...] = (), reasons: str, in_full: bool,
                                  expected_version: int | None = None) -> None:
        def act(case: SupportCase) -> None:
            today, by_rektor, decision_kind = self.today(), who.role is Role.REKTOR, DecisionKind(kind)
            grant = self._grant(who, case, decision_kind, today)
            case.change_on_reconsideration(
                appeal_number=appeal_number, kind=decision_kind, placements=tuple(Placement(p) for p in placements),
                reasons=reasons, in_full=in_full, decided_by=who.user_id, by_rektor=by_rektor, on=today,
                delegation=grant)

        self._command(who, case_id, expected_version, act)

    def forward_appeal(self, who: Identity, case_id: UUID, *, appeal_number: int, forwarded_on: date, comments: str,
                       documents: list[str], expected_version: int | None = None) -> None:
        self._command(who, case_id, expected_version, lambda case: case.forward_appeal(
            appeal_number=appeal_number, forwarded_on=forwarded_on, comments=comments, documents=documents,
            forwarded_by=who.user_id, today=self.today()))

    def record_board_decision(self, who: Identity, case_id: UUID, *, appeal_number: int, outcome: str,
                              decided_on: date, reasons: str, sent_back_to: str | None = None, kind: str | None = None,
                              placements: list[str] | tuple[str, ...] = (), expected_version: int | None = None) -> None:
        self._command(who, case_id, expected_version, lambda case: case.record_board_decision(
            appeal_number=appeal_number, outcome=BoardOutcome(outcome), decided_on=decided_on, reasons=reasons,
            sent_back_to=SentBackTo(sent_back_to) if sent_back_to else None,
            kind=DecisionKind(kind) if kind else None, placements=tuple(Placement(p) for p in placements),
            recorded_by=who.user_id, today=self.today()))

    # -- R7, R8, R10, R11 programme --------------------------------------------------------
    def record_participation(
        self, who: Identity, case_id: UUID, *, party: str, offered_on: date, took_part: bool, views: str = "",
        expected_version: int | None = None,
    ) -> None:
        self._command(who, case_id, expected_version, lambda case: case.record_participation(
            party=party, offered_on=offered_on, took_part=took_part, views=views, recorded_by=who.user_id,
            today=self.today()))

    def issue_programme(self, who: Identity, case_id: UUID, *, expected_version: int | None = None, **programme: Any) -> None:
        self._command(who, case_id, expected_version, lambda case: case.issue_programme(
            **programme, issued_by=who.user_id, on=self.today()))

    def record_follow_up(self, who: Identity, case_id: UUID, *, findings: str, expected_version: int | None = None) -> None:
        self._command(who, case_id, expected_version, lambda case: case.record_follow_up(
            findings=findings, followed_up_by=who.user_id, on=self.today()))

    def record_evaluation(self, who: Identity, case_id: UUID, *, outcome: str, expected_version: int | None = None) -> None:
        self._command(who, case_id, expected_version, lambda case: case.record_evaluation(
            outcome=outcome, evaluated_by=who.user_id, on=self.today()))

    def move_to_school_unit(self, who: Identity, case_id: UUID, *, to_unit: str, expected_version: int | None = None) -> None:
        access.require_role(who, access.MOVE)
        self._command(who, case_id, expected_version, lambda case: case.move_to_school_unit(
            to_unit=to_unit, moved_by=who.user_id, on=self.today()))

    # -- R16 ---------------------------------------------------------------------------------
    def correct(
        self, who: Identity, case_id: UUID, *, corrects_version: int, value: str, reason: str, field: str = "",
        expected_version: int | None = None,
    ) -> None:
        self._command(who, case_id, expected_version, lambda case: case.correct(
            corrects_version=corrects_version, field=field, value=value, reason=reason, corrected_by=who.user_id,
            today=self.today(), sees_investigation=access.sees_investigation(who, case)))

    # -- R5 delegations -------------------------------------------------------------------------
    def register_delegation(
        self, who: Identity, *, school_unit: str, delegate: str, kinds: list[str], valid_from: date | None,
        valid_to: date | None,
    ) -> int:
        _require_delegation_writer(who, school_unit)
        register = self._delegations(who.municipality, school_unit)
        return self.once(
            who, register, lambda r: r.register(
                delegate=delegate, kinds=tuple(kinds), valid_from=valid_from, valid_to=valid_to,
                registered_by=who.user_id, by_rektor=who.role is Role.REKTOR, today=self.today(),
            ),
            # a retry: the number the first attempt gave, as the register stood after it
            answer=lambda last: len(self.repository.get(register.id, version=last.originator_version).grants),
        )

    def revoke_delegation(self, who: Identity, *, school_unit: str, number: int) -> None:
        _require_delegation_writer(who, school_unit)
        register = self._delegations(who.municipality, school_unit)
        self.once(who, register, lambda r: r.revoke(number=number, on=self.today(), revoked_by=who.user_id,
                                                    by_rektor=who.role is Role.REKTOR))

    def delegations(self, who: Identity, school_unit: str) -> dict[str, Any]:
        access.require_unit(who, access.DELEGATIONS_READ, school_unit)
        register = self._delegations(who.municipality, school_unit)
        history = [views.timeline_entry(*entry) for entry in self.events_with_envelopes(register.id)]
        return views.delegations(register, history, self.today())

    # -- what the register says of a pupil (the directory listener) -----------------------------
    def follow_register(self, change: RegisterChange, rektors: Callable[[str, str], tuple[str, ...]]) -> int:
        """The pupil's cases follow the register: its protection set or lifted (R14; the unit's
        rektors, `rektors(municipality, unit)`, granted when it protects), the placement at the
        case's unit ended (R11), removed from the register or back. At least once and
        idempotent: news a case already follows changes nothing. How many cases changed."""
        register = register_identity(change.municipality)
        changed = 0
        for case_id in self._cases_of_pupil(change.pupil_ref):
            for _ in range(5):  # a user's command stored in between: load and apply again
                case = self._stored(case_id)
                if not isinstance(case, SupportCase) or case.municipality != change.municipality:
                    break
                granting = change.protected and not case.protected_by_register
                # The unit's rektors decide on access; a unit without one known keeps the case
                # visible to who opened it, rather than to no one.
                granted = (rektors(case.municipality, case.school_unit) or (case.opened_by,)) if granting else ()
                steps = [case.follow_register_protection(protected=change.protected, on=change.changed_on, rektors=granted)]
                if (left := change.left_on(case.school_unit)) is not None:
                    steps.append(case.pupil_left_school_unit(school_unit=case.school_unit, on=left))
                steps.append(case.pupil_in_register(removed=change.removed_from_register, on=change.changed_on))
                if not any(steps):
                    break
                try:
                    with acting_as(register):
                        self.save(case)
                except IntegrityError:
                    continue
                changed += 1
                break
        return changed

    def _cases_of_pupil(self, pupil_ref: str) -> list[UUID]:
        return self.aggregate_ids(SupportCase.Opened, lambda event: event.pupil_ref == pupil_ref)

    def _stored(self, aggregate_id: UUID) -> Any:
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    # -- queries -----------------------------------------------------------------------------
    # The investigation's content is left out for a teacher who does not take part in it (R14):
    # whether she may see it is judged on the case as it is now, also for the as-of view.
    def case_details(self, who: Identity, case_id: UUID) -> dict[str, Any]:
        case = self._case_for(who, case_id)
        return views.details(case, self.today(), investigation=access.sees_investigation(who, case))

    def history(self, who: Identity, case_id: UUID) -> list[dict[str, Any]]:
        investigation = access.sees_investigation(who, self._case_for(who, case_id))
        return [views.timeline_entry(*entry, investigation=investigation) for entry in self.events_with_envelopes(case_id)]

    def case_as_of(self, who: Identity, case_id: UUID, on: date) -> dict[str, Any]:
        """The case as it stood at the end of `on` (Swedish time)."""
        investigation = access.sees_investigation(who, self._case_for(who, case_id))
        end = datetime.combine(on, datetime.max.time(), LOCAL_TIME)
        versions = [e.originator_version for e in self.events.get(case_id) if e.timestamp <= end]
        if not versions:
            raise CaseNotFound(str(case_id))
        past = self.repository.get(case_id, version=versions[-1])
        return {**views.details(past, on, investigation=investigation), "as_of": on.isoformat()}

    # -- helpers -------------------------------------------------------------------------------
    def _command(self, who: Identity, case_id: UUID, expected_version: int | None, action: Callable[[SupportCase], None]) -> None:
        case = self._case_for(who, case_id)
        access.require_role(who, access.WRITE)  # after the read check: a case one may not see is not found
        # A retry of a command already stored (same idempotency key) stores nothing more.
        self.once(who, case, action, expected_version=expected_version)

    def _grant(self, who: Identity, case: SupportCase, kind: DecisionKind, today: date):
        """The delegation under which `who` decides `kind` at the case's unit today (None for rektor)."""
        if who.role is Role.REKTOR:
            return None
        return self._delegations(case.municipality, case.school_unit).grant_for(who.user_id, kind, today)

    def _delegations(self, municipality: str, school_unit: str) -> DelegationRegister:
        try:
            return self.repository.get(DelegationRegister.id_for(municipality, school_unit))
        except AggregateNotFoundError:
            return DelegationRegister(municipality=municipality, school_unit=school_unit)

    def _case_for(self, who: Identity, case_id: UUID) -> SupportCase:
        access.require_role(who, access.READ)  # a role without case access: 403 whatever the id
        try:
            case: SupportCase = self.repository.get(case_id)
        except AggregateNotFoundError:
            raise CaseNotFound(str(case_id)) from None
        return self._seen_by(who, case_id, case)

    @staticmethod
    def _seen_by(who: Identity, case_id: UUID, case: Any) -> SupportCase:
        """The case read for `case_id` (None if there is none), if `who` may see it. The same
        answer for "not yours" (other unit, protected pupil) as for "not there"."""
        if not isinstance(case, SupportCase):
            raise CaseNotFound(str(case_id))
        if not access.sees_case(who, case):  # logged as refused, with whose case it was (R15)
            raise refused_record(CaseNotFound(str(case_id)), case.municipality, case.school_unit, case.pupil_ref)
        return case


def register_identity(municipality: str) -> Identity:
    """Who acts when the register changes a case: no staff member, the register itself."""
    return Identity("elevregistret", "Elevregistret", Role.MUNICIPALITY_ADMIN, municipality)


def _require_case_worker(who: Identity, school_unit: str) -> None:
    access.require_unit(who, access.WRITE, school_unit)


def _require_delegation_writer(who: Identity, school_unit: str) -> None:
    _require_case_worker(who, school_unit)  # its refusal first, as the register always answered
    access.require_role(who, access.DELEGATIONS_WRITE)
