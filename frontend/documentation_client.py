"""Calls to the documentation service (same identity, tracing and error handling as services_client)."""
from __future__ import annotations

from typing import Any

from frontend.services_client import ServiceClient


class DocumentationClient(ServiceClient):
    """The special educator's documentation of interventions."""

    service = "documentation"

    async def interventions(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._call("GET", "/interventions", "/interventions", params=params)

    async def intervention(self, intervention_id: str) -> dict[str, Any]:
        return await self._call("GET", "/interventions/{id}", f"/interventions/{intervention_id}")

    async def record(self, body: dict[str, Any]) -> str:
        return (await self._call("POST", "/interventions", "/interventions", json=body))["intervention_id"]

    async def act(self, intervention_id: str, what: str, body: dict[str, Any]) -> dict[str, Any]:
        """what: corrections or withdrawal."""
        return await self._call("POST", "/interventions/{id}/" + what, f"/interventions/{intervention_id}/{what}", json=body)

    async def for_case(self, case_id: str) -> dict[str, Any]:
        return await self._call("GET", "/cases/{id}/interventions", f"/cases/{case_id}/interventions")

    async def overview(self, unit: str, params: dict[str, Any]) -> dict[str, Any]:
        return await self._call("GET", "/units/{unit}/overview", f"/units/{unit}/overview", params=params)


documentation_client = DocumentationClient.for_user
