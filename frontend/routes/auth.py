"""Login through the identity provider (OpenID Connect), logout, and the start page.

GET /login sends the browser to the provider (state, nonce and PKCE verifier kept in the
session by Authlib); the provider sends it back to /auth/callback with a code, which is
exchanged for an ID token whose signature and claims are verified; then a new session
starts. POST /logout ends the session and, when the provider offers it, the provider's
session too (RP-initiated logout).
"""
from __future__ import annotations

import logging

import httpx
from authlib.common.errors import AuthlibBaseError
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from joserfc.errors import JoseError

from frontend.deps import CurrentUser
from frontend.directory_client import LOGIN_JOB, DirectoryClient
from frontend.errors import problem_page
from frontend.oidc import LoginRefused, check_issuer, identity_from_claims
from frontend.services_client import NotFound, ServiceUnavailable
from frontend.web import log_in, log_out, render
from frontend.worklist_client import start_page_counts

log = logging.getLogger(__name__)
router = APIRouter()

NEXT_KEY = "login_next"
PROVIDER_DOWN = (
    "Inloggningstjänsten svarar inte just nu",
    "Stödspår når inte kommunens inloggningstjänst. Försök igen om en liten stund.",
)
DIRECTORY_DOWN = (
    "Organisationskatalogen svarar inte just nu",
    "Stödspår kan inte slå upp din roll och dina skolenheter just nu. Försök igen om en liten stund.",
)
NOT_COMPLETED = (
    "Inloggningen kunde inte slutföras",
    "Svaret från inloggningstjänsten hörde inte till den här inloggningen eller gick inte att "
    "lita på. Börja om genom att logga in igen.",
)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to somewhere else."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _staff_lookup(request: Request):
    """The directory's staff member by user id, asked as the login job (no one is logged in yet)."""
    async def staff_member(user_id: str) -> dict | None:
        backends = request.app.state.backends
        try:
            return await DirectoryClient(backends.http, backends.directory_url, LOGIN_JOB).staff_member(user_id)
        except NotFound:
            return None
    return staff_member


def _oidc(request: Request):
    return request.app.state.oidc_client, request.app.state.oidc_settings


@router.get("/login")
async def login(request: Request, next: str = "/") -> Response:
    client, settings = _oidc(request)
    redirect_uri = settings.redirect_uri or str(request.url_for("oidc_callback"))
    try:
        await check_issuer(client, settings)
        request.session[NEXT_KEY] = _safe_next(next)
        return await client.authorize_redirect(request, redirect_uri)
    except LoginRefused as exc:
        return problem_page(request, 502, NOT_COMPLETED[0], str(exc))
    except (httpx.HTTPError, AuthlibBaseError, ValueError) as exc:
        log.warning("identity provider unreachable at login: %s", type(exc).__name__)
        return problem_page(request, 503, *PROVIDER_DOWN)


@router.get("/auth/callback", name="oidc_callback")
async def callback(request: Request) -> Response:
    client, settings = _oidc(request)
    try:
        await check_issuer(client, settings)
        token = await client.authorize_access_token(request)
        claims = token.get("userinfo")
        if not claims:
            raise LoginRefused("Inloggningstjänsten skickade ingen ID-token.")
        who = await identity_from_claims(
            dict(claims), request.app.state.organisation, settings.identity_source, _staff_lookup(request)
        )
    except LoginRefused as exc:
        return problem_page(request, 403, NOT_COMPLETED[0], str(exc))
    except ServiceUnavailable:
        return problem_page(request, 503, *DIRECTORY_DOWN)
    except httpx.HTTPError as exc:
        log.warning("identity provider unreachable at callback: %s", type(exc).__name__)
        return problem_page(request, 503, *PROVIDER_DOWN)
    except (AuthlibBaseError, JoseError, ValueError, KeyError) as exc:
        # A state that is not this session's, a nonce, issuer, audience or signature that does
        # not match, an expired token: nobody is logged in. (The reason only, no token content.)
        log.warning("login refused: %s", type(exc).__name__)
        return problem_page(request, 400, *NOT_COMPLETED)
    target = _safe_next(request.session.get(NEXT_KEY))
    log_in(request, who, id_token=token.get("id_token"))
    return RedirectResponse(target, status_code=303)


@router.post("/logout")
async def logout(request: Request) -> Response:
    client, settings = _oidc(request)
    id_token = request.session.get("id_token")
    log_out(request)
    after = settings.post_logout_redirect_uri or str(request.url_for("logged_out"))
    try:
        metadata = await client.load_server_metadata()
        if metadata.get("end_session_endpoint"):
            ending = await client.create_logout_url(
                post_logout_redirect_uri=after, id_token_hint=id_token, client_id=settings.client_id
            )
            return RedirectResponse(ending["url"], status_code=303)
    except (httpx.HTTPError, AuthlibBaseError, ValueError) as exc:
        log.warning("identity provider unreachable at logout: %s", type(exc).__name__)
    return RedirectResponse(after, status_code=303)


@router.get("/utloggad", name="logged_out")
async def logged_out(request: Request) -> Response:
    return render(request, "logged_out.html", {})


@router.get("/")
async def start(request: Request, who: CurrentUser) -> Response:
    return render(request, "start.html", {"worklist": await start_page_counts(request, who)})
