"""Read API over the quality read model (rektor's kvalitetsvy). Rektor sees the special
educators' missions and the interventions of the own units; a special educator sees the own
record. It keeps answering while the competence and documentation services are down."""
from __future__ import annotations

from functools import lru_cache

from fastapi import Depends, FastAPI, HTTPException, Query
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from psycopg_pool import ConnectionPool

from eventkit.config import Postgres
from eventkit.http import current_identity, install_error_handlers
from eventkit.identity import Identity, Role
from eventkit.telemetry import setup_tracing
from projections.quality import clock, queries, readmodel

setup_tracing("quality-api")
app = FastAPI(title="Stödspår – rektors kvalitetsvy (read model)", version="1.0")
install_error_handlers(app, audience="quality")
FastAPIInstrumentor.instrument_app(app, excluded_urls="health")


@lru_cache(maxsize=1)
def pool() -> ConnectionPool:
    p = ConnectionPool(Postgres.for_database("QUALITY_DB").conninfo, min_size=1, max_size=8, open=True)
    with p.connection() as conn:
        readmodel.create_schema(conn)
    return p


@app.get("/quality")
def quality(school_unit: str | None = Query(default=None, max_length=64),
            who: Identity = Depends(current_identity)) -> dict:
    """Per special educator: goals and status, follow-ups due or overdue, competence-plan
    progress and supervision this and last term. Per school unit: interventions this term by
    level and kind."""
    if who.role is Role.REKTOR:
        units = list(who.school_units)
        if school_unit:
            if school_unit not in units:
                raise HTTPException(status_code=403, detail="Du är inte rektor för den skolenheten.")
            units = [school_unit]
        scope = {"units": units}
    elif who.role is Role.SPECIAL_EDUCATOR:
        scope = {"educator": who.user_id}
    else:
        raise HTTPException(status_code=403, detail="Kvalitetsvyn är för rektor och specialpedagoger.")
    today = clock.today()
    with pool().connection() as conn:
        return {
            "today": today.isoformat(),
            "educators": queries.educators(conn, who.municipality, today, **scope),
            "interventions": queries.interventions(conn, who.municipality, today, **scope),
        }
