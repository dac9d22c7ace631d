"""The deviations service's outbox relay process: `python -m deviations.entrypoints.relay`.
It also relays the service's access log (R15) to stodspar.accesslog.v1."""
from __future__ import annotations

from deviations.bootstrap import application
from deviations.public_events import TOPIC, translate
from eventkit.accesslog import AccessLogRelay
from eventkit.relay import OutboxRelay, run_relay_process


def build_relay() -> OutboxRelay:
    return OutboxRelay(application(), TOPIC, translate, name="deviations")


def build_access_log_relay() -> AccessLogRelay:
    return AccessLogRelay(application().access_log, name="deviations-accesslog")


if __name__ == "__main__":
    run_relay_process(build_relay, "deviations", build_access_log_relay)
