"""The follow-up projection as a faust-streaming worker:
`faust -A projections.followup.app worker`. It also runs the overdue timer
(projections.followup.overdue), every FOLLOWUP_OVERDUE_INTERVAL_S seconds.

At-least-once: faust commits a message's offset only after the agent has finished with it,
i.e. after the read model's transaction (one per batch of what has arrived) committed. If PostgreSQL is away the agent waits and
retries the same message, so the consumer pauses instead of skipping anything.
"""
from __future__ import annotations

import asyncio
import logging
import os

import faust

from eventkit.config import RETRY_AT_MOST_SECONDS
from eventkit.streams import headers_of, projection_app, raw_topic
from eventkit.telemetry import setup_tracing
from projections.followup import clock
from projections.followup.overdue import OverdueDetector
from projections.followup.projector import FollowupProjector
from projections.followup.readmodel import TOPICS

log = logging.getLogger("projections.followup")
[CASES_TOPIC] = TOPICS

setup_tracing("followup-projection")

app = projection_app("stodspar-followup", "FOLLOWUP_FAUST_WEB_PORT", 6066)
# stodspar.followup.overdue.v1 is written by the timer below through its own idempotent
# producer (acks=all) and is declared in contracts/topics.json like every topic.
cases_topic = raw_topic(app, CASES_TOPIC)
projector = FollowupProjector()
detector = OverdueDetector(clock=clock.today)
OVERDUE_INTERVAL_S = float(os.environ.get("FOLLOWUP_OVERDUE_INTERVAL_S", "60"))



# What has arrived is applied together, up to BATCH messages in one transaction (acked after it
# committed): a backlog is caught up at many messages per commit, not one.
BATCH, BATCH_WAIT_SECONDS = 500, 0.05


@app.agent(cases_topic)
async def project_cases(stream: faust.StreamT) -> None:
    async for events in stream.take_events(BATCH, within=BATCH_WAIT_SECONDS):
        backoff = 0.2
        while True:
            try:
                await projector.handle_many([(event.value, headers_of(event)) for event in events])
                break
            except Exception as exc:  # database away, or a bug: never skip the message
                log.warning("follow-up projection retrying %s: %s", events[0].message.offset, type(exc).__name__)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, RETRY_AT_MOST_SECONDS)


@app.timer(interval=OVERDUE_INTERVAL_S)
async def detect_overdue() -> None:
    """Deadlines pass without events: look for them on a timer, publish each once."""
    try:
        found = await detector.run_once()
        if found:
            log.info("published %d overdue deadlines", len(found))
    except Exception as exc:  # database or broker away: the next tick tries again
        log.warning("overdue detection failed: %s", type(exc).__name__)
