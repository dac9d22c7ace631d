"""The follow-up projection as a faust-streaming worker:
`faust -A projections.followup.app worker`. It also runs the overdue timer
(projections.followup.overdue), every FOLLOWUP_OVERDUE_INTERVAL_S seconds.

At-least-once: faust commits a message's offset only after the agent has finished with it,
i.e. after the read model's transaction (one per batch of what has arrived) committed. If
PostgreSQL is away the agent waits and retries the same messages, so the consumer pauses
instead of skipping anything (the runner: eventkit.projection, eventkit.streams.run_projection).
"""
from __future__ import annotations

import logging
import os

from eventkit.streams import projection_app, run_projection
from eventkit.telemetry import setup_tracing
from projections.followup import clock
from projections.followup.overdue import OverdueDetector
from projections.followup.readmodel import PROJECTION

log = logging.getLogger("projections.followup")

setup_tracing("followup-projection")

app = projection_app("stodspar-followup", "FOLLOWUP_FAUST_WEB_PORT", 6066)
runners = run_projection(app, PROJECTION)
# stodspar.followup.overdue.v1 is written by the timer below through its own idempotent
# producer (acks=all, eventkit.producer) and is declared in contracts/topics.json like every topic.
detector = OverdueDetector(clock=clock.today)
OVERDUE_INTERVAL_S = float(os.environ.get("FOLLOWUP_OVERDUE_INTERVAL_S", "60"))


@app.timer(interval=OVERDUE_INTERVAL_S)
async def detect_overdue() -> None:
    """Deadlines pass without events: look for them on a timer, publish each once."""
    try:
        found = await detector.run_once()
        if found:
            log.info("published %d overdue deadlines", len(found))
    except Exception as exc:  # database or broker away: the next tick tries again
        log.warning("overdue detection failed: %s", type(exc).__name__)
