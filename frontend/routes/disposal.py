"""Gallring (R17) in the open: the municipality administrator sees what falls due for disposal
under the document management plan — counts per school unit, year and kind of record, and how
many pupils each named rule keeps, never a name — confirms a run, and sees the record of every
run (who, when, how many, which kinds). The cases service decides everything; the scheduled job
runs the same rules."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from eventkit.dates import LOCAL_TIME

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from frontend.actions import attempt, go
from frontend.deps import signed_in_as
from frontend.forms import FormState
from frontend.records_client import records_client
from frontend.services_client import ServiceUnavailable
from frontend.web import flash, render

router = APIRouter()
Administrator = signed_in_as("cases.disposal.read", "Gallringen sköts av kommunens administratör.")
CONFIRM = "Kryssa i att du har sett vad som gallras och att gallringen inte går att ångra."
UNAVAILABLE = "Gallringen går inte att nå just nu. Försök igen om en stund."


async def _page(request: Request, who: Any, form: FormState | None = None, status: int = 200) -> Response:
    client = records_client(request, who)
    try:
        preview, runs = await client.disposal_preview(), await client.disposal_runs()
    except ServiceUnavailable:
        return render(request, "disposal.html", {"preview": None, "runs": [], "form": form or FormState(
            problem=UNAVAILABLE)}, status_code=503)
    for entry in runs:  # the moment in Sweden's time
        entry["klockan"] = datetime.fromisoformat(entry["recorded_at"]).astimezone(LOCAL_TIME).strftime("%H:%M")
    return render(request, "disposal.html", {"preview": preview, "runs": runs, "form": form or FormState()},
                  status_code=status)


@router.get("/gallring")
async def disposal(request: Request, who: Administrator) -> Response:
    return await _page(request, who)


@router.post("/gallring")
async def run(request: Request, who: Administrator, bekraftat: str = Form("")) -> Response:
    values = {"bekraftat": bekraftat}
    if not bekraftat:
        return await _page(request, who, FormState(values=values, errors={"bekraftat": CONFIRM}), 422)
    done, problem, status = await attempt(records_client(request, who).run_disposal(), values)
    if problem:
        return await _page(request, who, problem, status)
    pupils = done.get("pupils", 0)
    flash(request, "Ingen elevs handlingar var att gallra." if not pupils else
          f"{pupils} {'elevs' if pupils == 1 else 'elevers'} handlingar är gallrade. Gallringen finns nu bland de genomförda.")
    return go(request, "/gallring")
