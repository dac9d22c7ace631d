"""The loggkontroll read API (R15): `uvicorn projections.accesslog.api:app`. Only the
municipality administrator of the municipality that owns the records may search its log."""
from __future__ import annotations

from datetime import datetime
from uuid import UUID

from fastapi import Depends, Query

from eventkit import authz
from eventkit.http import current_identity, service_api
from eventkit.identity import Identity
from eventkit.inputs import NO_CONTROL_CHARACTERS
from eventkit.readapi import view_pool
from projections.accesslog import queries
from projections.accesslog.readmodel import PROJECTION

app = service_api("Stödspår – loggkontroll (access log)", audience="accesslog", tracing_name="accesslog-api")


_pool = view_pool(PROJECTION, max_size=4)


def administrator(who: Identity = Depends(current_identity)) -> Identity:
    authz.require(who, "accesslog.read")
    return who


@app.get("/accesslog", **authz.operation("accesslog.read"))
def search(
    user: str | None = Query(default=None, max_length=100, pattern=NO_CONTROL_CHARACTERS),
    pupil_ref: UUID | None = None,
    since: datetime | None = Query(default=None, alias="from"),
    until: datetime | None = Query(default=None, alias="to"),
    flagged: bool = False,
    who: Identity = Depends(administrator),
):
    """Entries of the administrator's municipality, newest first (at most 500), with flags."""
    thresholds = queries.Thresholds.from_env()
    with _pool().connection() as conn:
        entries = queries.search(
            conn, who.municipality, user=user or None, pupil_ref=str(pupil_ref) if pupil_ref else None,
            since=since, until=until, flagged_only=flagged, thresholds=thresholds,
        )
    return {"entries": entries, "thresholds": vars(thresholds)}
