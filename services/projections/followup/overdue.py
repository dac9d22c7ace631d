"""Overdue detection without new events: a timer asks the read model which deadlines have
passed by `clock()` and publishes each once on its own topic (CaseDeadlineOverdue), so other
views can use them. The clock is injected: tests pass a controlled one.

At-least-once: a deadline is marked published only after Kafka acknowledged it; a crash in
between publishes it again with the same deterministic event_id, which consumers deduplicate.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime, timezone
from typing import Any, Callable

import psycopg

from eventkit.config import topic
from eventkit.contracts import contract_for, validate_message
from eventkit.producer import IdempotentProducer
from projections.followup import readmodel

TOPIC = topic("stodspar.followup.overdue.v1")
EVENT_TYPE = "CaseDeadlineOverdue"
_NAMESPACE = uuid.UUID("8f1f6f0a-2d55-4f1e-8b7e-5a0f2b9c3d41")

# One SELECT per deadline: (name, due column, condition on the row that makes it overdue).
DEADLINES = {
    "investigation_start": ("investigation_due", "status = 'referred' AND investigation_started_on IS NULL"),
    "decision": ("decision_due", "status IN ('referred', 'investigating', 'investigated') AND decided_on IS NULL"),
    "follow_up": ("next_follow_up", "status = 'programme'"),
    "evaluation": ("evaluation_on", "status = 'programme' AND evaluated_on IS NULL"),
    # R9: an appeal neither forwarded to the board, rejected nor lapsed within 7 days of receipt.
    "appeal_forwarding": ("appeal_forward_due", "appeal_status IN ('incomplete', 'late', 'registered')"),
}
BATCH = 1000


def _select_overdue() -> str:
    parts = [
        f"SELECT case_id, municipality, school_unit, last_version, '{name}' AS deadline, {column} AS due_on"
        f" FROM followup_case WHERE {condition} AND {column} < %(today)s AND disposed_on IS NULL"
        for name, (column, condition) in DEADLINES.items()
    ]
    return (
        "SELECT o.* FROM (" + " UNION ALL ".join(parts) + ") o"
        " WHERE NOT EXISTS (SELECT 1 FROM overdue_published p"
        "  WHERE p.case_id = o.case_id AND p.deadline = o.deadline AND p.due_on = o.due_on)"
        f" ORDER BY o.due_on LIMIT {BATCH}"
    )


def overdue_message(row: dict[str, Any], detected_on: date) -> dict[str, Any]:
    case_id = str(row["case_id"])
    message = {
        "event_id": str(uuid.uuid5(_NAMESPACE, f"{case_id}:{row['deadline']}:{row['due_on'].isoformat()}")),
        "event_type": EVENT_TYPE,
        "schema_version": contract_for(EVENT_TYPE).version,
        "occurred_at": datetime.now(timezone.utc).isoformat(),
        "aggregate_id": case_id,
        "aggregate_version": row["last_version"],
        "municipality": row["municipality"],
        "data": {
            "case_id": case_id,
            "school_unit": row["school_unit"],
            "deadline": row["deadline"],
            "due_on": row["due_on"].isoformat(),
            "detected_on": detected_on.isoformat(),
        },
    }
    validate_message(message)
    return message


class OverdueDetector:
    def __init__(self, clock: Callable[[], date], topic: str = TOPIC) -> None:
        self.clock = clock
        self.topic = topic
        self._producer = IdempotentProducer()

    async def run_once(self) -> list[dict[str, Any]]:
        """Publish every deadline that has passed and was not published yet; returns the messages."""
        today = self.clock()
        async with await psycopg.AsyncConnection.connect(readmodel.PROJECTION.conninfo, autocommit=True) as conn:
            await readmodel.PROJECTION.create_schema(conn)
            cursor = await conn.execute(_select_overdue(), {"today": today})
            names = [d.name for d in cursor.description]
            rows = [dict(zip(names, values)) for values in await cursor.fetchall()]
            if not rows:
                return []
            messages = [overdue_message(row, today) for row in rows]
            sent = [await self._producer.send(self.topic, m) for m in messages]
            for delivery in sent:
                await delivery
            async with conn.transaction():
                async with conn.cursor() as cur:
                    await cur.executemany(
                        "INSERT INTO overdue_published (case_id, deadline, due_on) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                        [(r["case_id"], r["deadline"], r["due_on"]) for r in rows],
                    )
            return messages

    async def close(self) -> None:
        await self._producer.close()
