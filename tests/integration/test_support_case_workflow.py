"""The pupil's support case, the whole workflow, through the cases API, the relay, real Kafka
and the faust projection to rektor's follow-up view; the overdue timer with a controlled
clock; and what the API refuses (with the rule named, nothing stored)."""
from __future__ import annotations

import asyncio
from datetime import date, timedelta

import httpx
import pytest

from eventkit.contracts import validate_message
from eventkit.dates import school_year_end
from eventkit.identity import Role
from projections.followup.overdue import TOPIC as OVERDUE_TOPIC
from projections.followup.overdue import OverdueDetector
from tests.conftest import OTHER_REKTOR, REKTOR, TEACHER, headers_for, identity
from tests.integration.test_case_to_followup_view import add_adaptation, open_case, stored_event_count
from tests.support.infrastructure import decoded, end_of, eventually, messages_after
from eventkit.dates import local_today

pytestmark = pytest.mark.integration
EDUCATOR = identity("sara.berg", Role.SPECIAL_EDUCATOR, "0180", "0180-ENG", "0180-KAT")
PARTS = {
    "pupil_view": "Eleven vill ha lugnare arbetsplats.",
    "guardians_view": "Vårdnadshavarna ser trötthet efter skolan.",
    "school_view": "Lärarna ser att eleven tappar fokus efter 15 minuter.",
    "pedagogical_assessment": "Läsförståelsen ligger under årskursen.",
    "environment_organisation": "Stora grupper i alla ämnen.",
    "environment_group": "Klassen är stökig på eftermiddagarna.",
    "environment_individual": "Eleven saknar strategier för längre texter.",
}


def post(stack, who, path, body, expect=201):
    response = httpx.post(f"{stack.cases_url}{path}", json=body, headers=headers_for(who, "cases"))
    assert response.status_code == expect, response.text
    return response.json()


def case(stack, case_id, who=REKTOR):
    response = httpx.get(f"{stack.cases_url}/cases/{case_id}", headers=headers_for(who, "cases"))
    assert response.status_code == 200, response.text
    return response.json()


def view(stack, case_id, who=REKTOR, **filters):
    response = httpx.get(f"{stack.followup_url}/followup", params={"page_size": 1000, **filters}, headers=headers_for(who, "followup"))
    assert response.status_code == 200, response.text
    return next((row for row in response.json()["rows"] if row["case_id"] == case_id), None)


def view_shows(stack, case_id, **expected):
    def check():
        row = view(stack, case_id)
        return row if row and all(row.get(k) == v for k, v in expected.items()) else None

    check.__doc__ = f"the follow-up view shows {expected} for {case_id}"
    return eventually(check, timeout=60, interval=0.2)


def referred_case(stack) -> str:
    case_id = open_case(stack)
    add_adaptation(stack, case_id, "Förlängd skrivtid")
    add_adaptation(stack, case_id, "Bildstöd")
    post(stack, TEACHER, f"/cases/{case_id}/referral", {"why_not_enough": "Når ändå inte målen"})
    return case_id


def investigate(stack, case_id, proposal="Upprätta åtgärdsprogram"):
    version = case(stack, case_id)["version"]
    post(stack, REKTOR, f"/cases/{case_id}/investigation",
         {"investigator": "sara.berg", "student_health_team": True, "expected_version": version})
    post(stack, EDUCATOR, f"/cases/{case_id}/investigation/parts", PARTS)
    post(stack, EDUCATOR, f"/cases/{case_id}/investigation/conclusion", {"proposal": proposal})


