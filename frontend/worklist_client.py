"""The worklist read model (the tasks projection): for *Mina elever*, the open case of each
pupil at a school unit that the user may see, with its status (those of the follow-up view:
frontend/workflow_labels.STATUS_LABELS) and whether something in it is overdue.

`GET {WORKLIST_URL}/pupil-cases?unit=<unit>` with the user's identity (audience "worklist").
The URL is read at each call; unset, the worklist is "not there" as when it does not answer:
the page lists the pupils and says that the case status cannot be shown.
"""
from __future__ import annotations

import asyncio
from typing import Any, Iterable

from fastapi import Request

from eventkit.config import env
from eventkit.identity import Identity
from frontend.services_client import (
    Forbidden, IdentityNotAccepted, NotFound, ServiceClient, ServiceRefused, ServiceUnavailable, VersionConflict,
)

# What the worklist may answer instead of the cases: the status is then not known.
NOT_KNOWN = (ServiceUnavailable, Forbidden, NotFound, ServiceRefused, IdentityNotAccepted, VersionConflict,
             KeyError, TypeError, AttributeError)
# Said on the page when the case status of the pupils listed is not known.
NO_STATUS = "Ärendestatus kan inte visas just nu."


class WorklistClient(ServiceClient):
    service = "worklist"

    @classmethod
    def for_user(cls, request: Request, who: Identity) -> "WorklistClient":
        return cls(request.app.state.backends.http, env("WORKLIST_URL", ""), who)

    async def pupil_cases(self, school_unit: str) -> list[dict[str, Any]]:
        """The open case of each pupil at the unit the user may see: pupil_id, case_id, status, overdue."""
        if not self.base_url:
            raise ServiceUnavailable(self.service)
        answer = await self._call("GET", "/pupil-cases", "/pupil-cases", params={"unit": school_unit})
        return list(answer.get("cases", []))


async def open_cases(request: Request, who: Identity, units: Iterable[str]) -> dict[tuple[str, str], dict[str, Any]] | None:
    """(pupil_id, unit) → the pupil's open case there, for each of `units`; None when the
    worklist cannot say (not configured, not answering, refusing), so no pupil is shown as
    having no case when that is not known."""
    client = WorklistClient.for_user(request, who)
    wanted = sorted(set(units))
    try:
        answers = await asyncio.gather(*(client.pupil_cases(unit) for unit in wanted))
        return {(str(case["pupil_id"]), unit): case for unit, cases in zip(wanted, answers) for case in cases
                if case.get("pupil_id") and case.get("case_id")}
    except NOT_KNOWN:
        return None
