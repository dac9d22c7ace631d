"""A rebuild applies a whole fetch at once (`Projection.apply_all`): each event reaches its
handler once and in order, whether it came twice in the fetch, had been applied before, or is
of a type the view does not handle."""
from __future__ import annotations

import asyncio
import uuid

import psycopg
import pytest
from psycopg import sql

from eventkit.projection import Projection, batch

pytestmark = pytest.mark.integration
SCHEMA = "test_apply_all"


def _message(event_type: str, n: int, event_id: str | None = None) -> dict:
    return {"event_id": event_id or str(uuid.uuid4()), "event_type": event_type, "data": {"n": n}}


def test_apply_all_hands_each_event_to_its_handler_once_and_in_order():
    seen: list[int] = []

    async def noted(conn: psycopg.AsyncConnection, message: dict) -> None:
        seen.append(message["data"]["n"])
        await conn.execute("INSERT INTO noted (n) VALUES (%s)", (message["data"]["n"],))

    view = Projection(name="test", database="FOLLOWUP_DB", topics=(), handlers={"Noted": noted},
                      ddl="CREATE TABLE IF NOT EXISTS noted (n int NOT NULL);")
    before = _message("Noted", 0)
    twice = _message("Noted", 2)
    fetch = [_message("Noted", 1), twice, _message("Other", 99), before, _message("Noted", 3), dict(twice)]

    async def run() -> tuple[int, list[int]]:
        async with await psycopg.AsyncConnection.connect(view.conninfo, autocommit=True) as admin:
            await admin.execute(sql.SQL("DROP SCHEMA IF EXISTS {0} CASCADE; CREATE SCHEMA {0}").format(sql.Identifier(SCHEMA)))
        try:
            async with await psycopg.AsyncConnection.connect(
                    view.conninfo, autocommit=True, options=f"-c search_path={SCHEMA}") as conn:
                await view.create_schema(conn)
                assert await view.apply(conn, before)  # applied before the fetch
                seen.clear()
                async with batch(conn):
                    applied = await view.apply_all(conn, fetch)
                rows = await (await conn.execute("SELECT n FROM noted ORDER BY n")).fetchall()
                return applied, [n for (n,) in rows]
        finally:
            async with await psycopg.AsyncConnection.connect(view.conninfo, autocommit=True) as admin:
                await admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(SCHEMA)))

    applied, stored = asyncio.run(run())
    assert seen == [1, 2, 3], "in order, the one seen twice once, the one applied before not again"
    assert stored == [0, 1, 2, 3]
    # The event the view does not handle is recorded as processed and counted (only_handled=False).
    assert applied == 4