def test_the_whole_workflow_through_http_kafka_and_rektors_view(stack):
    today = local_today()
    case_id = referred_case(stack)
    row = view_shows(stack, case_id, status="referred")
    assert row["days_waiting"] == 0 and row["investigation_overdue"] is False

    investigate(stack, case_id)
    assert view_shows(stack, case_id, status="investigated")["investigator"] == "sara.berg"
    assert view(stack, case_id, investigator="sara.berg") is not None
    assert view(stack, case_id, investigator="someone.else") is None

    # R5: the special educator decides under a registered delegation.
    post(stack, REKTOR, "/delegations/0180-ENG", {"delegate": "sara.berg", "kinds": ["establish_programme"],
                                                  "valid_from": today.isoformat(), "valid_to": school_year_end(today).isoformat()})
    post(stack, EDUCATOR, f"/cases/{case_id}/decisions", {"kind": "establish_programme"})
    decision = case(stack, case_id)["decisions"][0]
    assert decision["delegation_number"] >= 1 and decision["appealable"]
    assert "Skolväsendets överklagandenämnd" in decision["appeal_instructions"]
    assert view_shows(stack, case_id, status="decided")["undelivered"] == 1

    for party in ("pupil", "guardians"):
        post(stack, EDUCATOR, f"/cases/{case_id}/participation",
             {"party": party, "offered_on": today.isoformat(), "took_part": True, "views": "Vill ha lugn plats"})
    post(stack, REKTOR, f"/cases/{case_id}/programme", {
        "needs": "Stöd att förstå längre texter.",
        "measures": [{"description": "Läsförståelse med speciallärare", "extent": "2 x 40 min/vecka", "responsible": "sara.berg"}],
        "follow_up_dates": [(today + timedelta(days=d)).isoformat() for d in (3, 30, 60)],
        "follow_up_responsible": "sara.berg",
        "evaluation_on": (today + timedelta(days=90)).isoformat(),
        "evaluation_responsible": "rolf.ek",
    })
    row = view_shows(stack, case_id, status="programme")
    assert row["follow_up_soon"] is True and row["next_follow_up"] == (today + timedelta(days=3)).isoformat()

    post(stack, REKTOR, f"/cases/{case_id}/decisions/1/delivery", {"delivered_on": today.isoformat()})
    row = view_shows(stack, case_id, undelivered=0)
    assert row["appeal_open"] is True and row["appeal_open_until"] == (today + timedelta(weeks=3)).isoformat()

    for n in range(3):
        post(stack, EDUCATOR, f"/cases/{case_id}/follow-ups", {"findings": f"Uppföljning {n + 1}: bättre"})
    assert view_shows(stack, case_id, follow_ups_done=3)["next_follow_up"] is None
    post(stack, REKTOR, f"/cases/{case_id}/evaluation", {"outcome": "Målen nådda"})
    investigate(stack, case_id, proposal="Avsluta åtgärdsprogrammet")
    # The programme stays in force (and on rektor's view as such) until the closing decision (R10).
    assert view_shows(stack, case_id, evaluated_on=today.isoformat())["status"] == "programme"
    post(stack, REKTOR, f"/cases/{case_id}/decisions", {"kind": "close_programme"})
    eventually(lambda: view(stack, case_id) is None, timeout=60)
    assert case(stack, case_id)["status"] == "closed"

    history = httpx.get(f"{stack.cases_url}/cases/{case_id}/history", headers=headers_for(REKTOR, "cases")).json()["events"]
    assert [e["version"] for e in history] == list(range(1, len(history) + 1))
    assert {"Decided", "ProgrammeIssued", "FollowUpRecorded", "ProgrammeEvaluated"} <= {e["event_type"] for e in history}
    decided = next(e for e in history if e["event_type"] == "Decided")
    assert decided["actor"] == "sara.berg" and decided["role"] == "special_educator" and decided["at"]


def test_r6_a_delegated_special_teaching_group_decision_is_refused_with_the_law_cited_and_nothing_stored(stack):
    today = local_today()
    case_id = referred_case(stack)
    investigate(stack, case_id)
    post(stack, REKTOR, "/delegations/0180-ENG", {"delegate": "sara.berg", "kinds": ["establish_programme"],
                                                  "valid_from": today.isoformat(), "valid_to": today.isoformat()})
    before = stored_event_count()
    refusal = post(stack, EDUCATOR, f"/cases/{case_id}/decisions",
                   {"kind": "establish_programme", "placements": ["special_teaching_group"]}, expect=422)
    assert refusal["rule"] == "R6" and refusal["rule_name"] == "DecisionOnSpecialTeachingGroupCannotBeDelegated"
    assert "3 kap. 11 §" in refusal["message"] and "2 kap. 10 §" in refusal["message"]
    assert stored_event_count() == before
    post(stack, REKTOR, f"/cases/{case_id}/decisions", {"kind": "establish_programme", "placements": ["special_teaching_group"]})


def test_r18_the_programme_api_has_no_field_for_a_diagnosis(stack):
    case_id = referred_case(stack)
    before = stored_event_count()
    refusal = post(stack, REKTOR, f"/cases/{case_id}/programme", {"needs": "x", "diagnosis": "ADHD"}, expect=422)
    assert "diagnosis" in refusal["fields"]
    assert stored_event_count() == before


