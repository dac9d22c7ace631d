"""Wiring of the directory service, in one place."""
from __future__ import annotations

import gc
import logging
import threading

from directory.application import DirectoryApplication
from directory.sync import RegisterSync
from eventkit.config import env
from eventkit.wiring import once_per_process
from ss12000.client import ClientCredentials, SS12000Client

log = logging.getLogger("directory")
RETRY_SECONDS = 30


@once_per_process
def application() -> DirectoryApplication:
    return DirectoryApplication()


def register_client() -> SS12000Client:
    """The municipality's SS 12000 register (development: services/ss12000dev)."""
    return SS12000Client(env("SS12000_URL"), ClientCredentials(env("SS12000_TOKEN_URL"), env("SS12000_CLIENT_ID"),
                                                               env("SS12000_CLIENT_SECRET")))


@once_per_process
def register_sync() -> RegisterSync:
    return RegisterSync(application(), register_client)


def kept_out_of_full_collections() -> None:
    """What the process holds now (the pupil index above all) is kept out of the garbage
    collector's full passes: each of those walked every object of the index, about 190 ms with
    40,000 pupils, and a request that met one waited for it (Mina elever's p95 was 170 ms of
    which the list took 20). What is garbage now is collected first, so none of it is kept."""
    gc.collect()
    gc.freeze()


def start_scheduled_sync(stop: threading.Event) -> threading.Thread:
    """A run at start (full when never synced), then every DIRECTORY_SYNC_MINUTES."""
    minutes = float(env("DIRECTORY_SYNC_MINUTES", "15"))

    def loop() -> None:
        while not stop.is_set():
            try:
                application().index  # built before the first run, so searches find everyone
                report = register_sync().run()
                kept_out_of_full_collections()
                log.info("sync: %d persons read, %d changed, %d quarantined%s", report["persons"], report["changes"],
                         report["quarantined"], f", stopped: {report['error']}" if report["error"] else "")
            except Exception as exc:  # the database away: try again soon
                log.warning("sync could not run: %s", type(exc).__name__)
                if stop.wait(10):
                    return
                continue
            # A register that was down is asked again soon, not only at the next interval.
            if stop.wait(minutes * 60 if not report["error"] else min(minutes * 60, RETRY_SECONDS)):
                return

    thread = threading.Thread(target=loop, name="directory-sync", daemon=True)
    thread.start()
    return thread
