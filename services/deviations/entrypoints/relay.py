"""The deviations service's outbox relay process: `python -m deviations.entrypoints.relay`."""
from __future__ import annotations

import asyncio
import logging
import signal

from deviations.bootstrap import application
from deviations.public_events import TOPIC, translate
from eventkit.relay import OutboxRelay
from eventkit.telemetry import setup_tracing


def build_relay() -> OutboxRelay:
    return OutboxRelay(application(), TOPIC, translate, name="deviations")


async def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    setup_tracing("deviations-relay")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await build_relay().run_forever(stop)


if __name__ == "__main__":
    asyncio.run(main())
