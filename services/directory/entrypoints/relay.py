"""The directory service's outbox relay process: `python -m directory.entrypoints.relay`.
It also relays the service's access log (R15) to stodspar.accesslog.v1."""
from __future__ import annotations

from directory.bootstrap import application
from directory.public_events import TOPIC, translate
from eventkit.accesslog import AccessLogRelay
from eventkit.relay import OutboxRelay, run_relay_process


def build_relay() -> OutboxRelay:
    return OutboxRelay(application(), TOPIC, translate, name="directory")


def build_access_log_relay() -> AccessLogRelay:
    return AccessLogRelay(application().access_log, name="directory-accesslog")


if __name__ == "__main__":
    run_relay_process(build_relay, "directory", build_access_log_relay)
