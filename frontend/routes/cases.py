"""The pupil's support case: open it, record extra adaptations (R1), refer to rektor (R2)."""
from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from eventkit.identity import Identity
from frontend.actions import Attempt, go
from frontend.deps import CurrentUser
from frontend.forms import FormState
from frontend.services_client import CasesClient, ServiceUnavailable
from frontend.web import cases_client, first_unit, flash, is_htmx, render
from frontend.workflow_labels import step_context

router = APIRouter()

# Where a broken rule's message belongs when it is about one field (by the rule's name).
RULE_FIELDS = {"ExtraAdaptationNeedsOneShortDescription": "description"}
attempt = Attempt(lambda values, refusal: FormState.refused(values, refusal, RULE_FIELDS))


# -- open a case ---------------------------------------------------------------------------
def _new_case_page(request: Request, who: Identity, form: FormState, status: int = 200) -> Response:
    return render(
        request, "case_new.html", {"form": form, "units": who.school_units},
        blocks=["case_form"], status_code=status,
    )


@router.get("/arenden/nytt")
async def new_case(request: Request, who: CurrentUser) -> Response:
    return _new_case_page(request, who, FormState(values={"school_unit": first_unit(who)}))


@router.post("/arenden")
async def open_case(
    request: Request,
    who: CurrentUser,
    school_unit: str = Form(""),
    pupil_personal_number: str = Form(""),
    pupil_name: str = Form(""),
) -> Response:
    values = {"school_unit": school_unit, "pupil_personal_number": pupil_personal_number, "pupil_name": pupil_name}
    case_id, problem, status = await attempt(cases_client(request, who).open_case(**values), values)
    if problem:
        return _new_case_page(request, who, problem, status)
    flash(request, "Elevärendet är öppnat. Skriv upp extra anpassningar nedan, eller anmäl till rektor.")
    return go(request, f"/arenden/{case_id}")


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
async def case_page(request: Request, case_id: UUID, who: CurrentUser) -> Response:
    case = await cases_client(request, who).case(case_id)
    return _case_page(request, case_id, case)


@router.post("/arenden/{case_id}/anpassningar")
async def record_extra_adaptation(
    request: Request, case_id: UUID, who: CurrentUser, description: str = Form("")
) -> Response:
    """R1: one short field, no approval step; the teacher decides."""
    client = cases_client(request, who)
    values = {"description": description}
    _, problem, status = await attempt(client.record_extra_adaptation(case_id, description), values)
    if problem:
        case = await _case_if_reachable(client, case_id) if is_htmx(request) else await client.case(case_id)
        return _case_page(request, case_id, case, adaptation=problem, blocks=["adaptation_form"], status=status)
    saved = f"Den extra anpassningen är sparad: {description.strip()}"
    if not is_htmx(request):
        flash(request, saved)
        return go(request, f"/arenden/{case_id}#extra-anpassningar")
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
    who: CurrentUser,
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
    _, problem, status = await attempt(client.refer_to_rektor(case_id, **values), values)
    if problem:
        case = await _case_if_reachable(client, case_id) if is_htmx(request) else await client.case(case_id)
        return _case_page(request, case_id, case, referral=problem, blocks=["referral"], status=status)
    sent = "Anmälan är skickad till rektor."
    if not is_htmx(request):
        flash(request, sent)
        return go(request, f"/arenden/{case_id}#anmalan")
    case = await client.case(case_id)
    # The focus moves to the confirmation (autofocus), which reads it out; no live announcement.
    return _case_page(request, case_id, case, referral=FormState(done=sent), blocks=["referral"])
