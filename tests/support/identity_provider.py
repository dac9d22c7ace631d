"""The development identity provider (services/devidp) served over real HTTP from a thread,
for tests that run without the stack (the frontend unit tests)."""
from __future__ import annotations

import json
import os
import socket
import threading
import time
from contextlib import contextmanager
from typing import Iterator

import uvicorn

from devidp.app import DEFAULT_ORGANISATION, Provider, create_app

# The frontend under TestClient is addressed as http://testserver.
TESTSERVER_CALLBACK = "http://testserver/auth/callback"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def provider_at(port: int, cls: type[Provider] = Provider, **overrides) -> Provider:
    settings = dict(
        issuer=f"http://127.0.0.1:{port}",
        client_id=os.environ["OIDC_CLIENT_ID"],
        client_secret=os.environ["OIDC_CLIENT_SECRET"],
        redirect_uris=(TESTSERVER_CALLBACK,),
        organisation=json.loads(DEFAULT_ORGANISATION.read_text(encoding="utf-8")),
    )
    settings.update(overrides)
    return cls(**settings)


@contextmanager
def serving(provider: Provider, port: int) -> Iterator[str]:
    server = uvicorn.Server(uvicorn.Config(create_app(provider), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the development identity provider did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
