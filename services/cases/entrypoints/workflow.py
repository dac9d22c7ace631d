"""The support case's workflow after the referral (R3–R11, R16) and delegations (R5), as JSON
endpoints. Handlers translate; rules live in the domain."""
from __future__ import annotations

from datetime import date
from uuid import UUID

from fastapi import APIRouter, Depends
from pydantic import Field

from eventkit import authz
from eventkit.inputs import StrictInput

from cases.application import CasesApplication
from cases.bootstrap import application
from cases.domain.appeal import BoardOutcome, SentBackTo
from cases.domain.decision import DecisionKind, DeliveryMethod, Placement
from eventkit.http import current_identity
from eventkit.identity import Identity

router = APIRouter()
# The policy entries each kind of operation is decided by (eventkit.authz.operation).
STEP = authz.operation("cases.read", "cases.write")
# A step of the investigation's content: only by those who may see it (R14).
INVESTIGATING = authz.operation("cases.read", "cases.write", "cases.read_investigation")
DELEGATING = authz.operation("cases.write", "cases.delegations.write")


def cases() -> CasesApplication:
    return application()


class Strict(StrictInput):
    """Unknown fields refused, whitespace stripped, no control characters (eventkit.inputs)."""


class Versioned(Strict):
    """`expected_version`: the case's version when the form was loaded (optimistic concurrency)."""

    expected_version: int | None = Field(default=None, ge=1)


class StartInvestigation(Versioned):
    investigator: str = Field(default="", max_length=100)
    student_health_team: bool
    without_team_reason: str = Field(default="", max_length=4000)


class InvestigationParts(Versioned):
    pupil_view: str = Field(default="", max_length=8000)
    guardians_view: str = Field(default="", max_length=8000)
    school_view: str = Field(default="", max_length=8000)
    pedagogical_assessment: str = Field(default="", max_length=8000)
    environment_organisation: str = Field(default="", max_length=8000)
    environment_group: str = Field(default="", max_length=8000)
    environment_individual: str = Field(default="", max_length=8000)


class Conclusion(Versioned):
    proposal: str = Field(default="", max_length=4000)


class Decision(Versioned):
    kind: DecisionKind
    placements: list[Placement] = Field(default_factory=list, max_length=3)
    reasons: str = Field(default="", max_length=4000)


class Delivery(Versioned):
    delivered_on: date


# One recipient of a decision, or an appellant: the pupil, both guardians, or one guardian by the register's id.
PARTY = "^(pupil|guardians|guardian:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$"
ONE_GUARDIAN = "^guardian:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


class Receipt(Versioned):
    recipient: str = Field(pattern=PARTY)
    method: DeliveryMethod
    received_on: date


class NewAppeal(Versioned):
    received_on: date
    appellants: list[str] = Field(min_length=1, max_length=4)
    asks: str = Field(default="", max_length=4000)
    delay_caused_by_school: bool = False


class JoinAppeal(Versioned):
    guardian: str = Field(pattern=ONE_GUARDIAN)
    joined_on: date


class OneGuardianSuffices(Versioned):
    reason: str = Field(default="", max_length=4000)


class Rejection(Versioned):
    reasons: str = Field(default="", max_length=4000)


class Reconsideration(Versioned):
    kind: DecisionKind
    placements: list[Placement] = Field(default_factory=list, max_length=3)
    reasons: str = Field(default="", max_length=4000)
    in_full: bool


class Forwarding(Versioned):
    forwarded_on: date
    comments: str = Field(default="", max_length=8000)
    documents: list[str] = Field(default_factory=list, max_length=20)


class BoardDecision(Versioned):
    outcome: BoardOutcome
    decided_on: date
    reasons: str = Field(default="", max_length=4000)
    sent_back_to: SentBackTo | None = None
    kind: DecisionKind | None = None
    placements: list[Placement] = Field(default_factory=list, max_length=3)


class Participation(Versioned):
    # The pupil, the guardians together, or one guardian by the register's id (cases.domain.programme).
    party: str = Field(pattern=PARTY)
    offered_on: date
    took_part: bool
    views: str = Field(default="", max_length=8000)


class Measure(Strict):
    description: str = Field(default="", max_length=2000)
    extent: str = Field(default="", max_length=500)
    responsible: str = Field(default="", max_length=200)


class Programme(Versioned):
    """R18: only what a public decision holds; any other field (a diagnosis) is refused."""

    needs: str = Field(default="", max_length=4000)
    measures: list[Measure] = Field(default_factory=list, max_length=20)
    follow_up_dates: list[date] = Field(default_factory=list, max_length=12)
    follow_up_responsible: str = Field(default="", max_length=200)
    evaluation_on: date | None = None
    evaluation_responsible: str = Field(default="", max_length=200)


class FollowUp(Versioned):
    findings: str = Field(default="", max_length=8000)