def test_two_people_saving_the_same_version_the_second_gets_409_and_nothing_is_lost(stack):
    case_id = referred_case(stack)
    loaded = case(stack, case_id)["version"]
    post(stack, REKTOR, f"/cases/{case_id}/investigation",
         {"investigator": "sara.berg", "student_health_team": True, "expected_version": loaded})
    before = stored_event_count()
    conflict = post(stack, TEACHER, f"/cases/{case_id}/extra-adaptations",
                    {"description": "Skrivet samtidigt", "expected_version": loaded}, expect=409)
    assert "Ladda om" in conflict["message"]
    assert stored_event_count() == before
    assert case(stack, case_id)["investigation"]["investigator"] == "sara.berg"


def test_r16_history_shows_the_correction_and_what_it_corrects_and_the_case_as_it_stood(stack):
    case_id = referred_case(stack)
    post(stack, TEACHER, f"/cases/{case_id}/corrections", {"corrects_version": 2, "value": "Förlängd skrivtid, 50 %", "reason": "Omfattning saknades"})
    history = httpx.get(f"{stack.cases_url}/cases/{case_id}/history", headers=headers_for(REKTOR, "cases")).json()["events"]
    original, correction = history[1], history[-1]
    assert original["data"]["description"] == "Förlängd skrivtid"  # the original is kept
    assert correction["event_type"] == "Corrected" and correction["corrects_version"] == 2
    assert case(stack, case_id)["extra_adaptations"][0]["description"] == "Förlängd skrivtid, 50 %"
    as_of = httpx.get(f"{stack.cases_url}/cases/{case_id}", params={"as_of": local_today().isoformat()}, headers=headers_for(REKTOR, "cases"))
    assert as_of.status_code == 200 and as_of.json()["as_of"] == local_today().isoformat()
    before = httpx.get(f"{stack.cases_url}/cases/{case_id}", params={"as_of": (local_today() - timedelta(days=1)).isoformat()},
                       headers=headers_for(REKTOR, "cases"))
    assert before.status_code == 404  # the case did not exist yet


def test_the_overdue_timer_publishes_a_passed_deadline_once_with_a_controlled_clock(stack):
    case_id = referred_case(stack)
    due = date.fromisoformat(view_shows(stack, case_id, status="referred")["investigation_due"])
    mark = end_of(OVERDUE_TOPIC)

    async def detect(on: date):
        detector = OverdueDetector(clock=lambda: on)
        found = []
        try:
            while batch := await detector.run_once():  # other cases may be overdue too
                found.extend(batch)
            return found
        finally:
            await detector.close()

    assert not [m for m in asyncio.run(detect(due)) if m["aggregate_id"] == case_id]  # due today is not late
    found = [m for m in asyncio.run(detect(due + timedelta(days=1))) if m["aggregate_id"] == case_id]
    assert [m["data"]["deadline"] for m in found] == ["investigation_start"]
    [record] = messages_after(OVERDUE_TOPIC, mark, lambda r: r.key == case_id.encode())
    message = decoded(record)
    validate_message(message)
    assert message["data"] == {"case_id": case_id, "school_unit": "0180-ENG", "deadline": "investigation_start",
                               "due_on": due.isoformat(), "detected_on": (due + timedelta(days=1)).isoformat()}
    assert not [m for m in asyncio.run(detect(due + timedelta(days=2))) if m["aggregate_id"] == case_id]  # once


def case_with_programme(stack) -> str:
    today = local_today()
    case_id = referred_case(stack)
    investigate(stack, case_id)
    post(stack, REKTOR, f"/cases/{case_id}/decisions", {"kind": "establish_programme"})
    for party in ("pupil", "guardians"):
        post(stack, EDUCATOR, f"/cases/{case_id}/participation",
             {"party": party, "offered_on": today.isoformat(), "took_part": False})
    post(stack, REKTOR, f"/cases/{case_id}/programme", {
        "needs": "Stöd i matematik.",
        "measures": [{"description": "Färdighetsträning", "extent": "3 x 20 min/vecka", "responsible": "sara.berg"}],
        "follow_up_dates": [(today + timedelta(days=20)).isoformat()], "follow_up_responsible": "sara.berg",
        "evaluation_on": (today + timedelta(days=60)).isoformat(), "evaluation_responsible": "rolf.ek",
    })
    return case_id


