"""Read API of the county view, for the BUS secretariat only: counts and trends, drill-down
to the de-identified reports, CSV export and the yearly compilation. And, for the staff of the
municipality a deviation concerns (not the secretariat), whether the check before the regional
stream holds it back, and why (`/county/held/{deviation_id}`)."""
from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from fastapi import Depends, HTTPException, Query
from fastapi.responses import Response

from eventkit.http import current_identity, service_api
from eventkit import authz, spreadsheet
from eventkit.identity import Identity
from eventkit.readapi import view_pool
from eventkit.spreadsheet import Column
from eventkit.vocabulary import labels, literal
from projections.county import queries, readmodel

app = service_api("Stödspår – länsbilden för BUS-sekretariatet (read model)", audience="county", tracing_name="county-api")
# The policy entries each kind of operation is decided by (eventkit.authz.operation).
SECRETARIAT = authz.operation("county.read")

Kind = literal("OrganisationKind")  # the deviations service's lists, as published in contracts/
Category = literal("DeviationCategory")


pool = view_pool(readmodel.PROJECTION)


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


@app.get("/county/counts", **SECRETARIAT)
def counts(period_kind: Literal["month", "quarter", "year"] = "month", f: queries.Filters = Depends(filters),
           who: Identity = Depends(secretariat)) -> dict:
    with pool().connection() as conn:
        return {**queries.counts(conn, period_kind, f), "years": queries.years(conn)}


@app.get("/county/deviations", **SECRETARIAT)
def deviations(f: queries.Filters = Depends(filters), who: Identity = Depends(secretariat)) -> dict:
    with pool().connection() as conn:
        return {"rows": queries.deviations(conn, f)}


ORGANISATIONS, SIDES, CATEGORIES = labels("OrganisationKind"), labels("OrganisationSide"), labels("DeviationCategory")


def _organisation(value: dict) -> str:
    """The kind and its side as the county pages word them: "Habilitering (regionen)"."""
    return f"{ORGANISATIONS[value['kind']]} ({SIDES[value['side']]})"


def _quarter(value: str) -> str:
    year, quarter = value.split("-Q")
    return f"{year} kvartal {quarter}"


# The export's columns, in Swedish with the values worded by the published lists' labels
# (contracts/vocabularies, as on the county pages); dates ISO; no ids (eventkit.spreadsheet).
CSV_COLUMNS = (
    Column("Kommunkod", "municipality"),
    Column("Rapporterad av", "reported_by", lambda side: SIDES[side]),
    Column("Berörda verksamheter", "organisations", lambda values: ", ".join(_organisation(o) for o in values)),
    Column("Uppstod i", "arose_in", _organisation),
    Column("Kategori", "category", lambda code: CATEGORIES[code]),
    Column("Inträffade", "occurred_on", date.fromisoformat),
    Column("Månad", "month"),
    Column("Kvartal", "quarter", _quarter),
    Column("Principiell", "principled"),
    Column("Beskrivning", "description"),
    Column("Vad som prövats lokalt", "tried_locally"),
    Column("Skickad till BUS", "sent_on", date.fromisoformat),
)


@app.get("/county/deviations.csv", **SECRETARIAT)
def deviations_csv(f: queries.Filters = Depends(filters), who: Identity = Depends(secretariat)) -> Response:
    with pool().connection() as conn:
        rows = queries.deviations(conn, f)
    return Response(spreadsheet.csv_text(CSV_COLUMNS, rows), media_type=spreadsheet.MEDIA_TYPE,
                    headers=spreadsheet.attachment("avvikelser.csv"))


@app.get("/county/deviations/{deviation_id}", **SECRETARIAT)
def deviation(deviation_id: UUID, who: Identity = Depends(secretariat)) -> dict:
    with pool().connection() as conn:
        row = queries.deviation(conn, str(deviation_id))
    if row is None:
        raise HTTPException(status_code=404, detail="Avvikelsen finns inte i länsbilden.")
    return row


@app.get("/county/yearly/{year}", **SECRETARIAT)
def yearly(year: int, who: Identity = Depends(secretariat)) -> dict:
    if not 2000 <= year <= 2100:
        raise HTTPException(status_code=422, detail="Ange ett år mellan 2000 och 2100.")
    with pool().connection() as conn:
        return queries.yearly(conn, year)


def municipal_staff(who: Identity = Depends(current_identity)) -> Identity:
    authz.require(who, "deviations.read")  # the municipalities' and the region's staff; not the secretariat
    return who


def _concerns(who: Identity, found: dict) -> bool:
    """The deviation concerns the caller's municipality; or it is a region unit's report and the
    caller is of that region (the länskod is the first two digits of the kommunkod)."""
    if who.municipality == found["municipality"]:
        return True
    return (found["reported_by"] == "region" and len(who.municipality) == 2
            and found["municipality"].startswith(who.municipality))


@app.get("/county/held/{deviation_id}", **authz.operation("deviations.read"))
def held(deviation_id: UUID, sent_version: int | None = Query(default=None, ge=1, le=1_000_000),
         who: Identity = Depends(municipal_staff)) -> dict:
    """Whether the check before bus.deviations.v1 holds the deviation back (R22): the reasons
    (kinds of what the text still holds, never the text) and when. Not found for a deviation
    the county does not know, or that concerns another municipality."""
    with pool().connection() as conn:
        found = queries.held(conn, str(deviation_id), sent_version)
    if found is None or not _concerns(who, found):
        raise HTTPException(status_code=404, detail="Avvikelsen finns inte, eller så har du inte behörighet till den.")
    return {key: found[key] for key in ("deviation_id", "held", "reasons", "held_at", "sent_version")}
