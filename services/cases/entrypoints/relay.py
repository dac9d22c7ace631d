"""The cases service's outbox relay process: `python -m cases.entrypoints.relay`."""
from __future__ import annotations

from cases.bootstrap import application
from cases.public_events import TOPIC, translate
from eventkit.relay import OutboxRelay, run_relay_process


def build_relay() -> OutboxRelay:
    return OutboxRelay(application(), TOPIC, translate, name="cases")


if __name__ == "__main__":
    run_relay_process(build_relay, "cases")
