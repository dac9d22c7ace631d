"""The worklist projection (Att göra) as a faust-streaming worker: `faust -A projections.worklist.app worker`.

One agent per topic (eventkit.streams.run_projection), each with its own database connection:
the cases, the overdue deadlines, the deviations and the competence topic. At-least-once: an
offset is committed only after the read model's transaction; on failure the same messages are
tried again (eventkit.projection.until_done), and the processed events make a redelivery a no-op.
"""
from __future__ import annotations

from eventkit.streams import projection_app, run_projection
from eventkit.telemetry import setup_tracing
from projections.worklist.readmodel import PROJECTION

setup_tracing("worklist-projection")
app = projection_app("stodspar-worklist", "WORKLIST_FAUST_WEB_PORT", 6070)
runners = run_projection(app, PROJECTION)
