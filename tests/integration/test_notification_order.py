"""Two writers of one event store (two API processes, or the API beside the service's
listeners) commit their events in the order of their notification ids. The relay reads the
log after the last id it has published, so an event committed after a later id was already
read would never reach Kafka, and every view would miss it for good (the follow-up view's
adaptation counts were short by one when two processes wrote at 100 commands a second)."""
from __future__ import annotations

import multiprocessing
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from cases.bootstrap import application
from eventkit.config import Postgres
from tests.conftest import TEACHER
from tests.support import environment
from tests.support.infrastructure import query
from tests.support.pupils import register_pupil

pytestmark = pytest.mark.integration
WRITERS, THREADS, SECONDS, ADAPTATIONS = 2, 4, 6.0, 40


def _writer(start_at: float) -> None:
    """One process writing as an API process does: THREADS commands at a time for SECONDS."""
    environment.load()
    app = application()
    time.sleep(max(0.0, start_at - time.time()))
    deadline = time.monotonic() + SECONDS

    def write(_: int) -> None:
        # Few new pupils (a case takes ADAPTATIONS adaptations): the suite's later tests draw fresh
        # personnummer too, and a number drawn again would meet one of these pupils' open cases.
        while time.monotonic() < deadline:
            case = app.open_case(TEACHER, school_unit="0180-ENG", pupil=register_pupil()).case_id
            for n in range(ADAPTATIONS):
                app.record_extra_adaptation(TEACHER, case, f"Extra tid vid prov {n + 1}")

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(write, range(THREADS)))


def test_a_reader_following_the_log_after_its_last_id_passes_over_no_event_of_two_writers():
    [(start,)] = query("CASES_DB", "SELECT coalesce(max(notification_id), 0) FROM cases_events")
    stop = threading.Event()
    read: list[int] = []

    def follow() -> None:  # as the relay does: what is there after the last id read, in id order
        position = start
        with psycopg.connect(Postgres.for_database("CASES_DB").conninfo, autocommit=True) as conn:
            while not stop.is_set():
                ids = [i for (i,) in conn.execute("SELECT notification_id FROM cases_events WHERE notification_id > %s"
                                                  " ORDER BY notification_id LIMIT 500", (position,))]
                if ids:
                    read.extend(ids)
                    position = ids[-1]

    follower = threading.Thread(target=follow)
    follower.start()
    try:
        start_at = time.time() + 3  # imports done in both
        with multiprocessing.get_context("spawn").Pool(WRITERS) as pool:
            pool.starmap(_writer, [(start_at,)] * WRITERS)
        time.sleep(0.5)  # the follower reads up to the end
    finally:
        stop.set()
        follower.join()
    stored = [i for (i,) in query("CASES_DB", "SELECT notification_id FROM cases_events WHERE notification_id > %s"
                                              " ORDER BY notification_id", (start,))]
    assert len(stored) > 200, "the writers stored too little to show anything"
    passed_over = sorted(set(stored) - set(read))
    assert not passed_over, f"{len(passed_over)} of {len(stored)} events committed after a later id was read"
