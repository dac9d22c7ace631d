"""Read API over the follow-up read model. It keeps answering when the cases service is down."""
from __future__ import annotations

from functools import lru_cache

from fastapi import Depends, FastAPI, HTTPException, Query
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from psycopg_pool import ConnectionPool

from eventkit.config import Postgres
from eventkit.http import current_identity, install_error_handlers
from eventkit.identity import Identity, Role
from eventkit.telemetry import setup_tracing
from projections.followup import clock, queries, readmodel

VIEWERS = {Role.REKTOR, Role.SPECIAL_EDUCATOR, Role.EHT_MEMBER}

setup_tracing("followup-api")
app = FastAPI(title="Stödspår – rektors uppföljningsvy (read model)", version="1.0")
install_error_handlers(app, audience="followup")
FastAPIInstrumentor.instrument_app(app, excluded_urls="health")


@lru_cache(maxsize=1)
def pool() -> ConnectionPool:
    p = ConnectionPool(Postgres.for_database("FOLLOWUP_DB").conninfo, min_size=1, max_size=8, open=True)
    with p.connection() as conn:
        readmodel.create_schema(conn)
    return p


@app.get("/followup")
def followup(
    school_unit: str | None = Query(default=None, max_length=64),
    status: str | None = Query(default=None, pattern="^(overdue|" + "|".join(queries.STATUSES) + ")$"),
    investigator: str | None = Query(default=None, max_length=100),
    page: int = Query(default=1, ge=1, le=10_000),
    page_size: int = Query(default=25, ge=1, le=1000),
    who: Identity = Depends(current_identity),
) -> dict:
    """Open cases of the caller's units, the urgent first: referrals waiting (days, overdue),
    follow-ups and evaluations due within 14 days or overdue, decisions not yet delivered,
    appeal windows open. Filters: unit, status (or "overdue"), investigator; paginated."""
    if who.role not in VIEWERS:
        raise HTTPException(status_code=403, detail="Uppföljningsvyn är för rektor och elevhälsan.")
    units = list(who.school_units)
    if school_unit:
        if school_unit not in units:
            raise HTTPException(status_code=403, detail="Du arbetar inte på den skolenheten.")
        units = [school_unit]
    with pool().connection() as conn:
        return queries.page(
            conn, who.municipality, units, clock.today(), status=status or None, investigator=investigator or None,
            page_number=page, page_size=page_size,
        )
