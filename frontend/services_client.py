"""Calls to the services' JSON APIs on behalf of the logged-in user.

Every request carries the user's signed identity (`X-Stodspar-Identity`) and the W3C
traceparent of the current span, so one trace runs from the form into the service.
Spans and logs name the service and the route template only, never personal data.
"""
from __future__ import annotations

import logging
from typing import Any, Self
from uuid import UUID

import httpx
from fastapi import Request
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from eventkit.identity import HEADER, IDEMPOTENCY_HEADER, Identity, sign
from frontend.security import command_answered, next_request_key

log = logging.getLogger(__name__)
_tracer = trace.get_tracer("frontend.services_client")

TIMEOUT = httpx.Timeout(5.0, connect=2.0)


class ServiceUnavailable(Exception):
    """The service did not answer, or failed on its side (5xx)."""

    def __init__(self, service: str, message: str | None = None) -> None:
        super().__init__(service)
        self.service = service
        self.message = message  # the service's own explanation of a 503, when it gave one


class ServiceRefused(Exception):
    """422: the input needs correcting, or a domain rule refused the command."""

    def __init__(self, payload: dict[str, Any]) -> None:
        super().__init__(payload.get("message", ""))
        self.message: str = payload.get("message") or "Uppgifterna behöver rättas."
        self.fields: dict[str, str] = payload.get("fields") or {}
        self.rule: str | None = payload.get("rule")
        self.rule_name: str | None = payload.get("rule_name")


class NotFound(Exception):
    pass


