"""The follow-up read model and its queries with protected identity (R14), on the real
PostgreSQL read model: the messages are the cases service's own public events (domain event →
translate → contract-checked message), applied as the projection applies them. Rows, the
total, every count and the investigator suggestions leave the protected pupil out for anyone
not granted; nothing says that something was left out."""
from __future__ import annotations

import asyncio
from datetime import date, datetime, timezone

import psycopg
import pytest

from cases.domain.model import SupportCase
from cases.domain.values import PersonalIdentityNumber
from cases.public_events import translate
from eventkit.config import Postgres
from eventkit.contracts import validate_message
from eventkit.relay import to_message
from eventkit.store import EventMeta
from projections.followup import queries, readmodel

pytestmark = pytest.mark.integration

MUNICIPALITY, UNIT = "9999", "9999-PRV"  # a municipality of this test's own: no other rows
META = EventMeta(actor="rolf.ek", role="rektor", municipality=MUNICIPALITY)
TODAY = date(2026, 9, 10)


def _case(investigator: str, protected: bool) -> list[dict]:
    case = SupportCase.open(municipality=MUNICIPALITY, school_unit=UNIT, pupil=PersonalIdentityNumber.parse("201001012382"),
                            pupil_name="Elev Prövning", opened_by="anna.lind")
    case.refer_to_rektor(referred_by="anna.lind", referred_at=datetime(2026, 9, 1, 9, tzinfo=timezone.utc),
                         special_reason="Skäl")
    case.start_investigation(started_by="rolf.ek", by_rektor=True, investigator=investigator, student_health_team=True,
                             on=date(2026, 9, 2))
    if protected:
        case.mark_protected(marked_by="rolf.ek", by_rektor=True, on=date(2026, 9, 3))
        case.grant_access(user="sara.berg", granted_by="rolf.ek", by_rektor=True, on=date(2026, 9, 3))
    messages = []
    for event in case.collect_events():
        public = translate(event, META)
        if public is not None:
            message = to_message(event, META, public)
            validate_message(message)
            messages.append(message)
    return messages


async def _apply(messages: list[dict]) -> None:
    async with await psycopg.AsyncConnection.connect(Postgres.for_database("FOLLOWUP_DB").conninfo, autocommit=True) as conn:
        await readmodel.PROJECTION.create_schema(conn)
        for message in messages:
            await readmodel.PROJECTION.apply(conn, message)


def test_r14_the_follow_up_queries_leave_a_protected_pupil_out_for_the_ungranted(stack):
    """`stack`: the test databases exist and are this session's."""
    open_messages, protected_messages = _case("utredare.öppen", False), _case("utredare.skyddad", True)
    protected_id = protected_messages[0]["aggregate_id"]
    with psycopg.connect(Postgres.for_database("FOLLOWUP_DB").conninfo) as conn:
        readmodel.PROJECTION.create_schema_sync(conn)
        conn.execute("DELETE FROM followup_case WHERE municipality = %s", (MUNICIPALITY,))
        conn.commit()
    asyncio.run(_apply(open_messages + protected_messages + protected_messages))  # redelivered: no change

    with psycopg.connect(Postgres.for_database("FOLLOWUP_DB").conninfo) as conn:
        def page(viewer: str, **filters) -> dict:
            return queries.page(conn, MUNICIPALITY, [UNIT], TODAY, viewer=viewer, **filters)

        for granted in ("sara.berg", "rolf.ek"):
            seen = page(granted)
            assert seen["total"] == 2 and protected_id in {r["case_id"] for r in seen["rows"]}
            assert seen["investigators"] == ["utredare.skyddad", "utredare.öppen"]
        hidden = page("tomas.ahl")
        assert hidden["total"] == len(hidden["rows"]) == 1 and protected_id not in str(hidden)
        assert hidden["summary"]["open"] == 1 and hidden["summary"]["waiting"] == 1
        assert hidden["investigators"] == ["utredare.öppen"]
        searched = page("tomas.ahl", investigator="utredare.skyddad")
        assert searched["total"] == 0 and set(searched["summary"].values()) == {0}
        assert page("tomas.ahl", status="investigating")["total"] == 1
        assert page("tomas.ahl", page_number=2, page_size=1)["rows"] == []  # no second page to find it on
