"""What the frontend tests do again and again: log in, ask as htmx, find a port nobody serves."""
from __future__ import annotations

import html
import re
import socket
from urllib.parse import urljoin

import httpx

HTMX = {"HX-Request": "true"}
CSRF_HEADER = "X-CSRF-Token"


def log_in(client: httpx.Client, user_id: str) -> None:
    """Log `user_id` in the way a person does: the frontend sends the browser to the identity
    provider (the development one), the person picks themselves on its page, the provider
    sends the browser back with a code. Works with a TestClient and with an httpx.Client
    on a running frontend. Afterwards every request of `client` carries the session's CSRF
    token as a header, as htmx does in the browser."""
    to_provider = client.get("/login", follow_redirects=False)
    assert to_provider.status_code == 302, to_provider.text
    authorize_url = to_provider.headers["location"]
    with httpx.Client(timeout=10) as browser_at_provider:
        page = browser_at_provider.get(authorize_url)
        assert page.status_code == 200, page.text
        assert f'name="user_id" value="{user_id}"' in page.text, f"{user_id} is not on the login page"
        fields = {name: html.unescape(value) for name, value in
                  re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text)}
        chosen = browser_at_provider.post(urljoin(authorize_url, "/authorize"), data={**fields, "user_id": user_id})
    assert chosen.status_code == 303, chosen.text
    back = client.get(chosen.headers["location"], follow_redirects=False)
    assert back.status_code == 303, back.text
    client.headers[CSRF_HEADER] = csrf_token_of(client)


def csrf_token_of(client: httpx.Client) -> str:
    """The token the pages of the logged-in session carry (hx-headers on <body>)."""
    page = client.get("/", follow_redirects=False)
    found = re.search(r'"X-CSRF-Token": "([^"]+)"', page.text)
    assert found, "the start page carries no CSRF token"
    return found.group(1)


def unused_url() -> str:
    """An address where nothing listens: a service that is down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
