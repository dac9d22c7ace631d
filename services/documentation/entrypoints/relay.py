"""The documentation service's outbox relay process: `python -m documentation.entrypoints.relay`."""
from __future__ import annotations

from documentation.bootstrap import application
from documentation.public_events import TOPIC, translate
from eventkit.relay import OutboxRelay, run_relay_process


def build_relay() -> OutboxRelay:
    return OutboxRelay(application(), TOPIC, translate, name="documentation")


if __name__ == "__main__":
    run_relay_process(build_relay, "documentation")
