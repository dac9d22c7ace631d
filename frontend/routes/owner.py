"""Huvudmannens översikt: the school owner's view for the municipality's administrator (ADR 0031).

Counts per school unit and over time (month, term or school year; a chosen period), as SVG
charts and tables, and the same figures as a CSV file. Every figure comes from the follow-up
read API already suppressed (a count from 1 to 4 is "färre än 5"; statistics over fewer than 5
cases are not given), so the page and the file can show nothing smaller. No pupil anywhere.
"""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from eventkit import spreadsheet
from eventkit.dates import MONTHS
from eventkit.vocabulary import labels
from frontend import charts
from frontend.deps import signed_in_as
from frontend.forms import FormState
from frontend.services_client import ServiceRefused, ServiceUnavailable
from frontend.web import followup_client, render

router = APIRouter()
SchoolOwner = signed_in_as("owner.read", "Huvudmannens översikt är till för kommunens administratör.")

PER = {"month": "Månad", "term": "Termin", "school_year": "Läsår"}
DECISION_KINDS = labels("DecisionKind")
# Every figure of a cell, in the order of the tables and the file: its key and Swedish heading.
METRICS: tuple[tuple[str, str], ...] = (
    ("referrals", "Anmälningar till rektor"),
    ("started_in_time", "Utredningar påbörjade inom kommunens tidsgräns"),
    ("days_to_start.median", "Dagar från anmälan till utredning, median"),
    ("days_to_start.p90", "Dagar från anmälan till utredning, 90:e percentilen"),
    ("days_to_decision.median", "Dagar från anmälan till beslut, median"),
    ("days_to_decision.p90", "Dagar från anmälan till beslut, 90:e percentilen"),
    *((f"decisions.{kind}", f"Beslut: {label}") for kind, label in DECISION_KINDS.items()),
    ("programmes_in_force", "Åtgärdsprogram som gäller"),
    ("follow_ups_overdue", "Åtgärdsprogram med försenad uppföljning"),
    ("evaluations_overdue", "Åtgärdsprogram med försenad utvärdering"),
    ("deviations", "Avvikelser"),
    ("answered_in_time", "Avvikelser besvarade inom svarstiden"),
    # R9: appeals of decisions, counted in the period they came in, with what became of them.
    ("appeals.received", "Överklaganden av beslut"),
    ("appeals.in_time", "Överklaganden som kom in i tid"),
    ("appeals.forwarded_in_time", "Överklaganden lämnade till överklagandenämnden inom 7 dagar"),
    ("appeals.rejected_late", "Överklaganden avvisade för att de kom in för sent"),
    ("appeals.lapsed", "Överklaganden som förföll när skolan ändrade beslutet"),
    ("appeals.upheld", "Nämnden: beslutet står fast"),
    ("appeals.changed", "Nämnden: beslutet ändrat"),
    ("appeals.sent_back", "Nämnden: återförvisat till skolan"),
)
WHOLE_MUNICIPALITY = "Hela kommunen"
WHOLE_PERIOD = "Hela perioden"
FIELDS = {"from": "fran", "to": "till", "per": "indelning"}


def flat(cell: dict[str, Any]) -> dict[str, Any]:
    """A cell's figures by METRICS key; a figure not given (no cases) is "–"."""
    out = {}
    for key, _ in METRICS:
        value: Any = cell
        for part in key.split("."):
            value = (value or {}).get(part) if isinstance(value, dict) else None
        out[key] = "–" if value is None else value
    return out


def _query(indelning: str, fran: str, till: str) -> tuple[dict[str, str], dict[str, str]]:
    values = {"indelning": indelning if indelning in PER else "month", "fran": fran.strip()[:10], "till": till.strip()[:10]}
    params = {"per": values["indelning"], "from": values["fran"], "to": values["till"]}
    return values, {k: v for k, v in params.items() if v}


def _chart_value(value: Any) -> int | str:
    return value if isinstance(value, (int, str)) else 0


def short_label(period: dict[str, str]) -> str:
    """A period under its column: "sep 26", "HT 2026", "läsåret 2026/27" as "2026/27"."""
    key = period["key"]
    if len(key) == 7 and key[4] == "-":
        return f"{MONTHS[int(key[5:]) - 1][:3]} {key[2:4]}"
    return period["label"].removeprefix("läsåret ")


