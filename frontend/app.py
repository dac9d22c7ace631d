"""The frontend's wiring: settings, session, templates, static files, routes, tracing.

Run with `uvicorn frontend.app:app` (PYTHONPATH=services:.); deploy/stodspar.env sets
CASES_URL, FOLLOWUP_URL, DIRECTORY_URL, NOTIFICATIONS_URL, IDENTITY_SIGNING_KEY, the OIDC_* login settings and
FRONTEND_BEHIND_TLS (see frontend/oidc.py and frontend/security.py).
"""
from __future__ import annotations

from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from fastapi import Depends, FastAPI, Request
from fastapi.staticfiles import StaticFiles
from jinja2 import pass_context
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from starlette.middleware.sessions import SessionMiddleware

from eventkit.config import env
from eventkit.telemetry import setup_tracing
from frontend.devlogin import DEFAULT_FILE, Organisation
from frontend import competence_labels, deviation_labels, documentation_labels, security
from frontend.staff import StaffDirectory, staff_at_hand
from frontend.errors import install_error_pages, problem_page
from frontend.oidc import OidcSettings, make_client
from frontend.routes import (
    auth, cases, competence, confidential, county, delegations, deviation_sending, deviations, documentation,
    followup, loggkontroll, notification_settings, pupils, workflow, worklist,
)
from frontend.routes import disposal
from frontend.routes import owner
from frontend.routes import letters
from frontend.templating import make_templates

STATIC = Path(__file__).resolve().parent / "static"
CSRF_REFUSED = (
    "Formuläret godtogs inte",
    "Sidan du skickade från är för gammal eller kom inte från Stödspår, så inget sparades. "
    "Ladda om sidan och försök igen.",
)


@dataclass
class Backends:
    cases_url: str
    followup_url: str
    deviations_url: str = ""
    county_url: str = ""
    documentation_url: str = ""
    competence_url: str = ""
    quality_url: str = ""
    directory_url: str = ""
    notifications_url: str = ""
    http: httpx.AsyncClient | None = None


def create_app(
    *,
    cases_url: str | None = None,
    followup_url: str | None = None,
    organisation_file: Path | str | None = None,
    deviations_url: str | None = None,
    county_url: str | None = None,
    documentation_url: str | None = None,
    competence_url: str | None = None,
    quality_url: str | None = None,
    directory_url: str | None = None,
    notifications_url: str | None = None,
) -> FastAPI:
    backends = Backends(
        cases_url=cases_url or env("CASES_URL", "http://127.0.0.1:8001"),
        followup_url=followup_url or env("FOLLOWUP_URL", "http://127.0.0.1:8011"),
        deviations_url=deviations_url or env("DEVIATIONS_URL", "http://127.0.0.1:8002"),
        county_url=county_url or env("COUNTY_URL", "http://127.0.0.1:8012"),
        documentation_url=documentation_url or env("DOCUMENTATION_URL", "http://127.0.0.1:8004"),
        competence_url=competence_url or env("COMPETENCE_URL", "http://127.0.0.1:8003"),
        quality_url=quality_url or env("QUALITY_URL", "http://127.0.0.1:8013"),
        directory_url=directory_url or env("DIRECTORY_URL", "http://127.0.0.1:8007"),
        notifications_url=notifications_url or env("NOTIFICATIONS_URL", "http://127.0.0.1:8008"),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # One connection pool for all calls to the services; no redirects are followed.
        async with httpx.AsyncClient() as http:
            backends.http = http
            yield
            backends.http = None

    setup_tracing("frontend")
    app = FastAPI(
        title="Stödspår", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan,
        dependencies=[Depends(security.csrf_protect), Depends(staff_at_hand)],
    )
    oidc_settings = OidcSettings.from_env()
    app.state.oidc_settings = oidc_settings
    app.state.oidc_client = make_client(oidc_settings)
    # Forms may lead to the identity provider only (logout continues there).
    settings = security.SecuritySettings.from_env(form_targets=(oidc_settings.issuer_origin,))
    app.state.security = settings
    organisation = Organisation.load(organisation_file or env("DEV_ORGANISATION_FILE", str(DEFAULT_FILE)))
    app.state.organisation = organisation
    app.state.staff = StaffDirectory(organisation)
    app.state.backends = backends
    app.state.templates = make_templates(organisation, app.state.staff)
    deviation_labels.install(app.state.templates.env, organisation)
    documentation_labels.install(app.state.templates.env)
    competence_labels.install(app.state.templates.env)
    app.state.templates.env.globals.update(
        csrf_input=pass_context(lambda context: security.csrf_input(context["request"])),
        csrf_token=pass_context(lambda context: security.csrf_token(context["request"])),
    )

    app.add_middleware(
        SessionMiddleware,
        # A key of its own, derived from the shared one: a session cookie is not an identity token.
        secret_key=env("IDENTITY_SIGNING_KEY") + ":frontend-session",
        session_cookie=security.SESSION_COOKIE,
        max_age=settings.max_seconds,  # the cookie outlives no session; idle time is checked inside
        same_site="lax",
        https_only=settings.behind_tls,  # Secure cookie; off only for local development over http
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (
        auth, cases, workflow, confidential, delegations, followup, deviation_sending, deviations, county, documentation,
        loggkontroll, competence, pupils, notification_settings, worklist, disposal, owner, letters,
    ):
        app.include_router(module.router)
    install_error_pages(app)

    @app.exception_handler(security.CsrfRefused)
    async def _csrf_refused(request: Request, exc: security.CsrfRefused):
        return problem_page(request, 403, *CSRF_REFUSED)

    @app.middleware("http")
    async def _protective_headers(request, call_next):
        response = await call_next(request)
        security.add_security_headers(response, settings, static=request.url.path.startswith("/static/"))
        return response

    @app.get("/health", include_in_schema=False)
    def health() -> dict:
        return {"status": "ok"}

    FastAPIInstrumentor.instrument_app(app, excluded_urls="static,health")
    return app


app = create_app()
