"""A command sent from a form: run it against a service and either send the browser on or give
the form back with what the service said.

The services decide (rule errors, R1–R23, are theirs); a refusal becomes the form's state to
re-render, each message next to its field, with the service's status (422, 409, 403, 503).
A command that went through is followed by a full navigation that works with and without
JavaScript: htmx gets `HX-Redirect`, a plain form a 303 (post/redirect/get).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from frontend.forms import CONFLICT, FormState
from frontend.services_client import Forbidden, ServiceRefused, ServiceUnavailable, VersionConflict
from frontend.web import is_htmx

# Where a 422's messages stand on the form: (the form's values, the refusal) -> its state.
Placement = Callable[[dict[str, str], ServiceRefused], FormState]


@dataclass(frozen=True)
class Attempt:
    """How one part's forms take a refused command; `await attempt(call, values)` runs it and
    answers (result, None, 200) or (None, the form's state, status)."""

    refused: Placement = FormState.refused
    conflict: str = CONFLICT  # what a 409 says above the form
    unavailable: str | None = None  # what a 503 says; None: the service's own words, else the default

    async def __call__(self, call: Awaitable[Any], values: dict[str, str]) -> tuple[Any, FormState | None, int]:
        try:
            return await call, None, 200
        except ServiceRefused as refusal:
            return None, self.refused(values, refusal), 422
        except ServiceUnavailable as down:
            return None, FormState.unavailable(values, down.service, self.unavailable or down.message), 503
        except Forbidden as refusal:
            return None, FormState(values=dict(values), problem=str(refusal)), 403
        except VersionConflict:
            return None, FormState(values=dict(values), problem=self.conflict, conflict=True), 409


# A refusal's messages at the fields of the same name, the rest above the form.
attempt = Attempt()


def go(request: Request, url: str) -> Response:
    """A full navigation, with or without JavaScript: after a successful command, or to the login."""
    if is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)
