"""Sessions, CSRF and the security headers of every frontend response.

Session: Starlette's signed cookie `stodspar_session` (HttpOnly, SameSite=Lax, Secure behind
TLS). A login rotates it: everything from before (the login's state, any earlier identity)
is dropped and a new session id and CSRF token are drawn. It ends after
FRONTEND_SESSION_IDLE_MINUTES without a request (default 30) and, however active, after
FRONTEND_SESSION_MAX_HOURS from login (default 8, one school day).

CSRF: every POST/PUT/PATCH/DELETE of a logged-in session must carry the session's token,
as the form field `csrf_token` (every form has it) or the header `X-CSRF-Token` (htmx sends
it on every request, from `hx-headers` on <body>). Otherwise 403 and nothing is done.

FRONTEND_BEHIND_TLS (default true; the development env file sets false): Secure cookies
and Strict-Transport-Security.
"""
from __future__ import annotations

import contextvars
import hashlib
import hmac
import json
import re
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from markupsafe import Markup, escape

from eventkit.config import env
from eventkit.identity import Identity

SESSION_COOKIE = "stodspar_session"
SESSION_KEY = "identity"
CSRF_FIELD = "csrf_token"
REQUEST_KEY_FIELD = "request_key"
REQUEST_KEY = re.compile(r"^[0-9a-f]{32}$")
CSRF_HEADER = "X-CSRF-Token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _flag(name: str, default: str) -> bool:
    return env(name, default).strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class SecuritySettings:
    behind_tls: bool = True
    idle_seconds: int = 30 * 60
    max_seconds: int = 8 * 3600
    form_targets: tuple[str, ...] = ()  # origins a form may lead to besides this site (the IdP's logout)

    @classmethod
    def from_env(cls, form_targets: tuple[str, ...] = ()) -> "SecuritySettings":
        return cls(
            behind_tls=_flag("FRONTEND_BEHIND_TLS", "true"),
            idle_seconds=int(float(env("FRONTEND_SESSION_IDLE_MINUTES", "30")) * 60),
            max_seconds=int(float(env("FRONTEND_SESSION_MAX_HOURS", "8")) * 3600),
            form_targets=form_targets,
        )

    def content_security_policy(self) -> str:
        form_action = " ".join(("'self'", *self.form_targets))
        return (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
            f"connect-src 'self'; frame-ancestors 'none'; form-action {form_action}; "
            "base-uri 'none'; object-src 'none'"
        )


class CsrfRefused(Exception):
    """A state-changing request without the session's CSRF token."""


def start_session(request: Request, identity: Identity, *, id_token: str | None = None) -> None:
    """Log `identity` in with a new session: nothing of the old one survives."""
    now = int(time.time())
    request.session.clear()
    request.session.update({
        SESSION_KEY: identity.to_claims(),
        "sid": secrets.token_urlsafe(16),
        CSRF_FIELD: secrets.token_urlsafe(32),
        "login_at": now,
        "seen_at": now,
    })
    if id_token:
        request.session["id_token"] = id_token


def session_claims(request: Request) -> dict | None:
    """The logged-in identity's claims, or None (never logged in, idle too long, or past the
    session's maximum age: then the session is emptied)."""
    session = request.session
    claims = session.get(SESSION_KEY)
    if not claims:
        return None
    settings: SecuritySettings = request.app.state.security
    now = int(time.time())
    login_at, seen_at = session.get("login_at"), session.get("seen_at")
    if (not isinstance(login_at, int) or not isinstance(seen_at, int)
            or now - login_at > settings.max_seconds or now - seen_at > settings.idle_seconds):
        session.clear()
        return None
    if now != seen_at:
        session["seen_at"] = now
    return claims


def csrf_token(request: Request) -> str:
    return request.session.get(CSRF_FIELD, "")


def csrf_input(request: Request) -> Markup:
    """The hidden fields every form carries: the session's CSRF token, and a key for this
    rendering of the form, so a double click or a retry stores once (ADR 0023). A form given
    back because its command did not go through (refused, or its answer lost: 503, a timeout)
    keeps the key it was sent with, so sending it again cannot store a second time what the
    lost answer may have stored; after a command that went through, a new key."""
    current = _form_key.get()
    key = current.key if current is not None and not current.stored else uuid.uuid4().hex
    return Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(csrf_token(request))}">'
                  f'<input type="hidden" name="{REQUEST_KEY_FIELD}" value="{key}">')


@dataclass
class _FormKey:
    """The submitted form's key and what this request has sent under it so far."""

    key: str
    calls: int = 0
    stored: bool = False  # the last command sent went through (2xx)


# The submitted form's key (csrf_input), for every command the request sends to a service.
_form_key: contextvars.ContextVar[_FormKey | None] = contextvars.ContextVar("form_key", default=None)


def next_request_key(method: str, path: str, body: Any = None) -> str | None:
    """The idempotency key of the next command this request sends, when its form had a key:
    "<key>.<n>.<what>", the n-th command of this request and a digest of what it asks (method,
    path and body, without the version the form was loaded at). The same again when the form is
    sent twice or again after a lost answer; never the same for two different commands, also
    when two forms of a page that was given back carry the same key."""
    current = _form_key.get()
    if current is None:
        return None
    current.calls += 1
    asked = {k: v for k, v in body.items() if k != "expected_version"} if isinstance(body, dict) else body
    what = hashlib.sha256(json.dumps([method, path, asked], sort_keys=True, default=str).encode()).hexdigest()[:16]
    return f"{current.key}.{current.calls}.{what}"


def command_answered(stored: bool) -> None:
    """Whether the command just sent under the form's key went through: a form rendered after
    that gets a new key; after one that did not, the form given back keeps the one it came with."""
    current = _form_key.get()
    if current is not None:
        current.stored = stored


async def csrf_protect(request: Request) -> None:
    """App-wide dependency: refuse a state-changing request of a logged-in session that does
    not carry the session's token. (Without a session nothing can be changed: every such
    route needs the logged-in identity and sends the visitor to the login.)"""
    if request.method not in UNSAFE_METHODS:
        return
    expected = request.session.get(CSRF_FIELD)
    if not request.session.get(SESSION_KEY) or not expected:
        return
    sent = request.headers.get(CSRF_HEADER)
    if request.headers.get("content-type", "").startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        sent = sent or form.get(CSRF_FIELD)
        key = form.get(REQUEST_KEY_FIELD)
        if isinstance(key, str) and REQUEST_KEY.match(key):
            _form_key.set(_FormKey(key))
    if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfRefused()


def add_security_headers(response, settings: SecuritySettings, *, static: bool = False) -> None:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", settings.content_security_policy())
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if settings.behind_tls:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if not static:
        # Pages show pupil data: not kept in the browser's cache (shared computers, back button).
        headers.setdefault("Cache-Control", "no-store")
