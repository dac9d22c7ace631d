"""The frontend's wiring: settings, session, templates, static files, routes, tracing.

Run with `uvicorn frontend.app:app` (PYTHONPATH=services:.); deploy/stodspar.env sets
CASES_URL, FOLLOWUP_URL and IDENTITY_SIGNING_KEY.
"""
from __future__ import annotations

from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from starlette.middleware.sessions import SessionMiddleware

from eventkit.config import env
from eventkit.telemetry import setup_tracing
from frontend.devlogin import DEFAULT_FILE, Organisation
from frontend.errors import install_error_pages
from frontend import deviation_labels
from frontend.routes import auth, cases, confidential, county, delegations, deviation_sending, deviations, followup, workflow
from frontend.templating import make_templates

STATIC = Path(__file__).resolve().parent / "static"
SESSION_HOURS = 8  # one school day; then log in again


@dataclass
class Backends:
    cases_url: str
    followup_url: str
    deviations_url: str = ""
    county_url: str = ""
    http: httpx.AsyncClient | None = None


def create_app(
    *,
    cases_url: str | None = None,
    followup_url: str | None = None,
    organisation_file: Path | str | None = None,
    deviations_url: str | None = None,
    county_url: str | None = None,
) -> FastAPI:
    backends = Backends(
        cases_url=cases_url or env("CASES_URL", "http://127.0.0.1:8001"),
        followup_url=followup_url or env("FOLLOWUP_URL", "http://127.0.0.1:8011"),
        deviations_url=deviations_url or env("DEVIATIONS_URL", "http://127.0.0.1:8002"),
        county_url=county_url or env("COUNTY_URL", "http://127.0.0.1:8012"),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # One connection pool for all calls to the services; no redirects are followed.
        async with httpx.AsyncClient() as http:
            backends.http = http
            yield
            backends.http = None

    setup_tracing("frontend")
    app = FastAPI(title="Stödspår", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    organisation = Organisation.load(organisation_file or env("DEV_ORGANISATION_FILE", str(DEFAULT_FILE)))
    app.state.organisation = organisation
    app.state.backends = backends
    app.state.templates = make_templates(organisation)
    deviation_labels.install(app.state.templates.env, organisation)

    app.add_middleware(
        SessionMiddleware,
        # A key of its own, derived from the shared one: a session cookie is not an identity token.
        secret_key=env("IDENTITY_SIGNING_KEY") + ":frontend-session",
        session_cookie="stodspar_session",
        max_age=SESSION_HOURS * 3600,
        same_site="lax",
        https_only=False,  # local development over http; production sets TLS in front
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (auth, cases, workflow, confidential, delegations, followup, deviation_sending, deviations, county):
        app.include_router(module.router)
    install_error_pages(app)

    @app.middleware("http")
    async def _protective_headers(request, call_next):
        response = await call_next(request)
        if not request.url.path.startswith("/static/"):
            # Pages show pupil data: not kept in the browser's cache (shared computers, back button).
            response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    @app.get("/health", include_in_schema=False)
    def health() -> dict:
        return {"status": "ok"}

    FastAPIInstrumentor.instrument_app(app, excluded_urls="static,health")
    return app


app = create_app()
