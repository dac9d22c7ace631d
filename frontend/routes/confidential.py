"""Sekretess on a case (R14): rektor's protected-identity decisions and grants, and the
medical part of the student health team (only for the school nurse and doctor)."""
from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from eventkit import authz
from eventkit.identity import Identity
from frontend.actions import attempt, go
from frontend.deps import CurrentUser
from frontend.devlogin import role_label
from frontend.forms import FormState
from frontend.services_client import CasesClient
from frontend.web import flash, render

router = APIRouter()

CHANGE_LABELS = {"ProtectedIdentityMarked": "Markerad med skyddad identitet", "AccessGranted": "Fick behörighet",
                 "AccessRevoked": "Behörigheten återkallades"}


class ConfidentialClient(CasesClient):
    async def protection(self, case_id: UUID) -> dict[str, Any]:
        return await self._call("GET", "/cases/{case_id}/protection", f"/cases/{case_id}/protection")

    async def medical(self, case_id: UUID) -> dict[str, Any]:
        return await self._call("GET", "/cases/{case_id}/medical", f"/cases/{case_id}/medical")


_client = ConfidentialClient.for_user


async def _page(request: Request, who: Identity, case_id: UUID, *, grant: FormState | None = None,
                medical_form: FormState | None = None, status: int = 200) -> Response:
    client = _client(request, who)
    case = await client.case(case_id)
    protection = await client.protection(case_id)
    staff = request.app.state.staff
    context = {
        "case_id": case_id, "case": case, "protection": protection,
        # Staff of the pupil's unit who do not have access yet.
        "grant_options": [(u.user_id, f"{u.display_name}, {role_label(u.role)}") for u in staff.users
                          if case["school_unit"] in u.school_units and u.user_id not in protection["granted_to"]],
        "medical": await client.medical(case_id) if who.medical else None,
        "is_rektor": authz.allows(who, "cases.protect"), "grant": grant or FormState(), "medical_form": medical_form or FormState(),
        "change_labels": CHANGE_LABELS,
    }
    return render(request, "confidential.html", context, status_code=status)


@router.get("/arenden/{case_id}/sekretess")
async def page(request: Request, case_id: UUID, who: CurrentUser) -> Response:
    return await _page(request, who, case_id)


async def _step(request: Request, who: Identity, case_id: UUID, step: str, values: dict[str, str], *,
                form: str, done: str) -> Response:
    """One decision on the Sekretess page: refused, the page again with the message at `form`;
    done, back to the page with `done` said."""
    _, problem, status = await attempt(_client(request, who).step(case_id, step, values), values)
    if problem:
        return await _page(request, who, case_id, status=status, **{form: problem})
    flash(request, done)
    return go(request, f"/arenden/{case_id}/sekretess")


@router.post("/arenden/{case_id}/sekretess/skyddad-identitet")
async def mark(request: Request, case_id: UUID, who: CurrentUser) -> Response:
    return await _step(request, who, case_id, "protection", {}, form="grant",
                       done="Ärendet är markerat med skyddad identitet. Bara du och de du ger behörighet ser det.")


@router.post("/arenden/{case_id}/sekretess/behorighet")
async def grant(request: Request, case_id: UUID, who: CurrentUser, user_id: str = Form("")) -> Response:
    return await _step(request, who, case_id, "protection/grants", {"user_id": user_id}, form="grant",
                       done="Behörigheten är given.")


@router.post("/arenden/{case_id}/sekretess/aterkalla")
async def revoke(request: Request, case_id: UUID, who: CurrentUser, user_id: str = Form("")) -> Response:
    return await _step(request, who, case_id, "protection/revocations", {"user_id": user_id}, form="grant",
                       done="Behörigheten är återkallad.")


@router.post("/arenden/{case_id}/sekretess/medicinskt")
async def medical_entry(request: Request, case_id: UUID, who: CurrentUser, text: str = Form("")) -> Response:
    return await _step(request, who, case_id, "medical/entries", {"text": text}, form="medical_form",
                       done="Anteckningen är sparad i den medicinska delen.")
