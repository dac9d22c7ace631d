"""Read API over the follow-up read model. It keeps answering when the cases service is down."""
from __future__ import annotations

from fastapi import Depends, Query

from eventkit.http import current_identity, service_api
from eventkit import authz
from eventkit.identity import Identity
from eventkit.inputs import NO_CONTROL_CHARACTERS
from eventkit.readapi import view_pool
from projections.followup import clock, queries, readmodel

app = service_api("Stödspår – rektors uppföljningsvy (read model)", audience="followup", tracing_name="followup-api")


pool = view_pool(readmodel.PROJECTION)


@app.get("/followup", **authz.operation("followup.read"))
def followup(
    school_unit: str | None = Query(default=None, max_length=64, pattern=NO_CONTROL_CHARACTERS),
    status: str | None = Query(default=None, pattern="^(overdue|" + "|".join(queries.STATUSES) + ")$"),
    investigator: str | None = Query(default=None, max_length=100, pattern=NO_CONTROL_CHARACTERS),
    page: int = Query(default=1, ge=1, le=10_000),
    page_size: int = Query(default=25, ge=1, le=1000),
    who: Identity = Depends(current_identity),
) -> dict:
    """Open cases of the caller's units, the urgent first: referrals waiting (days, overdue),
    follow-ups and evaluations due within 14 days or overdue, decisions not yet delivered,
    appeal windows open. Filters: unit, status (or "overdue"), investigator; paginated."""
    authz.require(who, "followup.read")
    units = authz.units_in_scope(who, school_unit)  # the identity's units; never widened by the query
    with pool().connection() as conn:
        return queries.page(
            conn, who.municipality, units, clock.today(), status=status or None, investigator=investigator or None,
            page_number=page, page_size=page_size, viewer=who.user_id,
        )
