"""What every service's HTTP API shares: the identity dependency and one error format.

Errors are JSON a person can read: {"error": kind, "message": ..., "fields": {field: message}}
and, for a broken domain rule, "rule" (R-id) and "rule_name".
"""
from __future__ import annotations

import asyncio
import logging
import re
import threading
import time
from typing import Any, AsyncIterator, Awaitable, Callable, Mapping

import psycopg
from eventsourcing.persistence import PersistenceError
from fastapi import FastAPI, Header, HTTPException, Request
from psycopg_pool import PoolTimeout
from fastapi.params import Depends
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from eventkit.accesslog import PUPIL_RECORDS, RECORD_IDS, AccessEntry, AccessLog, AccessNotLogged, purpose_of
from eventkit.identity import HEADER, IDEMPOTENCY_HEADER, MAX_AGE_SECONDS, Identity, IdentityRejected, NotPermitted, verify
from eventkit.rules import RuleBroken
from eventkit.store import request_key
from eventkit.telemetry import setup_tracing

FIELD_MESSAGES = {
    "missing": "Fältet måste fyllas i.",
    "extra_forbidden": "Okänt fält.",
    "string_too_long": "Texten är för lång.",
    "string_too_short": "Fältet måste fyllas i.",
    "json_invalid": "Innehållet är inte giltig JSON.",
    "model_attributes_type": "Innehållet ska vara ett JSON-objekt.",
    "dict_type": "Innehållet ska vara ett JSON-objekt.",
    "literal_error": "Välj ett av alternativen.",
    "date_from_datetime_parsing": "Ange ett datum (ÅÅÅÅ-MM-DD).",
    "date_parsing": "Ange ett datum (ÅÅÅÅ-MM-DD).",
    "date_type": "Ange ett datum (ÅÅÅÅ-MM-DD).",
    "bool_parsing": "Ange ja eller nej.",
    "int_parsing": "Ange ett heltal.",
    "float_parsing": "Ange ett tal, till exempel 2,5.",
    "int_from_float": "Ange ett heltal.",
    "list_type": "Ange en lista.",
    "too_long": "För många värden.",
    "string_pattern_mismatch": "Värdet har fel format.",
    "greater_than_equal": "Värdet är för litet.",
    "less_than_equal": "Värdet är för stort.",
    "uuid_parsing": "Ogiltig identitet (UUID).",
    "enum": "Välj ett av alternativen.",
    "bool_type": "Välj ja eller nej.",
}


class SeenIdentities:
    """The ids of identities that have changed data, kept for their lifetime: the same header
    sent again to change data is a replay. Per process (one API process per service today)."""

    def __init__(self) -> None:
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()
        self._next_prune = 0.0

    def first_use(self, token_id: str) -> bool:
        now = time.monotonic()
        with self._lock:
            if now > self._next_prune:
                self._seen = {t: until for t, until in self._seen.items() if until > now}
                self._next_prune = now + 5
            if self._seen.get(token_id, 0.0) > now:
                return False
            self._seen[token_id] = now + MAX_AGE_SECONDS + 5
            return True


READING = frozenset({"GET", "HEAD", "OPTIONS"})
IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")


async def idempotency_key(request: Request) -> AsyncIterator[None]:
    """App-wide dependency: the request's `Idempotency-Key`, for every command it runs
    (eventkit.store.request_key); a retry with the same key stores nothing more (ADR 0023)."""
    key = request.headers.get(IDEMPOTENCY_HEADER, "")
    if key and (request.method in READING or not IDEMPOTENCY_KEY.match(key)):
        if request.method in READING:
            key = ""
        else:
            raise HTTPException(status_code=422, detail="Idempotency-Key ska vara 8–128 tecken: bokstäver, siffror, . _ : -")
    with request_key(key):
        yield


def current_identity(
    request: Request,
    identity: str | None = Header(default=None, alias=HEADER, include_in_schema=False),
) -> Identity:
    """The caller's verified identity; 401 when it is missing, forged, expired, meant for
    another service (the audience this app named in `install_error_handlers`), sent by a
    caller that may not call it, or used before to change data."""
    try:
        verified = verify(identity, audience=request.app.state.identity_audience)
    except IdentityRejected as exc:
        raise HTTPException(status_code=401, detail=str(exc), headers={"WWW-Authenticate": HEADER}) from None
    if request.method not in READING and not request.app.state.seen_identities.first_use(verified.token_id):
        raise HTTPException(status_code=401, detail="Identiteten har redan använts; försök igen.",
                            headers={"WWW-Authenticate": HEADER})
    request.state.caller = verified.caller  # for a route only one service may use (calling_service)
    request.state.identity = verified.identity  # for the log of a refused request (log_refusal)
    return verified.identity


