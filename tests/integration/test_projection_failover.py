"""Two workers of one projection share its partitions (one consumer group). When one stops in
the middle of a stream of commands, the other takes its partitions over and the view is still
exact: every case there, every adaptation counted once."""
from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import TEACHER, headers_for
from tests.support.environment import ROOT
from tests.support.infrastructure import eventually, query
from tests.support.pupils import directory_pupil
from tests.support.stack import free_port, listening, spawn

pytestmark = pytest.mark.integration
CASES, ADAPTATIONS = 36, 2  # cases spread over the topic's three partitions
UNIT = "0180-ENG"


@pytest.fixture
def second_followup_worker(stack):
    """A second worker of the follow-up projection, in the same consumer group as the stack's."""
    port = free_port()
    process = spawn("followup_second", [str(Path(sys.executable).parent / "faust"), "-A", "projections.followup.app",
                                        "--datadir", str(ROOT / ".state" / "faust-test-second"), "worker", "-l", "warn",
                                        "--web-port", str(port)], FOLLOWUP_FAUST_WEB_PORT=str(port))
    try:
        eventually(lambda: listening(port) or process.poll() is not None, timeout=60)
        assert process.poll() is None, "the second worker exited; see its log in .state/logs/test"
        yield process
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        finally:
            stack.start("followup")  # the stack's worker, stopped by the test, is back for the next tests
            stack.wait_until_listening("followup", int(os.environ["FOLLOWUP_FAUST_WEB_PORT"]))


def test_a_worker_stopped_mid_stream_leaves_its_partitions_to_the_other_and_the_view_exact(stack, second_followup_worker):
    pupils = [directory_pupil(stack, UNIT) for _ in range(CASES)]
    time.sleep(8)  # the group settles with two members (a rebalance: REBALANCE_TIMEOUT_SECONDS at most)
    opened: list[str] = []
    halfway = threading.Event()

    def load() -> None:
        with httpx.Client(base_url=stack.cases_url, timeout=30) as http:
            for n, pupil in enumerate(pupils):
                answer = http.post("/cases", json={"school_unit": UNIT, "pupil_id": pupil},
                                   headers=headers_for(TEACHER, "cases"))
                assert answer.status_code == 201, answer.text
                case_id = answer.json()["case_id"]
                for a in range(ADAPTATIONS):
                    stored = http.post(f"/cases/{case_id}/extra-adaptations", json={"description": f"Anpassning {a + 1}"},
                                       headers=headers_for(TEACHER, "cases"))
                    assert stored.status_code == 201, stored.text
                opened.append(case_id)
                if n == CASES // 3:
                    halfway.set()
                time.sleep(0.1)  # a stream over several seconds, not one burst

    loader = threading.Thread(target=load)
    loader.start()
    assert halfway.wait(timeout=60)
    stack.stop("followup")  # one worker leaves the group in the middle of the stream
    loader.join(timeout=120)
    assert len(opened) == CASES

    def exact() -> dict[str, int]:
        shown = dict(query("FOLLOWUP_DB", "SELECT case_id::text, adaptations FROM followup_case "
                                          "WHERE case_id = ANY(%s::uuid[])", (opened,)))
        return shown if len(shown) == CASES and all(n >= ADAPTATIONS for n in shown.values()) else {}

    shown = eventually(exact, timeout=60, interval=0.5)
    assert set(shown.values()) == {ADAPTATIONS}, "each adaptation counted once, none twice"
