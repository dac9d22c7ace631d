"""The documentation service's outbox relay process: `python -m documentation.entrypoints.relay`.
It also relays the service's access log (R15) to stodspar.accesslog.v1."""
from __future__ import annotations

from documentation.bootstrap import application
from documentation.public_events import TOPIC, translate
from eventkit.accesslog import AccessLogRelay
from eventkit.relay import OutboxRelay, run_relay_process


def build_relay() -> OutboxRelay:
    return OutboxRelay(application(), TOPIC, translate, name="documentation")


def build_access_log_relay() -> AccessLogRelay:
    return AccessLogRelay(application().access_log, name="documentation-accesslog")


if __name__ == "__main__":
    run_relay_process(build_relay, "documentation", build_access_log_relay)
