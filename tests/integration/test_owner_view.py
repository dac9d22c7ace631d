"""The school owner's view (huvudmannens översikt, ADR 0031) from the cases and deviations
services through their relays, real Kafka and the follow-up projection: Huddinge's
administrator sees Huddinge's counts, small ones suppressed; Stockholm's administrator sees
nothing of them; a school's staff are refused."""
from __future__ import annotations

import asyncio
import uuid
from datetime import date

import httpx
import psycopg
import pytest

from eventkit.config import Postgres
from eventkit.dates import local_today
from projections.followup import owner, ownerview, readmodel

from eventkit.identity import Role
from tests.conftest import headers_for, identity
from tests.support import deviations as dev
from tests.support.infrastructure import eventually, query
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


def unit_today(sql: str) -> int:
    """A raw count of the read model for the unit today (other tests may work in Huddinge too:
    the figures are checked against what was there before, through the one small-numbers rule)."""
    return query("FOLLOWUP_DB", sql, (UNIT, local_today()))[0][0]


REFERRALS = "SELECT count(*) FROM owner_case WHERE school_unit = %s AND referred_on = %s"
NO_PROGRAMME = ("SELECT count(*) FROM owner_decision WHERE school_unit = %s AND decided_on = %s"
                " AND kind = 'no_programme'")
DEVIATIONS = "SELECT count(*) FROM owner_deviation WHERE school_unit = %s AND reported_on = %s"


def test_the_owner_sees_its_units_counts_with_small_ones_suppressed_and_no_one_else_does(stack):
    today = local_today().isoformat()
    before = {"referrals": unit_today(REFERRALS), "no_programme": unit_today(NO_PROGRAMME),
              "deviations": unit_today(DEVIATIONS)}
    cases = [referred_and_investigated(stack) for _ in range(5)]
    decided = cases[0]
    post(stack, REKTOR, f"/cases/{decided}/investigation/parts", PARTS)
    post(stack, REKTOR, f"/cases/{decided}/investigation/conclusion", {"proposal": "Inget åtgärdsprogram"})
    post(stack, REKTOR, f"/cases/{decided}/decisions", {"kind": "no_programme", "reasons": "Stödet räcker"})
    dev.configure_units(stack.deviations_url)
    dev.report(stack.deviations_url, TEACHER, unit=UNIT)
    expected = {"referrals": before["referrals"] + 5, "no_programme": before["no_programme"] + 1,
                "deviations": before["deviations"] + 1}
    eventually(lambda: {"referrals": unit_today(REFERRALS), "no_programme": unit_today(NO_PROGRAMME),
                        "deviations": unit_today(DEVIATIONS)} == expected, timeout=60, interval=0.5)

    answer = overview(stack, ADMIN, per="month", school_unit=UNIT, **{"from": today, "to": today})
    assert answer.status_code == 200, answer.text
    answer = answer.json()
    [school] = [u for u in answer["units"] if u["school_unit"] == UNIT]
    total = school["total"]
    assert total["referrals"] == ownerview.shown_count(expected["referrals"])
    assert total["decisions"]["no_programme"] == ownerview.shown_count(expected["no_programme"])
    assert total["deviations"] == ownerview.shown_count(expected["deviations"])
    if not any(before.values()):  # the unit's day is this test's alone: the exact figures
        assert total["referrals"] == 5 and total["started_in_time"] == 5
        assert total["days_to_start"] == {"median": 0, "p90": 0}  # started the day of the referral
        assert total["days_to_decision"] == {"median": "färre än 5 ärenden", "p90": "färre än 5 ärenden"}
        assert total["decisions"]["no_programme"] == "färre än 5" and total["decisions"]["establish_programme"] == 0
        assert total["deviations"] == "färre än 5" and total["answered_in_time"] == 0
    assert set(total["appeals"]) >= {"received", "in_time", "forwarded_in_time", "rejected_late", "lapsed"}  # R9
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


