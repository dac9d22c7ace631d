"""Rektor's follow-up page from the read model: filtered, paginated, the urgent first.

Everything date-dependent is computed here from `today`, so overdue shows without a new event.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import psycopg

from projections.followup.access import VISIBLE

SOON_DAYS = 14
STATUSES = ("open", "referred", "investigating", "investigated", "decided", "programme", "moved", "sent_back")
WAITING = ("referred", "investigating", "investigated", "moved")

# Flags, as SQL over one followup_case row; %(today)s and %(soon)s are bound per query.
FLAGS = {
    "investigation_overdue": "status = 'referred' AND investigation_started_on IS NULL AND investigation_due < %(today)s",
    "decision_overdue": "status IN ('referred', 'investigating', 'investigated') AND decided_on IS NULL AND decision_due < %(today)s",
    "follow_up_overdue": "status = 'programme' AND next_follow_up < %(today)s",
    "follow_up_soon": "status = 'programme' AND next_follow_up BETWEEN %(today)s AND %(soon)s",
    "evaluation_overdue": "status = 'programme' AND evaluated_on IS NULL AND evaluation_on < %(today)s",
    "evaluation_soon": "status = 'programme' AND evaluated_on IS NULL AND evaluation_on BETWEEN %(today)s AND %(soon)s",
    "undelivered": "undelivered > 0",
    "appeal_open": "appeal_open_until >= %(today)s",
    # R9: an appeal the school has to act on (complete, reject, reconsider or forward), and one
    # whose day to be forwarded by has passed without that.
    "appeal_waiting": "appeal_status IN ('incomplete', 'late', 'registered')",
    "appeal_forwarding_overdue": "appeal_status IN ('incomplete', 'late', 'registered') AND appeal_forward_due < %(today)s",
}
OVERDUE = " OR ".join(f"({FLAGS[k]})" for k in ("investigation_overdue", "decision_overdue", "follow_up_overdue",
                                               "evaluation_overdue", "appeal_forwarding_overdue"))
ATTENTION = " OR ".join(f"({FLAGS[k]})" for k in ("follow_up_soon", "evaluation_soon", "undelivered", "appeal_waiting"))
COLUMNS = (
    "case_id, school_unit, opened_at, status, adaptations, referred_on, investigation_due, decision_due,"
    " investigator, investigation_started_on, decided_on, decision_kind, next_follow_up, follow_ups_done,"
    " evaluation_on, evaluated_on, undelivered, appeal_open_until, pupil_left_on, appeal_status, appeal_forward_due,"
    " appeal_forwarded_on, appeal_reconsidered, appeal_board_outcome, sent_back_to"
)


# The rows the viewer may see at all: open cases of the units in scope.
IN_SCOPE = (f"municipality = %(municipality)s AND school_unit = ANY(%(units)s) AND status <> 'closed'"
            f" AND disposed_on IS NULL AND {VISIBLE}")


def _chosen(status: str | None, investigator: str | None) -> str:
    """The filters the viewer chose, on top of the visible rows."""
    chosen = ["TRUE"]
    if status == "overdue":
        chosen.append(f"({OVERDUE})")
    elif status:
        chosen.append("status = %(status)s")
    if investigator:
        chosen.append("investigator = %(investigator)s")
    return " AND ".join(chosen)


ORDER = f"({OVERDUE}) IS TRUE DESC, ({ATTENTION}) IS TRUE DESC, opened_at DESC, case_id"  # the overdue first,
# then what is due soon or undelivered, then the newest cases


def page(
    conn: psycopg.Connection, municipality: str, school_units: list[str], today: date, *,
    status: str | None = None, investigator: str | None = None, page_number: int = 1, page_size: int = 25,
    viewer: str = "",
) -> dict[str, Any]:
    """The page's rows (their flags worked out for the shown rows only, after the sort), the
    counts and the investigators."""
    params = {"viewer": viewer,
        "municipality": municipality, "units": school_units, "today": today, "soon": today + timedelta(days=SOON_DAYS),
        "status": status, "investigator": investigator, "limit": page_size, "offset": (page_number - 1) * page_size,
    }
    chosen = _chosen(status, investigator)
    flags = ", ".join(f"({sql}) IS TRUE AS {name}" for name, sql in FLAGS.items())
    rows = conn.execute(
        f"SELECT {COLUMNS}, {flags}, ({OVERDUE}) IS TRUE AS overdue FROM ("
        f"SELECT * FROM followup_case WHERE {IN_SCOPE} AND {chosen} ORDER BY {ORDER} LIMIT %(limit)s OFFSET %(offset)s"
        f") AS shown ORDER BY {ORDER}",
        params,
    )
    names = [d.name for d in rows.description]
    result = [_row(dict(zip(names, values)), today) for values in rows.fetchall()]
    counts = conn.execute(
        "SELECT count(*),"
        f" count(*) FILTER (WHERE status IN {WAITING}),"
        f" count(*) FILTER (WHERE {OVERDUE}),"
        f" count(*) FILTER (WHERE ({FLAGS['follow_up_soon']}) OR ({FLAGS['evaluation_soon']})),"
        f" count(*) FILTER (WHERE {FLAGS['undelivered']}),"
        f" count(*) FILTER (WHERE {FLAGS['appeal_open']}),"
        f" count(*) FILTER (WHERE {FLAGS['appeal_waiting']})"
        f" FROM followup_case WHERE {IN_SCOPE} AND {chosen}",
        params,
    ).fetchone()
    investigators = [r[0] for r in conn.execute(  # to filter by: of every visible case, whichever filter is chosen
        f"SELECT DISTINCT investigator FROM followup_case WHERE {IN_SCOPE} AND investigator IS NOT NULL ORDER BY 1",
        params,
    ).fetchall()]
    total, waiting, overdue, due_soon, undelivered, appeal_open, appeals_waiting = counts
    return {
        "rows": result, "total": total, "page": page_number, "page_size": page_size, "today": today.isoformat(),
        "summary": {"open": total, "waiting": waiting, "overdue": overdue, "due_soon": due_soon,
                    "undelivered": undelivered, "appeal_open": appeal_open, "appeals_waiting": appeals_waiting},
        "investigators": investigators,
    }


def _row(row: dict[str, Any], today: date) -> dict[str, Any]:
    referred_on = row["referred_on"]
    out = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}
    out["case_id"] = str(row["case_id"])
    out["days_waiting"] = (today - referred_on).days if referred_on and row["status"] in WAITING else None
    return out
