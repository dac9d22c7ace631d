"""What every route shares: the session login, htmx detection, rendering, service clients."""
from __future__ import annotations

from typing import Any, Iterable

from fastapi import Request
from fastapi.responses import Response

from eventkit.identity import Identity
from frontend import menu
from frontend.security import session_claims, start_session
from frontend.services_client import CasesClient, FollowupClient, NotFound


class LoginRequired(Exception):
    """No one is logged in; the handler sends the browser to /login."""


def current_identity(request: Request) -> Identity:
    """FastAPI dependency: the logged-in user, or a redirect to the login page (also when the
    session has been idle too long or is older than a school day)."""
    claims = session_claims(request)
    if not claims:
        raise LoginRequired()
    try:
        return Identity.from_claims(claims)
    except (KeyError, ValueError, TypeError):
        request.session.clear()
        raise LoginRequired() from None


def log_in(request: Request, identity: Identity, *, id_token: str | None = None) -> None:
    """A new session for `identity` (after the identity provider vouched for it)."""
    start_session(request, identity, id_token=id_token)


def log_out(request: Request) -> None:
    request.session.clear()


def flash(request: Request, message: str) -> None:
    """A one-line confirmation shown on the next full page (after a redirect)."""
    request.session["flash"] = message


def is_htmx(request: Request) -> bool:
    """An htmx request that wants a fragment. A history restore wants the whole page."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    blocks: Iterable[str] = (),
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """The whole page, or only `blocks` when htmx asked (contact-app's pattern)."""
    templates = request.app.state.templates
    who = _who(request)
    offered = {"menu": menu.menu_for(who), "personal_links": menu.personal_for(who),
               "shortcuts": menu.shortcuts_for(who)} if who else {}
    context = {"who": who, **offered, **context}
    blocks = list(blocks)
    if blocks and is_htmx(request):
        return templates.TemplateResponse(
            request, name, context, status_code=status_code, headers=headers, block_names=blocks
        )
    context.setdefault("flash", request.session.pop("flash", None))
    return templates.TemplateResponse(request, name, context, status_code=status_code, headers=headers)


def own_unit(who: Identity, asked: str, *, first_by_default: bool = True) -> str:
    """The school unit a page, form or URL names: one of the user's own. A unit that is not
    (another unit's or municipality's) is not found — never swapped for the user's own. None
    named: the user's first unit (or none, when `first_by_default` is False)."""
    if not asked:
        return first_unit(who) if first_by_default else ""
    if asked not in who.school_units:
        raise NotFound("Skolenheten finns inte bland dina enheter.")
    return asked


def first_unit(who: Identity) -> str:
    """The school unit a new form starts with: the user's first (or none)."""
    return who.school_units[0] if who.school_units else ""


cases_client = CasesClient.for_user
followup_client = FollowupClient.for_user


def _who(request: Request) -> Identity | None:
    try:
        return current_identity(request)
    except LoginRequired:
        return None
