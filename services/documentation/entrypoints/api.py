"""The documentation service's JSON API (OpenAPI at /docs). Handlers translate; rules live in the domain."""
from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import date
from typing import Literal
from uuid import UUID

from fastapi import Depends, FastAPI, Query
from pydantic import BaseModel, ConfigDict, Field

from documentation.application import CaseNotFound, DocumentationApplication, InterventionNotFound
from documentation.bootstrap import application
from documentation.cases_directory import CasesUnavailable
from documentation.domain.model import GROUP_MAX, MAX_MINUTES, NOTE_MAX, REASON_MAX, TEXT_MAX
from documentation.domain.rules import InvalidIntervention
from documentation.domain.values import Factor, Kind, Level
from eventkit import authz
from eventkit.accesslog import api_purpose
from eventkit.http import answer_errors, conflict, current_identity, error, not_found, service_api, unavailable
from eventkit.identity import Identity
from eventkit.shredding import SubjectDisposed
from eventkit.inputs import NO_CONTROL_CHARACTERS
from eventkit.vocabulary import literal_of
from eventkit.store import VersionConflict

@asynccontextmanager
async def lifespan(app: FastAPI):
    # Built (and its tables created) once before the first request: requests arriving
    # together on a fresh database would otherwise race to create them.
    application()
    yield


# Every route says what it does (read/change, ?purpose=print|export) for the access log (R15).
app = service_api("Stödspår – dokumentation av specialpedagogiska insatser (documentation)", audience="documentation",
                  lifespan=lifespan, dependencies=[Depends(api_purpose)],
                  access_log=lambda: getattr(application(), "access_log", None))  # refusals too (eventkit.http.log_refusal)
# The policy entries each kind of operation is decided by (eventkit.authz.operation).
CHANGING = authz.operation("documentation.read", "documentation.write")
READING = authz.operation("documentation.read")

LevelName = literal_of(Level)
KindName = literal_of(Kind)
FactorName = literal_of(Factor)
TERM = r"^(HT|VT)\d{4}$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Content(Strict):
    kind: KindName
    performed_on: date
    minutes: int = Field(ge=1, le=MAX_MINUTES)
    hinders: list[FactorName] = Field(default_factory=list, max_length=len(Factor))
    supports: list[FactorName] = Field(default_factory=list, max_length=len(Factor))
    hinders_note: str = Field(default="", max_length=NOTE_MAX)
    supports_note: str = Field(default="", max_length=NOTE_MAX)
    description: str = Field(default="", max_length=TEXT_MAX)
    group: str = Field(default="", max_length=GROUP_MAX)


class Record(Content):
    school_unit: str = Field(min_length=1, max_length=64)
    level: LevelName
    case_id: UUID | None = None
    attach_to_investigation: bool = False


class Correction(Content):
    expected_version: int | None = Field(default=None, ge=1)
    reason: str = Field(default="", max_length=REASON_MAX)


class Withdrawal(Strict):
    expected_version: int | None = Field(default=None, ge=1)
    reason: str = Field(default="", max_length=REASON_MAX)


class Recorded(BaseModel):
    intervention_id: UUID


def documentation() -> DocumentationApplication:
    return application()


NO_INTERVENTION = not_found("Insatsen finns inte, eller så har du inte behörighet till den.")
answer_errors(app, {
    InvalidIntervention: lambda exc: error(422, "validation", "Uppgifterna behöver rättas.", fields=exc.fields),
    InterventionNotFound: NO_INTERVENTION,
    SubjectDisposed: NO_INTERVENTION,  # its pupil's documentation was disposed of (R17)
    CaseNotFound: not_found("Ärendet finns inte, eller så har du inte behörighet till det."),
    VersionConflict: conflict(
        "Någon annan har sparat insatsen efter att du öppnade den. Ladda om sidan och gör ändringen igen."),
    CasesUnavailable: lambda exc: unavailable(
        "Elevärendena går inte att nå just nu; inget sparades. Försök igen om en stund."),
})


@app.post("/interventions", status_code=201, response_model=Recorded, **authz.operation("documentation.write"))
def record(body: Record, who: Identity = Depends(current_identity), app_: DocumentationApplication = Depends(documentation)):
    return {"intervention_id": app_.record(who, **body.model_dump())}


@app.get("/interventions", **READING)
def interventions(
    school_unit: str | None = Query(default=None, max_length=64, pattern=NO_CONTROL_CHARACTERS), term: str | None = Query(default=None, pattern=TERM),
    level: LevelName | None = None, kind: KindName | None = None,
    who: Identity = Depends(current_identity), app_: DocumentationApplication = Depends(documentation),
):
    return app_.interventions(who, school_unit=school_unit, term=term, level=level, kind=kind)


@app.get("/interventions/{intervention_id}", **READING)
def details(intervention_id: UUID, purpose: Literal["view", "print", "export"] = "view",
            who: Identity = Depends(current_identity), app_: DocumentationApplication = Depends(documentation)):
    """An intervention with its texts and history. Pupil-level ones are access-logged (R15);
    `purpose`: print or export are logged as such."""
    return app_.details(who, intervention_id)


@app.post("/interventions/{intervention_id}/corrections", status_code=201, **CHANGING)
def correct(intervention_id: UUID, body: Correction, who: Identity = Depends(current_identity),
            app_: DocumentationApplication = Depends(documentation)):
    """R16: a new event naming the version it corrects; the recorded one stays in the history."""
    app_.correct(who, intervention_id, **body.model_dump())
    return {"intervention_id": str(intervention_id)}


@app.post("/interventions/{intervention_id}/withdrawal", status_code=201, **CHANGING)
def withdraw(intervention_id: UUID, body: Withdrawal, who: Identity = Depends(current_identity),
             app_: DocumentationApplication = Depends(documentation)):
    app_.withdraw(who, intervention_id, **body.model_dump())
    return {"intervention_id": str(intervention_id)}


@app.get("/cases/{case_id}/interventions", **READING)
def for_case(case_id: UUID, purpose: Literal["view", "print", "export"] = "view", who: Identity = Depends(current_identity),
             app_: DocumentationApplication = Depends(documentation)):
    """The documentation linked to a pupil's case, and what is attached to its investigation
    (access-logged, R15; `purpose`: print or export)."""
    return app_.for_case(who, case_id)


@app.get("/units/{school_unit}/overview", **READING)
def overview(school_unit: str, term: str | None = Query(default=None, pattern=TERM),
             who: Identity = Depends(current_identity), app_: DocumentationApplication = Depends(documentation)):
    """For the school's development work: per level, kind and term; recurring hinders and supports."""
    return app_.overview(who, school_unit=school_unit, term=term)
