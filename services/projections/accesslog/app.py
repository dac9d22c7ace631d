"""The loggkontroll projection as a faust-streaming worker: `faust -A projections.accesslog.app worker`.
Consumes stodspar.accesslog.v1 into ACCESSLOG_DB; at-least-once, idempotent by entry id."""
from __future__ import annotations

import asyncio
import json
import logging

import faust
import psycopg

from eventkit.config import RETRY_AT_MOST_SECONDS, Postgres
from eventkit.streams import projection_app, raw_topic
from eventkit.telemetry import setup_tracing
from projections.accesslog import readmodel

log = logging.getLogger("projections.accesslog")
[TOPIC] = readmodel.TOPICS

setup_tracing("accesslog-projection")
app = projection_app("stodspar-accesslog", "ACCESSLOG_FAUST_WEB_PORT", 6069)
accesslog_topic = raw_topic(app, TOPIC)
_conn: psycopg.AsyncConnection | None = None


async def _connection() -> psycopg.AsyncConnection:
    global _conn
    if _conn is None or _conn.closed:
        _conn = await psycopg.AsyncConnection.connect(Postgres.for_database("ACCESSLOG_DB").conninfo, autocommit=True)
        await readmodel.create_schema_async(_conn)
    return _conn


@app.agent(accesslog_topic)
async def project_access_log(stream: faust.StreamT) -> None:
    global _conn
    async for value in stream:
        backoff = 0.2
        while True:
            try:
                await readmodel.apply(await _connection(), json.loads(value))
                break
            except Exception as exc:  # database away: never skip an entry
                log.warning("access-log projection retrying: %s", type(exc).__name__)
                _conn = None
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, RETRY_AT_MOST_SECONDS)
