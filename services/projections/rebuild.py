"""Rebuilding a read model from its Kafka topics beside the live one, then switching to it
(`make rebuild VIEW=followup`; `python -m projections.rebuild VIEW`; ADR 0025).

1. A fresh schema `stodspar_rebuild` in the view's own database gets the view's tables (its own
   DDL, run with that schema first on the search path).
2. A plain consumer (no consumer group: the live worker's offsets are not touched) reads every
   partition of the view's topics from the beginning and applies what each fetch gave with the
   view's own handlers, the same code the live worker runs, into those tables
   (`Projection.apply_all`: one pipelined transaction per fetch, its processed events recorded
   by one statement); pass after pass until little is left.
3. The switch, in one transaction: the live tables are locked (ACCESS EXCLUSIVE, the processed
   events first, so a live apply is either committed before or waits), the rebuild reads on to
   the end offsets of that moment, so it has applied everything the live worker could have,
   the rebuilt tables and views take the live ones' place in `public` (ALTER ... SET SCHEMA),
   the tables a view keeps (not built from its topics, KEPT_IN_REBUILD) stay, and the old ones
   are dropped. Readers and the worker waiting on a lock then find the new tables by name
   (PostgreSQL looks a name up again after a lock wait and re-plans prepared statements whose
   tables moved), and the live worker skips what the rebuild applied (its processed events).

The live view keeps serving until the switch; the switch pauses it for as long as the last
catch-up takes (reported as `switch_pause_s`).
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Mapping

import psycopg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError
from psycopg import sql

from eventkit.config import kafka_bootstrap
from eventkit.projection import Projection, batch

REBUILD_SCHEMA = "stodspar_rebuild"
REPLACED_SCHEMA = "stodspar_replaced"
# One rebuild per database at a time (a session advisory lock; "STRB").
REBUILD_LOCK = 0x53545242
# A catch-up pass that applied fewer messages than this is the last one before the switch.
QUIET_ENOUGH = 500
# The switch waits this long for a lock held by a reader before it lets go and tries again, so a
# reader that holds one table and wants the next is never deadlocked with it.
LOCK_TIMEOUT = "300ms"
SWITCH_GIVES_UP_AFTER_S = 120.0
BATCH = 2000

ApplyAll = Callable[[psycopg.AsyncConnection, list[dict[str, Any]]], Awaitable[int]]


def views() -> dict[str, Projection]:
    """Every view by its name, as its worker runs it (its tables, topics and apply)."""
    from projections.accesslog import readmodel as accesslog
    from projections.county import readmodel as county
    from projections.followup import readmodel as followup
    from projections.quality import readmodel as quality
    from projections.worklist import readmodel as worklist

    return {view.name: view for view in (followup.PROJECTION, quality.PROJECTION, county.PROJECTION,
                                         accesslog.PROJECTION, worklist.PROJECTION)}


class RebuildRefused(Exception):
    """Said to the operator as it is (Swedish), exit status 2."""


@dataclass
class Report:
    view: str
    events: int = 0
    seconds: float = 0.0
    switch_pause_s: float = 0.0
    caught_up_in_switch: int = 0
    tables: list[str] = field(default_factory=list)

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"view": self.view, "events": self.events, "seconds": round(self.seconds, 3),
                "events_per_second": round(self.events_per_second), "switch_pause_s": round(self.switch_pause_s, 3),
                "caught_up_in_switch": self.caught_up_in_switch, "tables": self.tables}


def view_named(name: str) -> Projection:
    known = views()
    if name not in known:
        raise RebuildRefused(f"Okänd vy {name!r}. Ange VIEW= en av: {', '.join(known)} "
                             f"(t.ex. make rebuild VIEW=followup).")
    return known[name]


async def _partitions(consumer: AIOKafkaConsumer, topics: tuple[str, ...]) -> list[TopicPartition]:
    found: list[TopicPartition] = []
    for topic in topics:
        partitions = consumer.partitions_for_topic(topic)
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = consumer.partitions_for_topic(topic)
        if not partitions:
            raise RebuildRefused(f"Ämnet {topic} finns inte i Kafka ({kafka_bootstrap()}); skapa ämnena först.")
        found += [TopicPartition(topic, p) for p in sorted(partitions)]
    return found


async def _read_to(consumer: AIOKafkaConsumer, ends: Mapping[TopicPartition, int], conn: psycopg.AsyncConnection,
                   apply_all: ApplyAll) -> int:
    """Apply every message up to `ends` (at least); the number applied (re-deliveries included)."""
    applied = 0
    waiting = {tp for tp, end in ends.items() if await consumer.position(tp) < end}
    while waiting:
        fetched = await consumer.getmany(*waiting, timeout_ms=1000, max_records=BATCH)
        async with batch(conn):  # one transaction per fetch, pipelined
            # In order per partition; partitions are independent (a case is on one).
            messages = [json.loads(record.value) for records in fetched.values() for record in records]
            await apply_all(conn, messages)
            applied += len(messages)
        waiting = {tp for tp in waiting if await consumer.position(tp) < ends[tp]}
    return applied


async def _relations(conn: psycopg.AsyncConnection, schema: str) -> dict[str, str]:
    """The tables and views of a schema: name → 'TABLE' / 'VIEW'."""
    cur = await conn.execute(
        "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'v', 'm') ORDER BY c.relname", (schema,))
    kinds = {"r": "TABLE", "p": "TABLE", "v": "VIEW", "m": "MATERIALIZED VIEW"}
    return {name: kinds[kind] for name, kind in await cur.fetchall()}


async def _lock_live(conn: psycopg.AsyncConnection, tables: list[str]) -> None:
    """ACCESS EXCLUSIVE on the live tables, inside the caller's transaction.

    First `processed_event`, for as long as it takes (up to SWITCH_GIVES_UP_AFTER_S): every
    apply transaction of the live worker starts there (and holds it for a whole batch,
    eventkit.projection.ProjectionRunner), and no reader touches it, so nothing that holds it waits for us. Then the rest, each wait at most LOCK_TIMEOUT: only
    readers hold them now, and one that holds a table and wants the next must not deadlock with
    us; on the timeout the caller rolls back and tries again."""
    rest = sorted(t for t in tables if t != "processed_event")
    if "processed_event" in tables:
        await conn.execute(sql.SQL("SET LOCAL lock_timeout = {}").format(
            sql.Literal(f"{SWITCH_GIVES_UP_AFTER_S:.0f}s")))
        await conn.execute("LOCK TABLE public.processed_event IN ACCESS EXCLUSIVE MODE")
    if rest:
        await conn.execute(sql.SQL("SET LOCAL lock_timeout = {}").format(sql.Literal(LOCK_TIMEOUT)))
        await conn.execute(sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(
            sql.SQL(", ").join(sql.Identifier("public", t) for t in rest)))


async def rebuild(view: Projection, *, start: Mapping[TopicPartition, int] | None = None,
                  say: Callable[[str], None] = lambda line: None) -> Report:
    """Rebuild `view` beside the live one and switch to it. `start`: where to begin reading
    each partition (the beginning when not given; a test starts where its live view began)."""
    report = Report(view.name)
    conninfo = view.conninfo
    began = time.monotonic()
    async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as live:
        if not (await (await live.execute("SELECT pg_try_advisory_lock(%s)", (REBUILD_LOCK,))).fetchone())[0]:
            raise RebuildRefused(f"Vyn {view.name} byggs redan om av en annan process; försök igen när den är klar.")
        await view.create_schema(live)  # the live tables exist (as the worker would create them)
        await live.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE; DROP SCHEMA IF EXISTS {} CASCADE; CREATE SCHEMA {}")
                           .format(sql.Identifier(REBUILD_SCHEMA), sql.Identifier(REPLACED_SCHEMA),
                                   sql.Identifier(REBUILD_SCHEMA)))
        try:
            async with await psycopg.AsyncConnection.connect(
                conninfo, autocommit=True, options=f"-c search_path={REBUILD_SCHEMA}") as conn:
                # Lost on a crash is lost with the rebuild, which starts over; the switch's own
                # commit is durable and makes everything before it durable with it.
                await conn.execute("SET synchronous_commit = off")
                await view.create_schema(conn)
                async with contextlib.AsyncExitStack() as kafka:
                    consumer = AIOKafkaConsumer(bootstrap_servers=kafka_bootstrap(), group_id=None,
                                                enable_auto_commit=False, auto_offset_reset="earliest",
                                                max_partition_fetch_bytes=4 * 1024 * 1024)
                    await consumer.start()
                    kafka.push_async_callback(consumer.stop)
                    # End offsets asked on a connection of their own: on the reading consumer's they
                    # would wait behind its pending fetch (up to fetch_max_wait_ms), inside the switch.
                    ends = AIOKafkaConsumer(bootstrap_servers=kafka_bootstrap(), group_id=None, enable_auto_commit=False)
                    await ends.start()
                    kafka.push_async_callback(ends.stop)
                    partitions = await _partitions(consumer, view.topics)
                    consumer.assign(partitions)
                    for tp in partitions:
                        if start is not None and tp in start:
                            consumer.seek(tp, start[tp])
                    if start is None:
                        await consumer.seek_to_beginning(*partitions)
                    while True:  # beside the live view, until a pass finds little left
                        applied = await _read_to(consumer, await ends.end_offsets(partitions), conn, view.apply_all)
                        report.events += applied
                        if applied:
                            say(f"{view.name}: {report.events} händelser inlästa "
                                f"({report.events / max(time.monotonic() - began, 1e-9):.0f}/s)")
                        if applied < QUIET_ENOUGH:
                            break
                    await _switch(view, live, conn, consumer, ends, partitions, report)
        finally:
            await live.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(REBUILD_SCHEMA)))
            await live.execute("SELECT pg_advisory_unlock(%s)", (REBUILD_LOCK,))
    report.seconds = time.monotonic() - began
    return report


async def _switch(view: Projection, live: psycopg.AsyncConnection, conn: psycopg.AsyncConnection,
                  consumer: AIOKafkaConsumer, ends: AIOKafkaConsumer, partitions: list[TopicPartition],
                  report: Report) -> None:
    rebuilt = {name: kind for name, kind in (await _relations(conn, REBUILD_SCHEMA)).items() if name not in view.kept}
    trying_since = time.monotonic()
    while True:
        paused = time.monotonic()
        try:
            async with live.transaction():
                existing = await _relations(live, "public")
                await _lock_live(live, [name for name, kind in rebuilt.items() if kind == "TABLE" and name in existing])
                # Everything the live worker can have applied is below these offsets now.
                caught_up = await _read_to(consumer, await ends.end_offsets(partitions), conn, view.apply_all)
                report.events += caught_up  # applied beside, also when this attempt is tried again
                report.caught_up_in_switch = caught_up
                await live.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(REPLACED_SCHEMA)))
                for name, kind in rebuilt.items():
                    if name in existing:
                        await live.execute(sql.SQL("ALTER {} {} SET SCHEMA {}").format(
                            sql.SQL(existing[name]), sql.Identifier("public", name), sql.Identifier(REPLACED_SCHEMA)))
                for name, kind in rebuilt.items():
                    await live.execute(sql.SQL("ALTER {} {} SET SCHEMA public").format(
                        sql.SQL(kind), sql.Identifier(REBUILD_SCHEMA, name)))
                if view.after_switch is not None:
                    await view.after_switch(live)
                await live.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(REPLACED_SCHEMA)))
            break
        except psycopg.errors.LockNotAvailable:
            if time.monotonic() - trying_since > SWITCH_GIVES_UP_AFTER_S:
                raise RebuildRefused(f"Vyn {view.name} gick inte att låsa för bytet på {SWITCH_GIVES_UP_AFTER_S:.0f} s "
                                     "(långa läsningar pågår?); den gamla vyn används som förut.") from None
            await asyncio.sleep(0.05)  # a reader held one table and waited for another: let it finish
    report.switch_pause_s = time.monotonic() - paused
    report.tables = sorted(rebuilt)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make rebuild VIEW=", description=(
        "Bygger om en läsmodell från dess Kafka-ämnen bredvid den som används, och byter när den har kommit ikapp."))
    parser.add_argument("view", nargs="?", default="", help="followup, quality, county, accesslog eller worklist")
    parser.add_argument("--check-only", action="store_true", help="kontrollera bara vyns namn")
    args = parser.parse_args(argv)
    try:
        view = view_named(args.view)
        if args.check_only:
            return 0
        report = asyncio.run(rebuild(view, say=lambda line: print(line, flush=True)))
    except RebuildRefused as refused:
        print(f"make rebuild: {refused}", file=sys.stderr)
        return 2
    except (psycopg.OperationalError, KafkaError) as away:  # nothing switched: the live view is as it was
        print(f"make rebuild: PostgreSQL eller Kafka svarar inte ({type(away).__name__}); den gamla vyn används "
              "som förut.", file=sys.stderr)
        return 1
    print(f"{view.name}: ombyggd och bytt: {report.events} händelser på {report.seconds:.1f} s "
          f"({report.events_per_second:.0f}/s), paus vid bytet {report.switch_pause_s * 1000:.0f} ms; "
          f"tabeller: {', '.join(report.tables)}", flush=True)
    print(json.dumps(report.as_dict()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
