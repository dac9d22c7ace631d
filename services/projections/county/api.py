"""Read API of the county view, for the BUS secretariat only: counts and trends, drill-down
to the de-identified reports, CSV export and the yearly compilation."""
from __future__ import annotations

import csv
import io
from functools import lru_cache
from typing import Literal
from uuid import UUID

from fastapi import Depends, HTTPException, Query
from fastapi.responses import Response
from psycopg_pool import ConnectionPool

from eventkit.config import Postgres
from eventkit.http import current_identity, service_api
from eventkit import authz
from eventkit.identity import Identity
from projections.county import queries, readmodel

app = service_api("Stödspår – länsbilden för BUS-sekretariatet (read model)", audience="county", tracing_name="county-api")

Kind = Literal["school", "social_services", "child_psychiatry", "child_medicine", "habilitation"]
Category = Literal["guidelines_not_followed", "agreed_measures_not_carried_out", "responsibility_disputed",
                   "party_absent_from_meetings", "other"]


@lru_cache(maxsize=1)
def pool() -> ConnectionPool:
    p = ConnectionPool(Postgres.for_database("COUNTY_DB").conninfo, min_size=1, max_size=8, open=True)
    with p.connection() as conn:
        readmodel.create_schema(conn)
    return p


def secretariat(who: Identity = Depends(current_identity)) -> Identity:
    authz.require(who, "county.read")  # de-identified, the whole county; nobody else (R14, R22)
    return who


def filters(
    year: int | None = Query(default=None, ge=2000, le=2100),
    municipality: str | None = Query(default=None, pattern=r"^[0-9]{4}$"),
    category: Category | None = None,
    organisation: Kind | None = None,
    period: str | None = Query(default=None, pattern=r"^[0-9]{4}(-Q[1-4]|-[0-9]{2})?$"),
) -> queries.Filters:
    return queries.Filters(year, municipality, category, organisation, period)


@app.get("/county/counts")
def counts(period_kind: Literal["month", "quarter", "year"] = "month", f: queries.Filters = Depends(filters),
           who: Identity = Depends(secretariat)) -> dict:
    with pool().connection() as conn:
        return {**queries.counts(conn, period_kind, f), "years": queries.years(conn)}


@app.get("/county/deviations")
def deviations(f: queries.Filters = Depends(filters), who: Identity = Depends(secretariat)) -> dict:
    with pool().connection() as conn:
        return {"rows": queries.deviations(conn, f)}


CSV_COLUMNS = ("deviation_id", "municipality", "reported_by", "organisations", "arose_in", "category", "occurred_on",
               "month", "quarter", "principled", "description", "tried_locally", "sent_on")


@app.get("/county/deviations.csv")
def deviations_csv(f: queries.Filters = Depends(filters), who: Identity = Depends(secretariat)) -> Response:
    with pool().connection() as conn:
        rows = queries.deviations(conn, f)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        row = {**row, "organisations": ",".join(f"{o['kind']}:{o['side']}" for o in row["organisations"]),
               "arose_in": f"{row['arose_in']['kind']}:{row['arose_in']['side']}"}
        writer.writerow([row[c] for c in CSV_COLUMNS])
    # A BOM so that Excel opens the Swedish characters correctly.
    return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="avvikelser.csv"'})


@app.get("/county/deviations/{deviation_id}")
def deviation(deviation_id: UUID, who: Identity = Depends(secretariat)) -> dict:
    with pool().connection() as conn:
        row = queries.deviation(conn, str(deviation_id))
    if row is None:
        raise HTTPException(status_code=404, detail="Avvikelsen finns inte i länsbilden.")
    return row


@app.get("/county/yearly/{year}")
def yearly(year: int, who: Identity = Depends(secretariat)) -> dict:
    if not 2000 <= year <= 2100:
        raise HTTPException(status_code=422, detail="Ange ett år mellan 2000 och 2100.")
    with pool().connection() as conn:
        return queries.yearly(conn, year)
