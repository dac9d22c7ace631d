"""The scheduled disposal (gallring, R17): `python -m cases.entrypoints.disposal [--every SECONDS]`.

Disposes of every pupil whose records the municipality's document management plan says are
due (all cases ended, retention run out), exactly as an administrator's disposal: recorded as
an event, logged, the key destroyed. Without --every it runs once (for cron); ids only in logs.
"""
from __future__ import annotations

import argparse
import logging
import signal
import threading

from cases.bootstrap import application

log = logging.getLogger("cases.disposal")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--every", type=float, default=0.0, help="run again after this many seconds (0: once)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while True:
        try:
            disposed = application().dispose_due()
            log.info("disposed of the records of %d pupils", disposed)
        except Exception as exc:  # database away: the next round tries again
            log.warning("scheduled disposal failed: %s", type(exc).__name__)
        if not args.every or stop.wait(args.every):
            return


if __name__ == "__main__":
    main()
