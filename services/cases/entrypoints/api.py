"""The cases service's JSON API (OpenAPI at /docs). Handlers translate; rules live in the domain."""
from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from fastapi import Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from cases import access
from cases.application import CaseNotFound, CasesApplication, OpenCaseHidden
from cases.bootstrap import directory
from cases.directory import Directory, DirectoryUnavailable
from cases.domain.values import InvalidPersonalIdentityNumber
from eventkit import authz
from eventkit.accesslog import api_purpose
from eventkit.http import answer_errors, conflict, current_identity, error, not_found, service_api, unavailable
from eventkit.identity import Identity
from eventkit.store import VersionConflict
from cases.entrypoints.workflow import STEP, Strict, Versioned, cases
from cases.entrypoints.workflow import router as workflow
from cases.confidential import Hidden
from cases.entrypoints.confidential import router as confidential
from cases.entrypoints import records

# Every route says what it does with a record (read/change, ?purpose=print|export) for the access log (R15).
# A refused request for a case is logged too (eventkit.http.log_refusal).
app = service_api("Stödspår – elevärenden (cases)", audience="cases", dependencies=[Depends(api_purpose)],
                  access_log=lambda: getattr(cases(), "access_log", None))


class OpenCase(Strict):
    """A pupil chosen in the directory (its pupil_id), at one of the user's units."""

    school_unit: str = Field(min_length=1, max_length=64)
    pupil_id: UUID


class ExtraAdaptation(Versioned):
    description: str = Field(max_length=2000)


class Referral(Versioned):
    tried_adaptations: str = Field(default="", max_length=4000)
    why_not_enough: str = Field(default="", max_length=4000)
    special_reason: str = Field(default="", max_length=4000)


class Opened(BaseModel):
    case_id: UUID
    existing: bool = False  # the pupil's open case at the unit, answered instead of a new one


NO_CASE = not_found("Ärendet finns inte, eller så har du inte behörighet till det.")
answer_errors(app, {
    VersionConflict: conflict(
        "Någon annan har sparat i ärendet efter att du öppnade det. Ladda om sidan och gör ändringen igen; "
        "inget av det den andra sparade har gått förlorat."),
    InvalidPersonalIdentityNumber: lambda exc: error(
        422, "validation", "Uppgifterna behöver rättas.", fields={"pupil_id": str(exc)}),
    DirectoryUnavailable: lambda exc: unavailable(
        "Elevregistret svarar inte just nu, så ärendet kan inte öppnas. Försök igen om en stund."),
    OpenCaseHidden: lambda exc: error(
        409, "conflict", "Eleven har redan ett öppet ärende på skolenheten, som du inte har behörighet till. "
        "Kontakta rektor."),
    CaseNotFound: NO_CASE,
    Hidden: NO_CASE,  # a protected pupil's case, to one not granted (R14)
})


NO_PUPIL = "Eleven finns inte i elevregistret, eller så har du inte behörighet till eleven."


@app.post("/cases", status_code=201, response_model=Opened, **authz.operation("cases.write"))
def open_case(body: OpenCase, who: Identity = Depends(current_identity), app_: CasesApplication = Depends(cases),
              people: Directory = Depends(directory)):
    """A case for the chosen pupil (201), or the pupil's open case at the unit (200, existing)."""
    # A role or unit that may not open cases here learns nothing of the pupil.
    access.require_unit(who, access.WRITE, body.school_unit)
    pupil = people.pupil(who, str(body.pupil_id))
    if pupil is None:
        return error(422, "validation", "Uppgifterna behöver rättas.", fields={"pupil_id": NO_PUPIL})
    opened = app_.open_case(who, school_unit=body.school_unit, pupil=pupil)
    answer = {"case_id": str(opened.case_id), "existing": opened.existing}
    return JSONResponse(answer, status_code=200) if opened.existing else answer


@app.get("/cases/{case_id}", **authz.operation("cases.read", "cases.read_investigation"))
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
