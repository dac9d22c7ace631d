"""The deviations service's JSON API (OpenAPI at /docs). Handlers translate; rules live in the domain."""
from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from fastapi import Depends
from pydantic import Field

from deviations.application import DeviationNotFound, DeviationsApplication
from deviations.bootstrap import application
from deviations.domain.values import InvolvedOrganisation, OrganisationKind, Side
from deviations import records
from eventkit import authz
from eventkit.accesslog import api_purpose
from eventkit.http import answer_errors, conflict, current_identity, not_found, service_api
from eventkit.identity import Identity
from eventkit.inputs import StrictInput
from eventkit.vocabulary import literal_of
from eventkit.store import VersionConflict

# Every route says what it does with a report (read/change) for the access log (R15).
# A refused request for a report is logged too (eventkit.http.log_refusal).
app = service_api("Stödspår – avvikelser (deviations)", audience="deviations", dependencies=[Depends(api_purpose)],
                  access_log=lambda: getattr(application(), "access_log", None))
# The policy entries each kind of operation is decided by (eventkit.authz.operation).
HANDLING = authz.operation("deviations.handle", "deviations.read", "deviations.read.all")
READING = authz.operation("deviations.read", "deviations.read.all")
records.install(app)

Kind = literal_of(OrganisationKind)
SideName = literal_of(Side)


class Strict(StrictInput):
    """Unknown fields refused, whitespace stripped, no control characters (eventkit.inputs)."""


class Organisation(Strict):
    kind: Kind
    side: SideName

    def value(self) -> InvolvedOrganisation:
        return InvolvedOrganisation.parse(self.kind, self.side)


class Configuration(Strict):
    reporters: list[str] = Field(default_factory=list, max_length=200)
    manager: str = Field(default="", max_length=64)
    answer_days: int = Field(default=60)


class Report(Strict):
    unit: str = Field(min_length=1, max_length=64)
    organisations: list[Organisation] = Field(max_length=10)
    arose_in: Organisation
    category: str = Field(min_length=1, max_length=64)
    occurred_on: date
    description: str = Field(max_length=4000)
    tried_locally: str = Field(default="", max_length=4000)
    principled: bool = False
    counterpart_municipality: str = Field(default="", max_length=4)


class Text(Strict):
    text: str = Field(max_length=4000)


class Check(Strict):
    description: str | None = Field(default=None, max_length=4000)
    tried_locally: str | None = Field(default=None, max_length=4000)


class Send(Check):
    decisions: dict[str, Literal["redact", "confirm"]] = Field(default_factory=dict, max_length=200)


def deviations() -> DeviationsApplication:
    return application()


answer_errors(app, {
    DeviationNotFound: not_found("Avvikelsen finns inte, eller så har du inte behörighet till den."),
    VersionConflict: conflict("Någon annan sparade samtidigt. Ladda om sidan och gör ändringen igen."),
})


@app.get("/units/{unit}/configuration", **authz.operation("deviations.configure"))
def get_configuration(unit: str, who: Identity = Depends(current_identity), app_: DeviationsApplication = Depends(deviations)):
    return app_.configuration(who, unit)


@app.put("/units/{unit}/configuration", **authz.operation("deviations.configure", "deviations.configure.units"))
def configure(unit: str, body: Configuration, who: Identity = Depends(current_identity),
              app_: DeviationsApplication = Depends(deviations)):
    changed = app_.configure_unit(who, unit, **body.model_dump())
    return {"unit": unit, "changed": changed}


@app.post("/deviations", status_code=201, **authz.operation("deviations.report"))
def report(body: Report, who: Identity = Depends(current_identity), app_: DeviationsApplication = Depends(deviations)):
    deviation_id = app_.report(
        who, unit=body.unit, organisations=[o.value() for o in body.organisations], category=body.category,
        occurred_on=body.occurred_on, description=body.description, tried_locally=body.tried_locally,
        principled=body.principled, arose_in=body.arose_in.value(), counterpart_municipality=body.counterpart_municipality,
    )
    return {"deviation_id": str(deviation_id)}


@app.get("/deviations", **READING)
def overview(who: Identity = Depends(current_identity), app_: DeviationsApplication = Depends(deviations)):
    return {"rows": app_.overview(who)}


@app.get("/deviations/{deviation_id}", **READING)
def details(deviation_id: UUID, who: Identity = Depends(current_identity), app_: DeviationsApplication = Depends(deviations)):
    return app_.details(who, deviation_id)


@app.post("/deviations/{deviation_id}/actions", status_code=201, **HANDLING)
def record_action(deviation_id: UUID, body: Text, who: Identity = Depends(current_identity),
                  app_: DeviationsApplication = Depends(deviations)):
    app_.record_action(who, deviation_id, body.text)
    return {"deviation_id": str(deviation_id)}


@app.post("/deviations/{deviation_id}/answer", status_code=201, **HANDLING)
def record_answer(deviation_id: UUID, body: Text, who: Identity = Depends(current_identity),
                  app_: DeviationsApplication = Depends(deviations)):
    app_.record_answer(who, deviation_id, body.text)
    return {"deviation_id": str(deviation_id)}


@app.post("/deviations/{deviation_id}/solved-locally", status_code=201, **HANDLING)
def solve_locally(deviation_id: UUID, body: Text, who: Identity = Depends(current_identity),
                  app_: DeviationsApplication = Depends(deviations)):
    app_.solve_locally(who, deviation_id, body.text)
    return {"deviation_id": str(deviation_id)}


@app.post("/deviations/{deviation_id}/check", **HANDLING)
def check(deviation_id: UUID, body: Check, who: Identity = Depends(current_identity),
          app_: DeviationsApplication = Depends(deviations)):
    """R22: what must be redacted or confirmed before sending. Stores nothing."""
    return {"findings": app_.check(who, deviation_id, body.description, body.tried_locally)}


@app.post("/deviations/{deviation_id}/send", status_code=201, **HANDLING)
def send(deviation_id: UUID, body: Send, who: Identity = Depends(current_identity),
         app_: DeviationsApplication = Depends(deviations)):
    app_.send_to_bus(who, deviation_id, decisions=body.decisions, description=body.description,
                     tried_locally=body.tried_locally)
    return {"deviation_id": str(deviation_id)}


@app.post("/deviations/{deviation_id}/reopen", status_code=201, **HANDLING)
def reopen(deviation_id: UUID, who: Identity = Depends(current_identity), app_: DeviationsApplication = Depends(deviations)):
    """R22: the county's check before the regional stream held the sent deviation back; the
    responsible manager takes it back to check and send it again."""
    reasons = app_.reopen_after_regional_check(who, deviation_id)
    return {"deviation_id": str(deviation_id), "reasons": reasons}
