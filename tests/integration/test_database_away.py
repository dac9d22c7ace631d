"""While PostgreSQL is away, every service answers at once — 503 with Retry-After, within two
seconds, never hanging or failing with 500 (#11) — and, when it is back, carries on by itself:
what was acknowledged before is still there, and new commands are stored again."""
from __future__ import annotations

import time

import httpx
import pytest

from tests.conftest import REKTOR, TEACHER, headers_for
from tests.integration.test_support_case_workflow import open_case
from tests.support.infrastructure import eventually, postgres_script
from tests.support.pupils import personal_number, pupil_name

pytestmark = pytest.mark.integration


def test_while_the_database_is_away_services_answer_503_at_once_and_carry_on_after(stack):
    acknowledged = open_case(stack)
    asks = {
        "open a case": lambda: httpx.post(f"{stack.cases_url}/cases", headers=headers_for(TEACHER, "cases"), timeout=10,
                                          json={"school_unit": "0180-ENG", "pupil_personal_number": personal_number(),
                                                "pupil_name": pupil_name()}),
        "read a case": lambda: httpx.get(f"{stack.cases_url}/cases/{acknowledged}", headers=headers_for(TEACHER, "cases"),
                                         timeout=10),
        "the follow-up page": lambda: httpx.get(f"{stack.followup_url}/followup", headers=headers_for(REKTOR, "followup"),
                                                timeout=10),
        "the deviations": lambda: httpx.get(f"{stack.deviations_url}/deviations", headers=headers_for(REKTOR, "deviations"),
                                            timeout=10),
    }
    postgres_script("stop")
    try:
        for what, ask in asks.items():
            started = time.monotonic()
            answer = ask()
            took = time.monotonic() - started
            assert answer.status_code == 503, (what, answer.status_code, answer.text[:200])
            assert answer.headers.get("Retry-After") == "2", what
            assert took < 2.5 + 1.0, (what, took)  # connect timeout and pool wait are 2 s; some slack on 2 cores
            assert answer.json()["message"], what
    finally:
        postgres_script("start")

    # Back: the acknowledged case is there, and a new command is stored (the pools replace
    # the connections PostgreSQL closed when it stopped).
    eventually(lambda: asks["read a case"]().status_code == 200, timeout=30, interval=0.5)
    eventually(lambda: asks["open a case"]().status_code == 201, timeout=30, interval=0.5)
