"""Rektor's delegations (R5, skollagen 2 kap. 10 §): who may decide what, from when to when.
Every registration and revocation is an event with its own history."""
from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from eventkit.identity import Identity, Role
from frontend.actions import attempt, go
from frontend.deps import CurrentUser
from frontend.forms import FormState
from frontend.services_client import Forbidden
from frontend.web import cases_client, flash, own_unit, render
from frontend.workflow_labels import DECISION_LABELS, EVENT_LABELS

router = APIRouter()


def _unit(who: Identity, skolenhet: str) -> str:
    if who.role is not Role.REKTOR:
        raise Forbidden("Delegationer registreras av rektor.")
    return own_unit(who, skolenhet)


async def _page(request: Request, who: Identity, unit: str, form: FormState | None = None, status: int = 200) -> Response:
    register = await cases_client(request, who).delegations(unit)
    context = {
        "unit": unit, "units": who.school_units, "register": register, "form": form or FormState(),
        "decision_labels": DECISION_LABELS, "event_labels": {**EVENT_LABELS, "Created": "Delegationsordningen skapades",
                                                             "DelegationRegistered": "Delegation registrerad",
                                                             "DelegationRevoked": "Delegation återkallad"},
    }
    return render(request, "delegations.html", context, blocks=["delegation_form"], status_code=status)


@router.get("/delegationer")
async def delegations(request: Request, who: CurrentUser, skolenhet: str = "") -> Response:
    return await _page(request, who, _unit(who, skolenhet))


@router.post("/delegationer")
async def register(
    request: Request, who: CurrentUser, school_unit: str = Form(""), delegate: str = Form(""),
    kinds: list[str] = Form(default=[]), valid_from: str = Form(""), valid_to: str = Form(""),
) -> Response:
    unit = _unit(who, school_unit)
    values = {"delegate": delegate, "kinds": ",".join(kinds), "valid_from": valid_from, "valid_to": valid_to}
    body = {"delegate": delegate, "kinds": kinds, "valid_from": valid_from or None, "valid_to": valid_to or None}
    _, problem, status = await attempt(cases_client(request, who).register_delegation(unit, body), values)
    if problem:
        return await _page(request, who, unit, problem, status)
    flash(request, "Delegationen är registrerad.")
    return go(request, f"/delegationer?skolenhet={unit}")


@router.post("/delegationer/{unit}/{number}/aterkalla")
async def revoke(request: Request, unit: str, number: int, who: CurrentUser) -> Response:
    unit = _unit(who, unit)
    _, problem, status = await attempt(cases_client(request, who).revoke_delegation(unit, number), {})
    if problem:
        return await _page(request, who, unit, problem, status)
    flash(request, f"Delegation nr {number} är återkallad från och med i dag.")
    return go(request, f"/delegationer?skolenhet={unit}")