def chart_set(rows: list[dict[str, Any]], periods: list[dict[str, str]], whose: str) -> dict[str, Any]:
    label = {p["key"]: short_label(p) for p in periods}

    def over_time(key: str, title: str) -> Any:
        return charts.columns([(label[r["period"]], _chart_value(flat(r)[key])) for r in rows], f"{title}, {whose}",
                              empty="Inga perioder")

    return {"referrals": over_time("referrals", "Anmälningar till rektor"),
            "programmes": over_time("programmes_in_force", "Åtgärdsprogram som gäller"),
            "deviations": over_time("deviations", "Avvikelser"),
            "appeals": over_time("appeals.received", "Överklaganden av beslut")}


async def _overview(request: Request, who: Any, params: dict[str, str]) -> dict[str, Any]:
    return await followup_client(request, who).owner_overview(params)


@router.get("/huvudman")
async def owner_view(request: Request, who: SchoolOwner, indelning: str = "month", fran: str = "", till: str = "",
                     skolenhet: str = "") -> Response:
    values, params = _query(indelning, fran, till)
    if skolenhet:
        params["school_unit"] = skolenhet[:64]  # that unit's figures per period too
    context: dict[str, Any] = {"form": FormState(values=values), "per_options": list(PER.items()), "answer": None,
                               "metrics": METRICS, "query": request.url.query}
    try:
        answer = await _overview(request, who, params)
    except ServiceRefused as refusal:
        errors = {FIELDS.get(k, "fran"): v for k, v in refusal.fields.items()}
        context["form"] = FormState(values=values, errors=errors or {"fran": refusal.message})
        return render(request, "owner_view.html", context, status_code=422)
    except ServiceUnavailable:
        context["form"] = FormState(values=values, problem="Översikten går inte att nå just nu. Försök igen om en stund.")
        return render(request, "owner_view.html", context, status_code=503)
    units = [u["school_unit"] for u in answer["units"]]
    unit = skolenhet if skolenhet in units else ""
    shown = next((u for u in answer["units"] if u["school_unit"] == unit), answer["municipality"])
    unit_name = request.app.state.templates.env.globals["unit_name"]
    whose = unit_name(unit) if unit else WHOLE_MUNICIPALITY.lower()
    values["skolenhet"] = unit
    context.update(
        form=FormState(values=values), answer=answer, unit=unit, whose=whose,
        whose_title=unit_name(unit) if unit else WHOLE_MUNICIPALITY,
        unit_options=[("", WHOLE_MUNICIPALITY), *((u, unit_name(u)) for u in units)],
        over_time=[(p, flat(row)) for p, row in zip(answer["periods"], shown["periods"])],
        per_unit=[(u["school_unit"], flat(u["total"])) for u in answer["units"]],
        municipality_total=flat(answer["municipality"]["total"]),
        charts=chart_set(shown["periods"], answer["periods"], whose),
    )
    return render(request, "owner_view.html", context)


@router.get("/huvudman/oversikt.csv")
async def owner_csv(request: Request, who: SchoolOwner, indelning: str = "month", fran: str = "", till: str = "") -> Response:
    """Every unit's and the municipality's figures per period and for the whole period, one row
    each: the same suppressed figures as the page."""
    _, params = _query(indelning, fran, till)
    params["units_over_time"] = "true"
    try:
        answer = await _overview(request, who, params)
    except ServiceRefused as refusal:
        return Response(f"{refusal.message} {' '.join(refusal.fields.values())}", status_code=422,
                        media_type="text/plain; charset=utf-8")
    label = {p["key"]: p["label"] for p in answer["periods"]}
    unit_name = request.app.state.templates.env.globals["unit_name"]
    rows = []
    for name, part in [(WHOLE_MUNICIPALITY, answer["municipality"]),
                       *((unit_name(u["school_unit"]), u) for u in answer["units"])]:
        rows += [{"unit": name, "period": label[r["period"]], **flat(r)} for r in part["periods"]]
        rows.append({"unit": name, "period": WHOLE_PERIOD, **flat(part["total"])})
    columns = [spreadsheet.Column("Skolenhet", "unit"), spreadsheet.Column("Period", "period"),
               *(spreadsheet.Column(heading, key) for key, heading in METRICS)]
    return Response(spreadsheet.csv_text(columns, rows), media_type=spreadsheet.MEDIA_TYPE,
                    headers=spreadsheet.attachment("huvudmannens-oversikt.csv"))
