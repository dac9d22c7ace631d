"""Sending a deviation to the BUS secretariat (R21, R22): the manager sees what the check
found in the texts – identity numbers, dates of birth, names, phone numbers, e-mail and street
addresses, postcodes, capitalised words that may be names – and removes or keeps each one
(identity numbers, dates of birth and the names of the municipality's people can only be
removed); the texts can be rewritten and checked again before sending. When the check cannot
be made, the page says why and nothing is sent."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from eventkit import authz
from eventkit.identity import Identity
from frontend.deviations_client import DeviationsClient, deviations_client
from frontend.forms import FormState
from frontend.services_client import Forbidden, ServiceRefused, ServiceUnavailable
from frontend.web import current_identity, flash, render
from frontend.routes.deviations import _go

router = APIRouter()


def _page(request: Request, d: dict[str, Any], form: FormState, findings: list[dict[str, Any]], status: int = 200) -> Response:
    return render(request, "deviations_send.html", {"d": d, "form": form, "findings": findings},
                  blocks=["send_form"], status_code=status)


async def _findings(client: DeviationsClient, deviation_id: str, values: dict[str, str]) -> list[dict[str, Any]]:
    found = (await client.act(deviation_id, "check", values))["findings"]
    for finding in found:  # a little context around each finding, from the text it was found in
        text = values[finding["field"]]
        finding["before"] = text[max(0, finding["start"] - 40): finding["start"]]
        finding["after"] = text[finding["end"]: finding["end"] + 40]
    return found


def _texts(form) -> dict[str, str]:
    return {"description": str(form.get("description", "")), "tried_locally": str(form.get("tried_locally", ""))}


async def _deviation(request: Request, who: Identity, deviation_id: str) -> tuple[DeviationsClient, dict[str, Any]]:
    if not authz.allows(who, "deviations.read"):
        raise Forbidden("BUS-sekretariatet ser avvikelserna i länsbilden.")
    client = deviations_client(request, who)
    return client, await client.deviation(deviation_id)


@router.get("/avvikelser/{deviation_id}/skicka")
async def send_page(request: Request, deviation_id: str, who: Identity = Depends(current_identity)) -> Response:
    client, d = await _deviation(request, who, deviation_id)
    values = {"description": d["description"], "tried_locally": d["tried_locally"]}
    if not d["mine_to_handle"] or d["outcome"]:
        return _page(request, d, FormState(values=values), [], 200)
    try:
        found = await _findings(client, deviation_id, values)
    except ServiceRefused as refusal:
        return _page(request, d, FormState(values=values, problem=refusal.message, rule=refusal.rule), [], 422)
    except ServiceUnavailable as down:
        return _page(request, d, FormState.unavailable(values, down.service, down.message), [], 503)
    return _page(request, d, FormState(values=values), found)


@router.post("/avvikelser/{deviation_id}/granska")
async def check_again(request: Request, deviation_id: str, who: Identity = Depends(current_identity)) -> Response:
    client, d = await _deviation(request, who, deviation_id)
    values = _texts(await request.form())
    try:
        found = await _findings(client, deviation_id, values)
    except ServiceRefused as refusal:
        return _page(request, d, FormState.refused(values, refusal), [], 422)
    except ServiceUnavailable as down:
        return _page(request, d, FormState.unavailable(values, down.service, down.message), [], 503)
    done = "Texten är granskad igen." + ("" if found else " Inga personuppgifter hittades.")
    return _page(request, d, FormState(values=values, done=done), found)


@router.post("/avvikelser/{deviation_id}/skicka")
async def send(request: Request, deviation_id: str, who: Identity = Depends(current_identity)) -> Response:
    client, d = await _deviation(request, who, deviation_id)
    form = await request.form()
    values = _texts(form)
    decisions: dict[str, str] = {}
    index = 0
    while f"nyckel-{index}" in form:
        choice = str(form.get(f"beslut-{index}", ""))
        if choice in ("redact", "confirm"):
            decisions[str(form[f"nyckel-{index}"])] = choice
        index += 1
    try:
        await client.act(deviation_id, "send", {**values, "decisions": decisions})
    except ServiceRefused as refusal:
        state = FormState(values=values, problem=refusal.message, rule=refusal.rule)
        try:
            found = await _findings(client, deviation_id, values)
        except (ServiceRefused, ServiceUnavailable):
            found = []
        for finding in found:
            finding["chosen"] = decisions.get(finding["key"], "")
        return _page(request, d, state, found, 422)
    except ServiceUnavailable as down:
        return _page(request, d, FormState.unavailable(values, down.service, down.message), [], 503)
    flash(request, "Avvikelsen är skickad till BUS-sekretariatet, utan uppgifter om barnet.")
    return _go(request, f"/avvikelser/{deviation_id}")
