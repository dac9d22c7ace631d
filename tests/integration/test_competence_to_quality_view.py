"""The special educator's mission and the quality cycle through the real competence API, its
relay, Kafka and the quality faust worker into rektor's quality view (R12, R13); the
documentation service's interventions on its topic into the same view; and what is refused."""
from __future__ import annotations

import asyncio
import json
import uuid
from datetime import date, timedelta

import httpx
import psycopg
import pytest

from eventkit.config import Postgres, kafka_bootstrap, topic
from projections.quality import queries
from tests.conftest import headers_for
from tests.support.competence import (
    EDUCATOR, OTHER_REKTOR, REKTOR, SOLNA_EDUCATOR, SOLNA_REKTOR, TEACHER, agreed_goal, agreed_mission, call, days,
)
from tests.support.infrastructure import decoded, end_of, eventually, messages_after, query
from eventkit.dates import local_today

pytestmark = pytest.mark.integration
DOCUMENTATION_TOPIC = topic("stodspar.documentation.v1")
COMPETENCE_TOPIC = topic("stodspar.competence.v1")


def stored_event_count() -> int:
    return query("COMPETENCE_DB", "SELECT count(*) FROM competence_events")[0][0]


def view(stack, who=REKTOR, **params) -> httpx.Response:
    return httpx.get(f"{stack.quality_url}/quality", headers=headers_for(who, "quality"), params=params)


def mission_in_view(stack, mission_id: str, who=REKTOR) -> dict | None:
    for person in view(stack, who).json()["educators"]:
        for mission in person["missions"]:
            if mission["mission_id"] == mission_id:
                return mission
    return None


def test_r12_r13_the_whole_cycle_reaches_rektors_quality_view_through_kafka(stack):
    base = stack.competence_url
    mission_id = agreed_mission(base)
    old = agreed_goal(base, mission_id)
    need = call(base, EDUCATOR, f"/missions/{mission_id}/needs", {"text": "Fördjupning i matematiksvårigheter"})["need_id"]
    activity = call(base, EDUCATOR, f"/missions/{mission_id}/activities",
                    {"need_id": need, "title": "Kurs i dyskalkyli", "planned_hours": 16})["activity_id"]
    call(base, REKTOR, f"/missions/{mission_id}/activities/{activity}/allotment", {"hours": 12})
    call(base, EDUCATOR, f"/missions/{mission_id}/activities/{activity}/completion",
         {"completed_on": days(0), "hours": 10.5})
    call(base, REKTOR, f"/missions/{mission_id}/supervision", {"provider": "external", "sessions_per_term": 4})
    call(base, EDUCATOR, f"/missions/{mission_id}/supervision/sessions", {"held_on": days(0), "minutes": 90})

    shown = eventually(lambda: (m := mission_in_view(stack, mission_id)) and m["supervision"]["this_term"]["sessions"] and m)
    assert shown["mission_in_force"] is True
    [goal] = shown["goals"]
    assert goal["goal_id"] == old and goal["status"] == "in_force"
    assert set(goal["confirmed_by"]) == {"rektor", "special_educator"}
    assert goal["next_follow_up"] == days(7) and goal["follow_up_due"] and not goal["follow_up_overdue"]
    assert shown["plan"] == {"needs": 1, "activities": 1, "completed": 1, "planned_hours": 16.0,
                             "allotted_hours": 12.0, "done_hours": 10.5}
    assert shown["supervision"]["this_term"]["minutes"] == 90 and shown["supervision"]["sessions_per_term"] == 4

    # The same read model on a day after the first scheduled follow-up: it is overdue (R13).
    with psycopg.connect(Postgres.for_database("QUALITY_DB").conninfo) as conn:
        later = queries.educators(conn, "0180", local_today() + timedelta(days=10), units=["0180-ENG"])
    [late] = [g for p in later for m in p["missions"] if m["mission_id"] == mission_id for g in m["goals"]]
    assert late["follow_up_overdue"] and late["days_overdue"] == 3

    # The cycle: follow-up → joint assessment → improvement action → a new goal replacing the old.
    mark = end_of(COMPETENCE_TOPIC)
    call(base, EDUCATOR, f"/missions/{mission_id}/goals/{old}/follow-ups", {"text": "Tre av fem arbetslag handledda."})
    [followed_up] = messages_after(COMPETENCE_TOPIC, mark, lambda r: r.key == mission_id.encode())
    message = decoded(followed_up)
    assert message["event_type"] == "GoalFollowedUp" and "Tre av fem" not in followed_up.value.decode()
    assessment = call(base, EDUCATOR, f"/missions/{mission_id}/goals/{old}/assessments",
                      {"attainment": "partly_met", "analysis": "För lite tid i arbetslagens schema."})["assessment_id"]
    for who in (EDUCATOR, REKTOR):
        call(base, who, f"/missions/{mission_id}/assessments/{assessment}/confirmation", {})
    action = call(base, REKTOR, f"/missions/{mission_id}/goals/{old}/actions",
                  {"assessment_id": assessment, "text": "En timme i veckan per arbetslag."})["action_id"]
    new = agreed_goal(base, mission_id, text="Alla fem arbetslag handleds en timme i veckan.", replaces=old,
                      because_of=action)

    def replaced():
        """the old goal shows as replaced, with its attainment, and the new one in force"""
        goals = {g["goal_id"]: g for g in (mission_in_view(stack, mission_id) or {}).get("goals", [])}
        return goals if goals.get(old, {}).get("status") == "replaced" else None

    goals = eventually(replaced)
    assert goals[old]["attainment"] == "partly_met" and goals[old]["actions"] == 1 and goals[old]["follow_ups_done"] == 1

    # A redelivered follow-up (a relay restart can send a batch twice) is counted once.
    _produce([message], COMPETENCE_TOPIC, followed_up.key)
    # The next command on the mission lands after the duplicate on the same partition.
    call(base, EDUCATOR, f"/missions/{mission_id}/needs", {"text": "Samtalsmetodik"})
    eventually(lambda: (mission_in_view(stack, mission_id) or {}).get("plan", {}).get("needs") == 2)
    assert query("QUALITY_DB", "SELECT follow_ups_done FROM quality_goal WHERE goal_id = %s", (old,)) == [(1,)]
    assert goals[new]["status"] == "in_force" and goals[new]["replaces"] == old

    # The chain is navigable both ways in the service, with its history.
    forwards = call(base, REKTOR, f"/missions/{mission_id}/goals/{old}", status=200)
    assert [g["goal_id"] for g in forwards["later"]] == [new]
    assert forwards["actions"][0]["led_to"] == [new] and forwards["assessments"][0]["actions"] == [action]
    backwards = call(base, EDUCATOR, f"/missions/{mission_id}/goals/{new}", status=200)
    assert [g["goal_id"] for g in backwards["earlier"]] == [old] and backwards["because_of"]["action_id"] == action
    history = call(base, REKTOR, f"/missions/{mission_id}/history", status=200)["events"]
    confirmations = [e for e in history if e["event"] == "Confirmed" and e.get("subject_id") == new]
    assert [(e["by"], e["complete"]) for e in confirmations] == [("rolf.ek", False), ("sara.berg", True)]

    # Sara sees her own record; the rektor of another unit and another municipality do not.
    assert mission_in_view(stack, mission_id, EDUCATOR) is not None
    assert mission_in_view(stack, mission_id, OTHER_REKTOR) is None
    assert mission_in_view(stack, mission_id, SOLNA_REKTOR) is None
    assert mission_in_view(stack, mission_id, SOLNA_EDUCATOR) is None
    assert view(stack, TEACHER).status_code == 403
    assert view(stack, REKTOR, school_unit="0180-KAT").status_code == 403


