"""An async SS 12000 client: OAuth2 client credentials, paging, incremental reads, quarantine.

The municipality's register is read the way the standard's APIs are read: a bearer token from
the authorisation server (client credentials, renewed shortly before it expires or when the API
answers 401), list endpoints followed page by page (`limit`, then only the opaque `pageToken`,
which the standard forbids combining with filters), `meta.modified.after` for what changed
since the last sync and `/deletedEntities?after=` for what was removed.

Faults are named so the directory service can decide: a register that does not answer (network
error, 5xx, 429) is tried again with a doubling wait and then raises `RegisterUnavailable`,
which carries the page token to resume from; a record that does not fit the model is returned
apart as `Quarantined` (type, id if readable, reason) and the rest of the page is still read.
Nothing here logs a record's content; quarantine lines name the id and the failing fields only.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import ValidationError

from ss12000.models import ENTITY_NAMES, RESOURCES, DeletedEntities, Model, reason_of

log = logging.getLogger("ss12000")
RETRY_STATUSES = {429, 500, 502, 503, 504}
TOKEN_MARGIN_SECONDS = 30
# The next incremental sync asks from a little before this one started: the register's clock
# and ours may differ, and the filter is inclusive, so a record read twice is only upserted twice.
CLOCK_OVERLAP = dt.timedelta(minutes=2)


class RegisterUnavailable(Exception):
    """The register (or its authorisation server) did not answer after every retry. The last
    synced directory stays in force; `resource` and `page_token` say where to resume."""

    def __init__(self, message: str, resource: str | None = None, page_token: str | None = None):
        super().__init__(message)
        self.resource = resource
        self.page_token = page_token


class RegisterRefused(Exception):
    """The register answered with a client error (bad credentials, a bad request): retrying
    will not help, a person must look at the configuration."""


@dataclass(frozen=True)
class Quarantined:
    resource: str
    id: str | None
    reason: str


@dataclass
class Page:
    resource: str
    records: list[Any]
    quarantined: list[Quarantined]
    next_token: str | None


@dataclass
class Batch:
    records: list[Any] = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)


@dataclass
class Snapshot:
    """One sync's reading; pass `next_since` as `since` to the next sync."""
    started: dt.datetime
    full: bool
    records: dict[str, list[Any]]
    deleted: DeletedEntities
    quarantined: list[Quarantined]

    def count(self) -> int:
        return sum(len(records) for records in self.records.values())

    @property
    def next_since(self) -> dt.datetime:
        return self.started - CLOCK_OVERLAP


@dataclass
class ClientCredentials:
    """A bearer token from the token URL by the client credentials grant, kept until shortly
    before it expires."""
    token_url: str
    client_id: str
    client_secret: str
    scope: str | None = None
    _token: str | None = None
    _expires: float = 0.0
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def token(self, http: httpx.AsyncClient) -> str:
        async with self._lock:
            if self._token is None or time.monotonic() >= self._expires:
                form = {"grant_type": "client_credentials"}
                if self.scope:
                    form["scope"] = self.scope
                response = await http.post(self.token_url, data=form,
                                           auth=(self.client_id, self.client_secret))
                if response.status_code >= 400 and response.status_code not in RETRY_STATUSES:
                    raise RegisterRefused(f"token endpoint answered {response.status_code}")
                response.raise_for_status()
                body = response.json()
                self._token = body["access_token"]
                lifetime = float(body.get("expires_in", 300))
                self._expires = time.monotonic() + max(lifetime - TOKEN_MARGIN_SECONDS, lifetime / 2)
            return self._token

    def forget(self) -> None:
        self._token = None


