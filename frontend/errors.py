"""Friendly Swedish pages for everything that can go wrong; never a stack trace."""
from __future__ import annotations

import logging
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from frontend.actions import go
from frontend.services_client import Forbidden, IdentityNotAccepted, NotFound, ServiceUnavailable
from frontend.web import LoginRequired, is_htmx, log_out, render

log = logging.getLogger(__name__)

UNAVAILABLE = (
    "Tjänsten svarar inte just nu",
    "Stödspår når inte elevärendena just nu. Det som redan är sparat finns kvar. "
    "Försök igen om en liten stund.",
)
NOT_FOUND = ("Sidan finns inte", "Kontrollera adressen, eller gå tillbaka till startsidan.")
FORBIDDEN = ("Det här kan du inte göra", "Din roll eller skolenhet ger inte tillgång till det här.")
BROKEN = ("Något gick fel", "Ett oväntat fel uppstod hos oss. Försök igen om en liten stund.")


def problem_page(request: Request, status: int, title: str, text: str) -> Response:
    return render(
        request, "error.html", {"title": title, "text": text}, blocks=["problem"], status_code=status
    )


def _login_redirect(request: Request) -> Response:
    wanted = request.url
    if is_htmx(request) and request.headers.get("HX-Current-URL"):
        wanted = urlsplit(request.headers["HX-Current-URL"])
    here = wanted.path + (f"?{wanted.query}" if wanted.query else "")
    return go(request, "/login" if here in ("/", "") else f"/login?next={quote(here, safe='')}")


def install_error_pages(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        return _login_redirect(request)

    @app.exception_handler(IdentityNotAccepted)
    async def _identity_not_accepted(request: Request, exc: IdentityNotAccepted) -> Response:
        log_out(request)
        return _login_redirect(request)

    @app.exception_handler(ServiceUnavailable)
    async def _unavailable(request: Request, exc: ServiceUnavailable) -> Response:
        title, text = UNAVAILABLE
        if exc.service == "followup":
            text = "Stödspår når inte uppföljningen just nu. Försök igen om en liten stund."
        elif exc.service == "documentation":
            text = "Stödspår når inte dokumentationen just nu. Det som redan är sparat finns kvar. Försök igen om en liten stund."
        elif exc.service in ("deviations", "county"):
            text = "Stödspår når inte avvikelserna just nu. Det som redan är sparat finns kvar. Försök igen om en liten stund."
        return problem_page(request, 503, title, text)

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> Response:
        return problem_page(request, 404, "Ärendet hittades inte", str(exc) or NOT_FOUND[1])

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        return problem_page(request, 403, FORBIDDEN[0], str(exc) or FORBIDDEN[1])

    @app.exception_handler(RequestValidationError)
    async def _bad_address(request: Request, exc: RequestValidationError) -> Response:
        # Only path parameters can fail here (form fields all have defaults): a mistyped address.
        return problem_page(request, 404, *NOT_FOUND)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return problem_page(request, 404, *NOT_FOUND)
        return problem_page(request, exc.status_code, *BROKEN)

    @app.exception_handler(Exception)
    async def _broken(request: Request, exc: Exception) -> Response:
        log.error("unhandled %s on %s %s", type(exc).__name__, request.method, request.url.path)
        return problem_page(request, 500, *BROKEN)
