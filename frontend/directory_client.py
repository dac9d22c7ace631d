"""The directory service (the municipality's people, synced from SS 12000; ADR 0026).

The frontend asks it who a logged-in person is (GET /staff/{user_id}, as the login job, not as
a person), who the staff are (names on pages, whom to grant access), and, for the user, which
pupils she may choose (search, one pupil with guardians), which are hers (*Mina elever*: the
pupils placed at her units, a page at a time) and to register a pupil the register
does not know yet (rektor). The directory applies scope and R14 to the user's own identity.
"""
from __future__ import annotations

from typing import Any
from uuid import UUID

from eventkit.identity import Identity, Role
from frontend.services_client import ServiceClient

# Who asks the directory who has just logged in: a job of the frontend's own, no person
# (the directory answers GET /staff/{user_id} to service callers only).
# A pupil search (Nytt elevärende, Mina elever) asks from this many characters; and what it says
# when the directory does not answer.
SEARCH_MIN_CHARS = 2
DIRECTORY_DOWN = "Elevregistret går inte att nå just nu. Försök igen om en stund."

LOGIN_JOB = Identity("inloggning", "Inloggning i Stödspår", Role.MUNICIPALITY_ADMIN, "")


class DirectoryClient(ServiceClient):
    service = "directory"

    async def staff_member(self, user_id: str) -> dict[str, Any]:
        return await self._call("GET", "/staff/{user_id}", f"/staff/{user_id}")

    async def staff(self, school_unit: str | None = None) -> list[dict[str, Any]]:
        params = {"school_unit": school_unit} if school_unit else None
        return list((await self._call("GET", "/staff", "/staff", params=params)).get("staff", []))

    async def units(self) -> list[dict[str, Any]]:
        """The municipality's school units: code, name and postal address (the letters)."""
        return list((await self._call("GET", "/units", "/units")).get("units", []))

    async def pupils(self, q: str, school_unit: str | None = None, limit: int = 25) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"q": q, "limit": limit}
        if school_unit:
            params["school_unit"] = school_unit
        return list((await self._call("GET", "/pupils", "/pupils", params=params)).get("pupils", []))

    async def my_pupils(self, school_unit: str | None = None, limit: int = 100, offset: int = 0) -> dict[str, Any]:
        """GET /pupils without q: the pupils placed now at the user's units (or one), in class order
        and by family name, a page from `offset`: {"pupils": [...], "total": n}."""
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        if school_unit:
            params["school_unit"] = school_unit
        return await self._call("GET", "/pupils", "/pupils", params=params)

    async def pupil(self, pupil_id: UUID | str) -> dict[str, Any]:
        return await self._call("GET", "/pupils/{pupil_id}", f"/pupils/{pupil_id}")

    async def register_pupil(self, body: dict[str, Any]) -> UUID:
        """POST /pupils: a pupil the register does not know yet; VersionConflict (409) when the
        personnummer is already in the directory (its `payload` names the pupil_id)."""
        return UUID((await self._call("POST", "/pupils", "/pupils", json=body))["pupil_id"])
