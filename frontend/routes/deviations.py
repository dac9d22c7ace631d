"""Deviation reporting (avvikelser, R19–R22): report, the manager's view with overdue answers,
local handling, and sending to the BUS secretariat after the de-identification check; a sent
deviation that the check before the regional stream held back is shown as such, and its
manager takes it back to check it again."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from eventkit.identity import Identity, Role
from frontend.actions import Attempt, go
from frontend.deps import DeviationStaff
from frontend.devlogin import role_label
from frontend.deviation_labels import ORGANISATIONS, USUAL_SIDE
from frontend.deviations_client import county_client, deviations_client
from frontend.forms import FormState, at_form_fields
from frontend.services_client import Forbidden, ServiceRefused, ServiceUnavailable
from frontend.web import first_unit, flash, own_unit, render

router = APIRouter()

# The handling forms have one field, "text"; the service names it after the rule's subject.
TEXT_FIELDS = {"action": "text", "answer": "text", "summary": "text"}


def _refused(values: dict[str, str], refusal: ServiceRefused) -> FormState:
    """The service's field names (organisations.0.kind, arose_in.side, action …) onto the form's."""
    return at_form_fields(values, refusal, lambda name: TEXT_FIELDS.get(name, name) if "text" in values else name)


attempt = Attempt(_refused)


# -- overview: my reports and the manager's view -----------------------------------------------
@router.get("/avvikelser")
async def overview(request: Request, who: DeviationStaff) -> Response:
    rows = await deviations_client(request, who).overview()
    mine = [r for r in rows if r["mine_to_handle"]]
    return render(request, "deviations_overview.html", {
        "to_handle": mine, "others": [r for r in rows if not r["mine_to_handle"]],
        "overdue": sum(1 for r in mine if r["answer_overdue"]),
    })


# -- report (R19) --------------------------------------------------------------------------------
def _report_page(request: Request, who: Identity, form: FormState, status: int = 200) -> Response:
    organisation = request.app.state.organisation
    municipalities = [m for m in organisation.municipalities if len(m.code) == 4]
    return render(request, "deviations_new.html", {
        "form": form, "units": who.school_units, "is_region": len(who.municipality) == 2,
        "municipality_options": [(m.code, m.name) for m in municipalities],
    }, blocks=["report_form"], status_code=status)


@router.get("/avvikelser/ny")
async def new_report(request: Request, who: DeviationStaff) -> Response:
    values = {"unit": first_unit(who)}
    return _report_page(request, who, FormState(values=values))


@router.post("/avvikelser")
async def report(request: Request, who: DeviationStaff) -> Response:
    form = await request.form()
    values = {key: str(form.get(key, "")) for key in (
        "unit", "category", "occurred_on", "description", "tried_locally", "principled", "arose_in",
        "counterpart_municipality")}
    for kind in ORGANISATIONS:
        values[f"org_{kind}"] = str(form.get(f"org_{kind}", ""))
    values["organisations"] = ""
    organisations = [{"kind": kind, "side": values[f"org_{kind}"]} for kind in ORGANISATIONS if values[f"org_{kind}"]]
    arose_side = values.get(f"org_{values['arose_in']}") or USUAL_SIDE.get(values["arose_in"], "municipality")
    body = {
        "unit": values["unit"], "organisations": organisations, "category": values["category"],
        "occurred_on": values["occurred_on"] or None, "description": values["description"],
        "tried_locally": values["tried_locally"], "principled": values["principled"] == "ja",
        "arose_in": {"kind": values["arose_in"] or "school", "side": arose_side},
        "counterpart_municipality": values["counterpart_municipality"],
    }
    if not values["arose_in"]:
        return _report_page(request, who, FormState(values=values, errors={"arose_in": "Välj var avvikelsen uppstod."}), 422)
    deviation_id, problem, status = await attempt(deviations_client(request, who).report(body), values)
    if problem:
        return _report_page(request, who, problem, status)
    flash(request, "Avvikelsen är rapporterad till enhetens ansvariga chef.")
    return go(request, f"/avvikelser/{deviation_id}")


# -- configuration (R20) -------------------------------------------------------------------------------
@router.get("/avvikelser/installningar")
async def configuration_page(request: Request, who: DeviationStaff, enhet: str = "") -> Response:
    unit = own_unit(who, enhet)
    current = await deviations_client(request, who).configuration(unit) if unit else {}
    values = {"unit": unit, "manager": current.get("manager", ""), "answer_days": str(current.get("answer_days", 60))}
    return _configuration_page(request, who, FormState(values=values), set(current.get("reporters", [])),
                               history=current.get("history", []))


def _configuration_page(request: Request, who: Identity, form: FormState, reporters: set[str], status: int = 200,
                        history: list[dict[str, Any]] | None = None) -> Response:
    staff = [u for u in request.app.state.staff.users_in(who.municipality)
             if u.role not in (Role.BUS_SECRETARIAT,) and form.values.get("unit") in u.school_units]
    return render(request, "deviations_configuration.html", {
        "form": form, "units": who.school_units, "staff": staff, "reporters": reporters, "history": history or [],
        "people": {u.user_id: u.display_name for u in request.app.state.staff.users},
        "manager_options": [(u.user_id, f"{u.display_name}, {role_label(u.role)}") for u in staff],
    }, blocks=["configuration_form"], status_code=status)


@router.post("/avvikelser/installningar")
async def configure(request: Request, who: DeviationStaff) -> Response:
    form = await request.form()
    values = {"unit": str(form.get("unit", "")), "manager": str(form.get("manager", "")),
              "answer_days": str(form.get("answer_days", "")).strip()}
    reporters = {str(r) for r in form.getlist("reporters")}
    if not values["answer_days"].isdigit():
        state = FormState(values=values, errors={"answer_days": "Svarstiden anges i hela dagar, till exempel 60."})
        return _configuration_page(request, who, state, reporters, 422)
    body = {"reporters": sorted(reporters), "manager": values["manager"], "answer_days": int(values["answer_days"])}
    _, problem, status = await attempt(deviations_client(request, who).configure(values["unit"], body), values)
    if problem:
        return _configuration_page(request, who, problem, reporters, status)
    state = FormState(values=values, done="Inställningarna är sparade.")
    return _configuration_page(request, who, state, reporters)


# -- one deviation: local handling (R21) -------------------------------------------------------------
# What the check before the regional stream found (deidentify.Kind values), in a sentence.
HELD_REASONS = {
    "identity_number": "ett personnummer",
    "birth_date": "ett födelsedatum",
    "registered_name": "ett namn på en elev eller vårdnadshavare",
}


def reasons_in_words(reasons: list[str]) -> str:
    """["identity_number", "birth_date"] → "ett personnummer och ett födelsedatum"."""
    words = [HELD_REASONS.get(r, "uppgifter som inte får lämna kommunen") for r in reasons] or [
        "uppgifter som inte får lämna kommunen"]
    words = list(dict.fromkeys(words))
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " och " + words[-1]


async def _held(request: Request, who: Identity, deviation: dict[str, Any]) -> dict[str, Any] | None:
    """For a sent deviation: whether the check before the regional stream holds it back (the
    county read API); {"unknown": True} when that cannot be asked now."""
    if deviation.get("outcome") != "sent_to_bus":
        return None
    try:
        found = await county_client(request, who).held(deviation["deviation_id"], deviation.get("sent_version"))
    except (ServiceUnavailable, Forbidden):
        return {"unknown": True}
    if not found or not found.get("held"):
        return None
    return {**found, "in_words": reasons_in_words(found.get("reasons", []))}


async def _deviation_page(request: Request, who: Identity, deviation: dict[str, Any],
                          forms: dict[str, FormState] | None = None, status: int = 200) -> Response:
    forms = {name: (forms or {}).get(name) or FormState() for name in ("action", "answer", "solved", "reopen")}
    returned = deviation.get("returned")
    return render(request, "deviations_detail.html", {
        "d": deviation, **forms, "held": await _held(request, who, deviation),
        "returned_words": reasons_in_words(returned.get("reasons", [])) if returned else "",
    }, status_code=status)


@router.get("/avvikelser/{deviation_id}")
async def deviation_page(request: Request, deviation_id: str, who: DeviationStaff) -> Response:
    return await _deviation_page(request, who, await deviations_client(request, who).deviation(deviation_id))


async def _handle(request: Request, deviation_id: str, who: Identity, text: str, path: str, form_name: str,
                  done: str) -> Response:
    client = deviations_client(request, who)
    _, problem, status = await attempt(client.act(deviation_id, path, {"text": text}), {"text": text})
    if problem:
        return await _deviation_page(request, who, await client.deviation(deviation_id), {form_name: problem}, status)
    flash(request, done)
    return go(request, f"/avvikelser/{deviation_id}")


@router.post("/avvikelser/{deviation_id}/atgarder")
async def record_action(request: Request, deviation_id: str, who: DeviationStaff,
                        text: str = Form("")) -> Response:
    return await _handle(request, deviation_id, who, text, "actions", "action", "Åtgärden är sparad.")


@router.post("/avvikelser/{deviation_id}/svar")
async def record_answer(request: Request, deviation_id: str, who: DeviationStaff,
                        text: str = Form("")) -> Response:
    return await _handle(request, deviation_id, who, text, "answer", "answer", "Svaret är registrerat.")


@router.post("/avvikelser/{deviation_id}/lost-lokalt")
async def solve_locally(request: Request, deviation_id: str, who: DeviationStaff,
                        text: str = Form("")) -> Response:
    return await _handle(request, deviation_id, who, text, "solved-locally", "solved",
                         "Avvikelsen är avslutad som löst lokalt.")


@router.post("/avvikelser/{deviation_id}/ta-tillbaka")
async def reopen(request: Request, deviation_id: str, who: DeviationStaff) -> Response:
    """The check before the regional stream held the deviation back: the manager takes it back
    and goes on to check the text again (R22)."""
    client = deviations_client(request, who)
    _, problem, status = await attempt(client.act(deviation_id, "reopen", {}), {})
    if problem:
        return await _deviation_page(request, who, await client.deviation(deviation_id), {"reopen": problem}, status)
    flash(request, "Avvikelsen är tillbaka hos dig. Granska texten, ta bort det som kontrollen hittade och skicka igen.")
    return go(request, f"/avvikelser/{deviation_id}/skicka")
