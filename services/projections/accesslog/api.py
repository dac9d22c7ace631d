"""The loggkontroll read API (R15): `uvicorn projections.accesslog.api:app`. Only the
municipality administrator of the municipality that owns the records may search its log."""
from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from fastapi import Depends, Query

from eventkit import authz
from eventkit.dates import local_today
from eventkit.http import current_identity, service_api
from eventkit.identity import Identity
from eventkit.inputs import NO_CONTROL_CHARACTERS
from eventkit.readapi import view_pool
from projections.accesslog import queries
from projections.accesslog.period import Period
from projections.accesslog.readmodel import PROJECTION

app = service_api("Stödspår – loggkontroll (access log)", audience="accesslog", tracing_name="accesslog-api")


_pool = view_pool(PROJECTION, max_size=4)


def administrator(who: Identity = Depends(current_identity)) -> Identity:
    authz.require(who, "accesslog.read")
    return who


Kind = Literal["read", "change", "print", "export", "refused"]


@app.get("/accesslog", **authz.operation("accesslog.read"))
def search(
    user: str | None = Query(default=None, max_length=100, pattern=NO_CONTROL_CHARACTERS),
    pupil_ref: UUID | None = None,
    school_unit: str | None = Query(default=None, max_length=64, pattern=NO_CONTROL_CHARACTERS),
    since: date | None = Query(default=None, alias="from", description="First day (Swedish time), YYYY-MM-DD"),
    until: date | None = Query(default=None, alias="to", description="Last day (Swedish time), YYYY-MM-DD"),
    kind: Kind | None = Query(default=None, description="read (also lists and searches), change (also disposal), "
                                                        "print, export, or refused"),
    flagged: bool = False,
    limit: int = Query(default=queries.PAGE_SIZE, ge=1, le=500),
    offset: int = Query(default=0, ge=0, le=10_000_000),
    who: Identity = Depends(administrator),
):
    """Entries of the administrator's municipality, newest first, `limit` from `offset`, with
    the total and each entry's flags. A period that cannot be true is refused (422) at its field."""
    period = Period.of(since, until, local_today())
    thresholds = queries.Thresholds.from_env()
    with _pool().connection() as conn:
        page = queries.search(
            conn, who.municipality, user=user or None, pupil_ref=str(pupil_ref) if pupil_ref else None,
            school_unit=school_unit or None, since=period.start, until=period.end, kind=kind,
            flagged_only=flagged, thresholds=thresholds, limit=limit, offset=offset,
        )
    return {**page, "thresholds": vars(thresholds)}
