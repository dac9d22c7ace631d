"""Development login, logout and the start page."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from eventkit.identity import Identity
from frontend.web import current_identity, log_in, log_out, render

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to somewhere else."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _login_page(request: Request, next_: str, problem: str | None = None, status: int = 200) -> Response:
    organisation = request.app.state.organisation
    groups = [(m, organisation.users_in(m.code)) for m in organisation.municipalities]
    return render(
        request,
        "login.html",
        {"groups": groups, "next": _safe_next(next_), "problem": problem},
        status_code=status,
    )


@router.get("/login")
async def login_page(request: Request, next: str = "/") -> Response:
    return _login_page(request, next)


@router.post("/login")
async def login(request: Request, user_id: str = Form(""), next: str = Form("/")) -> Response:
    user = request.app.state.organisation.user(user_id)
    if user is None:
        return _login_page(request, next, "Välj vem du vill logga in som.", status=422)
    log_in(request, user)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.api_route("/logout", methods=["GET", "POST"])
async def logout(request: Request) -> Response:
    log_out(request)
    return RedirectResponse("/login", status_code=303)


@router.get("/")
async def start(request: Request, who: Identity = Depends(current_identity)) -> Response:
    return render(request, "start.html", {})
