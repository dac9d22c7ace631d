"""Calls to the notifications service: the user's own choice of e-mail notifications."""
from __future__ import annotations

from typing import Any

from frontend.services_client import ServiceClient


class NotificationsClient(ServiceClient):
    service = "notifications"

    async def preference(self) -> dict[str, Any]:
        return await self._call("GET", "/preferences/me", "/preferences/me")

    async def choose(self, mode: str) -> dict[str, Any]:
        return await self._call("PUT", "/preferences/me", "/preferences/me", json={"mode": mode})


notifications_client = NotificationsClient.for_user