def _intervention(unit: str, level: str, kind: str, performed_on: str, minutes: int = 60, educator: str = "sara.berg",
                  municipality: str = "0180") -> dict:
    intervention_id = str(uuid.uuid4())
    return {
        "event_id": str(uuid.uuid4()), "event_type": "InterventionRecorded", "schema_version": "1.0",
        "occurred_at": f"{performed_on}T10:00:00+00:00", "aggregate_id": intervention_id, "aggregate_version": 1,
        "municipality": municipality,
        "data": {"intervention_id": intervention_id, "school_unit": unit, "level": level, "kind": kind,
                 "performed_on": performed_on, "minutes": minutes, "special_educator": educator},
    }


def _produce(messages: list[dict], topic: str = DOCUMENTATION_TOPIC, key: bytes | None = None) -> None:
    from aiokafka import AIOKafkaProducer

    async def send():
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap(), acks="all", enable_idempotence=True)
        await producer.start()
        try:
            for m in messages:
                await producer.send_and_wait(topic, key=key or m["aggregate_id"].encode(),
                                             value=json.dumps(m).encode(),
                                             headers=[("event_type", m["event_type"].encode()), ("schema_version", b"1.0"),
                                                      ("event_id", m["event_id"].encode()), ("municipality", m["municipality"].encode())])
        finally:
            await producer.stop()

    asyncio.run(send())


