"""While PostgreSQL is away, every service answers at once — 503 with Retry-After, within two
seconds, never hanging or failing with 500 (#11) — and, when it is back, carries on by itself:
what was acknowledged before is still there, and new commands are stored again."""
from __future__ import annotations

import time

import httpx
import pytest

from eventkit.identity import Role
from tests.conftest import REKTOR, TEACHER, headers_for, identity
from tests.integration.test_support_case_workflow import open_case
from tests.support.infrastructure import eventually, postgres_script
from tests.support.pupils import directory_pupil

pytestmark = [pytest.mark.integration, pytest.mark.stops_the_database]

EDUCATOR = identity("sara.berg", Role.SPECIAL_EDUCATOR, "0180", "0180-ENG", "0180-KAT")
SECRETARIAT = identity("birgitta.sund", Role.BUS_SECRETARIAT, "00")
ADMIN = identity("lars.moberg", Role.MUNICIPALITY_ADMIN, "0180", "0180-ENG", "0180-KAT")


def test_while_the_database_is_away_services_answer_503_at_once_and_carry_on_after(stack):
    acknowledged = open_case(stack)
    pupil_id = directory_pupil(stack)  # chosen before the database goes away
    asks = {
        "open a case": lambda: httpx.post(f"{stack.cases_url}/cases", headers=headers_for(TEACHER, "cases"), timeout=10,
                                          json={"school_unit": "0180-ENG", "pupil_id": pupil_id}),
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

    # Back: the acknowledged case is there, a new command is stored, and every service answers
    # again within seconds by itself (the pools replace the connections PostgreSQL closed and
    # try to reconnect each second), so the tests after this one meet a healthy system.
    back = time.monotonic()
    eventually(lambda: asks["read a case"]().status_code == 200, timeout=30, interval=0.5)
    eventually(lambda: asks["open a case"]().status_code == 201, timeout=30, interval=0.5)
    reads = {
        "documentation": (f"{stack.documentation_url}/units/0180-ENG/overview", EDUCATOR),
        "competence": (f"{stack.competence_url}/missions", REKTOR),
        "quality": (f"{stack.quality_url}/quality", REKTOR),
        "county": (f"{stack.county_url}/county/counts?period_kind=month&year=2026", SECRETARIAT),
        "accesslog": (f"{stack.accesslog_url}/accesslog", ADMIN),
        "deviations": (f"{stack.deviations_url}/deviations", REKTOR),
        "followup": (f"{stack.followup_url}/followup", REKTOR),
    }
    for service, (url, who) in reads.items():
        eventually(lambda: httpx.get(url, headers=headers_for(who, service), timeout=10).status_code == 200,
                   timeout=30, interval=0.5)
    assert time.monotonic() - back < 30
