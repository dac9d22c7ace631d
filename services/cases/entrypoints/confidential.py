"""JSON endpoints of the confidential parts of a case (R14): protected identity, the
invitation of a teacher to the investigation, and the medical record. Handlers translate; rules live in the domain, authorization in cases.access."""
from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Depends
from pydantic import Field

from cases.application import CasesApplication
from cases.bootstrap import directory
from cases.directory import Directory
from cases.entrypoints.workflow import Strict, Versioned, cases
from eventkit import authz
from eventkit.http import current_identity
from eventkit.identity import Identity

router = APIRouter()
# The policy entries each kind of operation is decided by (eventkit.authz.operation).
PROTECTING = authz.operation("cases.protect", "cases.read", "cases.write")
MEDICAL = authz.operation("cases.medical", "cases.read")
INVITING = authz.operation("cases.invite", "cases.read", "cases.write")


class Grant(Versioned):
    user_id: str = Field(default="", max_length=100)


class MedicalEntry(Strict):
    text: str = Field(default="", max_length=8000)


@router.post("/cases/{case_id}/protection", status_code=201, **PROTECTING)
def mark_protected(case_id: UUID, body: Versioned, who: Identity = Depends(current_identity), app_: CasesApplication = Depends(cases)):
    """Rektor marks the pupil as having protected identity (skyddad identitet); only rektor and
    the staff rektor grants access see the case from now on."""
    app_.mark_protected(who, case_id, expected_version=body.expected_version)
    return {"case_id": str(case_id)}


@router.get("/cases/{case_id}/protection", **authz.operation("cases.read"))
def protection(case_id: UUID, who: Identity = Depends(current_identity), app_: CasesApplication = Depends(cases)):
    return app_.protection(who, case_id)


@router.post("/cases/{case_id}/protection/grants", status_code=201, **PROTECTING)
def grant_access(case_id: UUID, body: Grant, who: Identity = Depends(current_identity), app_: CasesApplication = Depends(cases)):
    app_.grant_access(who, case_id, user_id=body.user_id, expected_version=body.expected_version)
    return {"case_id": str(case_id), "user_id": body.user_id}


@router.post("/cases/{case_id}/protection/revocations", status_code=201, **PROTECTING)
def revoke_access(case_id: UUID, body: Grant, who: Identity = Depends(current_identity), app_: CasesApplication = Depends(cases)):
    app_.revoke_access(who, case_id, user_id=body.user_id, expected_version=body.expected_version)
    return {"case_id": str(case_id), "user_id": body.user_id}


@router.post("/cases/{case_id}/investigation/invitations", status_code=201, **INVITING)
def invite_to_investigation(case_id: UUID, body: Grant, who: Identity = Depends(current_identity),
                            app_: CasesApplication = Depends(cases), people: Directory = Depends(directory)):
    """Rektor invites a named teacher of the case's unit to the investigation: from now on she
    sees its views, assessment and learning environment (R14). An event of the case."""
    app_.invite_to_investigation(who, case_id, user_id=body.user_id, teachers=people.teachers,
                                 expected_version=body.expected_version)
    return {"case_id": str(case_id), "user_id": body.user_id}


@router.post("/cases/{case_id}/investigation/withdrawals", status_code=201, **INVITING)
def withdraw_invitation(case_id: UUID, body: Grant, who: Identity = Depends(current_identity),
                        app_: CasesApplication = Depends(cases)):
    """Rektor withdraws the invitation: the teacher no longer sees the investigation (R14)."""
    app_.withdraw_invitation(who, case_id, user_id=body.user_id, expected_version=body.expected_version)
    return {"case_id": str(case_id), "user_id": body.user_id}


@router.get("/cases/{case_id}/medical", **MEDICAL)
def medical_record(case_id: UUID, who: Identity = Depends(current_identity), app_: CasesApplication = Depends(cases)):
    """The medical part (school nurse, school doctor). Anyone else: not found (R14)."""
    return app_.medical_record(who, case_id)


@router.post("/cases/{case_id}/medical/entries", status_code=201, **MEDICAL)
def record_medical_entry(case_id: UUID, body: MedicalEntry, who: Identity = Depends(current_identity), app_: CasesApplication = Depends(cases)):
    app_.record_medical_entry(who, case_id, text=body.text)
    return {"case_id": str(case_id)}