def test_interventions_of_this_term_by_level_and_kind_per_unit_once_each(stack):
    today = local_today()
    before = view(stack).json()["interventions"]["units"][0]
    assert before["school_unit"] == "0180-ENG"
    this_term = [
        _intervention("0180-ENG", "organisation", "learning_environment", today.isoformat(), 90),
        _intervention("0180-ENG", "group", "supervision", today.isoformat(), 45),
        _intervention("0180-ENG", "individual", "pedagogical_assessment", today.isoformat(), 120, educator="lena.dahl"),
    ]
    elsewhere = [
        _intervention("0180-ENG", "group", "teaching", date(today.year - 1, today.month, 1).isoformat()),  # last year
        _intervention("0180-KAT", "group", "teaching", today.isoformat()),  # another rektor's unit
        _intervention("0184-TAL", "group", "teaching", today.isoformat(), municipality="0184"),
    ]
    _produce(this_term + elsewhere + [this_term[0]])  # the first one redelivered

    def counted():
        """the three interventions of this term are in the view"""
        unit = view(stack).json()["interventions"]["units"][0]
        return unit if unit["total"] - before["total"] >= 3 else None

    unit = eventually(counted)
    eventually(lambda: query("QUALITY_DB", "SELECT count(*) FROM processed_event WHERE event_id = ANY(%s::uuid[])",
                             ([m["event_id"] for m in this_term + elsewhere],))[0][0] == 6)
    after = view(stack).json()["interventions"]
    [eng] = after["units"]
    assert eng["total"] - before["total"] == 3  # the redelivery, last year and other units do not count
    assert eng["minutes"] - before["minutes"] == 255
    assert eng["by_level"]["organisation"] - before["by_level"]["organisation"] == 1
    assert eng["by_kind"]["pedagogical_assessment"] - before["by_kind"]["pedagogical_assessment"] == 1
    assert unit["by_kind"]["teaching"] == before["by_kind"]["teaching"]
    own = view(stack, EDUCATOR).json()["interventions"]["units"]
    assert "0180-KAT" in {u["school_unit"] for u in own}  # Sara's own, in both her units
    assert all(u["school_unit"] != "0184-TAL" for u in own)


def test_r12_only_the_two_parties_see_and_act_and_others_get_not_found(stack):
    base = stack.competence_url
    mission_id = agreed_mission(base)
    goal = call(base, REKTOR, f"/missions/{mission_id}/goals",
                {"text": "Pedagogiska bedömningar inom två veckor.", "follow_up_dates": [days(30)]})["goal_id"]
    before = stored_event_count()
    for outsider in (OTHER_REKTOR, SOLNA_REKTOR, SOLNA_EDUCATOR):
        call(base, outsider, f"/missions/{mission_id}", status=404)
        call(base, outsider, f"/missions/{mission_id}/goals/{goal}/confirmation", {}, status=404)
        assert mission_id not in {r["mission_id"] for r in call(base, outsider, "/missions", status=200)["rows"]}
    # A role that is never a party (a teacher of the unit) is refused before any mission is read.
    call(base, TEACHER, f"/missions/{mission_id}", status=403)
    call(base, TEACHER, f"/missions/{mission_id}/goals/{goal}/confirmation", {}, status=403)
    call(base, TEACHER, "/missions", status=403)
    assert call(base, REKTOR, "/missions", {"school_unit": "0180-KAT", "special_educator": "sara.berg"}, status=403)
    assert call(base, EDUCATOR, "/missions", {"school_unit": "0180-ENG", "special_educator": "sara.berg"}, status=403)
    again = call(base, REKTOR, f"/missions/{mission_id}/goals/{goal}/confirmation", {})
    assert again == {"in_force": False}
    twice = call(base, REKTOR, f"/missions/{mission_id}/goals/{goal}/confirmation", {}, status=422)
    assert twice["rule"] == "R12" and twice["rule_name"] == "EachPartyConfirmsOnce"
    assert stored_event_count() == before + 1
    shown = call(base, EDUCATOR, f"/missions/{mission_id}", status=200)
    [proposed] = shown["goals"]
    assert proposed["status"] == "proposed" and proposed["awaiting_my_confirmation"]
    stale = httpx.post(f"{base}/missions/{mission_id}/goals/{goal}/confirmation", json={"expected_version": 1},
                       headers=headers_for(EDUCATOR, base))
    assert stale.status_code == 409 and stored_event_count() == before + 1


def test_r13_follow_ups_are_reported_by_the_special_educator_on_goals_in_force(stack):
    base = stack.competence_url
    mission_id = agreed_mission(base)
    goal = agreed_goal(base, mission_id)
    before = stored_event_count()
    by_rektor = call(base, REKTOR, f"/missions/{mission_id}/goals/{goal}/follow-ups", {"text": "x"}, status=422)
    assert by_rektor["rule"] == "R13" and by_rektor["message"].endswith("(R13)")
    too_early = call(base, REKTOR, f"/missions/{mission_id}/goals/{goal}/assessments",
                     {"attainment": "met", "analysis": "Bra"}, status=422)
    assert too_early["rule_name"] == "AssessmentRestsOnAFollowUp"
    assert stored_event_count() == before


