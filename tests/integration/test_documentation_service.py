"""The special educator's documentation of interventions through the real documentation API,
the real cases service (asked over HTTP with the user's identity, never its database), the
relay and Kafka; and what is refused (4xx, nothing stored), including other units'
and other municipalities' documentation (404)."""
from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from eventkit.config import topic
from eventkit.contracts import validate_message
from eventkit.identity import Role
from tests.conftest import OTHER_REKTOR, REKTOR, SOLNA_TEACHER, TEACHER, headers_for, identity
from tests.integration.test_case_to_followup_view import open_case
from tests.integration.test_support_case_workflow import case, post, referred_case
from tests.support.infrastructure import decoded, end_of, messages_after, query
from eventkit.dates import local_today

pytestmark = pytest.mark.integration
TOPIC = topic("stodspar.documentation.v1")
EDUCATOR = identity("sara.berg", Role.SPECIAL_EDUCATOR, "0180", "0180-ENG", "0180-KAT")
SOLNA_EDUCATOR = identity("eva.strom", Role.SPECIAL_EDUCATOR, "0184", "0184-TAL")
KAT_EDUCATOR = identity("nils.kat", Role.SPECIAL_EDUCATOR, "0180", "0180-KAT")
SOLNA_REKTOR = identity("mia.falk", Role.REKTOR, "0184", "0184-TAL")


def document(stack, who=EDUCATOR, expect=201, **changes) -> dict:
    body = {
        "school_unit": "0180-ENG", "level": "group", "kind": "supervision",
        "performed_on": local_today().isoformat(), "minutes": 60, "hinders": ["structure"], "supports": ["staffing"],
        "hinders_note": "Otydliga övergångar.", "description": "Handledning av arbetslaget.", "group": "7B",
        **changes,
    }
    response = httpx.post(f"{stack.documentation_url}/interventions", json=body, headers=headers_for(who, "documentation"))
    assert response.status_code == expect, response.text
    return response.json()


def get(stack, path, who=EDUCATOR, expect=200, **params):
    response = httpx.get(f"{stack.documentation_url}{path}", params=params, headers=headers_for(who, "documentation"))
    assert response.status_code == expect, response.text
    return response.json()


def stored() -> int:
    return query("DOCUMENTATION_DB", "SELECT count(*) FROM documentation_events")[0][0]


def test_an_assessment_attached_to_a_real_cases_investigation_reaches_kafka_without_the_pupil(stack):
    case_id = referred_case(stack)
    post(stack, REKTOR, f"/cases/{case_id}/investigation", {"investigator": "sara.berg", "student_health_team": True})
    mark = end_of(TOPIC)
    intervention_id = document(
        stack, level="individual", kind="pedagogical_assessment", case_id=case_id, attach_to_investigation=True,
        group="", minutes=90, hinders=["instruction"], supports=["materials"], description="Läsbedömning med LäSt.",
    )["intervention_id"]

    [record] = messages_after(TOPIC, mark, lambda r: r.key == intervention_id.encode())
    message = decoded(record)
    validate_message(message)
    assert message["event_type"] == "InterventionRecorded" and message["municipality"] == "0180"
    assert message["data"] == {
        "intervention_id": intervention_id, "school_unit": "0180-ENG", "level": "individual",
        "kind": "pedagogical_assessment", "performed_on": local_today().isoformat(), "minutes": 90,
        "special_educator": "sara.berg",
    }
    assert case_id not in record.value.decode() and "LäSt" not in record.value.decode()

    # The case page's fragment: linked, and attached to the investigation under way.
    linked = get(stack, f"/cases/{case_id}/interventions", who=REKTOR)
    assert [i["intervention_id"] for i in linked["attached"]] == [intervention_id]
    assert linked["interventions"][0]["description"] == "Läsbedömning med LäSt." and linked["open_investigation"] == 1
    # A teacher of the unit sees the case, but not the special educator's documentation.
    get(stack, f"/cases/{case_id}/interventions", who=TEACHER, expect=403)


def test_r3_attaching_to_a_case_without_an_investigation_under_way_is_refused_and_nothing_is_stored(stack):
    case_id = referred_case(stack)
    before = stored()
    refused = document(stack, expect=422, level="individual", kind="mapping", case_id=case_id,
                       attach_to_investigation=True, group="")
    assert refused["rule"] == "R3" and "attach_to_investigation" in refused["fields"]
    assert stored() == before


