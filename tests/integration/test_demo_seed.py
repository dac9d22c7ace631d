"""`make run`'s demo (deploy/demo_seed.py), run against the test stack's own databases and
topics: rektor's follow-up view shows a school after half a term, with cases in every state
and deadlines overdue on today's calendar (no clock setting); an interrupted seed completes on
the next run, and a run after that adds nothing."""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from datetime import date, timedelta

import httpx
import pytest

from cases.application import CasesApplication
from competence.application import CompetenceApplication
from eventkit.identity import Role
from tests.conftest import REKTOR, headers_for, identity
from tests.support.environment import ROOT
from tests.support.infrastructure import eventually, query
from eventkit.dates import local_today

pytestmark = pytest.mark.integration
KAT_REKTOR = identity("karin.holm", Role.REKTOR, "0180", "0180-KAT")
EVENT_TABLES = {"CASES_DB": "cases_events", "DEVIATIONS_DB": "deviations_events", "COMPETENCE_DB": "competence_events"}


def _demo():
    spec = importlib.util.spec_from_file_location("demo_seed", ROOT / "deploy" / "demo_seed.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_seed() -> float:
    """Runs the seed as `make run` does; how many seconds it took."""
    started = time.monotonic()
    done = subprocess.run([sys.executable, str(ROOT / "deploy" / "demo_seed.py")], cwd=ROOT, env=os.environ,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    print(done.stderr)
    return time.monotonic() - started


def interrupted_seed() -> None:
    """A seed stopped (as Ctrl-C on `make run` stops it) once it has stored part of the term."""
    before = stored()["CASES_DB"]
    seeding = subprocess.Popen([sys.executable, str(ROOT / "deploy" / "demo_seed.py")], cwd=ROOT, env=os.environ,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        eventually(lambda: seeding.poll() is not None or stored()["CASES_DB"] > before + 30, timeout=300, interval=0.05)
    finally:
        seeding.terminate()
        seeding.wait(timeout=30)


def stored() -> dict[str, int]:
    return {db: query(db, f"SELECT count(*) FROM {table}")[0][0] for db, table in EVENT_TABLES.items()}


def rows(stack, who) -> dict[str, dict]:
    answer = httpx.get(f"{stack.followup_url}/followup", params={"page_size": 1000}, headers=headers_for(who, "followup"))
    assert answer.status_code == 200, answer.text
    return {row["case_id"]: row for row in answer.json()["rows"]}


def test_the_demo_shows_a_term_with_cases_in_every_state_and_overdue_deadlines_and_is_seeded_once(stack):
    assert "FOLLOWUP_TODAY" not in os.environ  # the calendar's own today
    demo = _demo()
    interrupted_seed()
    run_seed()  # completes what the interrupted one began
    ids = {story: str(case_id) for story, case_id in demo.case_ids(CasesApplication()).items()}
    expected = {"c01": "open", "c02": "open", "c03": "referred", "c04": "referred", "c05": "investigating",
                "c06": "investigated", "c07": "decided", "c08": "programme", "c09": "programme", "c10": "programme"}

    def engelbrekt():
        found = rows(stack, REKTOR)
        return found if all(found.get(ids[s], {}).get("status") == status for s, status in expected.items()) else None

    eng = eventually(engelbrekt, timeout=120, interval=1)
    seeded = {story: eng[ids[story]] for story in expected}
    # Overdue on today's calendar, each kind of deadline; the others not.
    assert seeded["c04"]["investigation_overdue"] and not seeded["c03"]["investigation_overdue"]
    assert seeded["c05"]["decision_overdue"] and not seeded["c06"]["decision_overdue"]
    assert seeded["c09"]["follow_up_overdue"] and seeded["c08"]["follow_up_soon"] and not seeded["c08"]["follow_up_overdue"]
    assert seeded["c10"]["evaluation_overdue"]
    assert seeded["c07"]["undelivered"] == 1
    assert not any(row["overdue"] for story, row in seeded.items() if story in ("c01", "c02", "c03", "c06", "c08"))
    # Dated weeks back: the referral, and the opening as its event says.
    assert seeded["c04"]["days_waiting"] >= 10
    assert date.fromisoformat(seeded["c10"]["opened_at"][:10]) <= local_today() - timedelta(weeks=8)
    # The closed case is on no one's list, and the cases service says it is closed.
    assert ids["c11"] not in eng
    closed = httpx.get(f"{stack.cases_url}/cases/{ids['c11']}", headers=headers_for(REKTOR, "cases"))
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    kat = eventually(lambda: (found := rows(stack, KAT_REKTOR)).get(ids["k02"]) and found, timeout=60, interval=1)
    assert kat[ids["k01"]]["investigation_overdue"] and kat[ids["k02"]]["follow_up_overdue"]

    # Deviations: new, handled locally, sent to BUS, answered, one answer overdue.
    answer = httpx.get(f"{stack.deviations_url}/deviations", headers=headers_for(REKTOR, "deviations"))
    assert answer.status_code == 200, answer.text
    deviations = answer.json()["rows"]
    assert {"reported", "handling", "solved_locally", "sent_to_bus"} <= {d["status"] for d in deviations}
    assert any(d["answered"] for d in deviations) and any(d["answer_overdue"] for d in deviations)

    # The mission: goals in force and proposed, a follow-up overdue.
    missions = httpx.get(f"{stack.competence_url}/missions", headers=headers_for(REKTOR, "competence"))
    assert missions.status_code == 200, missions.text
    [mission] = [m for m in missions.json()["rows"] if m["mission_id"] == str(demo.mission_id(CompetenceApplication()))]
    assert mission["in_force"] and mission["special_educator"] == "sara.berg"
    assert mission["goals_in_force"] == 2 and mission["goals_proposed"] == 1 and mission["follow_ups_overdue"] == 1

    # Once: a second run stores nothing and the view is as it was.
    before = stored()
    assert run_seed() < 15
    assert stored() == before
    assert {i: rows(stack, REKTOR)[i]["status"] for i in (ids[s] for s in expected)} == \
        {ids[s]: status for s, status in expected.items()}