def calling_service(request: Request, who: Identity = Depends(current_identity)) -> str:
    """Which service sent the verified identity ("frontend", "deviations", …)."""
    return request.state.caller


def error(status: int, kind: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": kind, "message": message, **extra})


def rule_refusal(exc: RuleBroken) -> dict[str, Any]:
    """A broken rule as every API answers it (422): the message naming the rule, the rule's id
    and name, and the messages per form field."""
    message = f"{exc.message} ({exc.rule_id})" if exc.rule_id else exc.message
    return {"error": "rule", "message": message, "rule": exc.rule_id, "rule_name": exc.rule_name, "fields": exc.fields}


log = logging.getLogger("eventkit.http")
RETRY_AFTER_SECONDS = 2
# What a request meets when PostgreSQL is away: the driver's, the pool's and the event store's words for it.
DATABASE_AWAY = (psycopg.OperationalError, psycopg.InterfaceError, PoolTimeout, PersistenceError)


def unavailable(message: str) -> JSONResponse:
    """503 with Retry-After: the service is there, something it needs is not (yet)."""
    response = error(503, "unavailable", message)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


# How an API answers one of its application's own errors: the exception to a response.
Answer = Callable[[Exception], JSONResponse]


def not_found(message: str) -> Answer:
    """404 in the API's own words; "not yours" is answered as "not there" (R14)."""
    return lambda exc: error(404, "not_found", message)


def conflict(message: str) -> Answer:
    """409 for a stale expected version (eventkit.store.VersionConflict), in the API's words."""
    return lambda exc: error(409, "conflict", message)


def answer_errors(app: FastAPI, answers: Mapping[type[Exception], Answer]) -> None:
    """Install one API's answers to its application's errors, as one table (what every API
    answers alike, service_api installs)."""
    for kind, answer in answers.items():
        app.add_exception_handler(kind, _handler(answer))


def _handler(answer: Answer) -> Callable[[Request, Exception], Awaitable[JSONResponse]]:
    async def handle(request: Request, exc: Exception) -> JSONResponse:
        response = answer(exc)
        await log_refusal(request, response.status_code, exc)
        return response
    return handle


REFUSED = frozenset({403, 404})
KOMMUNKOD = re.compile(r"[0-9]{4}")  # as the access-log stream's envelope has it (contracts/envelope.v1.json)


async def log_refusal(request: Request, status: int, exc: Exception | None = None) -> None:
    """R15: a request for one named pupil's record (a route with a path parameter of
    eventkit.accesslog.RECORD_IDS, decided by a policy entry in PUPIL_RECORDS: a case, a pupil, a report) answered 403
    or 404 is written to the service's access log as refused, once here for every route of
    every service that logs accesses (`service_api(access_log=...)`).
    The answer itself is unchanged: "not yours" still reads as "not there". The record's unit
    and pupil are logged only when the service marked the refusal with them
    (eventkit.accesslog.refused_record); otherwise the caller's municipality, no pupil and no id."""
    provider = getattr(request.app.state, "access_log", None)
    who: Identity | None = getattr(request.state, "identity", None)
    route = request.scope.get("route")
    record_id = next((str(request.path_params[p]) for p in RECORD_IDS if p in request.path_params), None)
    if status not in REFUSED or provider is None or who is None or route is None or record_id is None:
        return
    if not set((getattr(route, "openapi_extra", None) or {}).get("x-policy", ())) & PUPIL_RECORDS:
        return  # not a pupil's record (a staff member's login, a mission)
    try:
        log_ = provider()
    except Exception as exc:  # the application cannot be built (database away): the refusal stands
        log.warning("%s: no access log for a refused request (%s)", route.path, type(exc).__name__)
        return
    if log_ is None:
        return
    asked = purpose_of(request)
    record = getattr(exc, "refused_record", None)
    municipality = record.municipality if record else who.municipality
    if not KOMMUNKOD.fullmatch(municipality):
        # A region's or the county's caller asked for a record that no municipality of theirs
        # holds: there is no municipality whose log this concerns, and the access-log stream
        # carries kommunkoder only (an entry it cannot publish would stop the relay).
        log.info("%s: a refused request by a caller outside the municipalities names no record", route.path)
        return
    # An id the service did not mark as its municipality's record (another municipality's, or
    # none at all) is not kept: the caller's own log would otherwise hold another municipality's
    # ids. Who tried what, when, is logged all the same.
    entry = AccessEntry(
        who, municipality, record.school_unit if record else "",
        asked.action, asked.resource, record_id if record else "",
        record.pupil_ref if record else None, outcome="refused",
    )
    try:
        await asyncio.to_thread(log_.record, entry)
    except AccessNotLogged:  # nothing was shown; the refusal stands, unlogged (the log says why, no data)
        log.warning("%s: a refused request could not be access-logged", route.path)


def service_api(title: str, *, audience: str, tracing_name: str | None = None,
                dependencies: list[Depends] | None = None,
                access_log: Callable[[], AccessLog | None] | None = None, **fastapi: Any) -> FastAPI:
    """A service's or read API's FastAPI app: traced as `tracing_name` (default: the audience),
    answering errors and /health alike, refusing identities signed for another service.
    `access_log`: the service's access log (asked for at the first refusal), where requests for
    a record answered 403/404 are logged as refused (`log_refusal`, R15)."""
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    setup_tracing(tracing_name or audience)
    app = FastAPI(title=title, version="1.0", dependencies=[Depends(idempotency_key), *(dependencies or [])], **fastapi)
    install_error_handlers(app, audience=audience)
    app.state.access_log = access_log
    FastAPIInstrumentor.instrument_app(app, excluded_urls="health")
    return app


def install_error_handlers(app: FastAPI, *, audience: str) -> None:
    """The answers every service gives alike: 401/403, 422 for bad input or a broken rule
    (the message names the rule), and /health. `audience` names the service: identities
    signed for another service are refused with 401."""
    app.state.identity_audience = audience
    app.state.seen_identities = SeenIdentities()

    @app.get("/health", include_in_schema=False)
    def health() -> dict:
        return {"status": "ok"}

    @app.exception_handler(RuleBroken)
    async def _rule_broken(request: Request, exc: RuleBroken) -> JSONResponse:
        return JSONResponse(status_code=422, content=rule_refusal(exc))

    @app.exception_handler(NotPermitted)
    async def _not_permitted(request: Request, exc: NotPermitted) -> JSONResponse:
        await log_refusal(request, 403, exc)
        return error(403, "forbidden", str(exc))

    @app.exception_handler(AccessNotLogged)
    async def _not_logged(request: Request, exc: AccessNotLogged) -> JSONResponse:
        # R15: what cannot be logged is not shown.
        return unavailable("Åtkomsten kunde inte loggas, så uppgifterna visas inte. Försök igen om en stund.")

    for database_away in DATABASE_AWAY:
        @app.exception_handler(database_away)
        async def _database_away(request: Request, exc: Exception) -> JSONResponse:
            # PostgreSQL is away: say so at once (within DATABASE_WAIT_SECONDS), never hang or 500.
            # The log names the kinds of error only (a driver's message may quote a query).
            chain = [type(exc).__name__] + [type(e).__name__ for e in (exc.__cause__, exc.__context__) if e is not None]
            log.warning("%s: database away (%s)", request.url.path, " <- ".join(chain))
            return unavailable("Tjänsten når inte sin databas just nu. Inget har sparats; försök igen om en stund.")

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        fields: dict[str, str] = {}
        for problem in exc.errors():
            location = [str(part) for part in problem.get("loc", ()) if part != "body"]
            name = "body" if problem.get("type") == "json_invalid" else ".".join(location) or "body"
            fields.setdefault(name, FIELD_MESSAGES.get(problem.get("type", ""), problem.get("msg", "Ogiltigt värde.")))
        return error(422, "validation", "Uppgifterna behöver rättas.", fields=fields)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        await log_refusal(request, exc.status_code, exc)
        response = error(exc.status_code, "http", str(exc.detail))
        response.headers.update(exc.headers or {})
        return response
