"""The SS 12000 client against a scripted register (httpx.MockTransport): it gets and renews
its token, follows pages with the page token alone, asks only for what changed, sets a bad
record apart without its personal data, and names a register that stays down."""
from __future__ import annotations

import datetime as dt
import logging
from urllib.parse import parse_qs

import httpx
import pytest

from ss12000.client import (ClientCredentials, RegisterRefused, RegisterUnavailable,
                            SS12000Client)

BASE = "https://register.test/ss12000"
TOKEN_URL = "https://auth.test/token"


def person(n: int, **extra) -> dict:
    return {"id": f"00000000-0000-4000-8000-{n:012d}", "givenName": f"Elev{n}", "familyName": "Holm",
            "eduPersonPrincipalNames": [], "civicNo": {"value": "201403122383"}, **extra}


class Register:
    """Three pages of persons; counts calls and tokens; can fail or expire tokens on purpose."""

    def __init__(self, pages: list[list[dict]], failures: int = 0, expires_in: int = 300):
        self.pages, self.failures, self.expires_in = pages, failures, expires_in
        self.tokens_issued, self.requests = 0, []
        self.valid: set[str] = set()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/token":
            assert parse_qs(request.content.decode())["grant_type"] == ["client_credentials"]
            assert request.headers["authorization"].startswith("Basic ")
            self.tokens_issued += 1
            token = f"t{self.tokens_issued}"
            self.valid = {token}
            return httpx.Response(200, json={"access_token": token, "token_type": "Bearer",
                                             "expires_in": self.expires_in})
        self.requests.append(request)
        if self.failures:
            self.failures -= 1
            return httpx.Response(503)
        if request.headers.get("authorization", "").removeprefix("Bearer ") not in self.valid:
            return httpx.Response(401, json={"code": "unauthorized", "message": "token"})
        if request.url.path.endswith("/deletedEntities"):
            return httpx.Response(200, json={"data": {"persons": [person(99)["id"]]}, "pageToken": None})
        index = int(request.url.params.get("pageToken", "0"))
        following = str(index + 1) if index + 1 < len(self.pages) else None
        return httpx.Response(200, json={"data": self.pages[index], "pageToken": following})


def client_for(register: Register, **options) -> SS12000Client:
    http = httpx.AsyncClient(transport=httpx.MockTransport(register))
    return SS12000Client(BASE, ClientCredentials(TOKEN_URL, "directory", "secret"), http=http,
                         page_size=2, first_wait=0.001, **options)


async def test_every_page_is_read_with_one_token_and_only_the_page_token_after_the_first():
    register = Register([[person(1), person(2)], [person(3), person(4)], [person(5)]])
    async with client_for(register) as client:
        batch = await client.read("persons")
    assert [p.given_name for p in batch.records] == ["Elev1", "Elev2", "Elev3", "Elev4", "Elev5"]
    assert register.tokens_issued == 1
    first, *following = [dict(r.url.params) for r in register.requests]
    assert first == {"limit": "2"}
    assert following == [{"pageToken": "1"}, {"pageToken": "2"}]


async def test_an_incremental_read_asks_for_what_changed_and_what_was_removed():
    register = Register([[person(1)]])
    since = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.timezone.utc)
    async with client_for(register) as client:
        snapshot = await client.sync(since)
    persons_request = next(r for r in register.requests if r.url.path.endswith("/persons"))
    assert persons_request.url.params["meta.modified.after"] == "2026-11-01T12:00:00+00:00"
    deleted_request = next(r for r in register.requests if r.url.path.endswith("/deletedEntities"))
    assert deleted_request.url.params["after"] == "2026-11-01T12:00:00+00:00"
    assert [str(i) for i in snapshot.deleted.persons] == [person(99)["id"]]
    assert not snapshot.full


async def test_a_malformed_record_is_quarantined_by_id_and_the_rest_of_the_page_is_read(caplog):
    bad = person(2, civicNo={"value": "201403122384"}, givenName="Hemliga")
    register = Register([[person(1), bad, person(3)], [{"givenName": "Utan id"}, person(4)]])
    caplog.set_level(logging.INFO)
    async with client_for(register) as client:
        batch = await client.read("persons")
    assert [p.given_name for p in batch.records] == ["Elev1", "Elev3", "Elev4"]
    assert [(q.id, q.reason) for q in batch.quarantined] == [
        (bad["id"], "civicNo.value: Value error, not a valid personnummer"),
        (None, "id: missing; familyName: missing; civicNo: missing")]
    logged = caplog.text
    assert bad["id"] in logged and "quarantined" in logged
    for personal in ("Hemliga", "201403122384", "Utan id"):
        assert personal not in logged


async def test_a_token_that_expires_is_renewed_before_the_next_call():
    register = Register([[person(1)], [person(2)]], expires_in=0)
    async with client_for(register) as client:
        await client.read("persons")
    assert register.tokens_issued == 2


async def test_a_token_the_register_no_longer_accepts_is_replaced_once():
    register = Register([[person(1)]])
    async with client_for(register) as client:
        await client.read("persons")
        register.valid = set()          # revoked at the register's end
        batch = await client.read("persons")
    assert len(batch.records) == 1 and register.tokens_issued == 2


async def test_a_register_down_for_a_moment_is_tried_again():
    register = Register([[person(1)]], failures=2)
    async with client_for(register) as client:
        batch = await client.read("persons")
    assert len(batch.records) == 1


async def test_a_register_that_stays_down_is_named_with_where_to_resume():
    register = Register([[person(1), person(2)], [person(3)]])
    async with client_for(register, attempts=3) as client:
        pages = client.pages("persons")
        first = await anext(pages)
        register.failures = 99
        with pytest.raises(RegisterUnavailable) as down:
            await anext(pages)
        assert down.value.resource == "persons" and down.value.page_token == first.next_token == "1"
        register.failures = 0
        resumed = [p async for p in client.pages("persons", page_token=down.value.page_token)]
    assert [r.given_name for page in resumed for r in page.records] == ["Elev3"]


async def test_wrong_credentials_are_refused_without_retrying():
    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"error": "invalid_client"})
    http = httpx.AsyncClient(transport=httpx.MockTransport(refuse))
    async with SS12000Client(BASE, ClientCredentials(TOKEN_URL, "x", "y"), http=http) as client:
        with pytest.raises(RegisterRefused):
            await client.read("persons")
