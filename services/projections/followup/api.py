"""Read API over the follow-up read model. It keeps answering when the cases service is down."""
from __future__ import annotations

from datetime import date
from functools import lru_cache

from fastapi import Depends, FastAPI, HTTPException, Query
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from psycopg_pool import ConnectionPool

from eventkit.config import Postgres
from eventkit.http import current_identity, install_error_handlers
from eventkit.identity import Identity, Role
from eventkit.telemetry import setup_tracing
from projections.followup import readmodel

VIEWERS = {Role.REKTOR, Role.SPECIAL_EDUCATOR, Role.EHT_MEMBER}

setup_tracing("followup-api")
app = FastAPI(title="Stödspår – rektors uppföljningsvy (read model)", version="1.0")
install_error_handlers(app)
FastAPIInstrumentor.instrument_app(app, excluded_urls="health")


@lru_cache(maxsize=1)
def pool() -> ConnectionPool:
    p = ConnectionPool(Postgres.for_database("FOLLOWUP_DB").conninfo, min_size=1, max_size=8, open=True)
    with p.connection() as conn:
        readmodel.create_schema(conn)
    return p


@app.get("/health", include_in_schema=False)
def health() -> dict:
    return {"status": "ok"}


@app.get("/followup")
def followup(
    school_unit: str | None = Query(default=None, max_length=64),
    who: Identity = Depends(current_identity),
) -> dict:
    if who.role not in VIEWERS:
        raise HTTPException(status_code=403, detail="Uppföljningsvyn är för rektor och elevhälsan.")
    units = list(who.school_units)
    if school_unit:
        if school_unit not in units:
            raise HTTPException(status_code=403, detail="Du arbetar inte på den skolenheten.")
        units = [school_unit]
    with pool().connection() as conn:
        rows = readmodel.open_cases(conn, who.municipality, units, date.today())
    return {"rows": rows}
