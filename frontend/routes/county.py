"""The county view for the BUS secretariat (länsbilden, R23): counts and trends by
municipality, organisation, category and period as SVG charts and tables; drill-down to the
de-identified reports; CSV export; the printable yearly compilation."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from frontend import charts
from frontend.deps import signed_in_as
from frontend.deviation_labels import CATEGORIES, ORGANISATIONS, PERIOD_KINDS
from frontend.deviations_client import county_client
from frontend.web import render
from eventkit import spreadsheet
from eventkit.dates import local_today

router = APIRouter()
Secretariat = signed_in_as("county.read", "Länsbilden är till för BUS-sekretariatet.")


def _filters(ar: str = "", kommun: str = "", kategori: str = "", verksamhet: str = "", period: str = "") -> dict[str, str]:
    """Only well-formed filters reach the read API; anything else is ignored, not an error."""
    chosen: dict[str, str] = {}
    if ar.isdigit() and len(ar) == 4:
        chosen["year"] = ar
    if kommun.isdigit() and len(kommun) == 4:
        chosen["municipality"] = kommun
    if kategori in CATEGORIES:
        chosen["category"] = kategori
    if verksamhet in ORGANISATIONS:
        chosen["organisation"] = verksamhet
    if period and len(period) <= 7 and period[:4].isdigit():
        chosen["period"] = period
    return chosen


Filters = Annotated[dict[str, str], Depends(_filters)]


def _labelled(rows: list[dict[str, Any]], labels: dict[str, str]) -> list[tuple[str, int]]:
    return [(labels.get(r["key"], r["key"]), r["deviations"]) for r in rows]


def chart_set(request: Request, summary: dict[str, Any]) -> dict[str, Any]:
    names = request.app.state.templates.env.globals["municipality_names"]
    kind = PERIOD_KINDS.get(summary.get("period_kind", "month"), "").lower()
    return {
        "trend": charts.columns([(r["key"], r["deviations"]) for r in summary["by_period"]], f"Avvikelser per {kind}"),
        "municipality": charts.bars(_labelled(summary["by_municipality"], names), "Avvikelser per kommun"),
        "category": charts.bars(_labelled(summary["by_category"], CATEGORIES), "Avvikelser per kategori"),
        "organisation": charts.bars(_labelled(summary["by_organisation"], ORGANISATIONS), "Berörda verksamheter"),
    }


@router.get("/lan")
async def county_view(request: Request, who: Secretariat, filters: Filters, indelning: str = "month") -> Response:
    period_kind = indelning if indelning in PERIOD_KINDS else "month"
    summary = await county_client(request, who).counts({"period_kind": period_kind, **filters})
    return render(request, "county_view.html", {
        "summary": summary, "charts": chart_set(request, summary), "filters": filters, "period_kind": period_kind,
        "query": request.url.query,
    })


@router.get("/lan/avvikelser")
async def county_list(request: Request, who: Secretariat, filters: Filters) -> Response:
    rows = await county_client(request, who).deviations(filters)
    return render(request, "county_list.html", {"rows": rows, "filters": filters, "query": request.url.query})


@router.get("/lan/avvikelser.csv")
async def county_csv(request: Request, who: Secretariat, filters: Filters) -> Response:
    content = await county_client(request, who).csv(filters)
    # Written by the county API with eventkit.spreadsheet (BOM, semicolons, Swedish words, ISO dates).
    return Response(content, media_type=spreadsheet.MEDIA_TYPE, headers=spreadsheet.attachment("avvikelser-lanet.csv"))


@router.get("/lan/avvikelser/{deviation_id}")
async def county_deviation(request: Request, deviation_id: str, who: Secretariat) -> Response:
    row = await county_client(request, who).deviation(deviation_id)
    return render(request, "county_deviation.html", {"d": row})


@router.get("/lan/arssammanstallning")
async def yearly(request: Request, who: Secretariat, ar: str = "") -> Response:
    year = int(ar) if ar.isdigit() and 2000 <= int(ar) <= 2100 else local_today().year
    compiled = await county_client(request, who).yearly(year)
    compiled["period_kind"] = "quarter"
    compiled["by_period"] = compiled["by_quarter"]
    return render(request, "county_yearly.html", {
        "y": compiled, "charts": chart_set(request, compiled),
        "months": charts.columns([(r["key"][5:], r["deviations"]) for r in compiled["by_month"]], "Avvikelser per månad"),
    })
