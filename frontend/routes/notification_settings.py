"""Inställningar: the user's own settings; for now how often Stödspår mails them about tasks
that wait (off, once a day, at once). The mail says only how many tasks wait (ADR 0027)."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from eventkit.vocabulary import labels
from frontend.actions import Attempt, go
from frontend.deps import signed_in_as
from frontend.forms import UNAVAILABLE, FormState
from frontend.notifications_client import notifications_client
from frontend.services_client import ServiceUnavailable
from frontend.web import flash, render

router = APIRouter()
Staff = signed_in_as("notifications.preferences", "Aviseringar om uppgifter finns för skolans personal.")
MODES = labels("NotificationMode")
attempt = Attempt(unavailable=UNAVAILABLE["notifications"])


def _page(request: Request, form: FormState, status_code: int = 200) -> Response:
    return render(request, "settings.html", {"form": form, "modes": list(MODES.items())}, status_code=status_code)


@router.get("/installningar")
async def settings(request: Request, who: Staff) -> Response:
    try:
        current = await notifications_client(request, who).preference()
    except ServiceUnavailable:
        return _page(request, FormState.unavailable({}, "notifications", UNAVAILABLE["notifications"]), 503)
    return _page(request, FormState(values={"mode": current["mode"]}))


@router.post("/installningar")
async def save(request: Request, who: Staff) -> Response:
    form = await request.form()
    values = {"mode": str(form.get("mode", ""))}
    _, refused, status = await attempt(notifications_client(request, who).choose(values["mode"]), values)
    if refused is not None:
        return _page(request, refused, status)
    flash(request, f"Sparat: {MODES[values['mode']].lower()}." if values["mode"] != "off"
          else "Sparat: du får inga aviseringar via e-post.")
    return go(request, "/installningar")
