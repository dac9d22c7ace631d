"""The letters to the family (issue 16): the decision letter (beslutsbrev) of an appealable
decision and the letter of a decision to reject a late appeal (FL 45 §), each as a page to
print from the browser and as a PDF (WeasyPrint). The case is read for printing, so the cases
service logs the print (R15); the PDF's file name names the decision, never the pupil."""
from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from eventkit.identity import Identity
from frontend.deps import CurrentUser
from frontend.letter_content import decision_letter, pdf_of, rejection_letter, school_unit
from frontend.parties import parties_of
from frontend.web import cases_client

router = APIRouter()


async def _letter(request: Request, who: Identity, case_id: UUID, number: int, build) -> dict[str, Any]:
    case = await cases_client(request, who).case(case_id, purpose="print")
    unit_code = case.get("school_unit") or ""
    decisions = case.get("decisions") or []
    if build is decision_letter and 1 <= number <= len(decisions):
        unit_code = decisions[number - 1].get("school_unit") or unit_code
    person = request.app.state.templates.env.globals["person"]
    parties = await parties_of(request, who, case)
    return {"case_id": case_id, **build(case, number, await school_unit(request, who, unit_code), parties, person)}


def _html(request: Request, template: str, context: dict[str, Any]) -> str:
    return request.app.state.templates.env.get_template(template).render(context)


async def _pdf(request: Request, template: str, context: dict[str, Any], filename: str) -> Response:
    pdf = await run_in_threadpool(pdf_of, _html(request, template, context))
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


@router.get("/arenden/{case_id}/beslut/{number}/brev")
async def decision_letter_page(request: Request, case_id: UUID, number: int, who: CurrentUser) -> Response:
    """The decision letter to print from the browser."""
    context = await _letter(request, who, case_id, number, decision_letter)
    context.update(back_anchor="beslut", pdf_href=f"/arenden/{case_id}/beslut/{number}/brev.pdf")
    return HTMLResponse(_html(request, "decision_letter.html", context))


@router.get("/arenden/{case_id}/beslut/{number}/brev.pdf")
async def decision_letter_pdf(request: Request, case_id: UUID, number: int, who: CurrentUser) -> Response:
    """The same letter as a PDF file, beslut-<n>.pdf."""
    context = await _letter(request, who, case_id, number, decision_letter)
    context.update(back_anchor="beslut", pdf_href=f"/arenden/{case_id}/beslut/{number}/brev.pdf")
    return await _pdf(request, "decision_letter.html", context, f"beslut-{number}.pdf")


@router.get("/arenden/{case_id}/overklaganden/{number}/avvisning")
async def rejection_letter_page(request: Request, case_id: UUID, number: int, who: CurrentUser) -> Response:
    """The letter rejecting a late appeal, to print from the browser."""
    context = await _letter(request, who, case_id, number, rejection_letter)
    context.update(back_anchor="beslut", pdf_href=f"/arenden/{case_id}/overklaganden/{number}/avvisning.pdf")
    return HTMLResponse(_html(request, "appeal_rejection_letter.html", context))


@router.get("/arenden/{case_id}/overklaganden/{number}/avvisning.pdf")
async def rejection_letter_pdf(request: Request, case_id: UUID, number: int, who: CurrentUser) -> Response:
    """The same letter as a PDF file, avvisning-<n>.pdf."""
    context = await _letter(request, who, case_id, number, rejection_letter)
    context.update(back_anchor="beslut", pdf_href=f"/arenden/{case_id}/overklaganden/{number}/avvisning.pdf")
    return await _pdf(request, "appeal_rejection_letter.html", context, f"avvisning-{number}.pdf")
