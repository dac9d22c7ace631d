"""The loggkontroll projection as a faust-streaming worker: `faust -A projections.accesslog.app worker`.
Consumes stodspar.accesslog.v1 into ACCESSLOG_DB; at-least-once, idempotent by entry id (the
runner: eventkit.projection, eventkit.streams.run_projection)."""
from __future__ import annotations

from eventkit.streams import projection_app, run_projection
from eventkit.telemetry import setup_tracing
from projections.accesslog.readmodel import PROJECTION

setup_tracing("accesslog-projection")
app = projection_app("stodspar-accesslog", "ACCESSLOG_FAUST_WEB_PORT", 6069)
runners = run_projection(app, PROJECTION)
