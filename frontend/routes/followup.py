"""Rektor's follow-up view (uppföljningsvy): open cases per school unit, overdue ones marked,
filtered by unit, status and investigator, one page at a time.

The table block polls every 5 s. The answer to a poll is 204 (nothing swapped, nothing
announced) unless the rows changed, so a screen reader hears about real changes only.
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from eventkit import authz
from eventkit.dates import LOCAL_TIME
from frontend.deps import CurrentUser
from frontend.records_client import with_pupil_names
from frontend.services_client import Forbidden, ServiceUnavailable
from frontend.templating import plural
from frontend.web import followup_client, is_htmx, own_unit, render
from eventkit.vocabulary import labels
from frontend.workflow_labels import STATUS_LABELS

STATUS_FILTERS = [("", "Alla öppna"), ("overdue", "Försenade"), *[(k, v) for k, v in STATUS_LABELS.items() if k != "closed"]]

# R9: where an appeal stands, the board's outcome and where a sent-back matter starts again, in
# the cases service's words (contracts/vocabularies).
APPEAL_LABELS = {"appeal_status": labels("AppealStatus"), "board_outcome": labels("BoardOutcome"),
                 "sent_back_to": labels("SentBackTo")}

router = APIRouter()
DOWN = "nere"  # the fingerprint of "the follow-up service did not answer"


def fingerprint(rows: list[dict[str, Any]]) -> str:
    return hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()[:16]


def _priority(row: dict[str, Any]) -> tuple:
    # Overdue first, then the longest-waiting referrals, then open cases oldest first.
    return (not row.get("overdue"), row.get("status") != "referred", -(row.get("days_waiting") or 0), row.get("opened_at") or "")


def group_by_unit(rows: list[dict[str, Any]], units: tuple[str, ...]) -> list[tuple[str, list[dict[str, Any]]]]:
    return [(unit, sorted((r for r in rows if r["school_unit"] == unit), key=_priority)) for unit in units]


def summary(rows: list[dict[str, Any]], counts: dict[str, int] | None = None) -> str:
    if counts is not None:
        if not counts.get("open"):
            return "Inga öppna ärenden just nu."
        return (
            f"{plural(counts['open'], 'öppet ärende', 'öppna ärenden')}, "
            f"{counts['waiting']} {'väntar' if counts['waiting'] == 1 else 'väntar'} på utredning eller beslut, "
            f"{counts['overdue']} {'försenat' if counts['overdue'] == 1 else 'försenade'}, "
            f"{counts['due_soon']} med uppföljning eller utvärdering inom 14 dagar, "
            f"{counts['undelivered']} med beslut som inte delgivits, "
            f"{counts['appeal_open']} med öppen överklagandetid"
            + (f", {plural(counts['appeals_waiting'], 'överklagande', 'överklaganden')} att hantera."
               if counts.get("appeals_waiting") else ".")
        )
    if not rows:
        return "Inga öppna ärenden just nu."
    referred = sum(1 for r in rows if r.get("status") == "referred")
    overdue = sum(1 for r in rows if r.get("overdue"))
    return (
        f"{plural(len(rows), 'öppet ärende', 'öppna ärenden')}, "
        f"{referred} {'anmält' if referred == 1 else 'anmälda'} till rektor, "
        f"{overdue} {'försenat' if overdue == 1 else 'försenade'}."
    )


@router.get("/uppfoljning")
async def followup(
    request: Request, who: CurrentUser, skolenhet: str = "", status: str = "", utredare: str = "", sida: int = 1,
    senast: str = "",
) -> Response:
    if not authz.allows(who, "followup.read"):
        raise Forbidden("Uppföljningen är till för rektor och elevhälsan.")
    unit = own_unit(who, skolenhet, first_by_default=False)
    status = status if status in dict(STATUS_FILTERS) else ""
    page_number = max(1, min(sida, 10_000))
    units = (unit,) if unit else who.school_units
    filters = {"skolenhet": unit, "status": status, "utredare": utredare[:100]}
    context: dict[str, Any] = {
        "unit": unit, "units": who.school_units, "filters": filters, "status_filters": STATUS_FILTERS,
        "status_labels": STATUS_LABELS, "appeal_labels": APPEAL_LABELS, "page": page_number, "investigators": [], "total": 0, "pages": 1,
    }
    try:
        answer = await followup_client(request, who).page(
            school_unit=unit or None, status=status or None, investigator=filters["utredare"] or None,
            page=page_number if page_number > 1 else None,
        )
        rows = list(answer.get("rows", []))
    except ServiceUnavailable:
        if is_htmx(request) and senast == DOWN:
            return Response(status_code=204)  # still down: leave the notice, do not repeat it
        context.update(unavailable=True, groups=[], fingerprint=DOWN, summary="", announce=None)
        return render(request, "followup.html", context, blocks=["followup_table"], status_code=503)
    current = fingerprint([rows, answer.get("summary")])
    if is_htmx(request) and senast == current:
        return Response(status_code=204)
    text = summary(rows, answer.get("summary"))
    total = int(answer.get("total", len(rows)))
    size = int(answer.get("page_size", 25)) or 25
    context.update(investigators=answer.get("investigators", []), total=total, pages=max(1, -(-total // size)))
    updated = datetime.now(LOCAL_TIME).strftime("%H:%M")
    rows = await with_pupil_names(request, who, rows)  # names from the cases service (R17), logged (R15)
    context.update(
        unavailable=False,
        groups=group_by_unit(rows, units),
        fingerprint=current,
        summary=text,
        # Only an htmx answer fills the live region; a full page is read from the top anyway.
        announce=f"Uppföljningen uppdaterades {updated}: {text}" if is_htmx(request) else None,
    )
    return render(request, "followup.html", context, blocks=["followup_table"])
