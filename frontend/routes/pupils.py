"""Mina elever: the pupils placed now at the user's school units (the directory decides the
scope and R14), in class order, a page at a time, searchable by name, class or personnummer;
with each pupil's open case and its status (the worklist), a link to the case, or a button to
open one. When the worklist cannot say, the pupils are listed all the same and the page says so.
"""
from __future__ import annotations

from math import ceil
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from frontend.deps import signed_in_as
from frontend.directory_client import DIRECTORY_DOWN, SEARCH_MIN_CHARS, DirectoryClient
from frontend.forms import FormState
from frontend.services_client import ServiceRefused, ServiceUnavailable
from frontend.web import own_unit, render
from frontend.workflow_labels import STATUS_LABELS
from frontend.worklist_client import NO_STATUS, open_cases

router = APIRouter()
PAGE = 100
SEARCH_LIMIT = 100  # the directory's most per search; more found: the user narrows the search
# The staff with pupils: those the directory lets read its pupils (eventkit.authz).
PupilStaff = signed_in_as("directory.pupils.read", "Mina elever är för lärare, specialpedagoger, elevhälsan och rektor.")


@router.get("/elever")
async def my_pupils(request: Request, who: PupilStaff, q: str = "", skolenhet: str = "", sida: int = 1) -> Response:
    """The page, or (htmx, as the user types or turns a page) the table only."""
    unit = own_unit(who, skolenhet, first_by_default=False)
    q = q.strip()[:64]
    search = FormState(values={"q": q, "skolenhet": unit})
    directory = DirectoryClient.for_user(request, who)
    page = max(1, sida)
    pupils: list[dict[str, Any]] = []
    total = 0
    try:
        if len(q) >= SEARCH_MIN_CHARS:
            pupils = await directory.pupils(q, school_unit=unit or None, limit=SEARCH_LIMIT)
            total, page = len(pupils), 1
        elif not q:
            answer = await directory.my_pupils(unit or None, limit=PAGE, offset=(page - 1) * PAGE)
            pupils, total = list(answer.get("pupils", [])), int(answer.get("total", 0))
    except ServiceUnavailable:
        search.problem = DIRECTORY_DOWN
    except ServiceRefused as refusal:
        search.errors["q"] = refusal.fields.get("q") or refusal.message
    cases = await open_cases(request, who, {p["school_unit"] for p in pupils}) if pupils else {}
    context = {
        "search": search, "units": who.school_units, "unit": unit, "pupils": pupils, "total": total,
        "page": page, "pages": max(1, ceil(total / PAGE)) if not q else 1, "searched": bool(q),
        "too_short": 0 < len(q) < SEARCH_MIN_CHARS, "capped": bool(q) and total >= SEARCH_LIMIT,
        "cases": cases, "no_status": NO_STATUS if cases is None else None, "status_labels": STATUS_LABELS,
    }
    return render(request, "pupils.html", context, blocks=["pupil_table"])
