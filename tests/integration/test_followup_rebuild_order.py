"""The follow-up view is exact whatever order a pupil's disposal and the case's own events are
applied in (#11): the disposal is keyed by disposal id and travels on another partition than
the case's events, so a rebuild may meet it first. Either way the case leaves every page and
its structure stays in the disposal statistics; applying everything again changes nothing."""
from __future__ import annotations

import asyncio
import uuid
from datetime import date

import psycopg
import pytest

from eventkit.config import Postgres
from projections.followup import queries, readmodel

pytestmark = pytest.mark.integration
TODAY = date(2026, 3, 20)


def messages(case_id: str) -> tuple[list[dict], dict]:
    def message(event_type: str, version: int, data: dict) -> dict:
        return {"event_id": str(uuid.uuid4()), "event_type": event_type, "municipality": "0180",
                "occurred_at": "2026-03-02T09:00:00+00:00", "aggregate_id": case_id, "aggregate_version": version,
                "data": {"case_id": case_id, **data}}

    case = [
        message("CaseOpened", 1, {"school_unit": "0180-ENG"}),
        message("ExtraAdaptationRecorded", 2, {}),
        message("CaseReferredToRektor", 3, {"referred_on": "2026-03-03", "investigation_due": "2026-03-10",
                                            "decision_due": "2026-03-31"}),
    ]
    disposal = {"event_id": str(uuid.uuid4()), "event_type": "PupilRecordsDisposed", "municipality": "0180",
                "occurred_at": "2026-03-20T09:00:00+00:00", "aggregate_id": str(uuid.uuid4()), "aggregate_version": 1,
                "data": {"case_ids": [case_id], "disposed_on": "2026-03-20"}}
    return case, disposal


async def apply_all(ordered: list[dict]) -> None:
    async with await psycopg.AsyncConnection.connect(Postgres.for_database("FOLLOWUP_DB").conninfo, autocommit=True) as conn:
        await readmodel.PROJECTION.create_schema(conn)
        for message in ordered:
            await readmodel.PROJECTION.apply(conn, message)


def state(case_id: str) -> tuple[bool, list[tuple]]:
    with psycopg.connect(Postgres.for_database("FOLLOWUP_DB").conninfo) as conn:
        shown = queries.page(conn, "0180", ["0180-ENG"], TODAY, page_size=1000, viewer="rolf.ek")
        statistics = conn.execute(
            "SELECT school_unit, opened_on, status, disposed_on FROM followup_disposed_case f"
            " JOIN followup_disposal d USING (disposed_on) WHERE d.case_id = %s", (case_id,)).fetchall()
    return case_id in {r["case_id"] for r in shown["rows"]}, sorted(set(statistics))


@pytest.mark.parametrize("disposal_first", [False, True], ids=["disposal-last", "disposal-first"])
def test_r17_a_disposed_case_stays_gone_and_counted_in_any_order(stack, disposal_first):
    case_id = str(uuid.uuid4())
    case, disposal = messages(case_id)
    asyncio.run(apply_all([disposal, *case] if disposal_first else [*case, disposal]))
    shown, statistics = state(case_id)
    assert not shown
    assert (("0180-ENG", date(2026, 3, 2), "referred", date(2026, 3, 20)) in statistics)
    asyncio.run(apply_all([*case, disposal]))  # redelivered: nothing changes
    assert state(case_id) == (shown, statistics)
