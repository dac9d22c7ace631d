"""Loggkontroll (R15): the municipality administrator searches the access log by user and by
pupil (personnummer, resolved to the pseudonymous reference by the cases service, where the
search itself is logged) in a time range, and sees unusual access flagged."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from eventkit.dates import LOCAL_TIME as LOCAL

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from frontend.deps import signed_in_as
from frontend.forms import FormState
from frontend.records_client import accesslog_client, records_client
from frontend.services_client import NotFound, ServiceRefused, ServiceUnavailable
from frontend.web import render

router = APIRouter()
ACTIONS = {"read": "Läste", "list": "Såg i lista", "change": "Ändrade", "export": "Exporterade", "print": "Skrev ut",
           "search": "Sökte", "disposal": "Gallrade"}


Administrator = signed_in_as("accesslog.read", "Loggkontrollen är till för kommunens administratör.")


def _day(value: str, field: str, errors: dict[str, str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[field] = "Ange ett datum (ÅÅÅÅ-MM-DD)."
        return None


@router.get("/loggkontroll")
async def form(request: Request, who: Administrator) -> Response:
    return render(request, "loggkontroll.html", {"form": FormState(), "entries": None, "actions": ACTIONS})


@router.post("/loggkontroll")
async def search(
    request: Request, who: Administrator, anvandare: str = Form(""), personnummer: str = Form(""), fran: str = Form(""),
    till: str = Form(""), ovanliga: str = Form(""),
) -> Response:
    values = {"anvandare": anvandare.strip()[:100], "personnummer": personnummer.strip()[:20], "fran": fran, "till": till,
              "ovanliga": ovanliga}
    state = FormState(values=dict(values))
    since, until = _day(fran, "fran", state.errors), _day(till, "till", state.errors)
    if since and until and until < since:
        state.errors["till"] = "Slutdatumet kan inte vara före startdatumet."
    if not values["anvandare"] and not values["personnummer"]:
        state.errors["anvandare"] = "Ange en användare eller ett personnummer (eller båda)."
    context: dict[str, Any] = {"form": state, "entries": None, "actions": ACTIONS}
    if state.errors:
        return render(request, "loggkontroll.html", context, status_code=422)
    pupil_ref = None
    try:
        if values["personnummer"]:
            pupil_ref = await records_client(request, who).find_pupil(values["personnummer"])
        answer = await accesslog_client(request, who).search(
            user=values["anvandare"] or None, pupil_ref=pupil_ref,
            **{"from": datetime.combine(since, time(), LOCAL).isoformat() if since else None,
               "to": datetime.combine(until + timedelta(days=1), time(), LOCAL).isoformat() if until else None},
            flagged="true" if ovanliga else None,
        )
    except ServiceRefused as refusal:
        field_errors = {("personnummer" if k == "personal_number" else k): v for k, v in refusal.fields.items()}
        context["form"] = FormState(values=values, errors=field_errors or {"personnummer": refusal.message})
        return render(request, "loggkontroll.html", context, status_code=422)
    except NotFound:
        context["form"] = FormState(values=values, errors={"personnummer": "Det finns ingen elev med det personnumret i kommunens register (eller så är elevens uppgifter gallrade)."})
        return render(request, "loggkontroll.html", context, status_code=422)
    except ServiceUnavailable:
        context["form"] = FormState(values=values, problem="Loggkontrollen går inte att nå just nu. Försök igen om en stund.")
        return render(request, "loggkontroll.html", context, status_code=503)
    context.update(entries=answer["entries"], thresholds=answer.get("thresholds", {}),
                   flagged=sum(1 for e in answer["entries"] if e["outside_usual_units"] or e["many_records"]))
    return render(request, "loggkontroll.html", context)
