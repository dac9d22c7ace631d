"""The tenant-isolation matrix, generated from each service's OpenAPI (R14).

For every operation (method + path) a service publishes, a user of another municipality, or of
another school unit of the same one, tries to read and to write the data of the owner's unit:
path ids are taken from the owner's seeded data, bodies are valid (so the refusal is the
authorization's, not the validator's). Each operation must be classified in the service's
expectations; an operation that is not (a new endpoint nobody thought about), or that answers
2xx across tenants, or that stores anything, fails the test.

To add a service: a `ServiceTenancy` with its base URL, its expectations (one entry per
operation), a seed of the owner's data and a `stored` fingerprint of its store, then add it to
the list in tests/integration/test_tenant_isolation.py.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

import httpx

from eventkit.identity import Identity
from tests.conftest import headers_for

HTTP_METHODS = {"get", "put", "post", "patch", "delete"}
REFUSED = {403, 404}

Seed = dict[str, Any]


@dataclass(frozen=True)
class Expect:
    """How one operation keeps tenants apart.

    - `scoped`: it names the owner's data (path ids, a unit in the body or the query): another
      tenant is refused, 403 or 404.
    - `listing`: it answers for the caller's own scope: another tenant may get 2xx, but none of
      the owner's markers (ids, names) may be in the answer.
    - `own`: a write that names nothing but the caller (a profile of one's own, "me"): another
      tenant may get 2xx for its own data, but nothing of the owner's is shown or changed (so the
      service's `stored` fingerprint must be of the owner's data only).
    """

    kind: str
    body: Callable[[Seed], dict] | None = None
    query: Callable[[Seed], dict] | None = None
    owner: Identity | None = None  # who reads it in the control, when not the service's owner (R14: the nurse)
    # For a listing: which of the owner's markers `who` must not see (default: all of them).
    markers: Callable[[Seed, Identity], list] | None = None
    # For a listing's control: what the owner's answer shows (default: the owner's markers).
    shown: Callable[[Seed], list] | None = None
    caller: str = "frontend"  # the service that sends the identity (a route for one service only)


def scoped(body: Callable[[Seed], dict] | None = None, query: Callable[[Seed], dict] | None = None,
           owner: Identity | None = None, caller: str = "frontend") -> Expect:
    return Expect("scoped", body, query, owner, caller=caller)


def listing(query: Callable[[Seed], dict] | None = None, body: Callable[[Seed], dict] | None = None,
            markers: Callable[[Seed, Identity], list] | None = None, owner: Identity | None = None,
            shown: Callable[[Seed], list] | None = None, caller: str = "frontend") -> Expect:
    return Expect("listing", body, query, owner, markers, shown, caller)


def own(body: Callable[[Seed], dict] | None = None, markers: Callable[[Seed, Identity], list] | None = None) -> Expect:
    return Expect("own", body, markers=markers)


@dataclass
class ServiceTenancy:
    name: str
    base_url: str
    # "METHOD /path/{param}" -> one or more expectations (e.g. a listing, and the same listing
    # asked for the owner's unit in its query).
    expectations: dict[str, Expect | tuple[Expect, ...]]
    seed: Callable[[], Seed]  # creates the owner's data; returns path ids and "markers"
    owner: Identity
    stored: Callable[[], Any] = lambda: None  # a fingerprint of everything the service stores
    openapi: dict = field(default_factory=dict)

    def load_openapi(self) -> dict:
        if not self.openapi:
            response = httpx.get(f"{self.base_url}/openapi.json", timeout=10)
            response.raise_for_status()
            self.openapi = response.json()
        return self.openapi


def operations(openapi: dict) -> set[str]:
    return {f"{method.upper()} {path}" for path, item in openapi["paths"].items() for method in item if method in HTTP_METHODS}


def unclassified(service: ServiceTenancy) -> list[str]:
    """Operations the service publishes that its expectations do not classify."""
    return sorted(operations(service.load_openapi()) - set(service.expectations))


def stale(service: ServiceTenancy) -> list[str]:
    """Expectations for operations that no longer exist (so the table stays true)."""
    return sorted(set(service.expectations) - operations(service.load_openapi()))


def fill(path: str, seed: Seed) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(seed[m.group(1)]), path)


def _expectations(value: Expect | tuple[Expect, ...]) -> tuple[Expect, ...]:
    return value if isinstance(value, tuple) else (value,)


def call(service: ServiceTenancy, key: str, expect: Expect, who: Identity, seed: Seed) -> httpx.Response:
    method, path = key.split(" ", 1)
    return httpx.request(
        method, f"{service.base_url}{fill(path, seed)}", headers=headers_for(who, service.base_url, expect.caller), timeout=20,
        json=expect.body(seed) if expect.body else ({} if method in ("POST", "PUT", "PATCH") else None),
        params=expect.query(seed) if expect.query else None,
    )


def leaks(service: ServiceTenancy, attacker: Identity, seed: Seed) -> list[str]:
    """Every way `attacker` got at the owner's data: an empty list means isolated."""
    problems = []
    for key, value in sorted(service.expectations.items()):
        for expect in _expectations(value):
            markers = [str(m) for m in (expect.markers(seed, attacker) if expect.markers else seed.get("markers", ()))]
            before = service.stored()
            response = call(service, key, expect, attacker, seed)
            where = f"{service.name}: {key} as {attacker.user_id} ({attacker.municipality} {','.join(attacker.school_units)})"
            if expect.kind == "scoped" and response.status_code not in REFUSED:
                problems.append(f"{where} answered {response.status_code}, not 403/404: {response.text[:200]}")
            if expect.kind in ("listing", "own"):
                if response.status_code >= 500 or (response.status_code < 300 and any(m in response.text for m in markers)):
                    problems.append(f"{where} answered {response.status_code} showing the owner's data")
            if service.stored() != before:
                problems.append(f"{where} stored something (answered {response.status_code})")
    return problems


def owner_reads(service: ServiceTenancy, seed: Seed) -> list[str]:
    """The control: the owner does read its own data through every GET, so a refusal above is
    the tenant check, not a broken seed or path."""
    problems = []
    for key, value in sorted(service.expectations.items()):
        if not key.startswith("GET ") and not (value and _expectations(value)[0].kind == "listing"):
            continue
        for expect in _expectations(value):
            response = call(service, key, expect, expect.owner or service.owner, seed)
            if response.status_code != 200:
                problems.append(f"{service.name}: {key} as the owner answered {response.status_code}: {response.text[:200]}")
            elif expect.kind == "listing" and seed.get("markers") and not any(
                    str(m) in response.text for m in (expect.shown(seed) if expect.shown else seed["markers"])):
                problems.append(f"{service.name}: {key} as the owner does not show the owner's data")
    return problems
