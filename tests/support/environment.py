"""The test suite's environment: deploy/stodspar.env, with the test databases and ports.

`make test` exports the same file; loading it here as well lets `pytest` run on its own.
"""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# The running system under test listens on its own ports, so `make run` can stay up.
TEST_PORTS = {
    "CASES_PORT": "8101",
    "FOLLOWUP_API_PORT": "8111",
    "FRONTEND_PORT": "8100",
    "FOLLOWUP_FAUST_WEB_PORT": "6166",
}


def load() -> None:
    for line in (ROOT / "deploy" / "stodspar.env").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            os.environ.setdefault(key, value)
    os.environ["TEST_DB_PREFIX"] = os.environ.get("TEST_DB_PREFIX") or "test_"
    os.environ.update(TEST_PORTS)
    os.environ["CASES_URL"] = f"http://127.0.0.1:{TEST_PORTS['CASES_PORT']}"
    os.environ["FOLLOWUP_URL"] = f"http://127.0.0.1:{TEST_PORTS['FOLLOWUP_API_PORT']}"