class SS12000Client:
    def __init__(self, base_url: str, credentials: ClientCredentials, *,
                 http: httpx.AsyncClient | None = None, page_size: int = 500,
                 attempts: int = 5, first_wait: float = 0.5, timeout: float = 30.0):
        self.base_url = base_url.rstrip("/")
        self.credentials = credentials
        self.http = http or httpx.AsyncClient(timeout=timeout)
        self.page_size = page_size
        self.attempts = attempts
        self.first_wait = first_wait

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> "SS12000Client":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def _get(self, path: str, params: dict[str, Any], resource: str | None,
                   page_token: str | None) -> dict:
        wait = self.first_wait
        for attempt in range(1, self.attempts + 1):
            try:
                token = await self.credentials.token(self.http)
                response = await self.http.get(f"{self.base_url}{path}", params=params,
                                               headers={"Authorization": f"Bearer {token}"})
                if response.status_code == 401:
                    self.credentials.forget()          # expired or revoked early: one new token
                    token = await self.credentials.token(self.http)
                    response = await self.http.get(f"{self.base_url}{path}", params=params,
                                                   headers={"Authorization": f"Bearer {token}"})
                if response.status_code not in RETRY_STATUSES:
                    if response.status_code >= 400:
                        raise RegisterRefused(f"{path} answered {response.status_code}")
                    return response.json()
                problem = f"status {response.status_code}"
            except (httpx.TransportError, httpx.HTTPStatusError) as error:
                problem = type(error).__name__
            if attempt < self.attempts:
                log.warning("SS 12000 %s: %s, attempt %d of %d, next in %.1f s",
                            path, problem, attempt, self.attempts, wait)
                await asyncio.sleep(wait)
                wait *= 2
        raise RegisterUnavailable(f"SS 12000 {path} did not answer after {self.attempts} attempts "
                                  f"({problem})", resource, page_token)

    def _parse(self, resource: str, raw: list[Any]) -> tuple[list[Any], list[Quarantined]]:
        model: type[Model] = RESOURCES[resource]
        records, quarantined = [], []
        for item in raw:
            try:
                records.append(model.model_validate(item))
            except ValidationError as error:
                record_id = item.get("id") if isinstance(item, dict) else None
                entry = Quarantined(resource, str(record_id) if record_id else None, reason_of(error))
                log.warning("SS 12000 %s record %s quarantined: %s", resource, entry.id, entry.reason)
                quarantined.append(entry)
        return records, quarantined

    async def pages(self, resource: str, *, modified_after: dt.datetime | None = None,
                    page_token: str | None = None) -> AsyncIterator[Page]:
        """Each page of a list endpoint; pass `page_token` to resume a read that stopped."""
        if resource not in RESOURCES:
            raise ValueError(f"unknown SS 12000 resource {resource}")
        token = page_token
        while True:
            if token:
                params: dict[str, Any] = {"pageToken": token}
            else:
                params = {"limit": self.page_size}
                if modified_after is not None:
                    params["meta.modified.after"] = modified_after.isoformat()
            body = await self._get(f"/{resource}", params, resource, token)
            raw = body.get("data", body.get(resource, []))   # the reference lists organisations
            records, quarantined = self._parse(resource, raw)  # under `organisations`
            token = body.get("pageToken") or None
            yield Page(resource, records, quarantined, token)
            if token is None:
                return

    async def read(self, resource: str, *, modified_after: dt.datetime | None = None) -> Batch:
        batch = Batch()
        async for page in self.pages(resource, modified_after=modified_after):
            batch.records.extend(page.records)
            batch.quarantined.extend(page.quarantined)
        return batch

    async def deleted(self, after: dt.datetime, resources: tuple[str, ...] = tuple(RESOURCES)
                      ) -> DeletedEntities:
        result = DeletedEntities()
        token: str | None = None
        while True:
            params: dict[str, Any] = ({"pageToken": token} if token else
                                      {"after": after.isoformat(), "limit": self.page_size,
                                       "entities": [ENTITY_NAMES[r] for r in resources]})
            body = await self._get("/deletedEntities", params, "deletedEntities", token)
            result = result.merged(DeletedEntities.model_validate(body.get("data") or {}))
            token = body.get("pageToken") or None
            if token is None:
                return result

    async def sync(self, since: dt.datetime | None = None) -> Snapshot:
        """Everything (since=None: the first run) or what changed and was removed since the
        last sync's `next_since`. Organisations first, so references resolve in order."""
        started = dt.datetime.now(dt.timezone.utc)
        records: dict[str, list[Any]] = {}
        quarantined: list[Quarantined] = []
        for resource in RESOURCES:
            batch = await self.read(resource, modified_after=since)
            records[resource] = batch.records
            quarantined.extend(batch.quarantined)
        deleted = await self.deleted(since) if since is not None else DeletedEntities()
        return Snapshot(started, since is None, records, deleted, quarantined)
