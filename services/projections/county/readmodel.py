"""The county view's read model (länsbilden) in PostgreSQL, built only from bus.deviations.v1,
so a deviation that was not sent to the BUS secretariat can never be in it (R22, R23).

Windowed aggregation: each deviation adds one to its calendar month, quarter and year window,
per municipality, category and organisation involved ('*' counts the deviation once). Calendar
windows are not of fixed width, so the buckets are computed here rather than with faust's
tumbling windows (ADR 0013). Each event is applied in one transaction together with its row
in `processed_event` (eventkit.projection), so a redelivered message changes nothing.

`held_deviation` is the other side of the regional check (republish.reasons_to_hold): each
DeviationSentToBus the check held back, with why (kinds, never the text) and when, keyed by
the municipal event, so a redelivered message is held once. It is not part of the county
view: the staff of the municipality the deviation concerns see it (api.py). A later sending
of the same deviation releases it, by passing the check or by being held in its place.
"""
from __future__ import annotations

import json
from typing import Any

import psycopg

from eventkit.projection import Projection
from projections.county.republish import BUS_TOPIC

# The view is built (and rebuilt: projections.rebuild) from bus.deviations.v1 only
# (republish.BUS_TOPIC). `held_deviation` is the republisher's, from the regional check of the
# municipal topic at the time (it asks the register): a rebuild keeps the live table.
TOPICS = (BUS_TOPIC,)
KEPT_IN_REBUILD = ("held_deviation",)

SCHEMA = """
CREATE TABLE IF NOT EXISTS county_deviation (
    deviation_id uuid PRIMARY KEY,
    municipality text NOT NULL,
    reported_by text NOT NULL,
    organisations jsonb NOT NULL,
    arose_in jsonb NOT NULL,
    category text NOT NULL,
    occurred_on date NOT NULL,
    month text NOT NULL,
    quarter text NOT NULL,
    year integer NOT NULL,
    principled boolean NOT NULL,
    description text NOT NULL,
    tried_locally text NOT NULL,
    sent_on date NOT NULL
);
CREATE INDEX IF NOT EXISTS county_deviation_year ON county_deviation (year, municipality, category);
CREATE TABLE IF NOT EXISTS county_count (
    period_kind text NOT NULL,
    period text NOT NULL,
    year integer NOT NULL,
    municipality text NOT NULL,
    category text NOT NULL,
    organisation text NOT NULL,
    deviations integer NOT NULL,
    PRIMARY KEY (period_kind, period, municipality, category, organisation)
);
CREATE TABLE IF NOT EXISTS held_deviation (
    event_id uuid PRIMARY KEY,
    deviation_id uuid NOT NULL,
    municipality text NOT NULL,
    reported_by text NOT NULL,
    sent_version integer NOT NULL,
    reasons text[] NOT NULL,
    held_at timestamptz NOT NULL DEFAULT now(),
    released boolean NOT NULL DEFAULT false
);
CREATE INDEX IF NOT EXISTS held_deviation_by_deviation ON held_deviation (deviation_id, released);
"""
PERIOD_KINDS = ("month", "quarter", "year")
ALL = "*"


async def _bus_deviation(conn: psycopg.AsyncConnection, message: dict[str, Any]) -> bool:
    """One BusDeviation; False when the deviation was there under another event id."""
    d = message["data"]
    inserted = await conn.execute(
        "INSERT INTO county_deviation (deviation_id, municipality, reported_by, organisations, arose_in, category,"
        " occurred_on, month, quarter, year, principled, description, tried_locally, sent_on)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (deviation_id) DO NOTHING"
        " RETURNING deviation_id",
        (d["deviation_id"], d["municipality"], d["reported_by"], json.dumps(d["organisations"]),
         json.dumps(d["arose_in"]), d["category"], d["occurred_on"], d["period"]["month"], d["period"]["quarter"],
         d["period"]["year"], d["principled"], d["description"], d["tried_locally"], d["sent_on"]),
    )
    if await inserted.fetchone() is None:
        return False  # the same deviation under another event id: counted once
    kinds = sorted({o["kind"] for o in d["organisations"]}) + [ALL]
    for period_kind in PERIOD_KINDS:
        period = str(d["period"][period_kind])
        for organisation in kinds:
            await conn.execute(
                "INSERT INTO county_count (period_kind, period, year, municipality, category, organisation, deviations)"
                " VALUES (%s, %s, %s, %s, %s, %s, 1) ON CONFLICT (period_kind, period, municipality, category, organisation)"
                " DO UPDATE SET deviations = county_count.deviations + 1",
                (period_kind, period, d["period"]["year"], d["municipality"], d["category"], organisation),
            )
    return True


# Only BusDeviation is the view's: anything else on the topic is passed by, not recorded.
PROJECTION = Projection("county", "COUNTY_DB", TOPICS, SCHEMA, {"BusDeviation": _bus_deviation},
                        only_handled=True, kept=KEPT_IN_REBUILD)


async def hold(conn: psycopg.AsyncConnection, *, event_id: str, deviation_id: str, municipality: str, reported_by: str,
               sent_version: int, reasons: list[str]) -> bool:
    """Keep a DeviationSentToBus that the regional check held back (not published, not lost).
    An earlier held sending of the same deviation is released: this one is what stands now.
    False when this message had been held before (a redelivery)."""
    async with conn.transaction():
        cur = await conn.execute(
            "INSERT INTO held_deviation (event_id, deviation_id, municipality, reported_by, sent_version, reasons)"
            " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (event_id) DO NOTHING RETURNING event_id",
            (event_id, deviation_id, municipality, reported_by, sent_version, list(reasons)),
        )
        if await cur.fetchone() is None:
            return False
        await conn.execute(
            "UPDATE held_deviation SET released = true WHERE deviation_id = %s AND event_id <> %s AND NOT released",
            (deviation_id, event_id),
        )
        return True


async def release(conn: psycopg.AsyncConnection, deviation_id: str) -> int:
    """A later sending of the deviation passed the check and was published: what was held
    of it before is released. The number of rows released."""
    cur = await conn.execute(
        "UPDATE held_deviation SET released = true WHERE deviation_id = %s AND NOT released RETURNING 1", (deviation_id,)
    )
    return len(await cur.fetchall())
