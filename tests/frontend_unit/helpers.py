"""What the frontend tests do again and again: log in, ask as htmx, find a port nobody serves."""
from __future__ import annotations

import socket

from fastapi.testclient import TestClient

HTMX = {"HX-Request": "true"}


def log_in(client: TestClient, user_id: str) -> None:
    response = client.post("/login", data={"user_id": user_id})
    assert response.status_code == 303


def unused_url() -> str:
    """An address where nothing listens: a service that is down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
