"""The cases service's JSON API (OpenAPI at /docs). Handlers translate; rules live in the domain."""
from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from fastapi import Depends
from pydantic import BaseModel, Field

from cases.application import CaseNotFound, CasesApplication
from cases.domain.values import InvalidPersonalIdentityNumber
from eventkit import authz
from eventkit.accesslog import api_purpose
from eventkit.http import answer_errors, conflict, current_identity, error, not_found, service_api
from eventkit.identity import Identity
from eventkit.store import VersionConflict
from cases.entrypoints.workflow import STEP, Strict, Versioned, cases
from cases.entrypoints.workflow import router as workflow
from cases.confidential import Hidden
from cases.entrypoints.confidential import router as confidential
from cases.entrypoints import records

# Every route says what it does with a record (read/change, ?purpose=print|export) for the access log (R15).
app = service_api("Stödspår – elevärenden (cases)", audience="cases", dependencies=[Depends(api_purpose)])


class OpenCase(Strict):
    school_unit: str = Field(min_length=1, max_length=64)
    pupil_personal_number: str = Field(min_length=1, max_length=20)
    pupil_name: str = Field(min_length=1, max_length=200)


class ExtraAdaptation(Versioned):
    description: str = Field(max_length=2000)


class Referral(Versioned):
    tried_adaptations: str = Field(default="", max_length=4000)
    why_not_enough: str = Field(default="", max_length=4000)
    special_reason: str = Field(default="", max_length=4000)


class Opened(BaseModel):
    case_id: UUID


NO_CASE = not_found("Ärendet finns inte, eller så har du inte behörighet till det.")
answer_errors(app, {
    VersionConflict: conflict(
        "Någon annan har sparat i ärendet efter att du öppnade det. Ladda om sidan och gör ändringen igen; "
        "inget av det den andra sparade har gått förlorat."),
    InvalidPersonalIdentityNumber: lambda exc: error(
        422, "validation", "Uppgifterna behöver rättas.", fields={"pupil_personal_number": str(exc)}),
    CaseNotFound: NO_CASE,
    Hidden: NO_CASE,  # a protected pupil's case, to one not granted (R14)
})


@app.post("/cases", status_code=201, response_model=Opened, **authz.operation("cases.write"))
def open_case(body: OpenCase, who: Identity = Depends(current_identity), app_: CasesApplication = Depends(cases)):
    case_id = app_.open_case(
        who,
        school_unit=body.school_unit,
        pupil_personal_number=body.pupil_personal_number,
        pupil_name=body.pupil_name,
    )
    return {"case_id": case_id}


@app.get("/cases/{case_id}", **authz.operation("cases.read"))
def get_case(
    case_id: UUID, as_of: date | None = None, purpose: Literal["view", "print", "export"] = "view", who: Identity = Depends(current_identity),
    app_: CasesApplication = Depends(cases),
):
    """The case now, or as it stood at the end of `as_of` (YYYY-MM-DD). `purpose`: print or
    export are logged as such (R15)."""
    return app_.case_as_of(who, case_id, as_of) if as_of else app_.case_details(who, case_id)


@app.post("/cases/{case_id}/extra-adaptations", status_code=201, **STEP)
def record_extra_adaptation(
    case_id: UUID,
    body: ExtraAdaptation,
    who: Identity = Depends(current_identity),
    app_: CasesApplication = Depends(cases),
):
    app_.record_extra_adaptation(who, case_id, body.description, expected_version=body.expected_version)
    return {"case_id": str(case_id)}


@app.post("/cases/{case_id}/referral", status_code=201, **STEP)
def refer_to_rektor(
    case_id: UUID,
    body: Referral,
    who: Identity = Depends(current_identity),
    app_: CasesApplication = Depends(cases),
):
    app_.refer_to_rektor(who, case_id, **body.model_dump())
    return {"case_id": str(case_id)}


app.include_router(workflow)
app.include_router(confidential)
records.install(app)
