"""The competence service's outbox relay process: `python -m competence.entrypoints.relay`."""
from __future__ import annotations

from competence.bootstrap import application
from competence.public_events import TOPIC, translate
from eventkit.relay import OutboxRelay, run_relay_process


def build_relay() -> OutboxRelay:
    return OutboxRelay(application(), TOPIC, translate, name="competence")


if __name__ == "__main__":
    run_relay_process(build_relay, "competence")
