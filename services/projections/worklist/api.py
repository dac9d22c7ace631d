"""Read API over the worklist (Att göra). It keeps answering when the services are down.

The frontend asks for a user's tasks and the open cases of a unit's pupils (Mina elever); the
notifications service asks for a user's counts only (/tasks/summary), with an identity it signs
per user (eventkit.identity.CALLERS)."""
from __future__ import annotations

from fastapi import Depends, Query

from eventkit import authz
from eventkit.http import calling_service, current_identity, service_api
from eventkit.identity import Identity, NotPermitted
from eventkit.inputs import NO_CONTROL_CHARACTERS
from eventkit.readapi import view_pool
from projections.followup import clock
from projections.worklist import queries, readmodel

app = service_api("Stödspår – Att göra (read model)", audience="worklist", tracing_name="worklist-api")
pool = view_pool(readmodel.PROJECTION)


def _frontend_only(caller: str) -> None:
    if caller != "frontend":
        raise NotPermitted("Den tjänsten får bara fråga efter antalet uppgifter.")


@app.get("/tasks", **authz.operation("worklist.read"))
def tasks(limit: int = Query(default=200, ge=1, le=1000), who: Identity = Depends(current_identity),
          caller: str = Depends(calling_service)) -> dict:
    """The caller's tasks, overdue first, then by due date; with their count and overdue count."""
    _frontend_only(caller)
    authz.require(who, "worklist.read")
    with pool().connection() as conn:
        return queries.tasks(conn, who, clock.today(), limit)


@app.get("/tasks/summary", **authz.operation("worklist.read"))
def summary(who: Identity = Depends(current_identity)) -> dict:
    """{"count": n, "overdue": m}: how many tasks wait for the caller (nothing else)."""
    authz.require(who, "worklist.read")
    with pool().connection() as conn:
        return queries.summary(conn, who, clock.today())


@app.get("/pupil-cases", **authz.operation("worklist.pupils"))
def pupil_cases(unit: str = Query(min_length=1, max_length=64, pattern=NO_CONTROL_CHARACTERS),
                who: Identity = Depends(current_identity), caller: str = Depends(calling_service)) -> dict:
    """The open case of each pupil of one of the caller's units, with its status (R14)."""
    _frontend_only(caller)
    authz.require(who, "worklist.pupils")
    [unit] = authz.units_in_scope(who, unit)
    with pool().connection() as conn:
        return {"cases": queries.pupil_cases(conn, who, unit, clock.today())}
