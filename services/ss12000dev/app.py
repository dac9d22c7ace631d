"""The development SS 12000 server: a stand-in for the municipality's school register.

Like services/devidp for login, it lets `make run` and the tests read the register exactly as
production reads the municipality's: the same client (services/ss12000) gets a bearer token at
`/token` (client credentials; HTTP Basic or form), then reads `/organisations`, `/persons`,
`/groups`, `/duties` (each with `limit`, `pageToken`, `meta.modified.after`/`before`) and
`/deletedEntities` (`after`, `entities`), shaped as Skolverket's reference OpenAPI describes.
The data is the deterministic seed of seed.py; `Store.change` and `Store.delete` let a test (or
a developer at a Python prompt) make the register move so incremental syncs have work to do.
Everything is in memory: a restart serves the seed again.

Configuration (deploy/stodspar.env): DEV_SS12000_HOST, DEV_SS12000_PORT, SS12000_CLIENT_ID and
SS12000_CLIENT_SECRET (the one client it knows), DEV_SS12000_PUPILS_PER_UNIT,
DEV_SS12000_TOKEN_SECONDS, DEV_ORGANISATION_FILE.
"""
from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI, Query, Request
from fastapi.responses import JSONResponse

from ss12000dev.seed import build, iso

DEFAULT_ORGANISATION = Path(__file__).resolve().parents[2] / "deploy" / "dev-organisation.json"
ENTITY_RESOURCES = {"Organisation": "organisations", "Person": "persons", "Group": "groups",
                    "Duty": "duties"}
DELETED_KEYS = {"organisations": "organisations", "persons": "persons", "groups": "groups",
                "duties": "duties"}
MAX_LIMIT = 1000


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status_code=status)


