"""The cases service's outbox relay process: `python -m cases.entrypoints.relay`. It also
relays the service's access log (R15) to stodspar.accesslog.v1."""
from __future__ import annotations

from cases.bootstrap import application
from cases.public_events import TOPIC, translate
from eventkit.accesslog import AccessLogRelay
from eventkit.relay import OutboxRelay, run_relay_process


def build_relay() -> OutboxRelay:
    return OutboxRelay(application(), TOPIC, translate, name="cases")


def build_access_log_relay() -> AccessLogRelay:
    return AccessLogRelay(application().access_log, name="cases-accesslog")


if __name__ == "__main__":
    run_relay_process(build_relay, "cases", build_access_log_relay)
