"""Calls to the worklist's read API (Att göra): the user's tasks, their counts, and the open
case of each pupil of a unit (Mina elever). Same identity, tracing and error handling as
services_client."""
from __future__ import annotations

from typing import Any

from fastapi import Request

from eventkit import authz
from eventkit.config import env
from eventkit.identity import Identity
from frontend.services_client import Forbidden, IdentityNotAccepted, NotFound, ServiceClient, ServiceUnavailable
from frontend.templating import plural


class WorklistClient(ServiceClient):
    service = "worklist"

    @classmethod
    def for_user(cls, request: Request, who: Identity) -> "WorklistClient":
        # Its URL is read at each call (WORKLIST_URL), not kept with the app's other backends.
        return cls(request.app.state.backends.http, env("WORKLIST_URL", "http://127.0.0.1:8015"), who)

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
