"""The school owner's view (huvudmannens översikt, ADR 0031) from the cases and deviations
services through their relays, real Kafka and the follow-up projection: Huddinge's
administrator sees Huddinge's counts, small ones suppressed; Stockholm's administrator sees
nothing of them; a school's staff are refused."""
from __future__ import annotations

import httpx
import pytest

from eventkit.identity import Role
from tests.conftest import headers_for, identity
from tests.support import deviations as dev
from tests.support.infrastructure import eventually
from tests.support.pupils import directory_pupil

pytestmark = pytest.mark.integration
UNIT = "0126-SKO"  # Huddinge's school: no other test works there
TEACHER = dev.HUDDINGE_REPORTER
REKTOR = dev.HUDDINGE_MANAGER
ADMIN = identity("huddinge.admin", Role.MUNICIPALITY_ADMIN, "0126", UNIT)
STOCKHOLM_ADMIN = identity("lars.moberg", Role.MUNICIPALITY_ADMIN, "0180", "0180-ENG", "0180-KAT")
PARTS = {
    "pupil_view": "Eleven vill ha lugnare arbetsplats.", "guardians_view": "Vårdnadshavarna ser trötthet.",
    "school_view": "Lärarna ser att eleven tappar fokus.", "pedagogical_assessment": "Läsförståelsen är låg.",
    "environment_organisation": "Stora grupper.", "environment_group": "Stökigt på eftermiddagarna.",
    "environment_individual": "Saknar strategier för längre texter.",
}


def post(stack, who, path: str, body: dict) -> dict:
    response = httpx.post(f"{stack.cases_url}{path}", json=body, headers=headers_for(who, "cases"))
    assert response.status_code == 201, response.text
    return response.json()


def referred_and_investigated(stack) -> str:
    case_id = post(stack, TEACHER, "/cases", {"school_unit": UNIT, "pupil_id": directory_pupil(stack, UNIT)})["case_id"]
    post(stack, TEACHER, f"/cases/{case_id}/referral", {"special_reason": "Eleven behöver stöd direkt."})
    post(stack, REKTOR, f"/cases/{case_id}/investigation", {"investigator": "per.wiklund", "student_health_team": True})
    return case_id


def overview(stack, who, **params) -> httpx.Response:
    return httpx.get(f"{stack.followup_url}/owner/overview", params=params, headers=headers_for(who, "followup"))


def test_the_owner_sees_its_units_counts_with_small_ones_suppressed_and_no_one_else_does(stack):
    cases = [referred_and_investigated(stack) for _ in range(5)]
    decided = cases[0]
    post(stack, REKTOR, f"/cases/{decided}/investigation/parts", PARTS)
    post(stack, REKTOR, f"/cases/{decided}/investigation/conclusion", {"proposal": "Inget åtgärdsprogram"})
    post(stack, REKTOR, f"/cases/{decided}/decisions", {"kind": "no_programme", "reasons": "Stödet räcker"})
    dev.configure_units(stack.deviations_url)
    dev.report(stack.deviations_url, TEACHER, unit=UNIT)

    def unit_figures():
        answer = overview(stack, ADMIN, per="term")
        assert answer.status_code == 200, answer.text
        units = {u["school_unit"]: u for u in answer.json()["units"]}
        total = units.get(UNIT, {}).get("total", {})
        ready = total.get("decisions", {}).get("no_programme") and total.get("deviations") and total.get("referrals") == 5
        return ready and answer.json()

    answer = eventually(unit_figures, timeout=60, interval=0.5)
    [school] = [u for u in answer["units"] if u["school_unit"] == UNIT]
    total = school["total"]
    assert total["referrals"] == 5 and total["started_in_time"] == 5
    assert total["days_to_start"] == {"median": 0, "p90": 0}  # started the day of the referral
    assert total["days_to_decision"] == {"median": "färre än 5 ärenden", "p90": "färre än 5 ärenden"}
    assert total["decisions"]["no_programme"] == "färre än 5" and total["decisions"]["establish_programme"] == 0
    assert total["deviations"] == "färre än 5" and total["answered_in_time"] == 0
    assert answer["appeals"] is None  # a later issue: said, not counted
    assert [p["period"] for p in school["periods"]] == [p["key"] for p in answer["periods"]]
    text = str(answer)
    assert not any(case_id in text for case_id in cases)  # counts only: no case, no pupil

    # Another municipality's administrator: nothing of Huddinge's. A school's rektor: refused.
    stockholm = overview(stack, STOCKHOLM_ADMIN, per="term")
    assert stockholm.status_code == 200 and UNIT not in stockholm.text
    assert overview(stack, REKTOR).status_code == 403


def test_a_period_that_cannot_be_is_refused_at_its_field(stack):
    refused = overview(stack, ADMIN, **{"from": "2026-10-01", "to": "2026-09-01"})
    assert refused.status_code == 422
    assert refused.json()["fields"] == {"to": "Perioden kan inte sluta innan den börjar."}
    assert overview(stack, ADMIN, per="week").status_code == 422