# -- the read model itself, from public events applied as the worker and a rebuild apply them --
def case_events(case_id: str, municipality: str) -> list[dict]:
    def message(event_type: str, version: int, data: dict) -> dict:
        return {"event_id": str(uuid.uuid4()), "event_type": event_type, "municipality": municipality,
                "occurred_at": "2026-09-01T09:00:00+00:00", "aggregate_id": case_id, "aggregate_version": version,
                "data": {"case_id": case_id, **data}}

    return [
        message("CaseOpened", 1, {"school_unit": f"{municipality}-A"}),
        message("CaseReferredToRektor", 2, {"referred_on": "2026-09-01", "investigation_due": "2026-09-08",
                                            "decision_due": "2026-09-29", "direct": True}),
        message("InvestigationStarted", 3, {"started_on": "2026-09-02", "investigator": "x", "student_health_team": True}),
        message("CaseDecided", 4, {"decision_number": 1, "kind": "establish_programme", "decided_on": "2026-09-10",
                                   "appealable": True, "delegated": False, "rektor_only": False}),
        message("ActionProgrammeIssued", 5, {"programme_number": 1, "decision_number": 1, "issued_on": "2026-09-12",
                                             "follow_up_dates": ["2026-10-01"], "evaluation_on": "2026-11-30"}),
    ]


def disposal_of(case_ids: list[str], municipality: str) -> dict:
    return {"event_id": str(uuid.uuid4()), "event_type": "PupilRecordsDisposed", "municipality": municipality,
            "occurred_at": "2026-10-15T09:00:00+00:00", "aggregate_id": str(uuid.uuid4()), "aggregate_version": 1,
            "data": {"pupil_ref": str(uuid.uuid4()), "case_ids": case_ids, "disposed_on": "2026-10-15",
                     "record_types": ["support_case"]}}


async def apply_all(ordered: list[dict]) -> None:
    async with await psycopg.AsyncConnection.connect(Postgres.for_database("FOLLOWUP_DB").conninfo, autocommit=True) as conn:
        await readmodel.PROJECTION.create_schema(conn)
        for message in ordered:
            await readmodel.PROJECTION.apply(conn, message)


def figures(municipality: str) -> dict:
    with psycopg.connect(Postgres.for_database("FOLLOWUP_DB").conninfo) as conn:
        facts = owner.facts(conn, municipality, date(2026, 9, 1), date(2026, 11, 30))
    cells = ownerview.aggregate(facts, ownerview.Per.MONTH, date(2026, 9, 1), date(2026, 11, 30), date(2026, 12, 7))
    whole = ownerview.WHOLE_MUNICIPALITY
    return {"referrals": cells[(whole, "")].referrals, "decisions": dict(cells[(whole, "")].decisions),
            "in_force": [cells[(whole, m)].programmes_in_force for m in ("2026-09", "2026-10", "2026-11")],
            "follow_ups_overdue": [cells[(whole, m)].follow_ups_overdue for m in ("2026-09", "2026-10", "2026-11")]}


@pytest.mark.parametrize("disposal_first", [False, True], ids=["disposal-last", "disposal-first"])
def test_r17_a_disposal_ends_what_was_in_force_and_leaves_the_counts_in_any_order_and_once(disposal_first):
    municipality = f"9{uuid.uuid4().int % 1000:03d}"  # a municipality of this test alone
    case_id = str(uuid.uuid4())
    events, disposal = case_events(case_id, municipality), disposal_of([case_id], municipality)
    ordered = [disposal, *events] if disposal_first else [*events, disposal]
    asyncio.run(apply_all(ordered + ordered))  # everything delivered twice: applied once
    assert figures(municipality) == {"referrals": 1, "decisions": {"establish_programme": 1},
                                     "in_force": [1, 0, 0], "follow_ups_overdue": [0, 0, 0]}


def test_r14_a_protected_pupils_case_is_in_no_count():
    municipality = f"9{uuid.uuid4().int % 1000:03d}"
    shown, hidden = str(uuid.uuid4()), str(uuid.uuid4())
    protect = {"event_id": str(uuid.uuid4()), "event_type": "CaseProtectionChanged", "municipality": municipality,
               "occurred_at": "2026-09-20T09:00:00+00:00", "aggregate_id": hidden, "aggregate_version": 6,
               "data": {"case_id": hidden, "protected": True, "granted_to": ["rektor"]}}
    asyncio.run(apply_all([*case_events(shown, municipality), *case_events(hidden, municipality), protect]))
    assert figures(municipality) == {"referrals": 1, "decisions": {"establish_programme": 1},
                                     "in_force": [1, 1, 1], "follow_ups_overdue": [0, 1, 1]}
