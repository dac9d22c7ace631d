"""The pupil's support case: open it, record extra adaptations (R1), refer to rektor (R2)."""
from __future__ import annotations

from typing import Any, Awaitable
from uuid import UUID

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from eventkit.identity import Identity
from frontend.forms import FormState, attempt
from frontend.services_client import CasesClient, ServiceUnavailable
from frontend.web import cases_client, current_identity, flash, is_htmx, render
from frontend.workflow_labels import step_context

router = APIRouter()

# Where a broken rule's message belongs when it is about one field (by the rule's name).
RULE_FIELDS = {"ExtraAdaptationNeedsOneShortDescription": "description"}


async def _attempt(call: Awaitable[Any], values: dict[str, str]) -> tuple[Any, FormState | None, int]:
    return await attempt(call, values, lambda v, refusal: FormState.refused(v, refusal, RULE_FIELDS))


def _go(request: Request, url: str) -> Response:
    """After a successful command: a full navigation, with or without JavaScript."""
    if is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


# -- open a case ---------------------------------------------------------------------------
def _new_case_page(request: Request, who: Identity, form: FormState, status: int = 200) -> Response:
    return render(
        request, "case_new.html", {"form": form, "units": who.school_units},
        blocks=["case_form"], status_code=status,
    )


@router.get("/arenden/nytt")
async def new_case(request: Request, who: Identity = Depends(current_identity)) -> Response:
    return _new_case_page(request, who, FormState(values={"school_unit": who.school_units[0] if who.school_units else ""}))


@router.post("/arenden")
async def open_case(
    request: Request,
    who: Identity = Depends(current_identity),
    school_unit: str = Form(""),
    pupil_personal_number: str = Form(""),
    pupil_name: str = Form(""),
) -> Response:
    values = {"school_unit": school_unit, "pupil_personal_number": pupil_personal_number, "pupil_name": pupil_name}
    case_id, problem, status = await _attempt(cases_client(request, who).open_case(**values), values)
    if problem:
        return _new_case_page(request, who, problem, status)
    flash(request, "Elevärendet är öppnat. Skriv upp extra anpassningar nedan, eller anmäl till rektor.")
    return _go(request, f"/arenden/{case_id}")


# -- the case page ---------------------------------------------------------------------------
def _case_page(
    request: Request,
    case_id: UUID,
    case: dict[str, Any] | None,
    *,
    adaptation: FormState | None = None,
    referral: FormState | None = None,
    blocks: list[str] | None = None,
    status: int = 200,
    announce: str | None = None,
    refresh_lists: bool = False,
) -> Response:
    context = {
        **step_context(),
        "case_id": case_id,
        "case": case,
        "adaptation": adaptation or FormState(),
        "referral_form": referral or FormState(),
        # After an htmx save: the list and the referral form's hint are swapped out of band.
        "oob": refresh_lists,
        "announce": announce,
    }
    return render(request, "case.html", context, blocks=blocks or [], status_code=status)


async def _case_if_reachable(client: CasesClient, case_id: UUID) -> dict[str, Any] | None:
    try:
        return await client.case(case_id)
    except ServiceUnavailable:
        return None


@router.get("/arenden/{case_id}")
async def case_page(request: Request, case_id: UUID, who: Identity = Depends(current_identity)) -> Response:
    case = await cases_client(request, who).case(case_id)
    return _case_page(request, case_id, case)


@router.post("/arenden/{case_id}/anpassningar")
async def record_extra_adaptation(
    request: Request, case_id: UUID, who: Identity = Depends(current_identity), description: str = Form("")
) -> Response:
    """R1: one short field, no approval step; the teacher decides."""
    client = cases_client(request, who)
    values = {"description": description}
    _, problem, status = await _attempt(client.record_extra_adaptation(case_id, description), values)
    if problem:
        case = await _case_if_reachable(client, case_id) if is_htmx(request) else await client.case(case_id)
        return _case_page(request, case_id, case, adaptation=problem, blocks=["adaptation_form"], status=status)
    saved = f"Den extra anpassningen är sparad: {description.strip()}"
    if not is_htmx(request):
        flash(request, saved)
        return RedirectResponse(f"/arenden/{case_id}#extra-anpassningar", status_code=303)
    case = await client.case(case_id)
    blocks = ["adaptation_form", "adaptation_list"]
    if case["referral"] is None:
        blocks.append("tried_hint")  # the referral form's hint lists the adaptations
    return _case_page(
        request, case_id, case, adaptation=FormState(done=saved), blocks=blocks, announce=saved, refresh_lists=True
    )


@router.post("/arenden/{case_id}/anmalan")
async def refer_to_rektor(
    request: Request,
    case_id: UUID,
    who: Identity = Depends(current_identity),
    tried_adaptations: str = Form(""),
    why_not_enough: str = Form(""),
    special_reason: str = Form(""),
) -> Response:
    """R2: tried adaptations and why they are not enough, or a special reason to refer directly."""
    client = cases_client(request, who)
    values = {
        "tried_adaptations": tried_adaptations,
        "why_not_enough": why_not_enough,
        "special_reason": special_reason,
    }
    _, problem, status = await _attempt(client.refer_to_rektor(case_id, **values), values)
    if problem:
        case = await _case_if_reachable(client, case_id) if is_htmx(request) else await client.case(case_id)
        return _case_page(request, case_id, case, referral=problem, blocks=["referral"], status=status)
    sent = "Anmälan är skickad till rektor."
    if not is_htmx(request):
        flash(request, sent)
        return RedirectResponse(f"/arenden/{case_id}#anmalan", status_code=303)
    case = await client.case(case_id)
    # The focus moves to the confirmation (autofocus), which reads it out; no live announcement.
    return _case_page(request, case_id, case, referral=FormState(done=sent), blocks=["referral"])
