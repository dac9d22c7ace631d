"""Several API processes of one service (uvicorn --workers, as a municipality with more load
runs it) write to the same event store: every acknowledged command is stored once, each case's
events keep one unbroken sequence, and the follow-up view counts exactly what was stored."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from tests.conftest import TEACHER, headers_for
from tests.support.infrastructure import eventually, query
from tests.support.pupils import directory_pupil
from tests.support.stack import free_port, spawn

pytestmark = pytest.mark.integration
WORKERS, CASES, ADAPTATIONS = 2, 8, 6
UNIT = "0180-ENG"


@pytest.fixture
def cases_api_in_two_processes(stack):
    port = free_port()
    process = spawn("cases_workers", [str(Path(sys.executable).parent / "uvicorn"), "cases.entrypoints.api:app",
                                      "--host", "127.0.0.1", "--port", str(port), "--workers", str(WORKERS),
                                      "--log-level", "warning"])
    try:
        eventually(lambda: _healthy(f"http://127.0.0.1:{port}"), timeout=60)
        yield f"http://127.0.0.1:{port}", process.pid
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=1).status_code == 200
    except httpx.TransportError:  # not listening yet
        return False


def _workers(pid: int) -> int:
    """The uvicorn master's worker processes (multiprocessing's spawned children; its resource
    tracker is a child too, and not counted)."""
    out = subprocess.run(["ps", "-ww", "-o", "args=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return sum("spawn_main" in line for line in out.splitlines())


async def _until_stored(http: httpx.AsyncClient, path: str, body: dict, key: str) -> dict:
    """Send a command until it is answered 201, always with the same idempotency key: 409 is
    a race for a case's next version lost to the other process, 503 a moment's overload."""
    for _ in range(50):
        answer = await http.post(path, json=body, headers={**headers_for(TEACHER, "cases"), "Idempotency-Key": key})
        if answer.status_code == 201:
            return answer.json()
        assert answer.status_code in (409, 503), answer.text
        await asyncio.sleep(0.05)
    raise AssertionError(f"{path} never stored")


def test_two_api_processes_store_every_command_once_in_one_sequence_per_case(stack, cases_api_in_two_processes):
    url, master = cases_api_in_two_processes
    assert _workers(master) == WORKERS
    pupils = [directory_pupil(stack, UNIT) for _ in range(CASES)]
    run = uuid.uuid4().hex[:10]

    async def load() -> list[str]:
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            cases = await asyncio.gather(*(
                _until_stored(http, "/cases", {"school_unit": UNIT, "pupil_id": pupil}, f"{run}-open-{n}")
                for n, pupil in enumerate(pupils)))
            case_ids = [c["case_id"] for c in cases]
            # Every adaptation of every case at once: both processes write to the same cases.
            await asyncio.gather(*(
                _until_stored(http, f"/cases/{case_id}/extra-adaptations", {"description": f"Anpassning {n + 1}"},
                              f"{run}-{c}-{n}")
                for c, case_id in enumerate(case_ids) for n in range(ADAPTATIONS)))
            return case_ids

    case_ids = asyncio.run(load())
    for case_id in case_ids:
        versions = [v for (v,) in query("CASES_DB", "SELECT originator_version FROM cases_events WHERE originator_id = %s "
                                                    "ORDER BY originator_version", (case_id,))]
        assert versions == list(range(1, 2 + ADAPTATIONS)), "opened once, each adaptation once, no gap"

    def counted() -> bool:
        shown = dict(query("FOLLOWUP_DB", "SELECT case_id::text, adaptations FROM followup_case "
                                          "WHERE case_id = ANY(%s::uuid[])", (case_ids,)))
        return all(shown.get(case_id) == ADAPTATIONS for case_id in case_ids)

    eventually(counted, timeout=30)