class VersionConflict(Exception):
    """409: someone else saved the case after this form was loaded; reload and redo (or,
    where a service says so, the thing is already there: `payload` is its answer)."""

    def __init__(self, message: str = "", payload: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.payload = payload or {}


class Forbidden(Exception):
    pass


class IdentityNotAccepted(Exception):
    """401: the service did not accept the identity (expired or wrong key); log in again."""


class ServiceClient:
    service = "service"  # names the service in spans and logs, and its URL: the app's backends.<service>_url

    def __init__(self, http: httpx.AsyncClient, base_url: str, identity: Identity) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.identity = identity

    @classmethod
    def for_user(cls, request: Request, who: Identity) -> Self:
        """This service's client acting for `who`, on the app's one connection pool."""
        backends = request.app.state.backends
        return cls(backends.http, getattr(backends, f"{cls.service}_url"), who)

    def _identity_header(self) -> dict[str, str]:
        return {HEADER: sign(self.identity, audience=self.service, caller="frontend")}

    async def _call(self, method: str, template: str, path: str, **kwargs: Any) -> dict[str, Any]:
        attributes = {
            "http.request.method": method,
            "url.template": template,
            "stodspar.service": self.service,
        }
        with _tracer.start_as_current_span(
            f"{method} {template}", kind=SpanKind.CLIENT, attributes=attributes
        ) as span:
            headers = self._identity_header()
            key = next_request_key(method, path, kwargs.get("json")) if method in ("POST", "PUT", "PATCH", "DELETE") else None
            if key:
                headers[IDEMPOTENCY_HEADER] = key  # the form's own key: a double click or a retry stores once
            propagate.inject(headers)
            try:
                response = await self.http.request(
                    method, self.base_url + path, headers=headers, timeout=TIMEOUT, **kwargs
                )
            except httpx.HTTPError as exc:
                span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
                log.warning("%s unreachable: %s %s (%s)", self.service, method, template, type(exc).__name__)
                if key:
                    command_answered(False)
                raise ServiceUnavailable(self.service) from None
            span.set_attribute("http.response.status_code", response.status_code)
            if key:
                command_answered(response.status_code < 300)
            return _interpret(self.service, method, template, response)


def _interpret(service: str, method: str, template: str, response: httpx.Response) -> dict[str, Any]:
    status = response.status_code
    if status >= 500:
        log.warning("%s failed: %s %s -> %s", service, method, template, status)
        said = None
        if status == 503:
            try:
                said = (response.json() or {}).get("message")
            except ValueError:
                said = None
        raise ServiceUnavailable(service, said)
    try:
        payload = response.json() if response.content else {}
    except ValueError:
        raise ServiceUnavailable(service) from None
    if status < 400:
        return payload
    message = payload.get("message", "")
    if status == 422:
        raise ServiceRefused(payload)
    if status == 409:
        raise VersionConflict(message, payload)
    if status == 401:
        raise IdentityNotAccepted(message)
    if status == 403:
        raise Forbidden(message)
    if status == 404:
        raise NotFound(message)
    log.warning("%s answered %s to %s %s", service, status, method, template)
    raise ServiceUnavailable(service)


class CasesClient(ServiceClient):
    """The cases service (elevärenden)."""

    service = "cases"

    async def open_case(self, *, school_unit: str, pupil_id: str) -> tuple[UUID, bool]:
        """A case for the directory's pupil at the unit: (its id, True when the pupil already
        had an open case there and that one is answered instead)."""
        opened = await self._call("POST", "/cases", "/cases", json={"school_unit": school_unit, "pupil_id": pupil_id})
        return UUID(opened["case_id"]), opened.get("existing") is True

    async def case(self, case_id: UUID, purpose: str | None = None) -> dict[str, Any]:
        """`purpose`: "print" or "export" is access-logged as such by the cases service (R15)."""
        params = {"purpose": purpose} if purpose else None
        return await self._call("GET", "/cases/{case_id}", f"/cases/{case_id}", params=params)

    async def record_extra_adaptation(self, case_id: UUID, description: str) -> None:
        await self._call(
            "POST",
            "/cases/{case_id}/extra-adaptations",
            f"/cases/{case_id}/extra-adaptations",
            json={"description": description},
        )

    async def refer_to_rektor(
        self, case_id: UUID, *, tried_adaptations: str, why_not_enough: str, special_reason: str
    ) -> None:
        body = {
            "tried_adaptations": tried_adaptations,
            "why_not_enough": why_not_enough,
            "special_reason": special_reason,
        }
        await self._call("POST", "/cases/{case_id}/referral", f"/cases/{case_id}/referral", json=body)


    async def case_as_of(self, case_id: UUID, on: str) -> dict[str, Any]:
        return await self._call("GET", "/cases/{case_id}", f"/cases/{case_id}", params={"as_of": on})

    async def history(self, case_id: UUID) -> list[dict[str, Any]]:
        answer = await self._call("GET", "/cases/{case_id}/history", f"/cases/{case_id}/history")
        return list(answer.get("events", []))

    async def step(self, case_id: UUID, step: str, body: dict[str, Any]) -> None:
        """A workflow command on the case: POST /cases/{case_id}/<step> (the route template is
        `step` with numbers as placeholders, so spans name no ids)."""
        template = "/cases/{case_id}/" + "/".join("{n}" if part.isdigit() else part for part in step.split("/"))
        await self._call("POST", template, f"/cases/{case_id}/{step}", json=body)

    async def delegations(self, school_unit: str) -> dict[str, Any]:
        return await self._call("GET", "/delegations/{school_unit}", f"/delegations/{school_unit}")

    async def register_delegation(self, school_unit: str, body: dict[str, Any]) -> None:
        await self._call("POST", "/delegations/{school_unit}", f"/delegations/{school_unit}", json=body)

    async def revoke_delegation(self, school_unit: str, number: int) -> None:
        await self._call(
            "POST", "/delegations/{school_unit}/{n}/revocation", f"/delegations/{school_unit}/{number}/revocation", json={}
        )


class FollowupClient(ServiceClient):
    """The follow-up read model (rektors uppföljningsvy)."""

    service = "followup"

    async def open_cases(self, school_unit: str | None = None) -> list[dict[str, Any]]:
        return list((await self.page(school_unit=school_unit)).get("rows", []))

    async def page(self, **filters: Any) -> dict[str, Any]:
        """One page of rektor's follow-up view; filters: school_unit, status, investigator, page."""
        params = {k: v for k, v in filters.items() if v not in (None, "")} or None
        return await self._call("GET", "/followup", "/followup", params=params)

    async def owner_overview(self, params: dict[str, str]) -> dict[str, Any]:
        """The school owner's view of the user's municipality (per, from, to); every figure
        already suppressed by the read model (ADR 0031)."""
        return await self._call("GET", "/owner/overview", "/owner/overview", params=params or None)