def test_r11_after_a_move_the_programme_no_longer_applies_and_the_new_unit_sees_the_case(stack):
    case_id = case_with_programme(stack)
    post(stack, REKTOR, f"/cases/{case_id}/move", {"to_unit": "0180-KAT"})
    before = stored_event_count()
    refusal = post(stack, EDUCATOR, f"/cases/{case_id}/follow-ups", {"findings": "x"}, expect=422)
    assert refusal["rule"] == "R11" and stored_event_count() == before
    assert httpx.get(f"{stack.cases_url}/cases/{case_id}", headers=headers_for(REKTOR, "cases")).status_code == 404
    row = eventually(lambda: view(stack, case_id, OTHER_REKTOR), timeout=60)
    assert row["school_unit"] == "0180-KAT" and row["status"] == "moved" and row["next_follow_up"] is None


def test_r16_a_correction_names_the_investigation_part_refuses_another_and_a_retry_stores_once(stack):
    case_id = referred_case(stack)
    investigate(stack, case_id)
    offered = case(stack, case_id)["correctable_fields"]
    recorded = next(v for v, fields in offered.items() if "environment_group" in fields)
    assert offered[recorded] == PARTS  # every part saved together, each with its value now
    before = stored_event_count()
    for field in ("", "diagnosis"):  # several parts: one must be named, and one the entry has
        refusal = post(stack, EDUCATOR, f"/cases/{case_id}/corrections",
                       {"corrects_version": int(recorded), "field": field, "value": "Ny text", "reason": "Fel"}, expect=422)
        assert refusal["rule"] == "R16" and set(refusal["fields"]) == {"field"}
    assert stored_event_count() == before
    body = {"corrects_version": int(recorded), "field": "environment_group", "value": "Klassen är lugn.", "reason": "Fel"}
    key = {"Idempotency-Key": f"correction-{case_id}"}
    for _ in range(2):  # a retry with the same key stores once
        answer = httpx.post(f"{stack.cases_url}/cases/{case_id}/corrections", json=body, headers={**headers_for(EDUCATOR, "cases"), **key})
        assert answer.status_code == 201, answer.text
    assert stored_event_count() == before + 1
    assert case(stack, case_id)["investigation"]["parts"] == {**PARTS, "environment_group": "Klassen är lugn."}


def test_r16_a_corrected_delivery_date_moves_the_appeal_window_in_the_view(stack):
    today = local_today()
    case_id = case_with_programme(stack)
    post(stack, REKTOR, f"/cases/{case_id}/decisions/1/delivery", {"delivered_on": today.isoformat()})
    delivered = case(stack, case_id)["version"]
    later = today + timedelta(days=2)
    post(stack, REKTOR, f"/cases/{case_id}/corrections",
         {"corrects_version": delivered, "value": later.isoformat(), "reason": "Brevet kom fram senare", "expected_version": delivered})
    assert view_shows(stack, case_id, appeal_open_until=(later + timedelta(weeks=3)).isoformat())
    assert case(stack, case_id)["decisions"][0]["appeal_last_day"] == (later + timedelta(weeks=3)).isoformat()


def test_dates_the_testers_typed_are_refused_at_their_fields_and_nothing_is_stored(stack):
    """Found by testers: a delivery on 2999-01-01 gave "Sista dag att överklaga: 22 januari 2999";
    participation in 1900 and a delegation from 1900 to 2999 were accepted (docs/rules.md,
    "Plausible dates")."""
    case_id = case_with_programme(stack)
    before = stored_event_count()
    refused = [
        (f"/cases/{case_id}/decisions/1/delivery", {"delivered_on": "2999-01-01"}, "R9", "delivered_on"),
        (f"/cases/{case_id}/participation", {"party": "pupil", "offered_on": "1900-01-01", "took_part": True}, "R8", "offered_on"),
        ("/delegations/0180-ENG", {"delegate": "sara.berg", "kinds": ["no_programme"], "valid_from": "1900-01-01",
                                   "valid_to": "2999-01-01"}, "R5", "valid_from"),
    ]
    for path, body, rule, field in refused:
        answer = post(stack, REKTOR, path, body, expect=422)
        assert (answer["rule"], list(answer["fields"])) == (rule, [field]), answer
    assert stored_event_count() == before
    shown = case(stack, case_id)
    assert shown["decisions"][0]["appeal_last_day"] is None and len(shown["participation"]) == 2