class Evaluation(Versioned):
    outcome: str = Field(default="", max_length=8000)


class Move(Versioned):
    to_unit: str = Field(min_length=1, max_length=64)


class Correction(Versioned):
    corrects_version: int = Field(ge=1)
    # Which field of the entry (an investigation's part, say); may be left out when it has one (R16).
    field: str = Field(default="", max_length=64)
    value: str = Field(default="", max_length=8000)
    reason: str = Field(default="", max_length=2000)


class NewDelegation(Strict):
    delegate: str = Field(default="", max_length=100)
    kinds: list[DecisionKind] = Field(default_factory=list, max_length=len(DecisionKind))
    valid_from: date | None = None
    valid_to: date | None = None


def _done(case_id: UUID) -> dict:
    return {"case_id": str(case_id)}


@router.post("/cases/{case_id}/investigation", status_code=201, **STEP)
def start_investigation(case_id: UUID, body: StartInvestigation, who: Identity = Depends(current_identity), app_: CasesApplication = Depends(cases)):
    app_.start_investigation(who, case_id, **body.model_dump())
    return _done(case_id)


@router.post("/cases/{case_id}/investigation/parts", status_code=201, **INVESTIGATING)
def record_investigation(case_id: UUID, body: InvestigationParts, who: Identity = Depends(current_identity), app_: CasesApplication = Depends(cases)):
    parts = body.model_dump(exclude={"expected_version"})
    app_.record_investigation(who, case_id, parts=parts, expected_version=body.expected_version)
    return _done(case_id)


@router.post("/cases/{case_id}/investigation/conclusion", status_code=201, **INVESTIGATING)
def conclude_investigation(case_id: UUID, body: Conclusion, who: Identity = Depends(current_identity), app_: CasesApplication = Depends(cases)):
    app_.conclude_investigation(who, case_id, **body.model_dump())
    return _done(case_id)


@router.post("/cases/{case_id}/decisions", status_code=201, **STEP)
def decide(case_id: UUID, body: Decision, who: Identity = Depends(current_identity), app_: CasesApplication = Depends(cases)):
    app_.decide(who, case_id, kind=body.kind.value, placements=[p.value for p in body.placements], reasons=body.reasons,
                expected_version=body.expected_version)
    return _done(case_id)


@router.post("/cases/{case_id}/decisions/{number}/delivery", status_code=201, **STEP)
def record_delivery(case_id: UUID, number: int, body: Delivery, who: Identity = Depends(current_identity), app_: CasesApplication = Depends(cases)):
    app_.record_delivery(who, case_id, decision_number=number, **body.model_dump())
    return _done(case_id)


@router.post("/cases/{case_id}/decisions/{number}/receipts", status_code=201, **STEP)
def record_receipt(case_id: UUID, number: int, body: Receipt, who: Identity = Depends(current_identity), app_: CasesApplication = Depends(cases)):
    """One recipient received the decision (R9): their own appeal window runs from that day."""
    app_.record_receipt(who, case_id, decision_number=number, recipient=body.recipient, method=body.method.value,
                        received_on=body.received_on, expected_version=body.expected_version)
    return _done(case_id)


@router.post("/cases/{case_id}/decisions/{number}/appeals", status_code=201, **STEP)
def register_appeal(case_id: UUID, number: int, body: NewAppeal, who: Identity = Depends(current_identity), app_: CasesApplication = Depends(cases)):
    """An appeal came in to the school (R9): the domain says whether it is in time and complete."""
    app_.register_appeal(who, case_id, decision_number=number, **body.model_dump())
    return _done(case_id)


@router.post("/cases/{case_id}/appeals/{number}/joined", status_code=201, **STEP)
def join_appeal(case_id: UUID, number: int, body: JoinAppeal, who: Identity = Depends(current_identity), app_: CasesApplication = Depends(cases)):
    app_.join_appeal(who, case_id, appeal_number=number, **body.model_dump())
    return _done(case_id)


@router.post("/cases/{case_id}/appeals/{number}/one-guardian", status_code=201, **STEP)
def one_guardian_suffices(case_id: UUID, number: int, body: OneGuardianSuffices, who: Identity = Depends(current_identity), app_: CasesApplication = Depends(cases)):
    app_.note_one_guardian_suffices(who, case_id, appeal_number=number, **body.model_dump())
    return _done(case_id)


@router.post("/cases/{case_id}/appeals/{number}/rejection", status_code=201, **STEP)
def reject_late_appeal(case_id: UUID, number: int, body: Rejection, who: Identity = Depends(current_identity), app_: CasesApplication = Depends(cases)):
    app_.reject_late_appeal(who, case_id, appeal_number=number, **body.model_dump())
    return _done(case_id)


