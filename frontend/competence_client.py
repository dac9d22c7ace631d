"""Calls to the competence service and the quality view's read API (same identity, tracing
and error handling as services_client)."""
from __future__ import annotations

from typing import Any

from frontend.services_client import ServiceClient


class CompetenceClient(ServiceClient):
    """The competence service: the special educator's mission, goals and competence plan."""

    service = "competence"

    async def missions(self) -> list[dict[str, Any]]:
        return list((await self._call("GET", "/missions", "/missions")).get("rows", []))

    async def mission(self, mission_id: str) -> dict[str, Any]:
        return await self._call("GET", "/missions/{id}", f"/missions/{mission_id}")

    async def goal(self, mission_id: str, goal_id: str) -> dict[str, Any]:
        return await self._call("GET", "/missions/{id}/goals/{goal_id}", f"/missions/{mission_id}/goals/{goal_id}")

    async def history(self, mission_id: str) -> list[dict[str, Any]]:
        return (await self._call("GET", "/missions/{id}/history", f"/missions/{mission_id}/history"))["events"]

    async def start(self, school_unit: str, special_educator: str) -> str:
        body = {"school_unit": school_unit, "special_educator": special_educator}
        return (await self._call("POST", "/missions", "/missions", json=body))["mission_id"]

    async def act(self, mission_id: str, template: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """A command on the mission; `template` names the route without ids (for traces)."""
        return await self._call("POST", "/missions/{id}/" + template, f"/missions/{mission_id}/{path}", json=body)

    async def profile(self, user_id: str) -> dict[str, Any]:
        return await self._call("GET", "/profiles/{user_id}", f"/profiles/{user_id}")

    async def save_profile(self, body: dict[str, Any]) -> dict[str, Any]:
        return await self._call("PUT", "/profiles/me", "/profiles/me", json=body)


class QualityClient(ServiceClient):
    """The quality view's read model (rektors kvalitetsvy)."""

    service = "quality"

    async def view(self, school_unit: str | None = None) -> dict[str, Any]:
        params = {"school_unit": school_unit} if school_unit else None
        return await self._call("GET", "/quality", "/quality", params=params)


competence_client = CompetenceClient.for_user
quality_client = QualityClient.for_user
