"""Calls for record keeping (R15, R17): the pupils' names for a list (from the cases service,
authorized and access-logged there), the administrator's pupil search and the loggkontroll
read API. Same identity, tracing and error handling as services_client."""
from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import Request

from eventkit.config import env
from eventkit.identity import Identity
from frontend.services_client import Forbidden, NotFound, ServiceClient, ServiceUnavailable


class RecordsClient(ServiceClient):
    service = "cases"

    async def pupil_names(self, case_ids: list[str]) -> dict[str, str]:
        if not case_ids:
            return {}
        answer = await self._call("POST", "/cases/pupil-names", "/cases/pupil-names", json={"case_ids": case_ids})
        return dict(answer.get("names", {}))

    async def find_pupil(self, personal_number: str) -> str:
        # POST, so the personnummer is in no URL, access log line or span.
        answer = await self._call("POST", "/pupils/lookup", "/pupils/lookup", json={"personal_number": personal_number})
        return answer["pupil_ref"]

    async def disposal_preview(self) -> dict[str, Any]:
        return await self._call("GET", "/disposal", "/disposal")

    async def disposal_runs(self) -> list[dict[str, Any]]:
        return list((await self._call("GET", "/disposal/runs", "/disposal/runs")).get("runs", []))

    async def run_disposal(self) -> dict[str, Any]:
        # The form's key goes with it: a double submit or a retry records one run (ADR 0023).
        return await self._call("POST", "/disposal/runs", "/disposal/runs", json={})

    async def log_names(self, pupil_refs: list[str], purpose: str = "list") -> dict[str, dict]:
        """Loggkontroll: per pupil reference {"name"} or {"protected"} / {"disposed"} / {"unknown"};
        `purpose="export"` logs the pupils as exported (R15). Nothing is asked for no pupil, unless exporting."""
        if not pupil_refs and purpose != "export":
            return {}
        answer = await self._call("POST", "/pupils/log-names", "/pupils/log-names",
                                  json={"pupil_refs": pupil_refs, "purpose": purpose})
        return dict(answer.get("pupils", {}))


class AccessLogClient(ServiceClient):
    service = "accesslog"

    @classmethod
    def for_user(cls, request: Request, who: Identity) -> "AccessLogClient":
        # Its URL is read at each call (ACCESSLOG_URL), not kept with the app's other backends.
        return cls(request.app.state.backends.http, env("ACCESSLOG_URL", "http://127.0.0.1:8014"), who)

    async def search(self, **filters: Any) -> dict[str, Any]:
        params = {k: v for k, v in filters.items() if v not in (None, "")}
        return await self._call("GET", "/accesslog", "/accesslog", params=params)


records_client = RecordsClient.for_user
accesslog_client = AccessLogClient.for_user


async def with_pupil_names(request: Request, who: Identity, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows of a list with the pupils' names from the cases service (R17: no read model
    keeps names). If the names cannot be fetched the list still shows, without them."""
    try:
        names = await records_client(request, who).pupil_names([str(UUID(r["case_id"])) for r in rows])
    except (ServiceUnavailable, NotFound, Forbidden):
        names = {}
    return [{**r, "pupil_name": names.get(r["case_id"]) or "Elev (namnet kan inte visas just nu)"} for r in rows]
