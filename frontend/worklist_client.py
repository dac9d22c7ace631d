"""Calls to the worklist's read API (Att göra): the user's tasks, their counts, and the open
case of each pupil at a school unit (Mina elever: with its status, those of the follow-up view,
frontend/workflow_labels.STATUS_LABELS, and whether something in it is overdue). Same identity,
tracing and error handling as services_client.

The URL (WORKLIST_URL) is read at each call; unset, the worklist is "not there" as when it does
not answer: Mina elever lists the pupils and says that the case status cannot be shown, the
start page shows without its count.
"""
from __future__ import annotations

import asyncio
from typing import Any, Iterable

from fastapi import Request

from eventkit import authz
from eventkit.config import env
from eventkit.identity import Identity
from frontend.services_client import (
    Forbidden, IdentityNotAccepted, NotFound, ServiceClient, ServiceRefused, ServiceUnavailable, VersionConflict,
)
from frontend.templating import plural

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

    async def _call(self, *args, **kwargs) -> Any:
        if not self.base_url:
            raise ServiceUnavailable(self.service)
        return await super()._call(*args, **kwargs)

    async def tasks(self) -> dict[str, Any]:
        """{"tasks": [...], "count": n, "overdue": m, "today": "YYYY-MM-DD"}, overdue first."""
        return await self._call("GET", "/tasks", "/tasks")

    async def summary(self) -> dict[str, int]:
        """{"count": n, "overdue": m}."""
        return await self._call("GET", "/tasks/summary", "/tasks/summary")

    async def pupil_cases(self, unit: str) -> list[dict[str, Any]]:
        """[{"pupil_id", "case_id", "status", "overdue"}] of the unit's pupils the user may see."""
        answer = await self._call("GET", "/pupil-cases", "/pupil-cases", params={"unit": unit})
        return list(answer.get("cases", []))


worklist_client = WorklistClient.for_user


async def open_cases(request: Request, who: Identity, units: Iterable[str]) -> dict[tuple[str, str], dict[str, Any]] | None:
    """(pupil_id, unit) → the pupil's open case there, for each of `units`; None when the
    worklist cannot say (not configured, not answering, refusing), so no pupil is shown as
    having no case when that is not known."""
    client = worklist_client(request, who)
    wanted = sorted(set(units))
    try:
        answers = await asyncio.gather(*(client.pupil_cases(unit) for unit in wanted))
        return {(str(case["pupil_id"]), unit): case for unit, cases in zip(wanted, answers) for case in cases
                if case.get("pupil_id") and case.get("case_id")}
    except NOT_KNOWN:
        return None


def counts_text(count: int, overdue: int) -> str:
    """'3 uppgifter, 1 försenad'."""
    return f"{plural(count, 'uppgift', 'uppgifter')}, {overdue} {'försenad' if overdue == 1 else 'försenade'}"


async def start_page_counts(request: Request, who: Identity) -> str | None:
    """The start page's line ('3 uppgifter, 1 försenad'), or None: a role without tasks, or the
    worklist not answering (the start page shows without it)."""
    if not authz.allows(who, "worklist.read"):
        return None
    try:
        found = await worklist_client(request, who).summary()
    except (ServiceUnavailable, IdentityNotAccepted, Forbidden, NotFound):
        return None
    return counts_text(int(found.get("count", 0)), int(found.get("overdue", 0)))
