"""Rektor's quality view as a faust-streaming worker: `faust -A projections.quality.app worker`.

Two agents (eventkit.streams.run_projection), each with its own database connection: the
competence topic (missions, goals and their cycle, competence plan, supervision) and the
documentation topic (interventions). At-least-once: faust commits a message's offset only after
the agent finished with it, i.e. after the read model's transaction committed; on failure the
agent retries the same messages (eventkit.projection.until_done).
"""
from __future__ import annotations

from eventkit.streams import projection_app, run_projection
from eventkit.telemetry import setup_tracing
from projections.quality.readmodel import PROJECTION

setup_tracing("quality-projection")
app = projection_app("stodspar-quality", "QUALITY_FAUST_WEB_PORT", 6068)
runners = run_projection(app, PROJECTION)
