"""The directory service's JSON API (OpenAPI at /docs). Handlers translate; rules live in the domain."""
from __future__ import annotations

import json
import threading
from contextlib import asynccontextmanager
from uuid import UUID

from fastapi import Depends, Query
from fastapi.responses import JSONResponse, Response
from pydantic import Field

from directory.application import DirectoryApplication, PersonNotFound
from directory.bootstrap import application, register_sync, start_scheduled_sync
from directory.domain.model import LocalRegistrationReason
from directory.domain.rules import PersonalNumberIsNotInTheDirectory
from eventkit import authz
from eventkit.accesslog import api_purpose
from eventkit.http import answer_errors, calling_service, current_identity, error, not_found, service_api
from eventkit.identity import Identity, NotPermitted
from eventkit.inputs import NO_CONTROL_CHARACTERS, StrictInput
from eventkit.vocabulary import literal_of


@asynccontextmanager
async def lifespan(app):
    stop = threading.Event()
    start_scheduled_sync(stop)
    yield
    stop.set()


app = service_api("Stödspår – katalogen (directory)", audience="directory", dependencies=[Depends(api_purpose)],
                  lifespan=lifespan, access_log=lambda: getattr(application(), "access_log", None))  # refusals too (log_refusal)

Reason = literal_of(LocalRegistrationReason)


class LocalPupil(StrictInput):
    school_unit: str = Field(min_length=1, max_length=64)
    personal_number: str = Field(min_length=1, max_length=20)
    given_name: str = Field(min_length=1, max_length=100)
    family_name: str = Field(min_length=1, max_length=100)
    class_name: str = Field(default="", max_length=20)
    reason: Reason


class SyncRequest(StrictInput):
    full: bool = False


def directory() -> DirectoryApplication:
    return application()


def _already(exc: Exception) -> JSONResponse:
    return error(409, "conflict", "Eleven finns redan i katalogen. Välj eleven i sökningen i stället.",
                 pupil_id=exc.pupil_id, fields={"personal_number": "Eleven finns redan i katalogen."})


answer_errors(app, {
    PersonNotFound: not_found("Personen finns inte, eller så har du inte behörighet till den."),
    PersonalNumberIsNotInTheDirectory: _already,
})


def _only(caller: str, *allowed: str) -> None:
    if caller not in allowed:
        raise NotPermitted("Den tjänsten får inte fråga katalogen om det här.")


@app.get("/pupils", **authz.operation("directory.pupils.read"))
def pupils(q: str | None = Query(default=None, max_length=64, pattern=NO_CONTROL_CHARACTERS),
           school_unit: str | None = Query(default=None, max_length=64),
           class_name: str | None = Query(default=None, alias="class", max_length=20, pattern=NO_CONTROL_CHARACTERS),
           limit: int | None = Query(default=None, ge=1, le=500), offset: int = Query(default=0, ge=0, le=1_000_000),
           who: Identity = Depends(current_identity), app_: DirectoryApplication = Depends(directory)):
    """With `q`: the pupils placed at one of the caller's units whose name, class or personnummer
    matches (by name, at most `limit`, 25 unless asked, 100 at most). Without: the caller's
    pupils, those placed now at her units (`class`: of one class), in class order and then by
    family name, `limit` (100 unless asked) from `offset`, with how many there are in all."""
    if q is None:
        return app_.pupils(who, school_unit, (class_name or "").strip() or None, limit or 100, offset)
    if not q.strip():
        return error(422, "validation", "Uppgifterna behöver rättas.", fields={"q": "Skriv något att söka efter."})
    if limit is not None and limit > 100:
        return error(422, "validation", "Uppgifterna behöver rättas.", fields={"limit": "En sökning visar högst 100 elever."})
    return {"pupils": app_.search(who, q.strip(), school_unit, limit or 25)}


@app.post("/pupils", status_code=201, **authz.operation("directory.pupils.register"))
def register_locally(body: LocalPupil, who: Identity = Depends(current_identity),
                     app_: DirectoryApplication = Depends(directory)):
    """Rektor registers a pupil the register does not know yet."""
    pupil_id = app_.register_locally(who, school_unit=body.school_unit, personal_number=body.personal_number,
                                     given_name=body.given_name, family_name=body.family_name,
                                     class_name=body.class_name, reason=LocalRegistrationReason(body.reason))
    return {"pupil_id": pupil_id}


@app.get("/pupils/{pupil_id}", **authz.operation("directory.pupils.read"))
def pupil(pupil_id: UUID, who: Identity = Depends(current_identity), app_: DirectoryApplication = Depends(directory)):
    return app_.pupil(who, pupil_id)


@app.get("/staff/{user_id}", **authz.operation("directory.staff.identity"))
def staff_member(user_id: str, who: Identity = Depends(current_identity), caller: str = Depends(calling_service),
                 app_: DirectoryApplication = Depends(directory)):
    """Who a login is (the frontend only): role and units from the person's current duties."""
    _only(caller, "frontend")
    return app_.staff_member(who, user_id)


@app.get("/staff", **authz.operation("directory.staff.read", "directory.staff.email"))
def staff(school_unit: str | None = Query(default=None, max_length=64), who: Identity = Depends(current_identity),
          caller: str = Depends(calling_service), app_: DirectoryApplication = Depends(directory)):
    """The municipality's current staff; to the notifications service with work e-mail addresses."""
    return {"staff": app_.staff(who, school_unit, with_email=caller == "notifications")}


@app.get("/units", **authz.operation("directory.staff.read"))
def school_units(who: Identity = Depends(current_identity), app_: DirectoryApplication = Depends(directory)):
    """The municipality's school units with name and postal address (the decision letters)."""
    return {"units": app_.school_units(who)}


@app.get("/register/names", **authz.operation("directory.names"))
def register_names(who: Identity = Depends(current_identity), caller: str = Depends(calling_service),
                   app_: DirectoryApplication = Depends(directory)):
    """Every pupil's and guardian's name of the municipality (the cases service's R22 check).
    Written page by page into the answer's bytes, so a municipality's names are never held as
    objects all at once; whole before any byte is sent, so a failure on the way is still a 503."""
    _only(caller, "cases")
    body = ",".join(json.dumps(person) for page in app_.register_names(who) for person in page)
    return Response(content=f'{{"people": [{body}]}}', media_type="application/json")


@app.post("/sync", **authz.operation("directory.sync"))
def sync_now(body: SyncRequest, who: Identity = Depends(current_identity), caller: str = Depends(calling_service)):
    """A sync now (the municipality's administrator, or a service); its report."""
    if caller == "frontend":
        authz.require(who, "directory.sync")
    return register_sync().run(full=body.full)


@app.get("/sync", **authz.operation("directory.sync"))
def sync_status(who: Identity = Depends(current_identity), caller: str = Depends(calling_service),
                app_: DirectoryApplication = Depends(directory)):
    if caller == "frontend":
        authz.require(who, "directory.sync")
    running = register_sync()
    return {"last_run": app_.tables.last_run(), "running": running.running, "synced": running.synced()}


@app.get("/quarantine", **authz.operation("directory.sync"))
def quarantine(who: Identity = Depends(current_identity), app_: DirectoryApplication = Depends(directory)):
    """Records the register sent malformed: which fields and how, never the values."""
    authz.require(who, "directory.sync")
    return {"quarantined": app_.tables.quarantined()}
