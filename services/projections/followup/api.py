"""Read API over the follow-up read model. It keeps answering when the cases service is down."""
from __future__ import annotations

from datetime import date

from fastapi import Depends, Query

from eventkit.http import current_identity, service_api
from eventkit import authz
from eventkit.identity import Identity
from eventkit.inputs import NO_CONTROL_CHARACTERS
from eventkit.readapi import view_pool
from eventkit.vocabulary import labels
from projections.followup import clock, owner, ownerview, queries, readmodel

app = service_api("Stödspår – rektors uppföljningsvy (read model)", audience="followup", tracing_name="followup-api")


pool = view_pool(readmodel.PROJECTION)
DECISION_KINDS = tuple(labels("DecisionKind"))  # the cases service's list, as published in contracts/


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


@app.get("/owner/overview", **authz.operation("owner.read"))
def owner_overview(
    per: ownerview.Per = ownerview.Per.MONTH,
    first: date | None = Query(default=None, alias="from"),
    last: date | None = Query(default=None, alias="to"),
    school_unit: str | None = Query(default=None, max_length=64, pattern=NO_CONTROL_CHARACTERS),
    units_over_time: bool = False,
    who: Identity = Depends(current_identity),
) -> dict:
    """The school owner's view (huvudmannens översikt) of the caller's own municipality: per
    school unit and period (month, term or school year) referrals, investigations started in
    time, days to start and to decision, decisions by kind, programmes in force, follow-ups and
    evaluations overdue, deviations and answers in time, appeals (R9: in time, forwarded within 7
    days, rejected as late, lapsed, the board's outcomes: each cell's "appeals"). Each unit's figures per period too for
    `school_unit`, or for every unit with `units_over_time` (the CSV file). Counts only, no pupil;
    every count from 1 to 4 is "färre än 5" and statistics over fewer than 5 cases are not given
    (ADR 0031)."""
    authz.require(who, "owner.read")
    today = clock.today()
    first, last = ownerview.chosen_range(first, last, today)
    with pool().connection() as conn:
        facts = owner.facts(conn, who.municipality, first, last)
    over_time = None if units_over_time else ([school_unit] if school_unit else [])
    return ownerview.overview(facts, per, first, last, today, DECISION_KINDS, over_time=over_time)