@router.post("/cases/{case_id}/appeals/{number}/reconsideration", status_code=201, **STEP)
def change_on_reconsideration(case_id: UUID, number: int, body: Reconsideration, who: Identity = Depends(current_identity), app_: CasesApplication = Depends(cases)):
    app_.change_on_reconsideration(who, case_id, appeal_number=number, kind=body.kind.value,
                                   placements=[p.value for p in body.placements], reasons=body.reasons,
                                   in_full=body.in_full, expected_version=body.expected_version)
    return _done(case_id)


@router.post("/cases/{case_id}/appeals/{number}/forwarding", status_code=201, **STEP)
def forward_appeal(case_id: UUID, number: int, body: Forwarding, who: Identity = Depends(current_identity), app_: CasesApplication = Depends(cases)):
    app_.forward_appeal(who, case_id, appeal_number=number, **body.model_dump())
    return _done(case_id)


@router.post("/cases/{case_id}/appeals/{number}/board", status_code=201, **STEP)
def record_board_decision(case_id: UUID, number: int, body: BoardDecision, who: Identity = Depends(current_identity), app_: CasesApplication = Depends(cases)):
    """Skolväsendets överklagandenämnd's outcome, as its decision says (R9)."""
    app_.record_board_decision(
        who, case_id, appeal_number=number, outcome=body.outcome.value, decided_on=body.decided_on, reasons=body.reasons,
        sent_back_to=body.sent_back_to.value if body.sent_back_to else None, kind=body.kind.value if body.kind else None,
        placements=[p.value for p in body.placements], expected_version=body.expected_version)
    return _done(case_id)


@router.post("/cases/{case_id}/participation", status_code=201, **STEP)
def record_participation(case_id: UUID, body: Participation, who: Identity = Depends(current_identity), app_: CasesApplication = Depends(cases)):
    app_.record_participation(who, case_id, **body.model_dump())
    return _done(case_id)


@router.post("/cases/{case_id}/programme", status_code=201, **STEP)
def issue_programme(case_id: UUID, body: Programme, who: Identity = Depends(current_identity), app_: CasesApplication = Depends(cases)):
    app_.issue_programme(who, case_id, **body.model_dump())
    return _done(case_id)


@router.post("/cases/{case_id}/follow-ups", status_code=201, **STEP)
def record_follow_up(case_id: UUID, body: FollowUp, who: Identity = Depends(current_identity), app_: CasesApplication = Depends(cases)):
    app_.record_follow_up(who, case_id, **body.model_dump())
    return _done(case_id)


@router.post("/cases/{case_id}/evaluation", status_code=201, **STEP)
def record_evaluation(case_id: UUID, body: Evaluation, who: Identity = Depends(current_identity), app_: CasesApplication = Depends(cases)):
    app_.record_evaluation(who, case_id, **body.model_dump())
    return _done(case_id)


@router.post("/cases/{case_id}/move", status_code=201, **authz.operation("cases.move", "cases.read", "cases.write"))
def move_to_school_unit(case_id: UUID, body: Move, who: Identity = Depends(current_identity), app_: CasesApplication = Depends(cases)):
    app_.move_to_school_unit(who, case_id, **body.model_dump())
    return _done(case_id)


@router.post("/cases/{case_id}/corrections", status_code=201, **INVESTIGATING)
def correct(case_id: UUID, body: Correction, who: Identity = Depends(current_identity), app_: CasesApplication = Depends(cases)):
    app_.correct(who, case_id, **body.model_dump())
    return _done(case_id)


@router.get("/cases/{case_id}/history", **authz.operation("cases.read", "cases.read_investigation"))
def history(case_id: UUID, who: Identity = Depends(current_identity), app_: CasesApplication = Depends(cases)):
    """Every event of the case, oldest first, with who and when (R16: corrections reference what they correct)."""
    return {"events": app_.history(who, case_id)}


@router.get("/delegations/{school_unit}", **authz.operation("cases.delegations.read"))
def delegations(school_unit: str, who: Identity = Depends(current_identity), app_: CasesApplication = Depends(cases)):
    return app_.delegations(who, school_unit)


@router.post("/delegations/{school_unit}", status_code=201, **DELEGATING)
def register_delegation(school_unit: str, body: NewDelegation, who: Identity = Depends(current_identity), app_: CasesApplication = Depends(cases)):
    number = app_.register_delegation(
        who, school_unit=school_unit, delegate=body.delegate, kinds=[k.value for k in body.kinds],
        valid_from=body.valid_from, valid_to=body.valid_to,
    )
    return {"school_unit": school_unit, "number": number}


@router.post("/delegations/{school_unit}/{number}/revocation", status_code=201, **DELEGATING)
def revoke_delegation(school_unit: str, number: int, who: Identity = Depends(current_identity), app_: CasesApplication = Depends(cases)):
    app_.revoke_delegation(who, school_unit=school_unit, number=number)
    return {"school_unit": school_unit, "number": number}