def _moment(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass
class Store:
    records: dict[str, dict[str, dict]]
    deleted: list[tuple[str, str, dt.datetime]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def seeded(cls, organisation_file: Path = DEFAULT_ORGANISATION, pupils_per_unit: int = 300) -> "Store":
        register = build(organisation_file, pupils_per_unit)
        return cls({resource: {r["id"]: r for r in records}
                    for resource, records in register.by_resource().items()})

    def change(self, resource: str, record_id: str, **fields: object) -> dict:
        """Change fields of a record as the register would: its meta.modified becomes now."""
        with self.lock:
            record = self.records[resource][record_id]
            record.update(fields)
            record["meta"] = {**record["meta"], "modified": iso(dt.datetime.now(dt.timezone.utc))}
            return record

    def delete(self, resource: str, record_id: str) -> None:
        with self.lock:
            del self.records[resource][record_id]
            self.deleted.append((resource, record_id, dt.datetime.now(dt.timezone.utc)))

    def listing(self, resource: str, after: dt.datetime | None, before: dt.datetime | None) -> list[dict]:
        with self.lock:
            chosen = [r for r in self.records[resource].values()
                      if (after is None or _moment(r["meta"]["modified"]) >= after)
                      and (before is None or _moment(r["meta"]["modified"]) <= before)]
        return sorted(chosen, key=lambda r: r["id"])


def _encode(state: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(state).encode()).decode()


def _decode(token: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(token.encode()))


def create_app(store: Store | None = None, *, client_id: str = "stodspar-directory",
               client_secret: str = "dev-only-ss12000-client-secret",
               token_seconds: int = 300) -> FastAPI:
    app = FastAPI(title="Stödspår development SS 12000 server")
    app.state.store = store or Store.seeded()
    app.state.outage = Outage()
    tokens: dict[str, float] = {}

    def authorised(request: Request) -> bool:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and tokens.get(token, 0) > time.monotonic()

    @app.post("/token")
    async def token(request: Request):
        form = await request.form()
        given_id, given_secret = form.get("client_id"), form.get("client_secret")
        scheme, _, basic = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "basic":
            try:
                given_id, _, given_secret = base64.b64decode(basic).decode().partition(":")
            except ValueError:
                given_id = None
        if form.get("grant_type") != "client_credentials":
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        if not (secrets.compare_digest(str(given_id or ""), client_id)
                and secrets.compare_digest(str(given_secret or ""), client_secret)):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        value = secrets.token_urlsafe(32)
        now = time.monotonic()
        for old in [t for t, expires in tokens.items() if expires <= now]:
            del tokens[old]
        tokens[value] = now + token_seconds
        return {"access_token": value, "token_type": "Bearer", "expires_in": token_seconds}

    def page(resource: str, request: Request, limit: int | None, page_token: str | None,
             after: str | None, before: str | None):
        if not authorised(request):
            return _error(401, "unauthorized", "A valid bearer token is required.")
        if app.state.outage.down():
            return _error(503, "unavailable", "The register is down (development outage).")
        if page_token and (after or before):
            return _error(400, "filterWithPageToken", "Filters cannot be combined with pageToken.")
        try:
            state = (_decode(page_token) if page_token else
                     {"resource": resource, "offset": 0, "limit": min(limit or 100, MAX_LIMIT),
                      "after": after, "before": before})
            records = app.state.store.listing(
                resource, _moment(state["after"]) if state["after"] else None,
                _moment(state["before"]) if state["before"] else None)
        except (ValueError, KeyError):
            return _error(400, "badRequest", "Bad pageToken or timestamp.")
        if state["resource"] != resource:
            return _error(400, "badRequest", "The pageToken belongs to another endpoint.")
        end = state["offset"] + state["limit"]
        following = _encode({**state, "offset": end}) if end < len(records) else None
        key = "organisations" if resource == "organisations" else "data"   # as the reference
        return {key: records[state["offset"]:end], "pageToken": following}

    def list_endpoint(resource: str):
        async def handler(request: Request, limit: int | None = Query(None, ge=1),
                          page_token: str | None = Query(None, alias="pageToken"),
                          after: str | None = Query(None, alias="meta.modified.after"),
                          before: str | None = Query(None, alias="meta.modified.before")):
            return page(resource, request, limit, page_token, after, before)
        return handler

    for resource in ("organisations", "persons", "groups", "duties"):
        app.add_api_route(f"/{resource}", list_endpoint(resource), methods=["GET"])

    @app.get("/deletedEntities")
    async def deleted_entities(request: Request, after: str | None = None,
                               entities: list[str] | None = Query(None),
                               limit: int | None = Query(None, ge=1),
                               page_token: str | None = Query(None, alias="pageToken")):
        if not authorised(request):
            return _error(401, "unauthorized", "A valid bearer token is required.")
        try:
            state = (_decode(page_token) if page_token else
                     {"offset": 0, "limit": min(limit or 100, MAX_LIMIT), "after": after,
                      "entities": entities})
            since = _moment(state["after"]) if state["after"] else None
        except (ValueError, KeyError):
            return _error(400, "badRequest", "Bad pageToken or timestamp.")
        wanted = {ENTITY_RESOURCES[e] for e in state["entities"] or ENTITY_RESOURCES
                  if e in ENTITY_RESOURCES}
        rows = [(resource, record_id) for resource, record_id, when in app.state.store.deleted
                if resource in wanted and (since is None or when >= since)]
        end = state["offset"] + state["limit"]
        data: dict[str, list[str]] = {}
        for resource, record_id in rows[state["offset"]:end]:
            data.setdefault(DELETED_KEYS[resource], []).append(record_id)
        return {"data": data, "pageToken": _encode({**state, "offset": end}) if end < len(rows) else None}

    # -- the development server only: moving the register from a test (another process) ------------
    @app.post("/dev/change")
    async def dev_change(request: Request):
        """{resource, id, fields}: as Store.change (meta.modified becomes now)."""
        if not authorised(request):
            return _error(401, "unauthorized", "A valid bearer token is required.")
        body = await request.json()
        try:
            return app.state.store.change(body["resource"], body["id"], **body["fields"])
        except KeyError:
            return _error(404, "notFound", "No such record.")

    @app.post("/dev/put")
    async def dev_put(request: Request):
        """{resource, record}: a record added or replaced as is (also a malformed one)."""
        if not authorised(request):
            return _error(401, "unauthorized", "A valid bearer token is required.")
        body = await request.json()
        record = body["record"]
        with app.state.store.lock:
            record["meta"] = {"created": iso(dt.datetime.now(dt.timezone.utc)),
                              "modified": iso(dt.datetime.now(dt.timezone.utc))}
            app.state.store.records[body["resource"]][record["id"]] = record
        return record

    @app.post("/dev/delete")
    async def dev_delete(request: Request):
        """{resource, id}: as Store.delete (listed by /deletedEntities)."""
        if not authorised(request):
            return _error(401, "unauthorized", "A valid bearer token is required.")
        body = await request.json()
        try:
            app.state.store.delete(body["resource"], body["id"])
        except KeyError:
            return _error(404, "notFound", "No such record.")
        return {"deleted": body["id"]}

    @app.post("/dev/outage")
    async def dev_outage(request: Request):
        """{after: n | null, down: bool}: the list endpoints answer 503 (after n more pages)."""
        if not authorised(request):
            return _error(401, "unauthorized", "A valid bearer token is required.")
        body = await request.json()
        app.state.outage.set(bool(body.get("down")), body.get("after"))
        return {"down": bool(body.get("down"))}

    return app


@dataclass
class Outage:
    """The register down for a while, from a test: every list page answers 503, optionally
    only after `after` more pages were served (a sync stopped in the middle)."""
    is_down: bool = False
    after: int | None = None

    def set(self, down: bool, after: int | None) -> None:
        self.is_down, self.after = down, after

    def down(self) -> bool:
        if not self.is_down:
            return False
        if self.after:
            self.after -= 1
            return False
        return True
