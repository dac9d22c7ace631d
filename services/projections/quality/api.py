"""Read API over the quality read model (rektor's kvalitetsvy). Rektor sees the special
educators' missions and the interventions of the own units; a special educator sees the own
record. It keeps answering while the competence and documentation services are down."""
from __future__ import annotations

from fastapi import Depends, Query

from eventkit import authz
from eventkit.http import current_identity, service_api
from eventkit.identity import Identity
from eventkit.inputs import NO_CONTROL_CHARACTERS
from eventkit.readapi import view_pool
from projections.quality import clock, queries, readmodel

app = service_api("Stödspår – rektors kvalitetsvy (read model)", audience="quality", tracing_name="quality-api")


pool = view_pool(readmodel.PROJECTION)


@app.get("/quality", **authz.operation("quality.read", "quality.units"))
def quality(school_unit: str | None = Query(default=None, max_length=64, pattern=NO_CONTROL_CHARACTERS),
            who: Identity = Depends(current_identity)) -> dict:
    """Per special educator: goals and status, follow-ups due or overdue, competence-plan
    progress and supervision this and last term. Per school unit: interventions this term by
    level and kind."""
    authz.require(who, "quality.read")
    # A unit outside the identity is refused (403), for the special educator too (ADR 0018).
    units = authz.units_in_scope(who, school_unit)
    if authz.allows(who, "quality.units"):
        scope: dict = {"units": units}
    else:  # the special educator's own record, in the asked unit when one is asked for
        scope = {"educator": who.user_id, "units": units if school_unit else None}
    today = clock.today()
    with pool().connection() as conn:
        return {
            "today": today.isoformat(),
            "educators": queries.educators(conn, who.municipality, today, **scope),
            "interventions": queries.interventions(conn, who.municipality, today, **scope),
        }
