"""The deviations service's outbox relay process: `python -m deviations.entrypoints.relay`."""
from __future__ import annotations

from deviations.bootstrap import application
from deviations.public_events import TOPIC, translate
from eventkit.relay import OutboxRelay, run_relay_process


def build_relay() -> OutboxRelay:
    return OutboxRelay(application(), TOPIC, translate, name="deviations")


if __name__ == "__main__":
    run_relay_process(build_relay, "deviations")