def test_bad_input_is_refused_per_field_in_swedish_and_nothing_is_stored(stack):
    before = stored()
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    refused = document(stack, expect=422, level="class", kind="therapy", minutes=0, hinders=["noise"])
    assert {"level", "kind", "minutes", "hinders.0"} <= set(refused["fields"])
    assert refused["fields"]["level"] == "Välj ett av alternativen."
    refused = document(stack, expect=422, performed_on=tomorrow, hinders=[], supports=[], group="")
    assert set(refused["fields"]) == {"performed_on", "hinders", "group"}
    assert "framtiden" in refused["fields"]["performed_on"]
    refused = document(stack, expect=422, level="individual", group="")
    assert refused["rule"] == "R14" and set(refused["fields"]) == {"case_id"}
    refused = document(stack, expect=422, description="Gäller 20100312-1234 i 7B.")
    assert refused["rule"] == "R14"
    # A case the user may not see is answered like one that does not exist.
    solna_case = open_case(stack, who=SOLNA_TEACHER, unit="0184-TAL")
    refused = document(stack, expect=422, level="individual", kind="teaching", case_id=solna_case, group="")
    assert refused["fields"] == {"case_id": "Elevärendet finns inte, eller så har du inte behörighet till det."}
    # Only the unit's special educators document.
    document(stack, who=REKTOR, expect=403)
    document(stack, who=KAT_EDUCATOR, expect=403)
    assert stored() == before


def test_r16_a_correction_is_a_new_event_and_the_recorded_values_stay_in_the_history(stack):
    intervention_id = document(stack)["intervention_id"]
    mark = end_of(TOPIC)
    body = {"kind": "supervision", "performed_on": local_today().isoformat(), "minutes": 45, "hinders": ["structure"],
            "supports": ["staffing"], "hinders_note": "Otydliga övergångar.", "description": "Handledning av arbetslaget.",
            "group": "7B", "expected_version": 1}
    response = httpx.post(f"{stack.documentation_url}/interventions/{intervention_id}/corrections", json=body,
                          headers=headers_for(EDUCATOR, "documentation"))
    assert response.status_code == 422 and response.json()["rule"] == "R16"  # no reason
    response = httpx.post(f"{stack.documentation_url}/interventions/{intervention_id}/corrections",
                          json={**body, "reason": "Mötet var kortare."}, headers=headers_for(EDUCATOR, "documentation"))
    assert response.status_code == 201, response.text
    stale = httpx.post(f"{stack.documentation_url}/interventions/{intervention_id}/corrections",
                       json={**body, "minutes": 30, "reason": "Igen."}, headers=headers_for(EDUCATOR, "documentation"))
    assert stale.status_code == 409

    shown = get(stack, f"/interventions/{intervention_id}", who=REKTOR)
    assert shown["minutes"] == 45 and shown["corrections"][0]["before"] == {"minutes": 60}
    assert [h["event_type"] for h in shown["history"]] == ["Recorded", "Corrected"]
    [record] = messages_after(TOPIC, mark, lambda r: r.key == intervention_id.encode()
                              and decoded(r)["event_type"] == "InterventionCorrected")
    assert decoded(record)["data"] == {"intervention_id": intervention_id, "corrects_version": 1, "minutes": 45}


def test_other_municipalities_and_other_units_get_not_found(stack):
    intervention_id = document(stack)["intervention_id"]
    for outsider in (SOLNA_EDUCATOR, SOLNA_REKTOR, OTHER_REKTOR, KAT_EDUCATOR):
        refused = get(stack, f"/interventions/{intervention_id}", who=outsider, expect=404)
        assert refused["message"] == "Insatsen finns inte, eller så har du inte behörighet till den."
        assert intervention_id not in {r["intervention_id"] for r in get(stack, "/interventions", who=outsider)["rows"]}
    get(stack, f"/interventions/{intervention_id}", who=TEACHER, expect=403)
    get(stack, "/units/0180-ENG/overview", who=SOLNA_REKTOR, expect=403)
    # A pupil's case at another municipality is not found either.
    case_id = referred_case(stack)
    get(stack, f"/cases/{case_id}/interventions", who=SOLNA_REKTOR, expect=404)
    assert case(stack, case_id)["case_id"] == case_id


def test_the_development_overview_counts_per_level_kind_and_recurring_hinders_and_supports(stack):
    unit_before = get(stack, "/units/0180-ENG/overview", who=REKTOR)
    document(stack, level="organisation", kind="learning_environment", minutes=120, hinders=["physical", "structure"],
             group="")
    document(stack, minutes=30, hinders=["structure"], supports=["staffing", "materials"])
    overview = get(stack, "/units/0180-ENG/overview", who=REKTOR)
    assert overview["count"] == unit_before["count"] + 2
    assert overview["by_level"]["organisation"]["minutes"] >= 120
    hinders = dict(overview["hinders"])
    assert hinders["structure"] == dict(unit_before["hinders"]).get("structure", 0) + 2
    assert dict(overview["supports"])["materials"] == dict(unit_before["supports"]).get("materials", 0) + 1
