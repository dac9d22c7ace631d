"""Calls to the deviations service and the county view's read API (same identity, tracing
and error handling as services_client)."""
from __future__ import annotations

from typing import Any

import httpx

from frontend.services_client import TIMEOUT, NotFound, ServiceClient, ServiceUnavailable


class DeviationsClient(ServiceClient):
    """The deviations service (avvikelser)."""

    service = "deviations"

    async def overview(self) -> list[dict[str, Any]]:
        return list((await self._call("GET", "/deviations", "/deviations")).get("rows", []))

    async def deviation(self, deviation_id: str) -> dict[str, Any]:
        return await self._call("GET", "/deviations/{id}", f"/deviations/{deviation_id}")

    async def report(self, body: dict[str, Any]) -> str:
        return (await self._call("POST", "/deviations", "/deviations", json=body))["deviation_id"]

    async def act(self, deviation_id: str, what: str, body: dict[str, Any]) -> dict[str, Any]:
        """what: actions, answer, solved-locally, check, send or reopen."""
        return await self._call("POST", "/deviations/{id}/" + what, f"/deviations/{deviation_id}/{what}", json=body)

    async def configuration(self, unit: str) -> dict[str, Any]:
        return await self._call("GET", "/units/{unit}/configuration", f"/units/{unit}/configuration")

    async def configure(self, unit: str, body: dict[str, Any]) -> dict[str, Any]:
        return await self._call("PUT", "/units/{unit}/configuration", f"/units/{unit}/configuration", json=body)


class CountyClient(ServiceClient):
    """The county view's read model (länsbilden), for the BUS secretariat."""

    service = "county"

    async def counts(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._call("GET", "/county/counts", "/county/counts", params=params)

    async def deviations(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return (await self._call("GET", "/county/deviations", "/county/deviations", params=params))["rows"]

    async def deviation(self, deviation_id: str) -> dict[str, Any]:
        return await self._call("GET", "/county/deviations/{id}", f"/county/deviations/{deviation_id}")

    async def held(self, deviation_id: str, sent_version: int | None = None) -> dict[str, Any] | None:
        """Whether the check before the regional stream holds the deviation's sending back
        (`held`, `reasons`, `held_at`), for the staff of the municipality it concerns; None when
        the county knows nothing of it."""
        params = {"sent_version": sent_version} if sent_version else None
        try:
            return await self._call("GET", "/county/held/{id}", f"/county/held/{deviation_id}", params=params)
        except NotFound:
            return None

    async def yearly(self, year: int) -> dict[str, Any]:
        return await self._call("GET", "/county/yearly/{year}", f"/county/yearly/{year}")

    async def csv(self, params: dict[str, Any]) -> bytes:
        try:
            response = await self.http.get(self.base_url + "/county/deviations.csv", params=params,
                                           headers=self._identity_header(), timeout=TIMEOUT)
        except httpx.HTTPError:
            raise ServiceUnavailable(self.service) from None
        if response.status_code != 200:
            raise ServiceUnavailable(self.service)
        return response.content


deviations_client = DeviationsClient.for_user
county_client = CountyClient.for_user
