"""The cases service's record-keeping endpoints: names for a list, the administrator's pupil
search for loggkontroll (R15), the name check for the deviations service (R22), and disposal
(R17). Every one of them is authorized in the application and access-logged."""
from __future__ import annotations

from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Depends, FastAPI, Path
from pydantic import Field

from cases.entrypoints.workflow import Strict
from cases.bootstrap import application
from cases.records import PupilNotFound, RecordKeepingCases
from eventkit import authz
from cases.domain.values import InvalidPersonalIdentityNumber
from eventkit.http import answer_errors, calling_service, current_identity, error, not_found
from eventkit.identity import Identity, NotPermitted
from eventkit.shredding import SubjectDisposed

router = APIRouter()


def records() -> RecordKeepingCases:
    return application()


class CaseIds(Strict):
    case_ids: list[UUID] = Field(max_length=100)


class PupilSearch(Strict):
    personal_number: str = Field(min_length=1, max_length=20)


class Texts(Strict):
    texts: list[str] = Field(max_length=10)


@router.post("/cases/pupil-names", **authz.operation("cases.read"))
def pupil_names(body: CaseIds, who: Identity = Depends(current_identity), app_: RecordKeepingCases = Depends(records)):
    """The pupils' names of those cases the user may see (others are left out)."""
    return {"names": app_.pupil_names(who, body.case_ids)}


@router.post("/pupils/lookup", **authz.operation("cases.pupils.find"))
def find_pupil(body: PupilSearch, who: Identity = Depends(current_identity), app_: RecordKeepingCases = Depends(records)):
    """Municipality administrator: the pseudonymous pupil reference of a personnummer (loggkontroll)."""
    try:
        return {"pupil_ref": app_.find_pupil(who, body.personal_number)}
    except InvalidPersonalIdentityNumber as exc:  # the check digit, the date: at the search's own field
        return error(422, "validation", "Uppgifterna behöver rättas.", fields={"personal_number": str(exc)})


class PupilRefs(Strict):
    pupil_refs: list[UUID] = Field(max_length=100)
    purpose: Literal["list", "export"] = "list"  # export: loggkontroll's CSV file, logged as exported


@router.post("/pupils/log-names", **authz.operation("cases.pupils.log-names"))
def pupils_for_log(body: PupilRefs, who: Identity = Depends(current_identity), app_: RecordKeepingCases = Depends(records)):
    """Municipality administrator (loggkontroll): per pseudonymous reference the pupil's name,
    or only that the pupil is protected (R14) or disposed of (R17); names given are access-logged."""
    return {"pupils": app_.pupils_for_log(who, [str(ref) for ref in body.pupil_refs], export=body.purpose == "export")}


@router.post("/pupils/names-in-text", **authz.operation("cases.names"))
def names_in_text(body: Texts, who: Identity = Depends(current_identity), app_: RecordKeepingCases = Depends(records)):
    """Where the texts name one of the municipality's people (the deviations service's R22
    check): per text, [start, end, "exact" or "sound"] in the normalised text, never a name."""
    return {"matches": app_.register_matches_in(who, [t[:20000] for t in body.texts])}


@router.post("/pupils/named-in-text", **authz.operation("cases.names"))
def pupils_named_in_text(body: Texts, who: Identity = Depends(current_identity), caller: str = Depends(calling_service),
                         app_: RecordKeepingCases = Depends(records)):
    """The deviations service only: the pseudonymous references of the pupils the texts name,
    each with whether the pupil's identity is protected (its texts follow these pupils'
    disposal, R17, and never name a protected pupil, R14). Never a name."""
    if caller != "deviations":
        raise NotPermitted("Bara avvikelsetjänsten kan fråga vilka elever en text nämner.")
    return {"pupils": app_.pupils_named_in(who, [t[:20000] for t in body.texts])}


@router.post("/pupils/{pupil_ref}/disposal", status_code=201, **authz.operation("cases.dispose"))
def dispose(pupil_ref: UUID = Path(), who: Identity = Depends(current_identity), app_: RecordKeepingCases = Depends(records)):
    """R17: dispose of the pupil's records when the municipality's plan says they are due."""
    return app_.dispose(who, str(pupil_ref))


@router.get("/disposal", **authz.operation("cases.disposal.read"))
def disposal_preview(who: Identity = Depends(current_identity), app_: RecordKeepingCases = Depends(records)):
    """R17 in the open: what a run today would dispose of in the caller's municipality, as counts
    per school unit, year and kind of record, and how many pupils each named hold keeps."""
    return app_.disposal_preview(who)


@router.post("/disposal/runs", status_code=201, **authz.operation("cases.dispose"))
def run_disposal(who: Identity = Depends(current_identity), app_: RecordKeepingCases = Depends(records)):
    """Dispose of every pupil of the municipality whose records are due, and record the run
    (a retry with the same Idempotency-Key answers the first run's record)."""
    return app_.run_disposal(who)


@router.get("/disposal/runs", **authz.operation("cases.disposal.read"))
def disposal_runs(who: Identity = Depends(current_identity), app_: RecordKeepingCases = Depends(records)):
    """The record of the municipality's disposal runs, the newest first."""
    return {"runs": app_.disposal_runs(who)}


def install(app: FastAPI) -> None:
    app.include_router(router)
    answer_errors(app, {
        SubjectDisposed: not_found("Ärendet finns inte, eller så har du inte behörighet till det."),
        PupilNotFound: not_found("Det finns ingen elev med det personnumret i kommunens register."),
    })
