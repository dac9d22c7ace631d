"""Wiring of the directory service, in one place."""
from __future__ import annotations

import logging
import threading

from directory.application import DirectoryApplication
from directory.sync import RegisterSync
from eventkit.config import env
from eventkit.wiring import once_per_process
from ss12000.client import ClientCredentials, SS12000Client

log = logging.getLogger("directory")


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


def start_scheduled_sync(stop: threading.Event) -> threading.Thread:
    """A run at start (full when never synced), then every DIRECTORY_SYNC_MINUTES."""
    minutes = float(env("DIRECTORY_SYNC_MINUTES", "15"))

    def loop() -> None:
        while not stop.is_set():
            try:
                application().index  # built before the first run, so searches find everyone
                report = register_sync().run()
                log.info("sync: %d persons read, %d changed, %d quarantined%s", report["persons"], report["changes"],
                         report["quarantined"], f", stopped: {report['error']}" if report["error"] else "")
            except Exception as exc:  # the database away: try again soon
                log.warning("sync could not run: %s", type(exc).__name__)
                if stop.wait(10):
                    return
                continue
            if stop.wait(minutes * 60):
                return

    thread = threading.Thread(target=loop, name="directory-sync", daemon=True)
    thread.start()
    return thread
