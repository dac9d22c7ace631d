"""Reading the county view: counts and trends by period, municipality, category and
organisation, drill-down to the de-identified reports, and the yearly compilation."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg

from projections.county.readmodel import ALL


@dataclass(frozen=True)
class Filters:
    year: int | None = None
    municipality: str | None = None
    category: str | None = None
    organisation: str | None = None
    period: str | None = None  # a month (2026-03), quarter (2026-Q1) or year (2026)

    def where(self, table: str) -> tuple[str, list[Any]]:
        clauses, params = ["TRUE"], []
        if self.year:
            clauses.append("year = %s")
            params.append(self.year)
        if self.municipality:
            clauses.append("municipality = %s")
            params.append(self.municipality)
        if self.category:
            clauses.append("category = %s")
            params.append(self.category)
        if table == "county_deviation":
            if self.organisation:
                clauses.append("organisations @> %s::jsonb")
                params.append(f'[{{"kind": "{self.organisation}"}}]')
            if self.period:
                clauses.append("(month = %s OR quarter = %s OR year::text = %s)")
                params += [self.period] * 3
        return " AND ".join(clauses), params


def counts(conn: psycopg.Connection, period_kind: str, filters: Filters) -> dict[str, Any]:
    where, params = filters.where("county_count")
    org_clause = "organisation = %s"  # one organisation, or "*": each deviation once
    org_param = filters.organisation or ALL

    def grouped(column: str, organisation_filter: bool = True) -> list[dict[str, Any]]:
        org_sql, org_params = (org_clause, [org_param]) if organisation_filter else ("organisation <> %s", [ALL])
        rows = conn.execute(
            f"SELECT {column}, sum(deviations)::int FROM county_count WHERE period_kind = %s AND {where} AND {org_sql}"
            f" GROUP BY {column} ORDER BY {column}",
            [period_kind, *params, *org_params],
        ).fetchall()
        return [{"key": str(key), "deviations": n} for key, n in rows]

    trend = conn.execute(
        f"SELECT period, municipality, sum(deviations)::int FROM county_count WHERE period_kind = %s AND {where}"
        f" AND {org_clause} GROUP BY period, municipality ORDER BY period, municipality",
        [period_kind, *params, org_param],
    ).fetchall()
    return {
        "period_kind": period_kind,
        "by_period": grouped("period"),
        "by_municipality": grouped("municipality"),
        "by_category": grouped("category"),
        "by_organisation": grouped("organisation", organisation_filter=False)
        if not filters.organisation else grouped("organisation"),
        "trend": [{"period": p, "municipality": m, "deviations": n} for p, m, n in trend],
        "total": sum(r["deviations"] for r in grouped("period")),
    }


COLUMNS = ("deviation_id", "municipality", "reported_by", "organisations", "arose_in", "category", "occurred_on",
           "month", "quarter", "year", "principled", "description", "tried_locally", "sent_on")


def _row(values: tuple) -> dict[str, Any]:
    row = dict(zip(COLUMNS, values))
    row["deviation_id"] = str(row["deviation_id"])
    row["occurred_on"] = row["occurred_on"].isoformat()
    row["sent_on"] = row["sent_on"].isoformat()
    return row


def deviations(conn: psycopg.Connection, filters: Filters, limit: int = 5000) -> list[dict[str, Any]]:
    where, params = filters.where("county_deviation")
    rows = conn.execute(
        f"SELECT {', '.join(COLUMNS)} FROM county_deviation WHERE {where} ORDER BY occurred_on DESC, deviation_id LIMIT %s",
        [*params, limit],
    ).fetchall()
    return [_row(r) for r in rows]


def deviation(conn: psycopg.Connection, deviation_id: str) -> dict[str, Any] | None:
    row = conn.execute(f"SELECT {', '.join(COLUMNS)} FROM county_deviation WHERE deviation_id = %s", (deviation_id,)).fetchone()
    return _row(row) if row else None


def years(conn: psycopg.Connection) -> list[int]:
    return [y for (y,) in conn.execute("SELECT DISTINCT year FROM county_deviation ORDER BY year DESC").fetchall()]


def yearly(conn: psycopg.Connection, year: int) -> dict[str, Any]:
    """The yearly compilation (årssammanställning) the secretariat analyses with the regional
    manager group: the year's counts in every dimension, by quarter and month, and every report."""
    filters = Filters(year=year)
    by_quarter = counts(conn, "quarter", filters)
    by_month = counts(conn, "month", filters)
    reports = deviations(conn, filters)
    return {
        "year": year,
        "total": by_quarter["total"],
        "principled": sum(1 for r in reports if r["principled"]),
        "by_quarter": by_quarter["by_period"],
        "by_month": by_month["by_period"],
        "by_municipality": by_quarter["by_municipality"],
        "by_category": by_quarter["by_category"],
        "by_organisation": by_quarter["by_organisation"],
        "trend": by_quarter["trend"],
        "reports": reports,
    }


def held(conn: psycopg.Connection, deviation_id: str, sent_version: int | None = None) -> dict[str, Any] | None:
    """Whether the regional check holds the deviation back, and why (kinds, never the text).
    None when the county knows nothing of it (neither held nor published). With `sent_version`
    (the version of the sending the deviations service stands at), only a held message of that
    sending or a later one counts: an earlier hold is not this sending's."""
    rows = conn.execute(
        "SELECT municipality, reported_by, sent_version, reasons, held_at, released FROM held_deviation"
        " WHERE deviation_id = %s ORDER BY held_at DESC, sent_version DESC",
        (deviation_id,),
    ).fetchall()
    published = conn.execute(
        "SELECT municipality, reported_by FROM county_deviation WHERE deviation_id = %s", (deviation_id,)
    ).fetchone()
    if not rows and published is None:
        return None
    municipality, reported_by = (rows[0][0], rows[0][1]) if rows else published
    current = next((r for r in rows if not r[5] and (sent_version is None or r[2] >= sent_version)), None)
    return {
        "deviation_id": deviation_id,
        "municipality": municipality,
        "reported_by": reported_by,
        "held": current is not None,
        "reasons": list(current[3]) if current else [],
        "held_at": current[4].isoformat() if current else None,
        "sent_version": current[2] if current else None,
    }