@pytest.mark.parametrize(
    "path, body, field",
    [
        ("goals", {"text": "  ", "follow_up_dates": [days(5)]}, "text"),
        ("goals", {"text": "Mål", "follow_up_dates": []}, "follow_up_dates"),
        ("goals", {"text": "Mål", "follow_up_dates": [days(-3)]}, "follow_up_dates"),
        ("goals", {"text": "Mål", "follow_up_dates": ["2026-13-45"]}, "follow_up_dates.0"),
        ("goals", {"text": "Mål", "follow_up_dates": [days(5)], "replaces": "nope", "because_of": "nope"}, None),
        ("goals", {"text": "Mål", "follow_up_dates": [days(5)], "pupil": "x"}, "pupil"),
        ("description", {"text": ""}, "text"),
        ("description/confirmation", {"revision": 7}, None),
        ("needs", {"text": "x" * 4001}, "text"),
        ("activities", {"need_id": "nope", "title": "Kurs", "planned_hours": 8}, "need_id"),
        ("activities", {"need_id": "nope", "title": "Kurs", "planned_hours": "många"}, "planned_hours"),
        ("supervision", {"provider": "granne", "sessions_per_term": 4}, "provider"),
        ("supervision/sessions", {"held_on": days(0), "minutes": 30}, None),
    ],
)
def test_r12_r13_bad_input_gets_a_clear_4xx_in_swedish_and_nothing_is_stored(stack, path, body, field):
    base = stack.competence_url
    mission_id = agreed_mission(base)
    before = stored_event_count()
    answer = call(base, REKTOR, f"/missions/{mission_id}/{path}", body, status=422)
    assert answer["message"] and "Input should" not in json.dumps(answer)
    if field:
        assert field in answer["fields"], answer
    else:
        assert answer["rule"] in {"R12", "R13"}
    assert stored_event_count() == before


def test_r12_the_profile_is_kept_by_the_special_educator_and_read_by_her_rektor(stack):
    base = stack.competence_url
    agreed_mission(base)
    body = {"degree": "Speciallärarexamen 2019", "qualification": "special_teacher_degree",
            "specialisations": ["mathematics", "language_reading_writing"]}
    response = httpx.put(f"{base}/profiles/me", json=body, headers=headers_for(EDUCATOR, base))
    assert response.status_code == 200, response.text
    assert httpx.put(f"{base}/profiles/me", json=body, headers=headers_for(REKTOR, base)).status_code == 403
    bad = httpx.put(f"{base}/profiles/me", json={**body, "qualification": "doktor"}, headers=headers_for(EDUCATOR, base))
    assert bad.status_code == 422 and "qualification" in bad.json()["fields"]
    shown = call(base, REKTOR, "/profiles/sara.berg", status=200)
    assert shown["specialisations"] == ["language_reading_writing", "mathematics"]
    call(base, OTHER_REKTOR, "/profiles/sara.berg", status=404)
    call(base, SOLNA_REKTOR, "/profiles/sara.berg", status=404)


def test_interventions_documented_in_the_documentation_service_reach_the_quality_view_and_a_withdrawal_leaves_it(stack):
    docs = stack.documentation_url
    before = view(stack).json()["interventions"]["units"][0]

    def record(level: str, kind: str, minutes: int) -> str:
        response = httpx.post(f"{docs}/interventions", headers=headers_for(EDUCATOR, docs), json={
            "school_unit": "0180-ENG", "level": level, "kind": kind, "performed_on": local_today().isoformat(),
            "minutes": minutes, "hinders": ["schedule"], "supports": ["competence"], "group": "Arbetslag 7",
            "description": "Handledning av arbetslag 7."})
        assert response.status_code == 201, response.text
        return response.json()["intervention_id"]

    record("organisation", "learning_environment", 60)
    withdrawn = record("group", "supervision", 45)

    def counted(extra: int):
        def check():
            unit = view(stack).json()["interventions"]["units"][0]
            return unit if unit["total"] - before["total"] == extra else None
        return check

    eventually(counted(2), timeout=30)
    response = httpx.post(f"{docs}/interventions/{withdrawn}/withdrawal", headers=headers_for(EDUCATOR, docs),
                          json={"reason": "Registrerad två gånger."})
    assert response.status_code == 201, response.text
    unit = eventually(counted(1), timeout=30)
    assert unit["by_kind"]["supervision"] == before["by_kind"]["supervision"]
    assert unit["by_level"]["organisation"] - before["by_level"]["organisation"] == 1
