"""Client and development register over real HTTP (uvicorn on a free port in a thread): a
first sync reads the whole seed; after the register changes a pupil's marking and removes a
guardian and a class, an incremental sync reads exactly those, and nothing else."""
from __future__ import annotations

import asyncio
import socket
import threading
import time

import pytest
import uvicorn

from ss12000.client import ClientCredentials, SS12000Client
from ss12000.models import SecurityMarking
from ss12000dev.app import DEFAULT_ORGANISATION, Store, create_app


@pytest.fixture(scope="module")
def register():
    store = Store.seeded(DEFAULT_ORGANISATION, 300)
    app = create_app(store, client_id="directory", client_secret="secret", token_seconds=60)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the development register did not start"
        time.sleep(0.02)
    yield store, f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=5)
    sock.close()


def client(url: str) -> SS12000Client:
    return SS12000Client(url, ClientCredentials(f"{url}/token", "directory", "secret"), page_size=400)


async def test_a_full_sync_then_an_incremental_sync_of_one_change_and_two_removals(register):
    store, url = register
    async with client(url) as directory:
        full = await directory.sync()
        assert full.full and full.quarantined == []
        assert {name: len(records) for name, records in full.records.items()} == {
            name: len(records) for name, records in store.records.items()}
        assert len([p for p in full.records["persons"] if p.enrolments]) == 4 * 300

        await asyncio.sleep(0.01)
        pupil = next(p for p in full.records["persons"] if p.enrolments and not p.protected)
        guardian = pupil.guardian_ids[0]
        store.change("persons", str(pupil.id), securityMarking="Skyddad folkbokföring")
        store.delete("persons", str(guardian))
        group = full.records["groups"][0]
        store.delete("groups", str(group.id))

        changes = await directory.sync(since=full.next_since)
    assert not changes.full
    assert changes.count() == 1
    [changed] = changes.records["persons"]
    assert changed.id == pupil.id and changed.security_marking is SecurityMarking.PROTECTED_REGISTRATION
    assert changes.deleted.persons == (guardian,)
    assert changes.deleted.groups == (group.id,)
    assert changes.deleted.count() == 2
